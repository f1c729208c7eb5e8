#!/usr/bin/env python3
"""Agreement of tcplab's TCP analysis with tshark 4.0 over many captures, cell by cell.

usage: scripts/analysis-agreement.py [--dist DIR] [--jobs N] FILE... | --corpus DIR
Runs scripts/oracle-tshark.sh (needs tshark) and `node DIST/test/analysis/table.js` on each file
(same columns: tcp.stream, relative seq/ack, windows, SACK, times, every tcp.analysis field and
the Info markers), then prints per-field mismatch counts with examples, per-file disagreements
and a last line 'agreement X% (cells) over N frames in M files'.
"""
import argparse, collections, concurrent.futures, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))

def run(path, dist):
    want = subprocess.run([os.path.join(HERE, "oracle-tshark.sh"), path], capture_output=True, text=True).stdout
    p = subprocess.run(["node", os.path.join(dist, "test/analysis/table.js"), path], capture_output=True, text=True)
    return path, want.splitlines(), p.stdout.splitlines(), p.returncode, p.stderr.strip().splitlines()[-1:] 

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", default=os.path.join(HERE, "..", "dist"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--corpus", help="directory with MANIFEST.tsv (first column: path)")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = list(a.files)
    if a.corpus:
        with open(os.path.join(a.corpus, "MANIFEST.tsv")) as m:
            files += [os.path.join(a.corpus, l.split("\t")[0]) for l in list(m)[1:] if l.strip()]
    cells = agree = frames = 0
    per_field = collections.Counter(); examples = collections.defaultdict(list); per_file = []; failed = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for path, want, got, rc, err in ex.map(lambda f: run(f, a.dist), files):
            if rc != 0: failed.append("%s: exit %d %s" % (path, rc, err))
            if not want: continue
            hdr = want[0].split("\t"); bad = 0
            for i in range(1, len(want)):
                w = want[i].split("\t"); g = got[i].split("\t") if i < len(got) else []
                frames += 1
                for j, c in enumerate(hdr):
                    wv = w[j] if j < len(w) else ""; gv = g[j] if j < len(g) else ""
                    cells += 1
                    if wv == gv: agree += 1
                    else:
                        bad += 1; per_field[c] += 1
                        if len(examples[c]) < 3: examples[c].append("%s #%s tshark=%r got=%r" % (os.path.basename(path), w[0], wv, gv))
            if bad: per_file.append((bad, path))
    for f, n in per_field.most_common():
        print("%-40s %6d   e.g. %s" % (f, n, "; ".join(examples[f])))
    for n, p in sorted(per_file, reverse=True):
        print("%6d cells differ in %s" % (n, p))
    for l in failed: print("FAILED", l)
    print("agreement %.3f%% (%d of %d cells) over %d frames in %d files, %d failures"
          % (100.0 * agree / max(cells, 1), agree, cells, frames, len(files), len(failed)))

if __name__ == "__main__":
    main()
