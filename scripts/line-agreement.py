#!/usr/bin/env python3
"""One-line output of `tcplab read -n -r F` against `tshark -n -r F` (tshark 4.0.17), line by line.

usage: scripts/line-agreement.py [--bin BIN] [--cache DIR] [--jobs N] FILE... | --corpus DIR
Prints three agreements: lines where tshark's Protocol column is TCP (issue 4's >= 99 % target),
lines of the application protocols tcplab dissects over TCP (HTTP, TLS, SSH, BitTorrent, MQTT,
THRIFT and their variants), and all lines; then the TCP lines that differ, grouped by lower
port and file, with examples. tshark's output is cached in --cache (keyed by file path, size
and mtime) because it is the slow side.
"""
import argparse, collections, concurrent.futures, hashlib, os, re, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
APP = {"HTTP", "HTTP/XML", "HTTP/JSON", "IPP", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "SSL", "SSLv2", "SSLv3",
       "SSH", "SSHv1", "SSHv2", "BitTorrent", "MQTT", "THRIFT"}

def proto(line):
    p = line.split()
    try:
        return p[p.index("\u2192") + 2]
    except (ValueError, IndexError):
        return "?"

def tshark(path, cache):
    st = os.stat(path)
    key = hashlib.sha1(f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
    f = os.path.join(cache, key + ".txt")
    if not os.path.exists(f):
        out = subprocess.run(["tshark", "-n", "-r", path], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}).stdout
        with open(f + ".tmp", "w") as w:
            w.write(out)
        os.replace(f + ".tmp", f)
    return open(f).read().splitlines()

def run(path, binary, cache):
    want = tshark(path, cache)
    got = subprocess.run(["node", binary, "read", "-n", "-r", path], capture_output=True, text=True,
                         env={**os.environ, "TZ": "UTC"}).stdout.splitlines()
    return path, want, got

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "bin", "tcplab"))
    ap.add_argument("--cache", default="/tmp/tcplab-line-agreement")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--examples", type=int, default=2)
    ap.add_argument("--corpus")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    files = list(a.files)
    if a.corpus:
        with open(os.path.join(a.corpus, "MANIFEST.tsv")) as m:
            files += [os.path.join(a.corpus, l.split("\t")[0]) for l in list(m)[1:] if l.strip()]
    n = collections.Counter()
    miss = collections.Counter()
    ex = collections.defaultdict(list)
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as e:
        for path, want, got in e.map(lambda f: run(f, a.bin, a.cache), files):
            for i, line in enumerate(want):
                g = got[i] if i < len(got) else ""
                ok = line.strip() == g.strip()
                tp = proto(line)
                cls = "tcp" if tp == "TCP" else "app" if tp in APP else "other"
                n[cls] += 1; n[cls + "_ok"] += ok; n["all"] += 1; n["all_ok"] += ok
                if cls == "tcp" and not ok:
                    m = re.search(r" (\d+) \u2192 (\d+) ", g or line)
                    k = (min(int(m.group(1)), int(m.group(2))) if m else 0, os.path.basename(path))
                    miss[k] += 1
                    if len(ex[k]) < a.examples:
                        ex[k].append((line.strip()[:200], g.strip()[:200]))
    for cls, title in (("tcp", "tshark Protocol TCP"), ("app", "application protocols"), ("all", "all lines")):
        t = n[cls] or 1
        print(f"{title}: {n[cls + '_ok']} of {n[cls]} equal ({100 * n[cls + '_ok'] / t:.2f}%)")
    print("TCP lines that differ, by lower port and file:")
    for (port, f), c in miss.most_common():
        print(f"  {c:5d}  port {port}  {f}")
        for t, g in ex[(port, f)]:
            print(f"         tshark: {t}\n         tcplab: {g}")

if __name__ == "__main__":
    main()
