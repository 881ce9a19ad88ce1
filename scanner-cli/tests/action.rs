//! The GitHub Action's scan script, run outside GitHub with the same environment
//! variables, on generated repositories in push and pull-request shapes.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/action-scan.sh")
}

struct Run {
    status: i32,
    output: String,
    stderr: String,
    sarif: serde_json::Value,
}

fn run_action(repo: &Path, rules: &Path, event_name: &str, event: serde_json::Value) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let event_path = tmp.path().join("event.json");
    std::fs::write(&event_path, event.to_string()).unwrap();
    let out_path = tmp.path().join("github_output");
    let sarif = tmp.path().join("out.sarif");
    let out = Command::new("bash")
        .arg(script())
        .current_dir(repo)
        .env("LAUNCHGUARD_BIN", env!("CARGO_BIN_EXE_launchguard"))
        .env("INPUT_RULES", rules)
        .env("INPUT_FAIL_ON", "high")
        .env("INPUT_SARIF_FILE", &sarif)
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_OUTPUT", &out_path)
        .output()
        .expect("bash runs");
    Run {
        status: out.status.code().unwrap_or(-1),
        output: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        sarif: serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap_or_default())
            .unwrap_or(serde_json::Value::Null),
    }
}

#[test]
fn push_and_pull_request_ranges() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let rules = rules_file(t.path());
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, "README.md", "hello\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "c1"]);
    let c1 = git(&repo, &["rev-parse", "HEAD"]);
    let key = live_key(&mut Gen::new(42));
    write(&repo, "src/config.js", &format!("const k = \"{key}\";\n"));
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "c2 adds a key"]);
    write(&repo, "src/config.js", "const k = process.env.K;\n");
    git(&repo, &["commit", "-qam", "c3 removes it"]);
    let c3 = git(&repo, &["rev-parse", "HEAD"]);

    // Push of c2..c3 on top of c1: the range holds the key, though the tree does not.
    let r = run_action(
        &repo,
        &rules,
        "push",
        serde_json::json!({"before": c1, "after": c3}),
    );
    assert_eq!(
        r.status, 0,
        "findings fail a later step, not the scan: {}",
        r.stderr
    );
    assert!(
        r.output.contains("exit-code=1"),
        "{} / {}",
        r.output,
        r.stderr
    );
    assert!(r.stderr.contains("mode=diff"), "{}", r.stderr);
    assert_eq!(r.sarif["version"], "2.1.0");
    assert_eq!(r.sarif["runs"][0]["automationDetails"]["id"], "launchguard");
    let text = r.sarif.to_string();
    assert!(text.contains("test-live-key") && !text.contains(&key));

    // Pull request whose base and head are the same commit: no range to diff, so the
    // script falls back to the full history (the checkout has it) without failing.
    let r = run_action(
        &repo,
        &rules,
        "pull_request",
        serde_json::json!({"pull_request": {"base": {"sha": c3}, "head": {"sha": c3}}}),
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stderr.contains("mode=history"), "{}", r.stderr);
    assert!(
        r.output.contains("exit-code=1"),
        "{} / {}",
        r.output,
        r.stderr
    );
    assert_eq!(r.sarif["version"], "2.1.0");

    // A shallow-less copy of only the last tree (no .git): tree mode, clean.
    let plain = t.path().join("plain");
    std::fs::create_dir_all(plain.join("src")).unwrap();
    std::fs::copy(repo.join("src/config.js"), plain.join("src/config.js")).unwrap();
    let r = run_action(
        &plain,
        &rules,
        "push",
        serde_json::json!({"before": c1, "after": c3}),
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stderr.contains("mode=tree"), "{}", r.stderr);
    assert!(
        r.output.contains("exit-code=0"),
        "{} / {}",
        r.output,
        r.stderr
    );

    // Pull request c1..c3: the key is in the PR's commits.
    let r = run_action(
        &repo,
        &rules,
        "pull_request",
        serde_json::json!({"pull_request": {"base": {"sha": c1}, "head": {"sha": c3}}}),
    );
    assert!(
        r.output.contains("exit-code=1"),
        "{} / {}",
        r.output,
        r.stderr
    );

    // A new branch push (before = zeros) scans the whole history.
    let r = run_action(
        &repo,
        &rules,
        "push",
        serde_json::json!({"before": "0000000000000000000000000000000000000000", "after": c3}),
    );
    assert!(
        r.output.contains("exit-code=1"),
        "{} / {}",
        r.output,
        r.stderr
    );
    assert!(r.stderr.contains("mode=history"), "{}", r.stderr);
}
