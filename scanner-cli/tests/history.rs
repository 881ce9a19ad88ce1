//! `launchguard scan --history`: every distinct blob of every ref once, each secret
//! attributed to the commit that introduced it.

mod gitfix;

use gitfix::{finding_for, findings, scan_json, Gen, Repo};

/// Builds a history where secrets are added and removed across branches and tags,
/// with a rename and a merge. Returns the repo and (secret, introducing commit, path).
fn tangled_history() -> (Repo, Vec<(String, String, String)>) {
    let r = Repo::new();
    let mut g = Gen::new(7);
    let (s1, s2, s3, s4) = (g.token(), g.token(), g.token(), g.token());
    r.write("README.md", "# demo\n");
    r.write("config/app.env", &format!("PORT=8080\nVALUE={s1}\n"));
    let c1 = r.commit("add config");
    // Remove s1 again; add s2 in a file that is renamed later.
    r.write("config/app.env", "PORT=8080\nVALUE=${FROM_ENV}\n");
    r.write(
        "src/client.js",
        &format!("const v = \"{s2}\";\nexport default v;\n"),
    );
    let c2 = r.commit("client");
    // A feature branch adds s3 then removes it; an annotated tag points at the leak.
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature/notes.txt", &format!("line one\nthe value: {s3}\n"));
    let c3 = r.commit("feature notes");
    r.git(&["tag", "-a", "v1.0", "-m", "release 1.0"]);
    r.write("feature/notes.txt", "line one\n");
    r.commit("scrub notes");
    // Main renames the file holding s2 (same blob, new path) and merges the branch.
    r.git(&["checkout", "-q", "main"]);
    std::fs::create_dir_all(r.dir.join("web")).expect("mkdir");
    r.git(&["mv", "src/client.js", "web/client.js"]);
    r.commit("move client");
    r.git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);
    // s4 lives only on a commit that a lightweight tag reaches (no branch does).
    r.git(&["checkout", "-q", "--detach"]);
    r.write("ops/deploy.sh", &format!("export VALUE={s4}\n"));
    let c4 = r.commit("deploy script");
    r.git(&["tag", "deploy-only"]);
    r.git(&["checkout", "-q", "main"]);
    (
        r,
        vec![
            (s1, c1, "config/app.env".into()),
            (s2, c2, "src/client.js".into()),
            (s3, c3, "feature/notes.txt".into()),
            (s4, c4, "ops/deploy.sh".into()),
        ],
    )
}

