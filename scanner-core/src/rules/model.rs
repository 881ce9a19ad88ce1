//! The rule model: what a `rules/*.toml` file holds, deserialized as written.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One rule file: a list of `[[rule]]` tables.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The rules of this file.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
}

/// What a rule detects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// A credential: redacted in reports, fingerprinted by its value.
    #[default]
    Secret,
    /// Unsafe launch configuration: reported with fix guidance, not redacted.
    Config,
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleKind::Secret => "secret",
            RuleKind::Config => "config",
        })
    }
}

/// How bad a finding is, from `info` to `critical`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational only.
    Info,
    /// Low impact.
    Low,
    /// Medium impact.
    #[default]
    Medium,
    /// High impact.
    High,
    /// Full compromise of an account, payments or backend.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The GitHub code scanning `security-severity` score for this level.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Info => "1.0",
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }

    /// One level higher, saturating at critical.
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }

    /// Parses `info|low|medium|high|critical` (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "info" | "note" => Severity::Info,
            "low" => Severity::Low,
            "medium" | "moderate" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// How sure a rule is that a match is real.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Often noise; look before acting.
    Low,
    /// Usually real.
    #[default]
    Medium,
    /// Format (prefix, checksum) leaves little doubt.
    High,
}

impl Confidence {
    /// One level lower, saturating at low.
    pub fn lowered(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }

    /// The SARIF `precision` property for this level.
    pub fn precision(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.precision())
    }
}

/// An offline check a candidate must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Checksum {
    /// GitHub classic / npm style: in the part after the last `_`, the last six
    /// characters are the base62 CRC32 of the thirty before them.
    #[serde(rename = "crc32-base62")]
    Crc32Base62,
    /// A structurally valid JWT (base64url JSON header with `alg`, JSON payload).
    #[serde(rename = "jwt")]
    Jwt,
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Checksum::Crc32Base62 => "crc32-base62",
            Checksum::Jwt => "jwt",
        })
    }
}

/// How to rotate a leaked credential, or how to fix a config problem.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// The provider's page (or docs) for revoking and rotating.
    #[serde(default)]
    pub url: Option<String>,
    /// Ordered steps.
    #[serde(default)]
    pub steps: Vec<String>,
}

/// One rule, as written in a rule file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique id, kebab-case, provider first.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Provider or family.
    #[serde(default)]
    pub provider: String,
    /// Secret or config.
    #[serde(default)]
    pub kind: RuleKind,
    /// Case-insensitive literals, one of which occurs in every match.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The keywords occur in every match exactly as written (the pattern is
    /// case-sensitive about them, as with `AKIA` or `re_`), so keyword hits in another
    /// case (`arabia`, `store_`) open no window. `rules check` verifies it on every
    /// match of the examples.
    #[serde(default)]
    pub exact_keywords: bool,
    /// Regex (bytes) confirming a candidate; group `secret` is the credential.
    #[serde(default)]
    pub pattern: Option<String>,
    /// A cheap regex that must match somewhere in a window before `pattern` runs
    /// there. It must be implied by `pattern` (whatever `pattern` matches contains a
    /// match of it; `rules check` verifies this on every match of the examples); it
    /// only saves the cost of an expensive `pattern` on windows that cannot match.
    #[serde(default)]
    pub requires: Option<String>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub min_entropy: Option<f32>,
    /// Offline checksum or structure check.
    #[serde(default)]
    pub checksum: Option<Checksum>,
    /// JWT payload claims the secret must carry: claim → allowed string values.
    #[serde(default)]
    pub jwt_claims: BTreeMap<String, Vec<String>>,
    /// Severity before exposure adjustments.
    #[serde(default)]
    pub severity: Severity,
    /// Confidence before context adjustments.
    #[serde(default)]
    pub confidence: Confidence,
    /// Globs restricting the rule to matching paths.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Report only locations with one of these exposures (`client-artifact`,
    /// `client-env`, `history`, `source`, `staged`); empty = everywhere.
    #[serde(default)]
    pub scope: Vec<crate::findings::Exposure>,
    /// Literals (case-insensitive) that, when found within `context_window` bytes of a
    /// match, mark it as not a leak (e.g. `authDomain` beside a Firebase web `apiKey`,
    /// which is public by design).
    #[serde(default)]
    pub exclude_context: Vec<String>,
    /// Bytes on each side of a match searched for `exclude_context` (default 400).
    #[serde(default)]
    pub context_window: Option<usize>,
    /// Apply the strict value filters of generic assignment rules.
    #[serde(default)]
    pub generic: bool,
    /// Name words a match's assigned name must not end in: the pattern's `key` group
    /// holds the name, which ends in one of the rule's keywords (optionally after
    /// `_`, `.` or `-`); the word before that keyword must not end in one of these
    /// (case-insensitive). `storePassword` and `smtp_pass` belong to their own rules,
    /// not to the generic password rule. Checked in code rather than in the regex:
    /// the regex form of "a word not ending in any of these" made that rule's lazy DFA
    /// several times more costly to build than all other rules together.
    #[serde(default)]
    pub exclude_key_words: Vec<String>,
    /// Maximum distance in bytes between a keyword hit and the edges of a match.
    #[serde(default)]
    pub window: Option<usize>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the rule finds and why it matters.
    #[serde(default)]
    pub description: Option<String>,
    /// Rotation or fix guidance.
    #[serde(default)]
    pub rotation: Rotation,
    /// Inputs that must produce a finding of this rule.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Inputs that must not produce a finding of this rule.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}
