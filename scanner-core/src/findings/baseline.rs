//! Baselines: the findings a team has accepted, keyed by content fingerprint (rule +
//! secret hash), so moving a line, rebasing or squashing does not resurrect them,
//! while a new secret on the same line is still reported. Entries also carry the rule
//! id, a redacted secret and the first location for humans; never the secret itself.

use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::scan::{Allowlist, ScanReport};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Format version written into every baseline.
pub const BASELINE_VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// The finding's fingerprint: the only field used for matching.
    pub fingerprint: String,
    /// Rule id (for humans).
    #[serde(default)]
    pub rule_id: String,
    /// Redacted secret (for humans).
    #[serde(default)]
    pub secret: String,
    /// First location, `origin:line:column` (for humans).
    #[serde(default)]
    pub location: String,
}

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Who wrote it.
    #[serde(default)]
    pub tool: String,
    /// The accepted findings, sorted by fingerprint.
    pub findings: Vec<BaselineEntry>,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            version: BASELINE_VERSION,
            tool: format!("launchguard {}", env!("CARGO_PKG_VERSION")),
            findings: Vec::new(),
        }
    }
}

fn entry(f: &Finding) -> BaselineEntry {
    BaselineEntry {
        fingerprint: f.fingerprint.clone(),
        rule_id: f.rule_id.clone(),
        secret: match f.kind {
            crate::rules::RuleKind::Secret => f.secret.redacted(),
            crate::rules::RuleKind::Config => f.secret.expose(),
        },
        location: f
            .locations
            .first()
            .map(|l| format!("{}:{}:{}", l.origin, l.line, l.column))
            .unwrap_or_default(),
    }
}

impl Baseline {
    /// A baseline accepting every finding of `report`.
    pub fn from_report(report: &ScanReport) -> Baseline {
        let mut b = Baseline {
            findings: report.findings.iter().map(entry).collect(),
            ..Baseline::default()
        };
        b.findings.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        b.findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        b
    }

    /// Parses baseline JSON; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Baseline> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| Error::Baseline {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if b.version != BASELINE_VERSION {
            return Err(Error::Baseline {
                path: path.to_path_buf(),
                message: format!(
                    "unsupported baseline version {} (expected {BASELINE_VERSION})",
                    b.version
                ),
            });
        }
        if let Some(bad) = b.findings.iter().find(|e| {
            e.fingerprint.len() != 40 || !e.fingerprint.bytes().all(|c| c.is_ascii_hexdigit())
        }) {
            return Err(Error::Baseline {
                path: path.to_path_buf(),
                message: format!("bad fingerprint {:?}", bad.fingerprint),
            });
        }
        Ok(b)
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Baseline::parse(path, &text)
    }

    /// The baseline as pretty JSON (ends with a newline).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the baseline to `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })
    }

    /// Adds every fingerprint to `allow`, so those findings are suppressed.
    pub fn allowlist_into(&self, allow: &mut Allowlist) {
        for e in &self.findings {
            allow.add_fingerprint(&e.fingerprint);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_validates() {
        let mut b = Baseline::default();
        b.findings.push(BaselineEntry {
            fingerprint: "0123456789abcdef0123456789abcdef01234567".into(),
            rule_id: "r".into(),
            secret: "ab…[redacted 9 chars]".into(),
            location: "a.txt:1:1".into(),
        });
        let p = Path::new("b.json");
        assert_eq!(Baseline::parse(p, &b.to_json()).expect("valid"), b);
        let bad = b.to_json().replace("0123456789abcdef0123", "zz");
        assert!(Baseline::parse(p, &bad).is_err());
        let mut allow = Allowlist::default();
        b.allowlist_into(&mut allow);
        assert!(allow.fingerprint_allowed("0123456789abcdef0123456789abcdef01234567"));
    }
}
