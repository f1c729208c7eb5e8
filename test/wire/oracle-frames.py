#!/usr/bin/env python3
"""Writes test/wire/golden/<fixture>.frames.tsv from tshark 4.0 (run once; tests never need tshark).
Columns: tshark frame.number, frame.time_epoch, frame.cap_len, frame.len, frame.interface_id,
frame.encap_type, frame.comment, frame bytes (hex). PCAPNG custom-block records are dropped."""
import json, subprocess, sys, os
fx, out = sys.argv[1], sys.argv[2]
env = dict(os.environ, LC_ALL='C')
fields = subprocess.run(['tshark', '-r', fx, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number', '-e', 'frame.time_epoch',
  '-e', 'frame.cap_len', '-e', 'frame.len', '-e', 'frame.interface_id', '-e', 'frame.encap_type', '-e', 'frame.comment', '-e', 'frame.protocols'],
  capture_output=True, text=True, env=env).stdout.splitlines()
js = json.loads(subprocess.run(['tshark', '-r', fx, '-T', 'json', '-x', '-j', 'frame'], capture_output=True, text=True, env=env).stdout or '[]')
raw = {}
for p in js:
  l = p['_source']['layers']
  n = l['frame']['frame.number'] if 'frame' in l else None
  if n is not None and 'frame_raw' in l:
    raw[n] = l['frame_raw'][0]
with open(out, 'w') as f:
  f.write('# tshark 4.0.17: ' + os.path.basename(fx) + '\n')
  for line in fields:
    c = line.split('\t')
    if c[5] == '':  # PCAPNG custom block record (no encapsulation)
      continue
    f.write('\t'.join(c[:7] + [raw.get(c[0], '')]) + '\n')
