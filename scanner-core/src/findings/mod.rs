//! Findings: one per (rule, secret) fingerprint with every location kept; the secret
//! itself behind a type that redacts on `Debug` and `Display`; exposure and the
//! severity/confidence adjustments that follow from it.

pub mod baseline;

use crate::blob::{hex, Origin};
use crate::rules::{Confidence, Rotation, RuleKind, Severity};
use serde::Serialize;
use std::fmt;

/// Secret bytes. `Debug` and `Display` print a redacted preview, never the value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    /// The full value. Only for `--show-secrets` and fingerprints.
    pub fn expose(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A redacted preview: a short prefix, then the length.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Redacts `bytes`: at most a quarter (and at most 6 characters) is kept.
pub fn redact(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let n = s.chars().count();
    let keep = (n / 4).min(6);
    let prefix: String = s
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{prefix}…[redacted {n} chars]")
}

/// Where a secret was exposed, most exposed first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Shipped inside a client artifact (APK/IPA, JS bundle, source map, build output).
    ClientArtifact,
    /// In a client-exposed env variable (`NEXT_PUBLIC_`, `EXPO_PUBLIC_`, `VITE_`, ...).
    ClientEnv,
    /// In git history (committed at some point).
    History,
    /// In a file of the working tree.
    Source,
    /// Only in a staged change not yet committed.
    Staged,
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Exposure::ClientArtifact => "client-artifact",
            Exposure::ClientEnv => "client-env",
            Exposure::History => "history",
            Exposure::Source => "source",
            Exposure::Staged => "staged",
        })
    }
}

/// Prefixes of env variables that bundlers inline into client code.
pub const CLIENT_ENV_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
];

fn is_client_artifact_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    const EXT: &[&str] = &[
        ".apk",
        ".aab",
        ".ipa",
        ".xapk",
        ".apks",
        ".jsbundle",
        ".bundle",
        ".hbc",
        ".map",
        ".min.js",
        ".aar",
    ];
    if EXT.iter().any(|e| p.ends_with(e)) {
        return true;
    }
    let segs: Vec<&str> = p.split('/').collect();
    const DIRS: &[&str] = &["dist", "build", "out", ".next", "www", "public"];
    segs.len() > 1
        && segs[..segs.len() - 1].iter().any(|s| DIRS.contains(s))
        && (p.ends_with(".js") || p.ends_with(".mjs") || p.ends_with(".html"))
}

/// True when `path` looks like a test fixture (lower confidence there).
pub fn is_test_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.split('/').any(|s| {
        matches!(
            s,
            "test"
                | "tests"
                | "__tests__"
                | "spec"
                | "specs"
                | "fixtures"
                | "fixture"
                | "testdata"
                | "test-data"
                | "__mocks__"
                | "mocks"
                | "examples"
                | "example"
        )
    }) || p.contains(".test.")
        || p.contains(".spec.")
        || p.contains("_test.")
}

/// One place a finding occurs.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    /// Where the bytes came from.
    #[serde(serialize_with = "ser_origin")]
    pub origin: Origin,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive).
    pub end_column: usize,
    /// Byte offset of the secret in its blob.
    pub offset: usize,
    /// Cropped text before the secret on its line.
    pub before: String,
    /// Cropped text after the secret on its line.
    pub after: String,
    /// Exposure of this location.
    pub exposure: Exposure,
    /// The client-exposed variable the value was assigned to, if any.
    pub client_var: Option<String>,
    /// Where this position was in the original source, through the bundle's source
    /// map: (source path, 1-based line, 1-based column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<(String, usize, usize)>,
}

fn ser_origin<S: serde::Serializer>(o: &Origin, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&o.to_string())
}

/// A secret or config problem, with every location it was seen at.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id.
    pub rule_id: String,
    /// Rule name.
    pub rule_name: String,
    /// Provider.
    pub provider: String,
    /// Secret or config.
    pub kind: RuleKind,
    /// Severity after exposure adjustment.
    pub severity: Severity,
    /// Confidence after context adjustment.
    pub confidence: Confidence,
    /// Stable fingerprint: hash of rule id and secret (config: rule, path, text).
    pub fingerprint: String,
    /// The matched secret (config: the matched text).
    pub secret: Secret,
    /// Every location, sorted.
    pub locations: Vec<Location>,
    /// The most exposed location's exposure.
    pub exposure: Exposure,
    /// True when every location is in a test fixture path.
    pub in_tests: bool,
    /// Rule description.
    pub description: Option<String>,
    /// Rotation or fix guidance from the rule.
    pub rotation: Rotation,
}

/// Fingerprint of a secret finding: SHA-1 of `rule_id`, NUL, secret; hex.
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret);
    hex(&h.finalize())
}

