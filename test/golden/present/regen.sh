#!/bin/bash
# Regenerates the present/ golden files from tshark 4.0 (needs /usr/bin/tshark; tests do not).
# Each golden: "# " header lines (fixture, tcplab read arguments, provenance, divergences), then
# tshark's exact output for `tshark -r FIXTURE ARGS`. test/e2e/read-golden.test.ts runs
# `tcplab read -r FIXTURE ARGS` and compares byte for byte.
#   usage: test/golden/present/regen.sh        (from the repo root)
set -euo pipefail
cd "$(dirname "$0")/../../.."
FX=test/fixtures/pcap
OUT=test/golden/present
TV=$(tshark -v 2>/dev/null | head -1)

# DIVERGENCE notes go into every golden so a reader sees what is deliberately not compared.
NOTE='tcplab does not dissect application protocols (HTTP, TLS ...): tshark shows them, tcplab shows TCP/UDP and Data; fixtures here use port 6666 (no app dissector).'

gold() { # name fixture args...
  local name=$1 fixture=$2; shift 2
  {
    echo "# fixture: $fixture"
    echo "# args: $*"
    echo "# made by: tshark -r $FX/$fixture $* ($TV), TZ=UTC"
    echo "# divergence: $NOTE"
    TZ=UTC tshark -r "$FX/$fixture" "$@" 2>/dev/null
  } > "$OUT/$name.txt"
}

for n in telnet-v4 telnet-v6 pingpong-loss nano reset halfclose; do
  gold "lo-$n.summary" "present-lo-$n.pcap"
done
gold "lo-telnet-v4-pcapng.summary" present-lo-telnet-v4.pcapng
gold "lo-telnet-v6-gzip.summary" present-lo-telnet-v6.pcap.gz
gold "eth-udp-tcp-icmp.summary" decode-eth-udp-tcp-icmp.pcap
for n in telnet-v4 telnet-v6 reset halfclose; do
  gold "lo-$n.V" "present-lo-$n.pcap" -V
