//! Built artifacts end to end: every key planted by `launchguard-testdata` in APK/IPA-like
//! packages, Hermes and JS bundles, source maps, nested archives and encoded blocks is
//! found at an origin naming its member; hostile archives give skips, never panics.

use launchguard_testdata as td;
use scanner_core::{Input, Limits, ScanReport, Scanner, ScannerBuilder};
use std::collections::BTreeMap;

fn scanner(limits: Limits) -> Scanner {
    ScannerBuilder::new()
        .builtin_rules(false)
        .rules_toml("fixture-rules.toml", td::RULES_TOML)
        .limits(limits)
        .build()
        .expect("fixture rules compile")
}

fn scan_dir(fixtures: &[td::Fixture], limits: Limits) -> (ScanReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    td::write(dir.path(), fixtures).expect("write fixtures");
    let report = scanner(limits).scan(&[Input::Path(dir.path().to_path_buf())]);
    (report, dir)
}

/// True when `report` has `p.secret` at a location whose origin contains `p.origin`
/// (and, when expected, the original source position).
fn found(report: &ScanReport, p: &td::Planted) -> bool {
    report.findings.iter().any(|f| {
        f.secret.expose() == p.secret
            && f.locations.iter().any(|l| {
                l.origin.to_string().contains(&p.origin)
                    && match &p.original {
                        None => true,
                        Some((path, line)) => l
                            .original
                            .as_ref()
                            .is_some_and(|(op, ol, _)| op == path && ol == line),
                    }
            })
    })
}

fn describe(report: &ScanReport) -> String {
    let mut s = String::new();
    for f in &report.findings {
        for l in &f.locations {
            s.push_str(&format!(
                "  {} {} at {} {:?}\n",
                f.rule_id, f.secret, l.origin, l.original
            ));
        }
    }
    for k in &report.skips {
        s.push_str(&format!("  skip: {k}\n"));
    }
    s
}

#[test]
fn every_planted_key_is_found_per_artifact_kind() {
    let fixtures = td::artifacts();
    let (report, _dir) = scan_dir(&fixtures, Limits::default());
    let mut per_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut missing = Vec::new();
    for f in &fixtures {
        for p in &f.planted {
            let e = per_kind.entry(f.kind).or_default();
            e.1 += 1;
            if found(&report, p) {
                e.0 += 1;
            } else {
                missing.push(format!("{} in {} ({})", &p.secret[..8], p.origin, f.path));
            }
        }
    }
    for (kind, (hit, total)) in &per_kind {
        let recall = *hit as f64 / *total as f64;
        assert!(
            recall >= 0.9,
            "recall for {kind}: {hit}/{total}; missing: {missing:#?}\nreport:\n{}",
            describe(&report)
        );
    }
    assert!(
        missing.is_empty(),
        "missing: {missing:#?}\n{}",
        describe(&report)
    );
    // Well-formed artifacts give no warnings.
    assert!(report.skips.is_empty(), "{}", describe(&report));
}

#[test]
fn apk_manifest_is_decoded_to_text_with_debuggable_flag() {
    let apk = td::apk();
    let report = scanner(Limits::default()).scan(&[Input::Bytes {
        name: "app.apk".into(),
        data: apk.bytes,
    }]);
    let dbg = report
        .findings
        .iter()
        .find(|f| f.rule_id == "fixture-android-debuggable")
        .expect("debuggable manifest reported");
    assert!(dbg.locations[0]
        .origin
        .to_string()
        .starts_with("app.apk!/AndroidManifest.xml"));
    // The meta-data key is reported with its attribute context.
    let maps = report
        .findings
        .iter()
        .find(|f| f.secret.expose() == apk.planted[0].secret)
        .expect("manifest key");
    assert!(maps.locations[0].before.contains("android:value=\""));
}

