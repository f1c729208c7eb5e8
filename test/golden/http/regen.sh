#!/bin/bash
# Regenerates the HTTP one-line goldens from tshark 4.0.17 (needs /usr/bin/tshark; the tests do not).
# Each golden: "# " header lines (fixture, command, lines that differ on purpose and why), then
# tshark's exact output of `tshark -n -r FIXTURE`. test/present/http-summary.test.ts runs
# `tcplab read -n -r FIXTURE` and compares line for line.
#   usage: test/golden/http/regen.sh        (from the repo root)
set -euo pipefail
cd "$(dirname "$0")/../../.."
FX=test/fixtures/pcap
OUT=test/golden/http
TV=$(tshark -v 2>/dev/null | head -1)

gold() { # fixture [differs-note]
  local fixture=$1 differs=${2:-}
  {
    echo "# fixture: $fixture"
    echo "# made by: tshark -n -r $FX/$fixture ($TV), TZ=UTC"
    [ -n "$differs" ] && echo "# differs: $differs"
    TZ=UTC tshark -n -r "$FX/$fixture" 2>/dev/null
  } > "$OUT/$fixture.summary.txt"
}

for f in http-lo-media.pcap http-tcpreplay-port80.pcap http-content-length.pcap http-gopacket-loopback.pcap http-ipp-1-120.pcap http-missing-syn.pcap \
         http-one-stream-fin.pcap http-post-file.pcap http-simple.pcap http-syn-ack.pcap http-syn-retransmit-1-130.pcap \
         analysis-wireshark-retrans.pcap analysis-tcp-reassembly-synthetic.pcap analysis-one_tcp_stream_max_seq.pcap; do
  gold "$f"
done
gold http-oisf.pcap "13,17 (DNS over UDP: tcplab does not dissect DNS)"
gold http-tlpw1-continuation.pcap "222 (tshark adds [Malformed Packet]: its HTTP line loop throws on a header-less last line; tcplab does not model that exception)"

# Length-prefixed protocols over TCP (TLS, SSH, BitTorrent, MQTT, Thrift, X11 framing: src/analysis/app-pdus.ts).
for f in pdu-tls-ack-payload-1-63.pcap pdu-tls-new-session-ticket.pcap pdu-ssh-mptcp-v0.pcap pdu-ssh-ed25519.pcap pdu-bittorrent-tcp-miss.pcapng pdu-thrift-loopback.pcap pdu-mqtt-limit-2-1-20.pcap; do
  gold "$f"
done
gold pdu-x11-loopback.pcap "4,6,8,12,16,18,20,21 (X11 Info text: tcplab models X11 framing, so the [TCP segment of a reassembled PDU] lines and the X11 Protocol column, but not X11's request/reply/event names)"
gold pdu-tls-tcp-opt.pcap "24 (tshark adds [Malformed Packet] to a segment with Len=0 whose IP length leaves TCP option bytes over; tcplab does not model that exception)"

# http.* fields of the frames `-Y http` keeps (test/present/http-summary.test.ts compares them exactly).
HF="-Y http -T fields -e frame.number -e http.request -e http.response -e http.request.method -e http.request.uri -e http.request.version -e http.response.version -e http.response.code -e http.response.phrase"
for f in http-lo-media.pcap http-oisf.pcap http-ipp-1-120.pcap analysis-wireshark-retrans.pcap http-tlpw1-continuation.pcap; do
  TZ=UTC tshark -r "$FX/$f" $HF 2>/dev/null > "$OUT/$f.fields.txt"
done
