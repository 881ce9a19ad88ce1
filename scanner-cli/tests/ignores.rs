//! Ignores that survive edits: the baseline (keyed by content fingerprint) and the
//! `.launchguard.toml` config (allowlisted paths, values, regexes; disabled rules;
//! extra rule files; limits).

mod gitfix;

use gitfix::{finding_for, findings, lg, scan_json, Gen, Repo};

#[test]
fn baseline_suppresses_known_findings_after_lines_move_and_reports_new_ones() {
    let r = Repo::new();
    let mut g = Gen::new(21);
    let (s1, s2, s3) = (g.token(), g.token(), g.token());
    r.write("src/a.py", &format!("A = '{s1}'\nB = '{s2}'\n"));
    let base = r.tmp.path().join("baseline.json");
    lg().current_dir(&r.dir)
        .args(["baseline", "create", ".", "--no-builtin", "--rules"])
        .arg(&r.rules)
        .arg("--output")
        .arg(&base)
        .assert()
        .success();
    let text = std::fs::read_to_string(&base).expect("baseline written");
    assert!(
        !text.contains(&s1) && !text.contains(&s2),
        "full secret in baseline"
    );
    let b: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(b["findings"].as_array().map(Vec::len), Some(2), "{b:#}");
    assert_eq!(b["findings"][0]["rule_id"], "lgtest-token");
    assert!(b["findings"][0]["location"]
        .as_str()
        .is_some_and(|l| l.starts_with("src/a.py:")));
    // Lines move, one secret moves to another file, and a new secret lands on s1's old line.
    r.write(
        "src/a.py",
        &format!("import os\nC = '{s3}'\n\n\nA = '{s1}'\n"),
    );
    r.write("src/moved/b.py", &format!("# moved\nB = '{s2}'\n"));
    let base_s = base.to_string_lossy().to_string();
    let (code, v) = scan_json(&r, &["scan", ".", "--baseline", &base_s, "--show-secrets"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    assert!(finding_for(&v, &s3).is_some());
    assert_eq!(v["stats"]["suppressed"], 2);
    // Without the baseline all three are back.
    let (_, v) = scan_json(&r, &["scan", "."]);
    assert_eq!(findings(&v).len(), 3);
    // A broken baseline is an error, not a silent clean scan.
    std::fs::write(
        &base,
        "{\"version\": 1, \"findings\": [{\"fingerprint\": \"zz\"}]}",
    )
    .expect("write");
    let (code, _, err) = gitfix::run(&r, &["scan", "--baseline", &base_s, "."]);
    assert_eq!(code, 2);
    assert!(err.contains("baseline.json"), "{err}");
}

#[test]
fn baseline_from_history_survives_a_rewritten_history() {
    let r = Repo::new();
    let mut g = Gen::new(22);
    let (s1, s2) = (g.token(), g.token());
    r.write("one.txt", &format!("x\n{s1}\n"));
    r.commit("one");
    let base = r.tmp.path().join("hist-baseline.json");
    let base_s = base.to_string_lossy().to_string();
    let (code, _, err) = gitfix::run(
        &r,
        &["baseline", "create", "--history", "--output", &base_s],
    );
    assert_eq!(code, 0, "{err}");
    // Rewrite: squash into a new root commit with the line moved, plus a new secret.
    r.write("one.txt", &format!("{s1}\n"));
    r.write("two.txt", &format!("{s2}\n"));
    r.git(&["add", "-A"]);
    r.git(&["commit", "-q", "--amend", "--no-verify", "-m", "rewritten"]);
    let (code, v) = scan_json(
        &r,
        &["scan", "--history", "--baseline", &base_s, "--show-secrets"],
    );
    assert_eq!(code, 1);
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    assert!(finding_for(&v, &s2).is_some());
}

#[test]
fn config_allowlist_disabled_rules_extra_rules_and_limits() {
    let r = Repo::new();
    let mut g = Gen::new(23);
    let (keep, by_path, by_value, by_regex) = (g.token(), g.token(), g.token(), g.token());
    r.write(
        "src/app.js",
        &format!(
            "a = '{keep}'\nb = '{by_value}'\nc = 'lgt_ALLOWED{}'\n",
            &by_regex[11..]
        ),
    );
    r.write(
        "testdata/fixture.json",
        &format!("{{\"k\": \"{by_path}\"}}\n"),
    );
    r.write("big.txt", &format!("{}\n{keep}\n", "filler ".repeat(200)));
    r.write(
        ".launchguard.toml",
        &format!(
            "rules = [\"../rules.toml\"]\n\
             [allowlist]\npaths = [\"testdata/**\"]\nvalues = [\"{by_value}\"]\nregexes = ['^lgt_ALLOWED']\n\
             [limits]\nmax_file_size = 1000\n"
        ),
    );
    // The config supplies the rules: no --rules on the command line.
    let out = lg()
        .current_dir(&r.dir)
        .args([
            "scan",
            "--no-builtin",
            "--format",
            "json",
            "--show-secrets",
            ".",
        ])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(1), "{v:#}");
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    let f = finding_for(&v, &keep).expect("kept");
    assert_eq!(
        f["locations"].as_array().map(Vec::len),
        Some(1),
        "big.txt is over the limit"
    );
    // by path, by value (in app.js and in the config file itself), by regex.
    assert_eq!(v["stats"]["suppressed"], 4, "{v:#}");
    let skipped = v["skipped"].as_array().expect("skips");
    assert!(
        skipped
            .iter()
            .any(|s| s["path"] == "big.txt" && s["reason"] == "too-large"),
        "{v:#}"
    );
    // The config is also found when the directory is scanned from elsewhere.
    let out = lg()
        .current_dir(r.tmp.path())
        .args(["scan", "--no-builtin", "--format", "json", "repo"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    // disabled_rules turns the rule off; --no-config ignores the file.
    let cfg = std::fs::read_to_string(r.dir.join(".launchguard.toml")).expect("cfg");
    r.write(
        ".launchguard.toml",
        &format!("disabled_rules = [\"lgtest-token\"]\n{cfg}"),
    );
    let (code, v) = scan_json(&r, &["scan", "."]);
    assert_eq!((code, findings(&v).len()), (0, 0), "{v:#}");
    let (code, v) = scan_json(&r, &["scan", "--no-config", "."]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v).len(), 4, "{v:#}");
    // A bad config is an error naming the file.
    r.write(".launchguard.toml", "[allowlist]\nregexes = ['(']\n");
    let (code, _, err) = gitfix::run(&r, &["scan", "."]);
    assert_eq!(code, 2);
    assert!(err.contains(".launchguard.toml"), "{err}");
}

#[test]
fn config_allowlist_applies_to_history_and_staged_paths() {
    let r = Repo::new();
    let mut g = Gen::new(24);
    let (fixture, real) = (g.token(), g.token());
    r.write(
        ".launchguard.toml",
        "[allowlist]\npaths = [\"fixtures/**\"]\n",
    );
    r.write("fixtures/sample.env", &format!("VALUE={fixture}\n"));
    r.commit("fixtures");
    r.write("app.env", &format!("VALUE={real}\n"));
    r.git(&["add", "app.env"]);
    let (_, v) = scan_json(&r, &["scan", "--history", "--show-secrets"]);
    assert_eq!(findings(&v).len(), 0, "{v:#}");
    let (_, v) = scan_json(&r, &["scan", "--staged", "--show-secrets"]);
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    assert!(finding_for(&v, &real).is_some());
}