#[test]
fn hostile_archives_warn_and_the_rest_is_scanned() {
    let fixtures = td::hostile();
    let (report, _dir) = scan_dir(&fixtures, Limits::default());
    for f in &fixtures {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        if let Some(want) = f.expect_skip {
            assert!(
                report
                    .skips
                    .iter()
                    .any(|s| (s.path.contains(want) || s.message.contains(want))
                        && s.path.contains(name)),
                "no skip mentioning {want:?} for {}:\n{}",
                f.path,
                describe(&report)
            );
        }
        for p in &f.planted {
            assert!(
                found(&report, p),
                "{} not found in {}:\n{}",
                &p.secret[..8],
                p.origin,
                describe(&report)
            );
        }
    }
}

#[test]
fn deep_nesting_is_cut_at_the_depth_limit_and_opened_when_raised() {
    let deep = td::deep_nesting(50);
    let secret_prefix = "sk_live_";
    let report = scanner(Limits::default()).scan(&[Input::Bytes {
        name: "deep50.zip".into(),
        data: deep.bytes.clone(),
    }]);
    assert!(report.findings.is_empty());
    assert!(report
        .skips
        .iter()
        .any(|s| s.message.contains("depth limit")));
    let limits = Limits {
        max_depth: 60,
        ..Limits::default()
    };
    let report = scanner(limits).scan(&[Input::Bytes {
        name: "deep50.zip".into(),
        data: deep.bytes,
    }]);
    let f = report
        .findings
        .iter()
        .find(|f| f.secret.expose().starts_with(secret_prefix))
        .expect("found with --max-depth 60");
    assert!(f.locations[0]
        .origin
        .to_string()
        .ends_with("level49.zip!/secret.txt"));
}

#[test]
fn member_count_and_size_limits_are_reported() {
    let apk = td::apk();
    let limits = Limits {
        max_members: 2,
        max_member_size: 64,
        ..Limits::default()
    };
    let report = scanner(limits).scan(&[Input::Bytes {
        name: "app.apk".into(),
        data: apk.bytes,
    }]);
    assert!(report
        .skips
        .iter()
        .any(|s| s.message.contains("only the first 2")));
    assert!(report
        .skips
        .iter()
        .any(|s| s.path == "app.apk!/classes.dex" && s.message.contains("cap")));
}

#[test]
fn expansion_budget_stops_and_reports() {
    let apk = td::apk();
    let limits = Limits {
        max_expanded_bytes: 600,
        ..Limits::default()
    };
    let report = scanner(limits).scan(&[Input::Bytes {
        name: "app.apk".into(),
        data: apk.bytes,
    }]);
    assert!(report
        .skips
        .iter()
        .any(|s| s.message.contains("budget") || s.message.contains("cap")));
}

/// Every prefix (and some corrupted copies) of every binary format is scanned without
/// a panic.
#[test]
fn truncated_and_corrupted_inputs_never_panic() {
    let apk = td::apk();
    let ipa = td::ipa();
    let mut samples: Vec<(&str, Vec<u8>)> = vec![
        (
            "AndroidManifest.xml",
            td::formats::android_manifest("a.b", &td::google_key(1), true),
        ),
        (
            "resources.arsc",
            td::formats::resources_arsc("a.b", &[("k", "v"), ("g", "h")]),
        ),
        (
            "classes.dex",
            td::formats::dex(&["a", "bbbbbbbbbbbb", &td::stripe_key(1)]),
        ),
        (
            "index.android.bundle",
            td::formats::hermes(96, &["x", &"y".repeat(300), "é"]),
        ),
        ("libx.so", td::formats::elf_so(&["hello world string"])),
        ("Demo", td::formats::macho(&["hello world string"])),
        (
            "Pay",
            td::formats::fat_macho(&[td::formats::macho(&["hello world string"])]),
        ),
        ("Info.plist", td::formats::bplist(&[("k", "value value")])),
        ("pkg.tar.gz", td::formats::tar_gz(&[("a.txt", b"hello")])),
        ("app.apk", apk.bytes),
        ("Demo.ipa", ipa.bytes),
    ];
    let s = scanner(Limits::default());
    let mut rng = td::Rng::new(9);
    let mut corrupted = Vec::new();
    for (name, data) in &samples {
        for _ in 0..8 {
            let mut d = data.clone();
            for _ in 0..4 {
                let i = (rng.next_u64() % d.len() as u64) as usize;
                d[i] = rng.next_u64() as u8;
            }
            corrupted.push((*name, d));
        }
    }
    samples.extend(corrupted);
    for (name, data) in &samples {
        let step = (data.len() / 150).max(1);
        let mut cut = 0;
        while cut <= data.len() {
            let _ = s.scan(&[Input::Bytes {
                name: (*name).to_string(),
                data: data[..cut].to_vec(),
            }]);
            cut += step;
        }
    }
}

