#!/usr/bin/env bash
# Runs a command while tcpdump captures `tcp port PORT` on loopback into OUT (pcap), then stops
# tcpdump. For the hand-made protocol fixtures (scripts/make-*-capture.sh).
#   usage: scripts/lo-capture.sh PORT OUT COMMAND [ARGS…]   (root; tcpdump)
set -euo pipefail
port=$1; out=$(realpath -m "$2"); shift 2
tcpdump -i lo -nn -U -w "$out" "tcp port $port" 2>/dev/null & cap=$!
sleep 1
"$@"
sleep 1
kill $cap; wait $cap 2>/dev/null || true
chown root:root "$out" 2>/dev/null || true
chmod 644 "$out"
