//! The human-readable report.

use super::ReportOptions;
use crate::findings::Exposure;
use crate::rules::{RuleKind, Severity};
use crate::scan::ScanReport;
use std::io::Write;

fn paint(opts: &ReportOptions, code: &str, s: &str) -> String {
    if opts.color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

pub(super) fn write(
    report: &ScanReport,
    opts: &ReportOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for f in &report.findings {
        let sev = f.severity.to_string().to_uppercase();
        writeln!(
            out,
            "{} {} [{}] — {}",
            paint(opts, sev_code(f.severity), &format!("{sev:<8}")),
            paint(opts, "1", &f.rule_name),
            f.rule_id,
            match (f.kind, f.exposure) {
                (RuleKind::Config, _) => "launch config".to_string(),
                (_, Exposure::ClientArtifact) =>
                    "shipped in a client artifact: treat as compromised".into(),
                (_, Exposure::ClientEnv) =>
                    "in a client-exposed env var: treat as compromised".into(),
                (_, Exposure::History) => "in git history: treat as compromised".into(),
                (_, Exposure::Source) => "in a source file".into(),
                (_, Exposure::Staged) => "in a staged change".into(),
            }
        )?;
        if f.kind == RuleKind::Secret {
            writeln!(out, "  secret:     {}", opts.secret_text(f))?;
        }
        writeln!(
            out,
            "  confidence: {}{}   fingerprint: {}",
            f.confidence,
            if f.in_tests {
                " (test/fixture path)"
            } else {
                ""
            },
            &f.fingerprint[..16.min(f.fingerprint.len())]
        )?;
        for l in f.locations.iter().take(20) {
            write!(out, "  at {}:{}:{}", l.origin, l.line, l.column)?;
            if let Some((src, line, col)) = &l.original {
                write!(out, "  (original source {src}:{line}:{col})")?;
            }
            if let Some(c) = l.origin.commit() {
                write!(
                    out,
                    "  (commit {} by {} on {})",
                    &c.id[..c.id.len().min(12)],
                    c.author,
                    c.date
                )?;
            }
            writeln!(out)?;
            let snip = opts.snippet(f, l);
            if !snip.trim().is_empty() {
                writeln!(out, "     | {}", snip.trim())?;
            }
        }
        if f.locations.len() > 20 {
            writeln!(out, "  … and {} more locations", f.locations.len() - 20)?;
        }
        let guidance = f.guidance();
        if !guidance.is_empty() {
            writeln!(out, "  what to do:")?;
            for (i, g) in guidance.iter().enumerate() {
                writeln!(out, "    {}. {}", i + 1, g)?;
            }
        }
        writeln!(out)?;
    }
    for a in &report.artifacts {
        let mut by_sev = Vec::new();
        for sev in Severity::ALL.iter().rev() {
            let n = report
                .findings
                .iter()
                .filter(|f| {
                    f.severity == *sev
                        && f.locations
                            .iter()
                            .any(|l| l.origin.to_string().starts_with(&a.path))
                })
                .count();
            if n > 0 {
                by_sev.push(format!("{n} {sev}"));
            }
        }
        let skipped: Vec<String> = report
            .skips
            .iter()
            .filter(|s| s.path.starts_with(&a.path))
            .map(|s| s.reason.to_string())
            .collect();
        writeln!(
            out,
            "artifact {}: {} bytes, {} members scanned ({} bytes expanded); findings: {}; skipped: {}",
            a.path,
            a.bytes,
            a.members,
            a.expanded_bytes,
            if by_sev.is_empty() { "none".to_string() } else { by_sev.join(", ") },
            if skipped.is_empty() { "nothing".to_string() } else { format!("{} ({})", skipped.len(), skipped.join(", ")) }
        )?;
    }
    for s in &report.skips {
        writeln!(out, "{} {}", paint(opts, "33", "warning:"), s)?;
    }
    let mut counts = Vec::new();
    for sev in Severity::ALL.iter().rev() {
        let n = report
            .findings
            .iter()
            .filter(|f| f.severity == *sev)
            .count();
        if n > 0 {
            counts.push(format!("{n} {sev}"));
        }
    }
    writeln!(
        out,
        "{} finding(s){}; {} blob(s), {} bytes scanned in {} ms; {} suppressed; {} skipped{}",
        report.findings.len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        report.stats.blobs_scanned,
        report.stats.bytes_scanned,
        report.stats.elapsed_ms,
        report.stats.suppressed,
        report.skips.len(),
        if report.skips.is_empty() {
            ""
        } else {
            " (a skip never means clean: see warnings)"
        }
    )
}