impl Finding {
    /// The guidance for this finding, led by what its exposure means.
    pub fn guidance(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.kind == RuleKind::Config {
            out.extend(self.rotation.steps.iter().cloned());
            return out;
        }
        let first = self.locations.first();
        let head = match self.exposure {
            Exposure::ClientArtifact => format!(
                "COMPROMISED: this key shipped in a client artifact ({}). Anyone who downloads the app or loads the page can extract it. Rotate it first, then remove it from the client and move the call behind your server.",
                first.map(|l| l.origin.to_string()).unwrap_or_default()
            ),
            Exposure::ClientEnv => format!(
                "COMPROMISED: the value is in the client-exposed variable {}, which the bundler inlines into every user's build. Rotate it first, then keep it server-side only (drop the public prefix) and call the provider from your backend.",
                first.and_then(|l| l.client_var.clone()).unwrap_or_else(|| "(public env var)".into())
            ),
            Exposure::History => {
                let c = self
                    .locations
                    .iter()
                    .find_map(|l| l.origin.commit().map(|c| c.id[..c.id.len().min(12)].to_string()))
                    .unwrap_or_default();
                format!(
                    "COMPROMISED: the key is in git history (introduced in commit {c}); anyone with a clone has it even if a later commit deleted it. Rotate it first, then remove it, then purge it from history (git filter-repo) if the repository was ever shared."
                )
            }
            Exposure::Source => "Treat the key as exposed if this file was ever committed, pushed or shared: rotate it, then replace the literal with a reference to an environment variable or secret manager.".to_string(),
            Exposure::Staged => "Not committed yet: replace the literal with a reference to an environment variable or secret manager, then commit again. If the value was ever pushed or shared elsewhere, rotate it.".to_string(),
        };
        out.push(head);
        out.extend(self.rotation.steps.iter().cloned());
        if let Some(url) = &self.rotation.url {
            out.push(format!("Rotate/revoke at: {url}"));
        }
        if self.in_tests {
            out.push("Seen only in test/fixture paths: if it is a real key, rotate it anyway; if fake, mark it `launchguard:allow` or add it to the baseline.".into());
        }
        out
    }
}

/// Why some input was not (fully) scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Over the per-file size cap.
    TooLarge,
    /// Could not be read (permissions, I/O error, vanished).
    Unreadable,
    /// An expansion limit (depth, bytes, ratio, members, time) was hit.
    LimitHit,
    /// Corrupt, truncated or malformed content.
    Corrupt,
    /// Missing objects (shallow or partial clone).
    Missing,
    /// Anything else worth telling.
    Other,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::TooLarge => "too-large",
            SkipReason::Unreadable => "unreadable",
            SkipReason::LimitHit => "limit-hit",
            SkipReason::Corrupt => "corrupt",
            SkipReason::Missing => "missing",
            SkipReason::Other => "other",
        })
    }
}

/// An input that was skipped or only partly scanned: a skip never implies clean.
#[derive(Debug, Clone, Serialize)]
pub struct Skip {
    /// What was skipped (path, origin chain, commit).
    pub path: String,
    /// Why.
    pub reason: SkipReason,
    /// Detail for a human.
    pub message: String,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.path, self.message, self.reason)
    }
}

pub(crate) fn classify_exposure(origin: &Origin, client_var: bool) -> Exposure {
    if origin.in_archive() || is_client_artifact_path(origin.root_path()) {
        Exposure::ClientArtifact
    } else if client_var {
        Exposure::ClientEnv
    } else if origin.commit().is_some() {
        Exposure::History
    } else if origin.is_staged() {
        Exposure::Staged
    } else {
        Exposure::Source
    }
}

/// Finds the client-exposed variable name assigned on the text before a value.
pub(crate) fn client_var_before(before: &str) -> Option<String> {
    // Take the last identifier-ish token before the assignment.
    let trimmed = before.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '=' | ':' | '"' | '\'' | '`' | ',')
    });
    let start = trimmed
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map(|i| i + trimmed[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    let name = &trimmed[start..];
    let name = name.rsplit('.').next().unwrap_or(name);
    let upper = name.to_ascii_uppercase();
    CLIENT_ENV_PREFIXES
        .iter()
        .any(|p| upper.starts_with(p) && upper.len() > p.len() && name == upper)
        .then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_most() {
        let r = redact(b"sk-proj-abcdefghijklmnopqrstuvwxyz0123456789");
        assert!(r.starts_with("sk-pro"));
        assert!(!r.contains("abcdefghij"));
        assert_eq!(
            format!("{:?}", Secret::new("hunter2hunter2")),
            "Secret(hun…[redacted 14 chars])"
        );
    }

    #[test]
    fn client_vars() {
        assert_eq!(
            client_var_before("NEXT_PUBLIC_OPENAI_KEY=").as_deref(),
            Some("NEXT_PUBLIC_OPENAI_KEY")
        );
        assert_eq!(
            client_var_before("const k = process.env.VITE_KEY || \"").as_deref(),
            None
        );
        assert_eq!(
            client_var_before("  EXPO_PUBLIC_API_KEY: \"").as_deref(),
            Some("EXPO_PUBLIC_API_KEY")
        );
        assert_eq!(client_var_before("OPENAI_API_KEY=").as_deref(), None);
        // A multi-byte character right before the name must not split.
        assert_eq!(client_var_before("clé d'accès: ").as_deref(), None);
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path("src/__tests__/a.ts"));
        assert!(is_test_path("pkg/testdata/x.json"));
        assert!(!is_test_path("src/contest/a.ts"));
    }
}
