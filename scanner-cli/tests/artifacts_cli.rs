//! The `launchguard` binary on generated artifacts: JSON origins name the member, a
//! bundle finding carries its original source position, hostile archives give
//! warnings and a normal exit (never a crash), and the limit flags are honoured.

use launchguard_testdata as td;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn launchguard(dir: &Path, extra: &[&str], target: &Path) -> Output {
    let rules = dir.join("fixture-rules.toml");
    std::fs::write(&rules, td::RULES_TOML).expect("rules file");
    Command::new(env!("CARGO_BIN_EXE_launchguard"))
        .arg("scan")
        .arg("--no-builtin")
        .arg("--rules")
        .arg(&rules)
        .args(["--format", "json", "--no-progress"])
        .args(extra)
        .arg(target)
        .output()
        .expect("run launchguard")
}

fn origins(json: &Value) -> Vec<(String, Option<Value>)> {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["locations"].as_array().cloned().unwrap_or_default())
        .map(|l| {
            (
                l["origin"].as_str().unwrap_or_default().to_string(),
                l.get("original").cloned().filter(|v| !v.is_null()),
            )
        })
        .collect()
}

#[test]
fn artifacts_report_member_origins_and_original_positions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scan_root = dir.path().join("scan");
    td::write(&scan_root, &td::artifacts()).expect("fixtures");
    let out = launchguard(dir.path(), &[], &scan_root);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let got = origins(&json);
    for f in td::artifacts() {
        for p in &f.planted {
            assert!(
                got.iter().any(|(o, _)| o.contains(&p.origin)),
                "no location at {}: {got:#?}",
                p.origin
            );
        }
    }
    let (_, original) = got
        .iter()
        .find(|(o, _)| o.ends_with("web/dist/main.js"))
        .expect("bundle location");
    let original = original.as_ref().expect("original position");
    assert_eq!(original["path"], "src/config.ts");
    assert_eq!(original["line"], 3);
    // No full secret in the report.
    let text = String::from_utf8_lossy(&out.stdout);
    for f in td::artifacts() {
        for p in &f.planted {
            assert!(!text.contains(&p.secret), "secret printed in full");
        }
    }
}

#[test]
fn hostile_archives_warn_without_crashing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scan_root = dir.path().join("hostile");
    td::write(&scan_root, &td::hostile()).expect("fixtures");
    let out = launchguard(dir.path(), &[], &scan_root);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for want in [
        "bomb.zip!/payload/zeros.bin",
        "path traversal",
        "truncated.apk",
        "truncated.tar.gz",
        "depth limit",
        "garbage.apk",
    ] {
        assert!(stderr.contains(want), "no warning about {want}: {stderr}");
    }
    // --strict turns the warnings into an error exit.
    let strict = launchguard(dir.path(), &["--strict"], &scan_root);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn limit_flags_are_honoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scan_root = dir.path().join("deep");
    td::write(&scan_root, &[td::deep_nesting(50)]).expect("fixtures");
    let out = launchguard(dir.path(), &["--max-depth", "60"], &scan_root);
    assert_eq!(out.status.code(), Some(1));
    let bomb_root = dir.path().join("bomb");
    td::write(&bomb_root, &[td::zip_bomb()]).expect("fixtures");
    let out = launchguard(
        dir.path(),
        &["--max-ratio", "5000", "--max-member-size", "1048576"],
        &bomb_root,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--max-member-size"), "{stderr}");
    let out = launchguard(
        dir.path(),
        &[
            "--max-members",
            "1",
            "--max-expanded-bytes",
            "100000000",
            "--max-decode-depth",
            "1",
            "--max-decoded-blocks",
            "10",
        ],
        &bomb_root,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("only the first 1"), "{stderr}");
}

#[test]
fn release_gate_prints_one_summary_line_per_artifact() {
    let dir = tempfile::tempdir().expect("tempdir");
    td::write(dir.path(), &[td::apk(), td::zip_bomb()]).expect("fixtures");
    let rules = dir.path().join("fixture-rules.toml");
    std::fs::write(&rules, td::RULES_TOML).expect("rules file");
    let out = Command::new(env!("CARGO_BIN_EXE_launchguard"))
        .args(["scan", "--no-builtin", "--rules"])
        .arg(&rules)
        .args(["--no-progress", "--fail-on", "high", "."])
        .current_dir(dir.path())
        .output()
        .expect("run launchguard");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let apk = text
        .lines()
        .find(|l| l.starts_with("artifact ") && l.contains(".apk:"))
        .unwrap_or_else(|| panic!("no APK summary line in:\n{text}"));
    assert!(
        apk.contains("members scanned") && apk.contains("critical"),
        "{apk}"
    );
    let bomb = text
        .lines()
        .find(|l| l.starts_with("artifact ") && l.contains("bomb"))
        .unwrap_or_else(|| panic!("no bomb summary line in:\n{text}"));
    assert!(bomb.contains("skipped: 1 (limit-hit)"), "{bomb}");
}
