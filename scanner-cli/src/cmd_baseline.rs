//! `launchguard baseline create`: scan like `scan`, then write every finding's
//! fingerprint (with rule id, redacted secret and first location for humans) to the
//! baseline file.

use crate::cli::{BaselineAction, BaselineArgs};
use anyhow::{Context, Result};
use scanner_core::Baseline;

pub(crate) fn run(args: &BaselineArgs) -> Result<i32> {
    match &args.action {
        BaselineAction::Create(scan) => {
            let Some(out) = &scan.output else {
                anyhow::bail!("baseline create needs --output FILE");
            };
            let scanner = crate::cmd_scan::builder(scan)?.build()?;
            let inputs = crate::settings::inputs(scan)?;
            let report = crate::cmd_scan::scan_with_progress(&scanner, &inputs, !scan.no_progress);
            for s in &report.skips {
                eprintln!("launchguard: warning: {s}");
            }
            if report.stats.blobs_scanned == 0 && !report.skips.is_empty() {
                eprintln!("launchguard: error: nothing could be read");
                return Ok(crate::EXIT_ERROR);
            }
            let baseline = Baseline::from_report(&report);
            baseline
                .save(out)
                .with_context(|| format!("cannot write baseline {}", out.display()))?;
            eprintln!(
                "launchguard: wrote {} finding(s) to {}",
                baseline.findings.len(),
                out.display()
            );
            Ok(crate::EXIT_CLEAN)
        }
    }
}