done
gold "lo-telnet-v4.x" present-lo-telnet-v4.pcap -x
gold "lo-telnet-v4.Vx" present-lo-telnet-v4.pcap -V -x -c 4
gold "lo-telnet-v4.json" present-lo-telnet-v4.pcap -T json
gold "lo-halfclose.json" present-lo-halfclose.pcap -T json
gold "lo-telnet-v6.json" present-lo-telnet-v6.pcap -T json -c 3
gold "lo-pingpong-loss.V" present-lo-pingpong-loss.pcap -V -c 70
gold "lo-pingpong-loss.json" present-lo-pingpong-loss.pcap -T json -c 70
gold "lo-pingpong-loss.ek" present-lo-pingpong-loss.pcap -T ek -c 70
gold "lo-telnet-v4.ek" present-lo-telnet-v4.pcap -T ek
gold "lo-telnet-v4-pcapng.V" present-lo-telnet-v4.pcapng -V -c 3
gold "lo-zerowindow-snaplen128.V" analysis-lo-zerowindow.pcap -V -c 12
gold "lo-zerowindow-snaplen128.summary" analysis-lo-zerowindow.pcap
gold "any-sll2.V" any-sll2.pcap -V
gold "lo-telnet-v4.json-e" present-lo-telnet-v4.pcap -T json -e tcp.srcport -e ip.addr -e tcp.options.mss_val -e tcp -c 4
gold "lo-telnet-v4.ek-e" present-lo-telnet-v4.pcap -T ek -e tcp.srcport -e ip.addr -e tcp.options.mss_val -c 4
gold "lo-telnet-v4.V-n" present-lo-telnet-v4.pcap -V -n -c 2
gold "any-sll2.V-n" any-sll2.pcap -V -n -c 2
gold "lo-telnet-v4.filter" present-lo-telnet-v4.pcap -Y "tcp.len > 0 && tcp.srcport == 6666"
gold "lo-pingpong-loss.count" present-lo-pingpong-loss.pcap -c 7
# 1-byte segments on port 6666: tshark's SigComp dissector (tcp.port 6666) throws on them.
gold "lo-chunk1-sigcomp.summary" present-lo-chunk1-sigcomp.pcap
gold "lo-chunk1-sigcomp.V" present-lo-chunk1-sigcomp.pcap -V
gold "lo-chunk1-sigcomp.json" present-lo-chunk1-sigcomp.pcap -T json
gold "lo-chunk1-sigcomp.ek" present-lo-chunk1-sigcomp.pcap -T ek
gold "lo-chunk1-sigcomp.expert" present-lo-chunk1-sigcomp.pcap -q -z expert
gold "lo-chunk1-sigcomp.fields" present-lo-chunk1-sigcomp.pcap -T fields -e frame.number -e _ws.malformed -e frame.protocols -e data.len -e tcp.len
gold "lo-chunk1-sigcomp.filter" present-lo-chunk1-sigcomp.pcap -Y _ws.malformed
# A 64-byte snaplen cuts the TCP options: "[Packet size limited during capture]", no text of the cut option.
gold "snaplen-64.summary" snaplen-64.pcap
gold "snaplen-64.V" snaplen-64.pcap -V
gold "snaplen-64.json" snaplen-64.pcap -T json -c 4
# -t: the Time column's formats (absolute ones in UTC here: gold() sets TZ=UTC, as the test does).
gold "lo-telnet-v4.t-ad" present-lo-telnet-v4.pcap -t ad
gold "lo-telnet-v4.t-udoy" present-lo-telnet-v4.pcap -t udoy -c 5
gold "lo-telnet-v4.t-a" present-lo-telnet-v4.pcap -t a -c 5
gold "lo-nano.t-e" present-lo-nano.pcap -t e
gold "lo-pingpong-loss.t-d" present-lo-pingpong-loss.pcap -t d -c 40
gold "lo-pingpong-loss.t-dd" present-lo-pingpong-loss.pcap -t dd -Y "tcp.len > 0"
# Column fields (-e _ws.col.<title>): the one-line columns; an unknown title (case-sensitive) stays empty.
gold "lo-telnet-v4.fields-col" present-lo-telnet-v4.pcap -T fields -E header=y -e _ws.col.No. -e _ws.col.Time -e _ws.col.Source -e _ws.col.Destination -e _ws.col.Protocol -e _ws.col.Length -e _ws.col.Info -e _ws.col.info
gold "lo-pingpong-loss.fields-col-t" present-lo-pingpong-loss.pcap -t ad -Y "tcp.analysis.flags" -T fields -e _ws.col.Time -e _ws.col.Info
gold "lo-telnet-v6.json-col" present-lo-telnet-v6.pcap -T json -e _ws.col.Info -e frame.number -c 3
# -O: the details of the named protocols only; the others keep their summary line (implies -V).
gold "lo-telnet-v4.O-tcp" present-lo-telnet-v4.pcap -O tcp
gold "lo-telnet-v6.O-ipv6-tcp-x" present-lo-telnet-v6.pcap -O ipv6,tcp -x -c 3
# -o tcp.relative_sequence_numbers:FALSE: the numbers on the wire in Info, fields, -V (SACK and D-SACK too).
gold "lo-pingpong-loss.o-raw" present-lo-pingpong-loss.pcap -o tcp.relative_sequence_numbers:FALSE
gold "lo-pingpong-loss.o-raw.V" present-lo-pingpong-loss.pcap -o tcp.relative_sequence_numbers:FALSE -V -c 70
gold "lo-pingpong-loss.o-raw.fields" present-lo-pingpong-loss.pcap -o tcp.relative_sequence_numbers:FALSE -T fields -e frame.number -e tcp.seq -e tcp.seq_raw -e tcp.ack -e tcp.ack_raw -e tcp.nxtseq -e tcp.options.sack_le -e tcp.options.sack_re -e tcp.options.sack.dsack_le -e tcp.options.sack.dsack_re -e tcp.analysis.flags
# -u hms: relative and delta times in hours, minutes and seconds.
gold "raw101.u-hms" decode-raw101.pcap -u hms
gold "lo-pingpong-loss.u-hms-dd" present-lo-pingpong-loss.pcap -u hms -t dd -c 30
# TCP headers cut before the ports, the window, the checksum, the urgent pointer (IPv4 length, then snaplen).
gold "tcp-header-cut.summary" tcp-header-cut.pcap
gold "tcp-header-cut.V" tcp-header-cut.pcap -V
gold "tcp-header-cut.json" tcp-header-cut.pcap -T json
gold "tcp-header-cut.ek" tcp-header-cut.pcap -T ek
gold "tcp-header-cut.expert" tcp-header-cut.pcap -q -z expert
gold "tcp-header-cut.fields" tcp-header-cut.pcap -T fields -e frame.number -e frame.protocols -e _ws.malformed -e _ws.short -e tcp -e tcp.srcport -e tcp.port -e tcp.stream -e tcp.len -e tcp.seq -e tcp.nxtseq -e tcp.ack -e tcp.hdr_len -e tcp.flags -e tcp.flags.str -e tcp.flags.ack -e tcp.window_size_value -e tcp.window_size -e tcp.checksum -e tcp.checksum.status -e tcp.urgent_pointer
gold "tcp-header-cut.filter" tcp-header-cut.pcap -Y "tcp && !_ws.short"
DISSECT="frame.number frame.len frame.cap_len frame.protocols frame.time_relative frame.time_delta frame.time_epoch eth.src eth.dst eth.type ip.version ip.hdr_len ip.dsfield ip.len ip.id ip.flags ip.flags.df ip.frag_offset ip.ttl ip.proto ip.checksum ip.src ip.dst ip.addr ipv6.src ipv6.dst ipv6.flow ipv6.plen ipv6.nxt ipv6.hlim tcp.srcport tcp.dstport tcp.port tcp.stream tcp.len tcp.seq tcp.seq_raw tcp.nxtseq tcp.ack tcp.ack_raw tcp.hdr_len tcp.flags tcp.flags.syn tcp.flags.ack tcp.flags.push tcp.flags.fin tcp.flags.str tcp.window_size_value tcp.window_size tcp.window_size_scalefactor tcp.checksum tcp.urgent_pointer tcp.options tcp.option_kind tcp.option_len tcp.options.mss_val tcp.options.wscale.shift tcp.options.wscale.multiplier tcp.options.sack_perm tcp.options.timestamp.tsval tcp.options.timestamp.tsecr tcp.options.sack_le tcp.options.sack_re tcp.payload data.data data.len tcp ip"
args=(); for f in $DISSECT; do args+=(-e "$f"); done
gold "lo-telnet-v4.fields" present-lo-telnet-v4.pcap -T fields -E header=y "${args[@]}"
gold "lo-telnet-v6.fields" present-lo-telnet-v6.pcap -T fields -E header=y "${args[@]}"
gold "lo-pingpong-loss.fields" present-lo-pingpong-loss.pcap -T fields "${args[@]}"
gold "eth-udp-tcp-icmp.fields" decode-eth-udp-tcp-icmp.pcap -T fields -e frame.number -e udp.srcport -e udp.dstport -e udp.length -e udp.checksum -e icmp.type -e icmp.code -e icmp.ident -e icmp.seq -e icmp.seq_le -e ipv6.src -e frame.protocols -e data.data
gold "lo-telnet-v4.fields-options" present-lo-telnet-v4.pcap -T fields -E header=y -E separator=, -E quote=d -E occurrence=f -E aggregator=/s -e tcp.port -e tcp.option_kind -e frame.number -c 3
gold "lo-telnet-v4.fields-last" present-lo-telnet-v4.pcap -T fields -E occurrence=l -E separator=/s -e tcp.port -e tcp.option_kind -c 3

# -G fields: tshark's rows for every field tcplab registers (tcplab read -G fields lists them).
{
  echo "# made by: tshark -G fields ($TV), rows for the abbrevs tcplab registers"
  echo "# divergence: eth.addr.oui/eth.*.oui print BASE_NONE (tshark BASE_OUI); fields tshark does not register are left out"
  ./bin/tcplab read -G fields | cut -f3 | sort -u > /tmp/tcplab-abbrevs.txt
  tshark -G fields 2>/dev/null | awk -F'\t' 'NR==FNR {want[$1]=1; next} ($1=="F" || $1=="P") && ($3 in want)' /tmp/tcplab-abbrevs.txt -
} > "$OUT/G-fields.txt"
