//! # scanner-core
//!
//! The engine of launchguard: finds leaked secrets and unsafe launch configuration in
//! working trees, git history, staged changes and built artifacts, and reports them as
//! SARIF, JSON or text with rotation guidance.
//!
//! Blobs flow one way: inputs → blobs → expanders → matcher → findings → report.
//! Build a [`Scanner`] once (rules are compiled then) and reuse it across threads.
//!
//! ```
//! use scanner_core::{Input, ScannerBuilder};
//!
//! let scanner = ScannerBuilder::new().build().expect("built-in rules compile");
//! // A fake, generated key of the real format.
//! let data = b"STRIPE_SECRET_KEY=sk_live_4fQ9zK2mXv7LpR3tW8yB1nC6hD5jG0aE\n".to_vec(); // launchguard:allow
//! let report = scanner.scan(&[Input::Bytes { name: "server/.env".into(), data }]);
//! assert!(report.findings.iter().any(|f| f.provider == "Stripe"));
//! // Secrets are redacted unless asked for.
//! assert!(!format!("{:?}", report.findings[0].secret).contains("4fQ9zK2mXv7LpR3tW8yB1nC6hD5jG0aE"));
//! ```
// `unsafe` only in `simd` (AVX2 passes over every byte; see its Safety note).
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod blob;
mod buffers;
pub mod config;
pub mod error;
pub mod expand;
pub mod findings;
pub mod inputs;
pub mod matcher;
pub mod report;
pub mod rules;
mod scan;
mod scan_git;
mod simd;

pub use blob::{Blob, CommitInfo, Origin, OriginPart};
pub use config::Config;
pub use error::{Error, Result};
pub use findings::baseline::Baseline;
pub use findings::{Exposure, Finding, Location, Secret, Skip, SkipReason};
pub use inputs::fs::WalkOptions;
pub use inputs::git::HistoryOptions;
pub use report::{write_report, Format, ReportOptions};
pub use rules::{Confidence, RuleKind, RuleSet, RuleSpec, Severity};
pub use scan::{
    Allowlist, ArtifactSummary, Input, Limits, LiveStats, ScanReport, ScanStats, Scanner,
    ScannerBuilder, DEFAULT_MAX_DECODED_BLOCKS, DEFAULT_MAX_DECODE_DEPTH, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_EXPANDED_BYTES, DEFAULT_MAX_EXPAND_TIME, DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_MEMBERS, DEFAULT_MAX_MEMBER_SIZE, DEFAULT_MAX_RATIO, INLINE_ALLOW,
};
