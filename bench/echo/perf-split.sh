#!/bin/bash
# Where a server's CPU goes under one echo load: kernel vs user space (perf), per process image.
#
# usage: bench/echo/perf-split.sh CONNS SIZE -- SERVER-ARGV...   ({port} in the argv is replaced)
#   bench/echo/perf-split.sh 50 64 -- node bin/tcplab serve --port {port} --log-level warn
#   bench/echo/perf-split.sh 50 64 -- /tmp/go-echo -addr 127.0.0.1:{port}
# Builds the Go load generator into a temp dir, starts the server (nice -5, like the harness),
# runs the generator for 6 s and records the server's process tree for 3 s in the middle with
# `perf record -e cpu-clock`, then prints the share of samples per image ([kernel.kallsyms],
# node, JIT, libc...). Needs root (or perf_event_paranoid <= 1) and perf.
set -euo pipefail
conns=$1; size=$2; shift 3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && CGO_ENABLED=0 go build -o "$tmp/loadgen" ./loadgen/main.go)
port=$((20000 + RANDOM % 20000))
args=("${@//\{port\}/$port}")
nice -n -5 "${args[@]}" >/dev/null 2>&1 &
spid=$!
trap 'kill -9 $spid 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1.5
pids=$(pstree -p "$spid" | grep -o '([0-9]*)' | tr -d '()' | paste -sd,)
nice -n -5 "$tmp/loadgen" -addr "127.0.0.1:$port" -conns "$conns" -size "$size" -duration 6s -warmup 1s > "$tmp/load.json" &
lpid=$!
sleep 2
perf record -q -e cpu-clock -F 1999 -p "$pids" -o "$tmp/perf.data" -- sleep 3 >/dev/null 2>&1
wait "$lpid"
kill -INT "$spid" 2>/dev/null || true
echo "load: $(grep -o '"msgsPerSec":[0-9]*' "$tmp/load.json" | cut -d: -f2) msgs/s at ${conns}x${size}"
perf report -i "$tmp/perf.data" --no-children --sort dso -g none 2>/dev/null | grep '%' | head -8
