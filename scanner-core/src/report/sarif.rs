//! SARIF 2.1.0 for GitHub code scanning: one `reportingDescriptor` per rule with the
//! rotation steps in `help.markdown`, `security-severity` and `precision`; one result
//! per location with a line hash and the secret's fingerprint; relative URIs. Findings
//! inside archives or history keep the archive / file path as the artifact and name the
//! inner chain and commit in the message and properties.

use super::ReportOptions;
use crate::findings::{Finding, Location};
use crate::rules::{RuleKind, Severity};
use crate::scan::ScanReport;
use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location as SLocation, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SResult, ResultLevel, Run,
    RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

/// GitHub code scanning accepts at most this many results per run.
pub const MAX_RESULTS: usize = 5000;

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_str(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Percent-encodes a relative path for a SARIF URI (keeps `/` and unreserved chars).
fn uri(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn bag(tags: Vec<String>, props: BTreeMap<String, Value>) -> PropertyBag {
    PropertyBag::builder()
        .tags(tags)
        .additional_properties(props)
        .build()
}

fn descriptor(f: &Finding) -> ReportingDescriptor {
    let mut md = String::new();
    md.push_str(&format!("**{}** ({})\n\n", f.rule_name, f.provider));
    if let Some(d) = &f.description {
        md.push_str(d);
        md.push_str("\n\n");
    }
    md.push_str(if f.kind == RuleKind::Config {
        "How to fix:\n\n"
    } else {
        "How to rotate (a key that shipped in an app, a bundle or git history is compromised: rotate first, then remove):\n\n"
    });
    for (i, s) in f.rotation.steps.iter().enumerate() {
        md.push_str(&format!("{}. {}\n", i + 1, s));
    }
    if let Some(u) = &f.rotation.url {
        md.push_str(&format!("\nProvider page: {u}\n"));
    }
    let text = md.replace("**", "");
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(f.rule_severity_for_sarif().security_severity()),
    );
    props.insert("precision".to_string(), json!(f.confidence_for_sarif()));
    props.insert(
        "problem.severity".to_string(),
        json!(level_str(f.rule_severity_for_sarif())),
    );
    let mut tags = vec!["security".to_string()];
    tags.push(match f.kind {
        RuleKind::Secret => "secret".to_string(),
        RuleKind::Config => "config".to_string(),
    });
    if !f.provider.is_empty() {
        tags.push(f.provider.clone());
    }
    let b = ReportingDescriptor::builder()
        .id(f.rule_id.clone())
        .name(pascal(&f.rule_id))
        .short_description(
            MultiformatMessageString::builder()
                .text(f.rule_name.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(f.description.clone().unwrap_or_else(|| f.rule_name.clone()))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(text)
                .markdown(md)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_str(f.rule_severity_for_sarif())))
                .build(),
        )
        .properties(bag(tags, props));
    if let Some(u) = &f.rotation.url {
        if u.starts_with("http") {
            return b.help_uri(u.clone()).build();
        }
    }
    b.build()
}

fn pascal(id: &str) -> String {
    id.split(['-', '.', '_'])
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

impl Finding {
    fn rule_severity_for_sarif(&self) -> Severity {
        self.severity
    }

    fn confidence_for_sarif(&self) -> &'static str {
        match self.confidence {
            crate::rules::Confidence::High => "very-high",
            crate::rules::Confidence::Medium => "high",
            crate::rules::Confidence::Low => "medium",
        }
    }
}

fn line_hash(f: &Finding, l: &Location) -> String {
    // Stable across line moves: rule, path, and the line text around the secret
    // (the secret itself enters only through its fingerprint).
    let mut key = Vec::new();
    key.extend_from_slice(l.origin.root_path().as_bytes());
    key.push(0);
    key.extend_from_slice(l.before.trim().as_bytes());
    key.push(0);
    key.extend_from_slice(f.fingerprint.as_bytes());
    key.push(0);
    key.extend_from_slice(l.after.trim().as_bytes());
    crate::findings::fingerprint(&f.rule_id, &key)[..16].to_string()
}

