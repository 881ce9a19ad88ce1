//! `launchguard rules list|check`.

use crate::cli::{RuleOpts, RulesAction, RulesArgs};
use anyhow::Result;
use scanner_core::rules::check_rules;
use scanner_core::RuleSet;
use std::io::Write;

pub(crate) fn load(opts: &RuleOpts) -> Result<RuleSet> {
    let mut set = if opts.no_builtin {
        RuleSet::new()
    } else {
        RuleSet::builtin()?
    };
    for p in &opts.rules {
        set.add_path(p)?;
    }
    set.disable(&opts.disable_rule);
    Ok(set)
}

pub(crate) fn run(args: &RulesArgs) -> Result<i32> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &args.action {
        RulesAction::List { json, rules } => {
            let set = load(rules)?;
            if *json {
                let v: Vec<_> = set
                    .rules()
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": r.spec.id,
                            "name": r.spec.name,
                            "provider": r.spec.provider,
                            "kind": r.spec.kind.to_string(),
                            "severity": r.spec.severity.to_string(),
                            "confidence": r.spec.confidence.to_string(),
                            "checksum": r.spec.checksum.map(|c| c.to_string()),
                            "claims": !r.spec.jwt_claims.is_empty(),
                            "keywords": r.spec.keywords,
                            "file": r.file,
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:<44} {:<22} {:<7} {:<9} CHECKS",
                    "ID", "PROVIDER", "KIND", "SEVERITY"
                )?;
                for r in set.rules() {
                    let mut checks = Vec::new();
                    if let Some(c) = r.spec.checksum {
                        checks.push(c.to_string());
                    }
                    if !r.spec.jwt_claims.is_empty() {
                        checks.push("jwt-claims".into());
                    }
                    if r.spec.min_entropy.is_some() {
                        checks.push("entropy".into());
                    }
                    writeln!(
                        out,
                        "{:<44} {:<22} {:<7} {:<9} {}",
                        r.spec.id,
                        r.spec.provider,
                        r.spec.kind.to_string(),
                        r.spec.severity.to_string(),
                        if checks.is_empty() {
                            "-".to_string()
                        } else {
                            checks.join(",")
                        }
                    )?;
                }
                writeln!(out, "{} rules", set.len())?;
            }
            Ok(0)
        }
        RulesAction::Check { rules } => {
            let set = load(rules)?;
            let problems = check_rules(&set);
            for p in &problems {
                writeln!(out, "FAIL {p}")?;
            }
            let examples: usize = set
                .rules()
                .iter()
                .map(|r| r.spec.examples.len() + r.spec.negative_examples.len())
                .sum();
            writeln!(
                out,
                "{} rules, {} examples checked: {} problem(s)",
                set.len(),
                examples,
                problems.len()
            )?;
            Ok(if problems.is_empty() { 0 } else { 1 })
        }
    }
}
