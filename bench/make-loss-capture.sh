#!/usr/bin/env bash
# A realistic 300k-frame TCP capture with loss, for the read/analysis benchmarks (issues 3 and 4):
# the Go echo server and the Go closed-loop load generator (bench/echo) talk over loopback in a
# private network namespace, 200 connections x 64-byte messages, while nftables drops 0.5 % of the
# data segments at random (numgen; this kernel has no netem). tcpdump captures 300,000 frames.
# The result has hundreds of streams with real retransmissions, dup ACKs and out-of-order
# segments, unlike a capture doubled with mergecap (one 4-tuple repeated).
#   usage: bench/make-loss-capture.sh OUT.pcap [FRAMES]     (root; go, tcpdump, nft, unshare)
set -euo pipefail
out=$(realpath -m "$1"); frames=${2:-300000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for b in go-echo loadgen; do (cd "$here/echo" && CGO_ENABLED=0 go build -o "$tmp/$b" "./$b/main.go"); done
cat > "$tmp/inner.sh" <<INNER
set -e
ip link set lo up
nft -f - <<NFT
table inet lossbench {
  chain out {
    type filter hook output priority 0;
    tcp dport 6666 tcp flags & (syn|fin|rst) == 0 meta length > 100 numgen random mod 1000 < 5 drop
    tcp sport 6666 tcp flags & (syn|fin|rst) == 0 meta length > 100 numgen random mod 1000 < 5 drop
  }
}
NFT
"$tmp/go-echo" -addr 127.0.0.1:6666 & srv=\$!
sleep 0.3
tcpdump -i lo -nn -B 262144 -Z root -c $frames -w "$out" "tcp port 6666" 2>"$tmp/tcpdump.err" & cap=\$!
sleep 0.5
for i in 1 2 3 4 5 6 7 8 9 10; do
  kill -0 \$cap 2>/dev/null || break
  "$tmp/loadgen" -addr 127.0.0.1:6666 -conns 200 -size 64 -warmup 0s -duration 2s >/dev/null || true
done
wait \$cap || true
kill \$srv 2>/dev/null || true
INNER
unshare --net bash "$tmp/inner.sh"
grep -h "dropped" "$tmp/tcpdump.err" || true
capinfos -c "$out" 2>/dev/null | tail -1 || true
