//! Measures what the inline encoded-block expander (base64, percent) costs on a large
//! text file next to a whole scan of it:
//! `cargo run --release -p scanner-core --example encoded_overhead -- FILE [RULES.toml]`.

use scanner_core::expand::{encoded::EncodedExpander, expand_all, ExpandCtx};
use scanner_core::{Blob, Input, Limits, Origin, ScannerBuilder};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: encoded_overhead FILE [RULES.toml]");
        std::process::exit(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let mut b = ScannerBuilder::new().builtin_rules(args.len() == 0);
    if let Some(rules) = args.next() {
        b = b.rules_path(rules);
    }
    let scanner = match b.build() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("rules: {e}");
            std::process::exit(1);
        }
    };
    let limits = Limits::default();
    let blob = Blob::new(Origin::file(path.clone()), data.clone());
    let ctx = ExpandCtx {
        limits: &limits,
        depth: 0,
        budget_left: limits.max_expanded_bytes,
    };
    for round in 0..3 {
        let t = Instant::now();
        let exp = expand_all(&EncodedExpander, &blob, ctx);
        let t_enc = t.elapsed();
        let t = Instant::now();
        let report = scanner.scan(&[Input::Bytes {
            name: path.clone(),
            data: data.clone(),
        }]);
        let t_scan = t.elapsed();
        println!(
            "round {round}: {} MB; encoded expander alone {:.1} ms ({} blocks kept); whole scan {:.1} ms ({} findings, {} expanded); expander share {:.1}%",
            data.len() / 1_000_000,
            t_enc.as_secs_f64() * 1e3,
            exp.children.len(),
            t_scan.as_secs_f64() * 1e3,
            report.findings.len(),
            report.stats.expanded_blobs,
            100.0 * t_enc.as_secs_f64() / t_scan.as_secs_f64()
        );
    }
}