#[test]
fn history_finds_each_secret_once_attributed_to_its_introducing_commit() {
    let (r, expected) = tangled_history();
    let (code, v) = scan_json(&r, &["scan", "--history", "--show-secrets"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(findings(&v).len(), expected.len(), "{v:#}");
    for (secret, commit, path) in &expected {
        let f = finding_for(&v, secret).unwrap_or_else(|| panic!("{secret} not found: {v:#}"));
        let locs = f["locations"].as_array().expect("locations");
        assert_eq!(locs.len(), 1, "found more than once: {f:#}");
        let l = &locs[0];
        assert_eq!(l["commit"]["id"], commit.as_str(), "{f:#}");
        assert_eq!(l["path"], path.as_str(), "{f:#}");
        assert_eq!(l["commit"]["author"], "Ada Tester");
        assert_eq!(l["commit"]["email"], "ada@example.invalid");
        let date = l["commit"]["date"].as_str().expect("date");
        assert!(
            date.starts_with("2023-11-1") && date.ends_with("+00:00"),
            "{date}"
        );
        assert_eq!(l["exposure"], "history");
        assert!(l["line"].as_u64() == Some(2) || l["line"].as_u64() == Some(1));
    }
    let skipped = v["skipped"].as_array().expect("skips");
    assert!(skipped.is_empty(), "{skipped:?}");
}

#[test]
fn history_text_report_names_commit_and_redacts() {
    let (r, expected) = tangled_history();
    let out = gitfix::lg()
        .current_dir(&r.dir)
        .args(["scan", "--history", "--no-builtin", "--rules"])
        .arg(&r.rules)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for (secret, commit, path) in &expected {
        assert!(!text.contains(secret.as_str()), "full secret printed");
        assert!(text.contains(&commit[..12]), "{text}");
        assert!(text.contains(path.as_str()), "{text}");
    }
}

#[test]
fn since_commit_and_branch_limit_the_range() {
    let (r, expected) = tangled_history();
    let c2 = &expected[1].1;
    // After c2: only what the feature branch and the tagged commit introduced.
    let (_, v) = scan_json(
        &r,
        &["scan", "--history", "--since-commit", c2, "--show-secrets"],
    );
    let got: Vec<&str> = findings(&v)
        .iter()
        .filter_map(|f| f["secret"].as_str().map(|s| s.to_string()))
        .map(|s| {
            expected
                .iter()
                .find(|e| e.0 == s)
                .map(|e| e.2.as_str())
                .unwrap_or("?")
        })
        .collect();
    let mut got = got;
    got.sort();
    assert_eq!(got, vec!["feature/notes.txt", "ops/deploy.sh"], "{v:#}");
    // Only the feature branch: s1, s2 (its ancestors) and s3, not the tag-only s4.
    let (_, v) = scan_json(
        &r,
        &["scan", "--history", "--branch", "feature", "--show-secrets"],
    );
    assert_eq!(findings(&v).len(), 3, "{v:#}");
    assert!(finding_for(&v, &expected[3].0).is_none());
    // The range arguments are checked.
    let out = gitfix::lg()
        .current_dir(&r.dir)
        .args([
            "scan",
            "--history",
            "--no-builtin",
            "--branch",
            "no-such-branch",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-branch"));
}

#[test]
fn history_and_worktree_match_identical_content_once() {
    let (r, expected) = tangled_history();
    // An untracked file only the working tree has, holding s1 again.
    r.write("local.env", &format!("VALUE={}\n", expected[0].0));
    let (_, hist) = scan_json(&r, &["scan", "--history"]);
    let (_, both) = scan_json(
        &r,
        &["scan", "--history", "--worktree", "--show-secrets", "."],
    );
    // s2 is in HEAD (web/client.js) and in history: one finding, two locations.
    let f = finding_for(&both, &expected[1].0).expect("s2");
    let origins: Vec<&str> = f["locations"]
        .as_array()
        .expect("locs")
        .iter()
        .filter_map(|l| l["exposure"].as_str())
        .collect();
    assert!(
        origins.contains(&"history") && origins.contains(&"source"),
        "{f:#}"
    );
    // s1: history (config/app.env) and the untracked local.env.
    let f = finding_for(&both, &expected[0].0).expect("s1");
    assert_eq!(f["locations"].as_array().map(Vec::len), Some(2), "{f:#}");
    // Working-tree files whose content is in HEAD were not matched again: the bytes
    // matched grew only by the files that differ from every HEAD blob.
    let hb = hist["stats"]["bytes_scanned"].as_u64().expect("bytes");
    let bb = both["stats"]["bytes_scanned"].as_u64().expect("bytes");
    let local = std::fs::metadata(r.dir.join("local.env"))
        .expect("meta")
        .len();
    assert_eq!(bb - hb, local, "hist {hb}, both {bb}");
}

#[test]
fn shallow_and_partial_clones_report_what_was_not_scanned() {
    let (r, expected) = tangled_history();
    let url = format!("file://{}", r.dir.display());
    // Shallow: only the tip; the history behind it is reported missing, never clean.
    let shallow = r.tmp.path().join("shallow");
    r.git_in(
        r.tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().expect("utf-8"),
        ],
    );
    let out = gitfix::lg()
        .args([
            "scan",
            "--history",
            "--no-builtin",
            "--format",
            "json",
            "--rules",
        ])
        .arg(&r.rules)
        .arg(&shallow)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let skips = v["skipped"].as_array().expect("skips");
    assert!(
        skips.iter().any(|s| s["reason"] == "missing"
            && s["message"].as_str().is_some_and(|m| m.contains("shallow"))),
        "{v:#}"
    );
    // --strict turns an incomplete scan into an error.
    gitfix::lg()
        .args(["scan", "--history", "--strict", "--no-builtin", "--rules"])
        .arg(&r.rules)
        .arg(&shallow)
        .assert()
        .code(2);
    // Partial (blobless) clone: the blobs it lacks are skipped as missing.
    r.git(&["config", "uploadpack.allowFilter", "true"]);
    let partial = r.tmp.path().join("partial");
    r.git_in(
        r.tmp.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            partial.to_str().expect("utf-8"),
        ],
    );
    let out = gitfix::lg()
        .args([
            "scan",
            "--history",
            "--no-builtin",
            "--format",
            "json",
            "--rules",
        ])
        .arg(&r.rules)
        .arg(&partial)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let skips = v["skipped"].as_array().expect("skips");
    assert!(
        skips.iter().any(|s| s["reason"] == "missing"),
        "missing blobs must be reported: {v:#}"
    );
    assert!(findings(&v).len() < expected.len());
}

#[test]
fn oversized_history_blobs_are_skipped_and_reported() {
    let r = Repo::new();
    let mut g = Gen::new(9);
    let s = g.token();
    r.write("big.bin", &format!("{}{s}\n", "x".repeat(5000)));
    r.write("small.txt", "hello\n");
    r.commit("big");
    let (code, v) = scan_json(&r, &["scan", "--history", "--max-file-size", "1000"]);
    assert_eq!(code, 0);
    let skips = v["skipped"].as_array().expect("skips");
    assert!(
        skips.iter().any(|s| s["reason"] == "too-large"
            && s["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("big.bin@"))),
        "{v:#}"
    );
}

#[test]
fn all_objects_scans_blobs_no_ref_reaches() {
    let r = Repo::new();
    let mut g = Gen::new(10);
    let s = g.token();
    r.write("a.txt", "hello\n");
    r.commit("a");
    // A blob written to the object database but never committed.
    let path = r.tmp.path().join("dangling.txt");
    std::fs::write(&path, format!("VALUE={s}\n")).expect("write");
    r.git(&["hash-object", "-w", path.to_str().expect("utf-8")]);
    let (code, v) = scan_json(&r, &["scan", "--history"]);
    assert_eq!((code, findings(&v).len()), (0, 0));
    let (code, v) = scan_json(
        &r,
        &["scan", "--history", "--all-objects", "--show-secrets"],
    );
    assert_eq!(code, 1, "{v:#}");
    let f = finding_for(&v, &s).expect("dangling blob scanned");
    assert_eq!(f["locations"][0]["commit"]["id"], "unreachable");
}
