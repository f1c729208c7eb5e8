#!/usr/bin/env bash
# Regenerates test/golden/analysis/<fixture>.tsv for every test/fixtures/pcap/analysis-* capture
# with tshark 4.0.17 (scripts/oracle-tshark.sh). Run once after adding a fixture; commit the output.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test/golden/analysis
for f in test/fixtures/pcap/analysis-*; do
  scripts/oracle-tshark.sh "$f" 2>/dev/null > "test/golden/analysis/$(basename "$f").tsv"
done

# Follow-stream goldens for the reassembly tests: `tshark -q -z follow,tcp,raw,N` for the first
# streams (at most 4) of a selection of captures.
mkdir -p test/golden/analysis/follow
for name in e1 e2 e7 loss lo-pingpong-loss.pcap lo-pingpong-loss20.pcap lo-bulk-loss.pcap lo-bulk-loss-v6.pcap \
    lo-telnet-v6.pcap lo-halfclose.pcap lo-reset.pcap lo-reuse.pcap lo-zerowindow.pcap wireshark-retrans.pcap \
    tcpseq_synthetic.pcap tcp-reassembly-synthetic.pcap reassembly.pcap retransmit-fast009.pcap ssh.pcap; do
  case $name in *.pcap) f=test/fixtures/pcap/analysis-$name ;; *) f=test/fixtures/pcap/analysis-$name.pcap ;; esac
  streams=$(tshark -r "$f" -T fields -e tcp.stream 2>/dev/null | grep . | sort -n | uniq | head -4)
  for s in $streams; do
    tshark -r "$f" -q -z "follow,tcp,raw,$s" 2>/dev/null > "test/golden/analysis/follow/$(basename "$f").$s.txt"
  done
done

# Follow in ascii mode for a few of them (test/present/tcp-follow.test.ts).
for name in e1 loss lo-telnet-v6.pcap lo-halfclose.pcap lo-pingpong-loss.pcap lo-reuse.pcap; do
  case $name in *.pcap) f=test/fixtures/pcap/analysis-$name ;; *) f=test/fixtures/pcap/analysis-$name.pcap ;; esac
  for s in $(tshark -r "$f" -T fields -e tcp.stream 2>/dev/null | grep . | sort -n | uniq | head -4) 9; do
    tshark -r "$f" -q -z "follow,tcp,ascii,$s" 2>/dev/null > "test/golden/analysis/follow/$(basename "$f").$s.ascii"
  done
done

# -z conv,tcp for every analysis fixture (test/present/tcp-conv.test.ts).
mkdir -p test/golden/analysis/conv
for f in test/fixtures/pcap/analysis-*; do
  tshark -r "$f" -q -z conv,tcp 2>/dev/null > "test/golden/analysis/conv/$(basename "$f").txt"
done

# -z expert, TCP rows only (test/present/tcp-expert.test.ts): other protocols' items (Ethernet,
# IPv4, MPTCP, application dissectors) and the desegmentation item "New fragment overlaps old data"
# are not TCP analysis; the section totals are recomputed over the rows kept.
mkdir -p test/golden/analysis/expert
for f in test/fixtures/pcap/analysis-*; do
  tshark -r "$f" -q -z expert 2>/dev/null | python3 -c '
import re, sys
text = sys.stdin.read(); out = ""
for m in re.finditer(r"\n(\w+) \((\d+)\)\n=============\n   Frequency      Group           Protocol  Summary\n((?:.+\n)*)", text):
    rows = [l for l in m.group(3).splitlines() if l[24:42].strip() == "TCP" and "New fragment overlaps old data" not in l]
    if rows:
        out += "\n%s (%d)\n=============\n   Frequency      Group           Protocol  Summary\n" % (m.group(1), sum(int(l[:12]) for l in rows))
        out += "".join(l + "\n" for l in rows)
sys.stdout.write(out)' > "test/golden/analysis/expert/$(basename "$f").txt"
done
