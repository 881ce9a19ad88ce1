#!/usr/bin/env python3
"""Benchmark: `launchguard scan --history` against the peer yardstick
`git cat-file --batch-all-objects --batch --unordered` (reading every object once),
on a generated history or an existing repository. Reports wall time and peak RSS.

    cargo build --release -p scanner-cli
    python3 benches/history_scan.py                       # generated: 3,000 commits
    python3 benches/history_scan.py --repo /path/to/repo  # any repository (read only)

The generated history (fast-import, then `git gc` so it is one delta-compressed pack)
has --files source files and --commits commits each editing --edits files. Content is
fake text; no secrets. A benchmark, not a test: it asserts nothing about time.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

RULES = """
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

ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")


def generate(root, files, commits, edits, seed=3):
    rnd = random.Random(seed)
    repo = os.path.join(root, "repo")
    os.makedirs(repo)
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=ENV)
    words = [w.encode() for w in ["const", "let", "return", "function", "import", "export",
                                  "value", "config", "render", "state", "props", "async",
                                  "await", "fetch", "client", "server", "token", "user"]]
    contents = {}
    p = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE,
                         env=ENV)
    w = p.stdin.write

    def body():
        return b"\n".join(b" ".join(rnd.choice(words) for _ in range(10))
                          for _ in range(rnd.randint(20, 200))) + b"\n"

    for c in range(commits):
        w(b"commit refs/heads/main\n")
        w(b"committer Bench <bench@example.invalid> %d +0000\n" % (1_600_000_000 + c * 60))
        msg = b"change %d" % c
        w(b"data %d\n%s\n" % (len(msg), msg))
        if c == 0:
            targets = range(files)
        else:
            targets = rnd.sample(range(files), edits)
        for i in targets:
            path = b"src/d%02d/s%02d/f%05d.txt" % (i % 50, (i // 50) % 20, i)
            old = contents.get(i)
            if old is None or rnd.random() < 0.2:
                new = body()
            else:
                lines = old.split(b"\n")
                k = rnd.randrange(len(lines))
                lines[k] = b" ".join(rnd.choice(words) for _ in range(10))
                new = b"\n".join(lines)
            contents[i] = new
            w(b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(new), new))
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("fast-import failed")
    subprocess.run(["git", "gc", "-q"], cwd=repo, check=True, env=ENV)
    return repo


def timed(cmd, cwd, stdout=subprocess.DEVNULL):
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, stdout=stdout,
                       stderr=subprocess.PIPE, env=ENV)
    dt = time.perf_counter() - t
    rss_kib = int(p.stderr.decode().strip().splitlines()[-1])
    return dt, rss_kib / 1024, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..",
                                                 "target", "release", "launchguard"))
    ap.add_argument("--repo")
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--commits", type=int, default=3000)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    exe = os.path.abspath(a.bin)
    root = tempfile.mkdtemp(prefix="lg-hist-")
    try:
        repo = a.repo
        if repo is None:
            t = time.perf_counter()
            repo = generate(root, a.files, a.commits, a.edits)
            print(f"generated {a.commits} commits in {time.perf_counter() - t:.0f}s")
        pack = subprocess.run(["git", "count-objects", "-vH"], cwd=repo, capture_output=True,
                              env=ENV).stdout.decode()
        print(" ".join(l for l in pack.splitlines() if l.startswith(("count", "size-pack", "in-pack"))))
        rules = os.path.join(root, "rules.toml")
        with open(rules, "w") as f:
            f.write(RULES)
        git_t, git_rss, _ = timed(["git", "cat-file", "--batch-all-objects", "--batch",
                                   "--unordered"], repo)
        cmd = [exe, "scan", "--history", "--no-builtin", "--rules", rules, "--no-progress",
               "--format", "json"]
        if a.threads:
            cmd += ["-j", str(a.threads)]
        lg_t, lg_rss, p = timed(cmd, repo, stdout=subprocess.PIPE)
        import json
        stats = json.loads(p.stdout)["stats"]
        print(f"git cat-file --batch-all-objects: {git_t:.2f}s, peak RSS {git_rss:.0f} MiB")
        print(f"launchguard scan --history:       {lg_t:.2f}s, peak RSS {lg_rss:.0f} MiB "
              f"({stats['blobs_scanned']} blobs, {stats['bytes_scanned'] / 1e6:.0f} MB)")
        print(f"ratio: {lg_t / git_t:.2f}x")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
