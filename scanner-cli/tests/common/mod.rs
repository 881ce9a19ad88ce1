//! Shared helpers for CLI tests: a test rule file and generated fake secrets.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A tiny deterministic generator so fixtures are reproducible without real keys.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
    pub fn base62(&mut self, n: usize) -> String {
        self.string(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            n,
        )
    }
}

/// A rule file for engine tests that does not depend on the built-in rules.
pub const TEST_RULES: &str = r#"
[[rule]]
id = "test-live-key"
name = "Test live key"
provider = "TestPay"
keywords = ["tk_live_"]
pattern = '''(?:^|[^A-Za-z0-9_])(?P<secret>tk_live_[A-Za-z0-9]{32})\b'''
severity = "critical"
confidence = "high"
examples = ['KEY=tk_live_Q7fZk2LmP9xR4tW8vB1nC6yH3jD5gS0a']
negative_examples = ['KEY=tk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
[rule.rotation]
url = "https://example.invalid/keys"
steps = ["Roll the key in the TestPay dashboard.", "Deploy the new key server-side only."]

[[rule]]
id = "test-medium-token"
name = "Test medium token"
provider = "TestCo"
keywords = ["tmt-"]
pattern = '''(?:^|[^A-Za-z0-9_])(?P<secret>tmt-[a-f0-9]{24})\b'''
severity = "medium"
examples = ['t = "tmt-0a1b2c3d4e5f60718293a4b5"']
negative_examples = ['t = "tmt-0a1b"']
[rule.rotation]
steps = ["Revoke it."]
"#;

pub fn live_key(g: &mut Gen) -> String {
    format!("tk_live_{}", g.base62(32))
}

pub fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// Writes the test rules into `dir` and returns their path.
pub fn rules_file(dir: &Path) -> PathBuf {
    write(dir, "test-rules.toml", TEST_RULES)
}

/// `../shared` beside the checkout, if present.
pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    p.is_dir().then_some(p)
}
