//! Reports: SARIF 2.1.0, JSON and text. No report prints a whole secret unless
//! [`ReportOptions::show_secrets`] is set.

mod json;
mod sarif;
mod text;

use crate::findings::{Finding, Location};
use crate::scan::ScanReport;
use std::io::Write;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// launchguard's JSON.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

/// How to render a report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Print full secrets (off by default).
    pub show_secrets: bool,
    /// Tool version to record.
    pub tool_version: String,
    /// SARIF `runAutomationDetails.id` (the code scanning category).
    pub automation_id: String,
    /// Colour text output.
    pub color: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            show_secrets: false,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            automation_id: "launchguard/".to_string(),
            color: false,
        }
    }
}

impl ReportOptions {
    /// The secret as it may be shown.
    pub fn secret_text(&self, f: &Finding) -> String {
        if self.show_secrets || f.kind == crate::rules::RuleKind::Config {
            f.secret.expose()
        } else {
            f.secret.redacted()
        }
    }

    /// The location's line snippet with the secret shown as allowed.
    pub fn snippet(&self, f: &Finding, l: &Location) -> String {
        format!("{}{}{}", l.before, self.secret_text(f), l.after)
    }
}

/// Writes `report` in `format` to `out`.
pub fn write_report(
    report: &ScanReport,
    format: Format,
    opts: &ReportOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => text::write(report, opts, out),
        Format::Json => json::write(report, opts, out),
        Format::Sarif => sarif::write(report, opts, out),
    }
}

pub use sarif::to_sarif;
