#!/usr/bin/env bash
# Regenerates one golden per-frame TCP analysis table from tshark 4.0 (needs tshark; tests do not).
# usage: scripts/oracle-tshark.sh CAPTURE > test/golden/analysis/NAME.tsv
# Columns: test/analysis/table.ts COLUMNS, then info_prefix (the leading "[TCP …]" markers of
# the Info column). Default preferences, one pass, all occurrences joined by ",".
set -euo pipefail
cap=$1
cols=(frame.number tcp.stream tcp.completeness tcp.seq tcp.ack tcp.nxtseq tcp.seq_raw tcp.ack_raw
  tcp.len tcp.window_size_value tcp.window_size tcp.window_size_scalefactor
  tcp.options.sack_le tcp.options.sack_re tcp.options.sack.dsack_le tcp.options.sack.dsack_re
  tcp.time_relative tcp.time_delta tcp.analysis tcp.analysis.flags
  tcp.analysis.retransmission tcp.analysis.fast_retransmission tcp.analysis.spurious_retransmission
  tcp.analysis.out_of_order tcp.analysis.lost_segment tcp.analysis.ack_lost_segment
  tcp.analysis.duplicate_ack tcp.analysis.duplicate_ack_num tcp.analysis.duplicate_ack_frame
  tcp.analysis.zero_window tcp.analysis.zero_window_probe tcp.analysis.zero_window_probe_ack
  tcp.analysis.window_update tcp.analysis.window_full tcp.analysis.keep_alive tcp.analysis.keep_alive_ack
  tcp.analysis.reused_ports tcp.analysis.acks_frame tcp.analysis.ack_rtt tcp.analysis.initial_rtt
  tcp.analysis.bytes_in_flight tcp.analysis.push_bytes_sent tcp.analysis.rto tcp.analysis.rto_frame)
args=()
for c in "${cols[@]}"; do args+=(-e "$c"); done
(IFS=$'\t'; echo "${cols[*]}"$'\tinfo_prefix')
LC_ALL=C.UTF-8 tshark -n -r "$cap" -T fields -E separator=/t -E occurrence=a -E aggregator=, "${args[@]}" -e _ws.col.Info |
  python3 -c '
import re, sys
# The analysis markers wherever they are (an application dissector may move them after its own
# text, e.g. "Client: [TCP Fast Retransmission] , Key Exchange Init"), in Info order.
MARK = re.compile(r"\[TCP (?:Retransmission|Fast Retransmission|Spurious Retransmission|Out-Of-Order|"
                  r"Previous segment not captured|ACKed unseen segment|Window Update|Window Full|"
                  r"Keep-Alive ACK|Keep-Alive|Dup ACK \d+#\d+|ZeroWindowProbeAck|ZeroWindowProbe|"
                  r"ZeroWindow|Port numbers reused)\]")
for line in sys.stdin:
    cells = line.rstrip("\n").split("\t")
    info = cells.pop()
    cells.append(" ".join(MARK.findall(info)) if cells[1] != "" else "")
    print("\t".join(cells))
'
