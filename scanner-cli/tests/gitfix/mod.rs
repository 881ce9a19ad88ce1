//! Helpers for the git tests: repositories built with the `git` CLI in a temp dir
//! (the scanner itself never runs git), a test rule file, and generated fake secrets.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A rule file that does not depend on the built-in rules.
pub const RULES: &str = r#"
[[rule]]
id = "lgtest-token"
name = "launchguard test token"
provider = "LgTest"
keywords = ["lgt_"]
pattern = '''(?:^|[^A-Za-z0-9_])(?P<secret>lgt_[A-Za-z0-9]{32})\b'''
severity = "high"
confidence = "high"
examples = ['VALUE=lgt_Q7fZk2LmP9xR4tW8vB1nC6yH3jD5gS0a']
negative_examples = ['VALUE=lgt_short']
[rule.rotation]
steps = ["Revoke the test token."]
"#;

/// Deterministic generator of fake secrets (xorshift), never a real key.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A fake token of the test rule's format.
    pub fn token(&mut self) -> String {
        const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        loop {
            let body: String = (0..32)
                .map(|_| A[(self.next() % A.len() as u64) as usize] as char)
                .collect();
            // Stay clear of the placeholder filters (runs of one char, ascending runs).
            let b = body.as_bytes();
            let runs = b.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
            let asc = b.windows(3).any(|w| w[1] == w[0] + 1 && w[2] == w[1] + 1);
            if !runs && !asc {
                return format!("lgt_{body}");
            }
        }
    }
}

/// A repository in a temp dir with deterministic authors and dates.
pub struct Repo {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub rules: PathBuf,
    clock: std::cell::Cell<i64>,
}

impl Repo {
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("repo");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let rules = tmp.path().join("rules.toml");
        std::fs::write(&rules, RULES).expect("write rules");
        let r = Repo {
            tmp,
            dir,
            rules,
            clock: std::cell::Cell::new(1_700_000_000),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    /// Runs git in the repository; panics on failure. Returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.dir, args)
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let t = self.clock.get() + 60;
        self.clock.set(t);
        let date = format!("@{t} +0000");
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Ada Tester")
            .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
            .env("GIT_COMMITTER_NAME", "Ada Tester")
            .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }

    /// `git add -A && git commit -m msg`; returns the new commit id.
    pub fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", msg]);
        self.head()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }
}

/// The launchguard binary under test.
pub fn lg() -> Command {
    let mut c = Command::cargo_bin("launchguard").expect("binary built");
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    c
}

/// Runs `launchguard` with `args` plus the test rules in JSON; returns (exit code,
/// report).
pub fn scan_json(repo: &Repo, args: &[&str]) -> (i32, serde_json::Value) {
    let out = lg()
        .current_dir(&repo.dir)
        .args(args)
        .args(["--no-builtin", "--rules"])
        .arg(&repo.rules)
        .args(["--format", "json", "--no-progress"])
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or(-1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}); stdout: {} stderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// The findings of a JSON report as (redacted-insensitive) list.
pub fn findings(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["findings"].as_array().cloned().unwrap_or_default()
}

/// The finding whose secret (needs `--show-secrets`) equals `secret`.
pub fn finding_for<'a>(v: &'a serde_json::Value, secret: &str) -> Option<&'a serde_json::Value> {
    v["findings"]
        .as_array()?
        .iter()
        .find(|f| f["secret"].as_str() == Some(secret))
}

/// Runs `launchguard` with `args` plus the test rules; returns (exit code, stdout,
/// stderr).
pub fn run(repo: &Repo, args: &[&str]) -> (i32, String, String) {
    let out = lg()
        .current_dir(&repo.dir)
        .args(args)
        .args(["--no-builtin", "--rules"])
        .arg(&repo.rules)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