#[test]
fn inline_source_map_gives_the_original_position() {
    let (bundle, map) = td::bundle_with_map();
    let text = String::from_utf8(bundle.bytes).expect("utf8");
    let inline = text.replace(
        "//# sourceMappingURL=main.js.map",
        &format!(
            "//# sourceMappingURL=data:application/json;charset=utf-8;base64,{}",
            td::base64(&map.bytes)
        ),
    );
    let report = scanner(Limits::default()).scan(&[Input::Bytes {
        name: "dist/inline.js".into(),
        data: inline.into_bytes(),
    }]);
    let p = &td::bundle_with_map().0.planted[0];
    let f = report
        .findings
        .iter()
        .find(|f| f.secret.expose() == p.secret)
        .expect("bundle key");
    let l = f
        .locations
        .iter()
        .find(|l| l.origin.to_string() == "dist/inline.js")
        .expect("bundle location");
    assert_eq!(
        l.original.as_ref().map(|(p, line, _)| (p.as_str(), *line)),
        Some(("src/config.ts", 3))
    );
}

#[test]
fn base64_images_are_not_decoded_and_nesting_is_bounded() {
    // base64(base64(base64(key))): two layers are peeled by default, not three.
    let key = td::stripe_key(77);
    let once = td::base64(format!("secret={key}").as_bytes());
    let twice = td::base64(once.as_bytes());
    let thrice = td::base64(twice.as_bytes());
    let s = scanner(Limits::default());
    let r2 = s.scan(&[Input::Bytes {
        name: "a.txt".into(),
        data: format!("v=\"{twice}\"").into_bytes(),
    }]);
    assert!(r2.findings.iter().any(|f| f.secret.expose() == key));
    let r3 = s.scan(&[Input::Bytes {
        name: "b.txt".into(),
        data: format!("v=\"{thrice}\"").into_bytes(),
    }]);
    assert!(r3.findings.is_empty());
    assert!(r3.skips.iter().any(|s| s.message.contains("nesting limit")));
    // A binary payload is dropped silently.
    let img = td::base64(&[
        0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xaa, 0xbb,
        0xcc, 0xdd, 0xee, 0xff, 0x10, 0x20, 0x30,
    ]);
    let r = s.scan(&[Input::Bytes {
        name: "c.js".into(),
        data: format!("i=\"data:image/png;base64,{img}\"").into_bytes(),
    }]);
    assert_eq!(r.stats.expanded_blobs, 0);
    assert!(r.skips.is_empty());
}

#[test]
fn unknown_hermes_versions_are_read_best_effort_with_a_warning() {
    let key = td::stripe_key(4242);
    let s = scanner(Limits::default());
    // A newer version with the known layout: parsed, and the version is reported.
    let newer = td::formats::hermes(200, &["use strict", "https://api.invalid/", &key]);
    let r = s.scan(&[Input::Bytes {
        name: "index.android.bundle".into(),
        data: newer.clone(),
    }]);
    assert!(r.findings.iter().any(|f| f.secret.expose() == key));
    assert!(r
        .skips
        .iter()
        .any(|k| k.message.contains("outside the known range")));
    // A layout no guess fits (string count inflated): printable strings instead.
    let mut broken = newer;
    broken[52..56].copy_from_slice(&9_999_999u32.to_le_bytes());
    let r = s.scan(&[Input::Bytes {
        name: "index.android.bundle".into(),
        data: broken,
    }]);
    assert!(r.findings.iter().any(|f| f.secret.expose() == key));
    assert!(r
        .skips
        .iter()
        .any(|k| k.message.contains("printable strings extracted")));
}