fn result(
    f: &Finding,
    l: &Location,
    rule_index: usize,
    opts: &ReportOptions,
    occurrence: usize,
) -> SResult {
    let mut msg = if f.kind == RuleKind::Config {
        format!("{}: {}", f.rule_name, opts.secret_text(f))
    } else {
        format!(
            "{} found: {} (exposure: {})",
            f.rule_name,
            opts.secret_text(f),
            f.exposure
        )
    };
    if let Some(inner) = l.origin.inner_chain() {
        msg.push_str(&format!(
            ". Inside: {}{}",
            l.origin.root_path(),
            if inner.starts_with(' ') {
                inner
            } else {
                format!("!/{inner}")
            }
        ));
        msg.push_str(&format!(" at line {}, column {}", l.line, l.column));
    }
    if let Some(c) = l.origin.commit() {
        msg.push_str(&format!(
            ". Introduced in commit {} by {} on {}",
            &c.id[..c.id.len().min(12)],
            c.author,
            c.date
        ));
    }
    if let Some(first) = f.guidance().first() {
        msg.push_str(". ");
        msg.push_str(first);
    }
    let nested = l.origin.inner_chain().is_some();
    let mut region = Region::builder().build();
    if !nested {
        region = Region::builder()
            .start_line(l.line as i64)
            .start_column(l.column as i64)
            .end_line(l.end_line as i64)
            .end_column(l.end_column.max(l.column + 1) as i64)
            .snippet(ArtifactContent::builder().text(opts.snippet(f, l)).build())
            .build();
    } else {
        region.start_line = Some(1);
    }
    let phys = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(uri(l.origin.root_path()))
                .uri_base_id("%SRCROOT%")
                .build(),
        )
        .region(region)
        .build();
    let mut partial = BTreeMap::new();
    partial.insert(
        "primaryLocationLineHash".to_string(),
        format!("{}:{}", line_hash(f, l), occurrence),
    );
    partial.insert("secretFingerprint/v1".to_string(), f.fingerprint.clone());
    let mut props = BTreeMap::new();
    props.insert("severity".into(), json!(f.severity.to_string()));
    props.insert("confidence".into(), json!(f.confidence.to_string()));
    props.insert("exposure".into(), json!(l.exposure));
    props.insert("origin".into(), json!(l.origin.to_string()));
    if let Some(inner) = l.origin.inner_chain() {
        props.insert("innerPath".into(), json!(inner));
        props.insert("innerLine".into(), json!(l.line));
        props.insert("innerColumn".into(), json!(l.column));
    }
    if let Some(c) = l.origin.commit() {
        props.insert("commit".into(), json!(c));
    }
    if let Some((p, line, col)) = &l.original {
        props.insert(
            "originalLocation".into(),
            json!({"path": p, "line": line, "column": col}),
        );
    }
    if f.in_tests {
        props.insert("inTests".into(), json!(true));
    }
    SResult::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(rule_index as i64)
        .level(level(f.severity))
        .message(Message::builder().text(msg).build())
        .locations(vec![SLocation::builder().physical_location(phys).build()])
        .partial_fingerprints(partial)
        .properties(bag(Vec::new(), props))
        .build()
}

/// Builds the SARIF log for `report`.
pub fn to_sarif(report: &ScanReport, opts: &ReportOptions) -> Sarif {
    let mut rule_idx: HashMap<&str, usize> = HashMap::new();
    let mut rules = Vec::new();
    let mut results = Vec::new();
    let mut truncated = 0usize;
    for f in &report.findings {
        let idx = *rule_idx.entry(&f.rule_id).or_insert_with(|| {
            rules.push(descriptor(f));
            rules.len() - 1
        });
        let mut seen: BTreeSet<(String, usize, usize)> = BTreeSet::new();
        let mut occurrences: HashMap<String, usize> = HashMap::new();
        for l in &f.locations {
            // At most one result per location per rule.
            if !seen.insert((l.origin.to_string(), l.line, l.column)) {
                continue;
            }
            if results.len() >= MAX_RESULTS {
                truncated += 1;
                continue;
            }
            let h = line_hash(f, l);
            let n = occurrences.entry(h).or_insert(0);
            *n += 1;
            results.push(result(f, l, idx, opts, *n));
        }
    }
    let mut notes: Vec<Notification> = report
        .skips
        .iter()
        .map(|s| {
            Notification::builder()
                .message(Message::builder().text(s.to_string()).build())
                .level(json!("warning"))
                .locations(vec![SLocation::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(
                                ArtifactLocation::builder().uri(uri(&s.path)).build(),
                            )
                            .build(),
                    )
                    .build()])
                .build()
        })
        .collect();
    if truncated > 0 {
        notes.push(
            Notification::builder()
                .message(
                    Message::builder()
                        .text(format!(
                            "{truncated} result(s) left out: GitHub code scanning accepts at most {MAX_RESULTS} results per run; see the JSON report for all"
                        ))
                        .build(),
                )
                .level(json!("warning"))
                .build(),
        );
    }
    let driver = ToolComponent::builder()
        .name("launchguard")
        .semantic_version(opts.tool_version.clone())
        .version(opts.tool_version.clone())
        .information_uri("https://github.com/launchguard/launchguard")
        .rules(rules)
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notes)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .automation_details(
            RunAutomationDetails::builder()
                .id(opts.automation_id.clone())
                .build(),
        )
        .column_kind(json!("unicodeCodePoints"))
        .build();
    Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

pub(super) fn write(
    report: &ScanReport,
    opts: &ReportOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_sarif(report, opts))?;
    writeln!(out)
}
