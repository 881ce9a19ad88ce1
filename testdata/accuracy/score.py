#!/usr/bin/env python3
"""Score launchguard on a corpus made by gen_corpus.py.

    python3 testdata/accuracy/score.py OUT_DIR [--bin PATH] [--verbose]

A positive counts as found when a finding located in its file has a secret that
overlaps the planted one (one contains the other). Any other finding is a false
positive. Prints recall and precision overall and per provider; exits 1 when either
is below 0.95.
"""
import collections
import json
import os
import subprocess
import sys


def main():
    out = sys.argv[1]
    binary = sys.argv[sys.argv.index("--bin") + 1] if "--bin" in sys.argv else "target/release/launchguard"
    verbose = "--verbose" in sys.argv
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    res = subprocess.run(
        [binary, "scan", "--format", "json", "--show-secrets", "--no-ignore", "--fail-on", "never", "corpus"],
        cwd=out, capture_output=True, text=True)
    if res.returncode != 0:
        print(res.stderr)
        sys.exit(2)
    report = json.loads(res.stdout)
    by_file = collections.defaultdict(list)
    for f in report["findings"]:
        for loc in f["locations"]:
            by_file[loc["path"]].append(f)
    tp = collections.Counter()
    total = collections.Counter()
    fp = collections.Counter()
    missed = []
    false = []
    for m in manifest:
        found = by_file.get(m["file"], [])
        if m["label"] == "positive":
            total[m["provider"]] += 1
            hit = [f for f in found if f["secret"] and (f["secret"] in m["secret"] or m["secret"] in f["secret"])]
            if hit:
                tp[m["provider"]] += 1
            else:
                missed.append(m)
            for f in found:
                if f not in hit:
                    fp[m["provider"]] += 1
                    false.append((m["file"], f["rule_id"], f["secret"][:60]))
        else:
            for f in found:
                fp["neg:" + m["provider"]] += 1
                false.append((m["file"], f["rule_id"], f["secret"][:60]))
    T = sum(tp.values())
    N = sum(total.values())
    F = sum(fp.values())
    recall = T / N if N else 1.0
    precision = T / (T + F) if T + F else 1.0
    for p in sorted(total):
        flag = "" if tp[p] == total[p] else "   <--"
        print(f"{p:<14} {tp[p]:>3}/{total[p]:<3}{flag}")
    for k, v in sorted(fp.items()):
        print(f"false positives {k}: {v}")
    if verbose:
        for m in missed:
            print("MISSED", m["file"], m["secret"][:50])
        for x in false:
            print("FALSE ", *x)
    print(f"recall {recall:.3f} ({T}/{N})  precision {precision:.3f} ({F} false)")
    sys.exit(0 if recall >= 0.95 and precision >= 0.95 else 1)


if __name__ == "__main__":
    main()
