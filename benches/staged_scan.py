#!/usr/bin/env python3
"""Benchmark: `launchguard scan --staged` of a one-file change in a repository of
10,000 files (the pre-commit hook's job), wall time per run including process start,
repository and index reading, and rule compilation.

    cargo build --release -p scanner-cli
    python3 benches/staged_scan.py                      # test rules only
    python3 benches/staged_scan.py --rules rules/       # a real rule set (+ built-ins)

The repository is generated (fake content, no secrets) in a temp dir with
`git fast-import`, then one file is modified and staged. Prints min / median / p90 over
--runs runs after --warmup runs. A benchmark, not a test: it asserts nothing about time.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TEST_RULES = """
[[rule]]
id = "bench-token"
name = "Bench token"
provider = "Bench"
keywords = ["bnch_"]
pattern = '''(?:^|[^A-Za-z0-9_])(?P<secret>bnch_[A-Za-z0-9]{32})\\b'''
severity = "high"
examples = ['VALUE=bnch_Q7fZk2LmP9xR4tW8vB1nC6yH3jD5gS0a']
negative_examples = ['VALUE=bnch_short']
[rule.rotation]
steps = ["Revoke it."]
"""


def git(repo, *args, stdin=None):
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    return subprocess.run(["git", *args], cwd=repo, input=stdin, env=env,
                          check=True, capture_output=True)


def make_repo(root, files, seed=1):
    rnd = random.Random(seed)
    repo = os.path.join(root, "repo")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    words = ["const", "let", "return", "function", "import", "export", "value",
             "config", "render", "state", "props", "async", "await", "fetch"]
    out = [b"commit refs/heads/main\n",
           b"committer Bench <bench@example.invalid> 1700000000 +0000\n",
           b"data 5\ninit\n"]
    paths = []
    for i in range(files):
        d = f"pkg{i // 1000:02d}/mod{(i // 50) % 20:02d}"
        p = f"{d}/file{i:05d}.ts"
        paths.append(p)
        lines = [" ".join(rnd.choice(words) for _ in range(8)) for _ in range(rnd.randint(10, 60))]
        body = ("\n".join(lines) + "\n").encode()
        out.append(f"M 100644 inline {p}\ndata {len(body)}\n".encode() + body + b"\n")
    git(repo, "fast-import", "--quiet", stdin=b"".join(out))
    git(repo, "reset", "-q", "--hard", "main")
    # One modified file, staged.
    target = os.path.join(repo, paths[files // 2])
    with open(target, "a") as f:
        f.write("export const added = process.env.API_URL;\n")
    git(repo, "add", paths[files // 2])
    return repo


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..",
                                                 "target", "release", "launchguard"))
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rules", help="rule file or directory (default: a tiny test rule)")
    ap.add_argument("--builtin", action="store_true", help="also load the built-in rules")
    a = ap.parse_args()
    exe = os.path.abspath(a.bin)
    if not os.path.exists(exe):
        sys.exit(f"{exe} not found: cargo build --release -p scanner-cli")
    root = tempfile.mkdtemp(prefix="lg-bench-")
    try:
        t0 = time.perf_counter()
        repo = make_repo(root, a.files)
        print(f"generated {a.files} files in {time.perf_counter() - t0:.1f}s at {repo}")
        rules = a.rules
        if rules is None:
            rules = os.path.join(root, "bench-rules.toml")
            with open(rules, "w") as f:
                f.write(TEST_RULES)
        cmd = [exe, "scan", "--staged", "--no-progress", "--rules", os.path.abspath(rules)]
        if not a.builtin:
            cmd.append("--no-builtin")
        times = []
        for i in range(a.warmup + a.runs):
            t = time.perf_counter()
            p = subprocess.run(cmd, cwd=repo, capture_output=True)
            dt = time.perf_counter() - t
            if p.returncode != 0:
                sys.exit(f"exit {p.returncode}: {p.stdout.decode()} {p.stderr.decode()}")
            if i >= a.warmup:
                times.append(dt * 1000)
        times.sort()
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(p.stdout.decode().strip().splitlines()[-1])
        print(f"staged scan, {a.files} files, 1 changed: min {times[0]:.1f} ms, "
              f"median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms ({a.runs} runs)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
