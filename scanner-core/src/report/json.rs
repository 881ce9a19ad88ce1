//! launchguard's JSON report: findings with all locations, skips and totals.

use super::ReportOptions;
use crate::scan::ScanReport;
use serde_json::{json, Value};
use std::io::Write;

/// The report as a JSON value.
pub fn to_json(report: &ScanReport, opts: &ReportOptions) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let locations: Vec<Value> = f
                .locations
                .iter()
                .map(|l| {
                    json!({
                        "path": l.origin.root_path(),
                        "origin": l.origin.to_string(),
                        "inner": l.origin.inner_chain(),
                        "commit": l.origin.commit(),
                        "line": l.line,
                        "column": l.column,
                        "end_line": l.end_line,
                        "end_column": l.end_column,
                        "snippet": opts.snippet(f, l),
                        "exposure": l.exposure,
                        "client_var": l.client_var,
                        "original": l.original.as_ref().map(|(p, line, col)| json!({"path": p, "line": line, "column": col})),
                    })
                })
                .collect();
            json!({
                "rule_id": f.rule_id,
                "rule_name": f.rule_name,
                "provider": f.provider,
                "kind": f.kind.to_string(),
                "severity": f.severity.to_string(),
                "confidence": f.confidence.to_string(),
                "fingerprint": f.fingerprint,
                "secret": opts.secret_text(f),
                "exposure": f.exposure,
                "in_tests": f.in_tests,
                "description": f.description,
                "guidance": f.guidance(),
                "rotation_url": f.rotation.url,
                "locations": locations,
            })
        })
        .collect();
    json!({
        "tool": {"name": "launchguard", "version": opts.tool_version},
        "findings": findings,
        "skipped": report.skips,
        "artifacts": report.artifacts,
        "stats": report.stats,
    })
}

pub(super) fn write(
    report: &ScanReport,
    opts: &ReportOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_json(report, opts))?;
    writeln!(out)
}
