//! `launchguard scan`: build the scanner from arguments, run it with progress on a
//! terminal, write the report, choose the exit code.

use crate::cli::{FailOn, OutputFormat, ScanArgs};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use anyhow::{Context, Result};
use scanner_core::{
    Format, Input, Limits, LiveStats, ReportOptions, ScanReport, Scanner, ScannerBuilder, Severity,
    WalkOptions,
};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub(crate) fn builder(args: &ScanArgs) -> Result<ScannerBuilder> {
    let config = crate::settings::load_config(args)?;
    let mut limits = Limits::default();
    if let Some(c) = &config {
        c.limits_into(&mut limits);
    }
    if let Some(n) = args.max_file_size {
        limits.max_file_size = n;
    }
    if let Some(n) = args.max_depth {
        limits.max_depth = n;
    }
    if let Some(n) = args.max_member_size {
        limits.max_member_size = n;
    }
    if let Some(n) = args.max_ratio {
        limits.max_ratio = n;
    }
    if let Some(n) = args.max_members {
        limits.max_members = n;
    }
    if let Some(n) = args.max_expanded_bytes {
        limits.max_expanded_bytes = n;
    }
    if let Some(n) = args.max_decode_depth {
        limits.max_decode_depth = n;
    }
    if let Some(n) = args.max_decoded_blocks {
        limits.max_decoded_blocks = n;
    }
    let walk = WalkOptions {
        respect_ignore: !args.no_ignore,
        follow_links: args.follow_links,
        threads: args.threads.unwrap_or(0),
    };
    let mut b = ScannerBuilder::new()
        .builtin_rules(!args.rules.no_builtin)
        .limits(limits)
        .walk_options(walk)
        .disable_rules(args.rules.disable_rule.clone());
    for p in &args.rules.rules {
        b = b.rules_path(p.clone());
    }
    crate::settings::apply(args, config.as_ref(), b)
}

pub(crate) fn inputs(paths: &[PathBuf]) -> Vec<Input> {
    if paths.is_empty() {
        return vec![Input::Path(PathBuf::from("."))];
    }
    paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect()
}

/// Runs the scan with a progress line on stderr when it is a terminal.
pub(crate) fn scan_with_progress(
    scanner: &Scanner,
    inputs: &[Input],
    progress: bool,
) -> ScanReport {
    if !progress || !std::io::stderr().is_terminal() {
        return scanner.scan(inputs);
    }
    let live = LiveStats::default();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            // Only show up for scans that take a while.
            std::thread::sleep(Duration::from_millis(300));
            while !done.load(Ordering::Relaxed) {
                bar.set_message(format!(
                    "{} blobs, {}, {} matches",
                    live.blobs.load(Ordering::Relaxed),
                    indicatif::HumanBytes(live.bytes.load(Ordering::Relaxed)),
                    live.matches.load(Ordering::Relaxed)
                ));
                bar.tick();
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        let r = scanner.scan_with_stats(inputs, &live);
        done.store(true, Ordering::Relaxed);
        r
    })
}

pub(crate) fn threshold(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Info => Some(Severity::Info),
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::Never => None,
    }
}

pub(crate) fn write_and_exit_code(report: &ScanReport, args: &ScanArgs) -> Result<i32> {
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => args.output.is_none() && std::io::stdout().is_terminal(),
    };
    let opts = ReportOptions {
        show_secrets: args.show_secrets,
        automation_id: args.category.clone(),
        color,
        ..ReportOptions::default()
    };
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
    };
    match &args.output {
        Some(path) => {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            scanner_core::write_report(report, format, &opts, &mut f)?;
            f.flush()?;
            // Warnings still reach the user when the report goes to a file.
            for s in &report.skips {
                eprintln!("launchguard: warning: {s}");
            }
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            scanner_core::write_report(report, format, &opts, &mut out)?;
            out.flush()?;
            if format != Format::Text {
                for s in &report.skips {
                    eprintln!("launchguard: warning: {s}");
                }
            }
        }
    }
    if report.stats.blobs_scanned == 0 && !report.skips.is_empty() {
        let what: Vec<&str> = report.skips.iter().map(|s| s.path.as_str()).collect();
        eprintln!(
            "launchguard: error: nothing could be read: {}",
            what.join(", ")
        );
        return Ok(EXIT_ERROR);
    }
    if args.strict && !report.skips.is_empty() {
        eprintln!(
            "launchguard: error: --strict: {} input(s) skipped or partly scanned",
            report.skips.len()
        );
        return Ok(EXIT_ERROR);
    }
    let failing = threshold(args.fail_on).map_or(0, |t| report.count_at_least(t));
    Ok(if failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

pub(crate) fn run(args: &ScanArgs) -> Result<i32> {
    let scanner = builder(args)?.build()?;
    let inputs = crate::settings::inputs(args)?;
    let report = scan_with_progress(&scanner, &inputs, !args.no_progress);
    let code = write_and_exit_code(&report, args)?;
    if args.source.staged && code == EXIT_FINDINGS {
        eprintln!("{}", crate::settings::BLOCKED_HELP);
    }
    Ok(code)
}
