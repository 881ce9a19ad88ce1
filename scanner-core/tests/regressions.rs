//! Replays the minimised crash inputs of the fuzz targets (`fuzz/`), kept under
//! `tests/regressions/<target>/`, through the same entry points the targets use: the
//! target's decoder on a blob named as the target names it, and the whole scan
//! pipeline on it. Each must run without a panic. A file's name says what it found.

use scanner_core::expand::{self, ExpandCtx, Expander};
use scanner_core::{Blob, Input, Limits, Origin, ScannerBuilder};
use std::path::Path;

/// The decoder and blob name of each decoder target (as in `fuzz/src/lib.rs`).
fn decoders(target: &str) -> Vec<(&'static dyn Expander, &'static str)> {
    use scanner_core::expand::*;
    match target {
        "axml" => vec![(&axml::AxmlExpander, "AndroidManifest.xml")],
        "arsc" => vec![(&arsc::ArscExpander, "resources.arsc")],
        "dex" => vec![(&dex::DexExpander, "classes.dex")],
        "plist" => vec![(&plist::PlistExpander, "Info.plist")],
        "native" => vec![(&native::NativeExpander, "Frameworks/App")],
        "hermes" => vec![(&hermes::HermesExpander, "index.android.bundle")],
        "zip" => vec![(&zip::ZipExpander, "app.apk")],
        "tar_gzip" => vec![
            (&gzip::GzipExpander, "pkg.tar.gz"),
            (&tar::TarExpander, "pkg.tar"),
        ],
        "sourcemap" => vec![(&sourcemap::SourceMapExpander, "app.js.map")],
        "encoded" => vec![(&encoded::EncodedExpander, "web/config.js")],
        _ => Vec::new(),
    }
}

fn replay(target: &str, data: &[u8]) {
    let limits = Limits::default();
    let mut names = Vec::new();
    for (e, name) in decoders(target) {
        names.push(name);
        let blob = Blob::new(Origin::file(name), data.to_vec());
        if e.accepts(&blob) {
            let ctx = ExpandCtx {
                limits: &limits,
                depth: 0,
                budget_left: limits.max_expanded_bytes,
            };
            let _ = expand::expand_all(e, &blob, ctx);
        }
    }
    if target == "sourcemap" {
        let _ = expand::sourcemap::map_for_bundle(&Origin::file("dist/app.js"), data, 1 << 24);
        let _ = expand::sourcemap::original_positions(data, &[(1, 1), (2, 5)]);
    }
    if names.is_empty() {
        // matcher / scan targets: the first byte picks a name; any name will do here.
        names.extend(["src/config.ts", ".env", "AndroidManifest.xml", "app.apk"]);
    }
    let scanner = ScannerBuilder::new().build().expect("built-in rules");
    for name in names {
        let _ = scanner.scan(&[Input::Bytes {
            name: name.to_string(),
            data: data.to_vec(),
        }]);
    }
}

#[test]
fn minimised_fuzz_crashes_no_longer_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for target in std::fs::read_dir(&root).expect("tests/regressions") {
        let target = target.expect("entry").path();
        if !target.is_dir() {
            continue;
        }
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        for f in std::fs::read_dir(&target).expect("target dir") {
            let f = f.expect("entry").path();
            let data = std::fs::read(&f).expect("crash input");
            replay(&name, &data);
            n += 1;
        }
    }
    eprintln!("{n} regression input(s) replayed");
}

/// Found by the `native` target (`regressions/native/timeout-macho-nsects-*`): a thin
/// Mach-O whose segment claims 4 billion sections spun for minutes, because the
/// section iterator's errors were skipped rather than ending the walk. Now the walk
/// stops at the first bad section header, warns, and the whole file is searched for
/// strings instead.
#[test]
fn macho_claiming_billions_of_sections_is_cut_short() {
    let key = launchguard_testdata::stripe_key(4711);
    let mut m = launchguard_testdata::formats::macho(&["%s failed", &key]);
    // nsects of the first LC_SEGMENT_64: header (32) + command fields before it (64).
    m[96..100].copy_from_slice(&u32::MAX.to_le_bytes());
    let scanner = ScannerBuilder::new()
        .builtin_rules(false)
        .rules_toml("fixture.toml", launchguard_testdata::RULES_TOML)
        .build()
        .expect("rules");
    let started = std::time::Instant::now();
    let r = scanner.scan(&[Input::Bytes {
        name: "Payload/App.app/App".into(),
        data: m,
    }]);
    assert!(r.findings.iter().any(|f| f.secret.expose() == key));
    assert!(
        r.skips
            .iter()
            .any(|s| s.message.contains("malformed Mach-O") && s.message.contains("section")),
        "{:?}",
        r.skips
    );
    eprintln!("scanned in {:?}", started.elapsed());
}
