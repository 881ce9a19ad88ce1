//! `launchguard scan --staged` and the native pre-commit hook: the staged bytes are
//! scanned, not the working tree; only what differs from HEAD; before the first
//! commit too; a blocked commit exits 1 and says how to fix or bypass it.

mod gitfix;

use gitfix::{finding_for, findings, lg, scan_json, Gen, Repo};

#[test]
fn staged_scan_reads_the_index_not_the_working_tree() {
    let r = Repo::new();
    let mut g = Gen::new(11);
    let (staged, unstaged, untracked, committed) = (g.token(), g.token(), g.token(), g.token());
    r.write("app/settings.py", "DEBUG = False\n");
    r.write("legacy.txt", &format!("old = {committed}\n"));
    r.commit("base");
    // Staged: a secret on line 3, then removed from the working tree only.
    r.write(
        "app/settings.py",
        &format!("DEBUG = False\n\nVALUE = '{staged}'\n"),
    );
    r.git(&["add", "app/settings.py"]);
    r.write(
        "app/settings.py",
        "DEBUG = False\n\nVALUE = os.environ['VALUE']\n",
    );
    // Not staged: a modified tracked file and an untracked file.
    r.write("README.md", &format!("{unstaged}\n"));
    r.git(&["add", "README.md"]);
    r.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "readme",
        "--",
        "README.md",
    ]);
    r.write(
        "README.md",
        &format!("docs\n{unstaged}\nmore {untracked}\n"),
    );
    r.write("notes.txt", &format!("{untracked}\n"));
    let (code, v) = scan_json(&r, &["scan", "--staged", "--show-secrets"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    let f = finding_for(&v, &staged).expect("staged secret found");
    let l = &f["locations"][0];
    assert_eq!(l["path"], "app/settings.py");
    assert_eq!(l["line"], 3);
    assert_eq!(l["exposure"], "staged");
    assert_eq!(l["origin"], "app/settings.py (staged)");
    // The committed secret in legacy.txt is HEAD's, unchanged: not the commit's business.
    assert!(finding_for(&v, &committed).is_none());
    assert_eq!(v["stats"]["blobs_scanned"], 1, "{v:#}");
}

#[test]
fn staged_scan_works_before_the_first_commit() {
    let r = Repo::new();
    let mut g = Gen::new(12);
    let s = g.token();
    r.write("src/main.rs", "fn main() {}\n");
    r.write(".env", &format!("VALUE={s}\n"));
    r.git(&["add", "."]);
    let (code, v) = scan_json(&r, &["scan", "--staged", "--show-secrets"]);
    assert_eq!(code, 1, "{v:#}");
    let f = finding_for(&v, &s).expect("found");
    assert_eq!(f["locations"][0]["path"], ".env");
    assert_eq!(v["stats"]["blobs_scanned"], 2);
    // Nothing staged at all (fresh repository): clean, not an error.
    let empty = Repo::new();
    let (code, v) = scan_json(&empty, &["scan", "--staged"]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn staged_scan_of_a_subdirectory_and_a_non_repository() {
    let r = Repo::new();
    let mut g = Gen::new(13);
    let s = g.token();
    r.write("a/b/c.txt", &format!("{s}\n"));
    r.git(&["add", "."]);
    let out = lg()
        .current_dir(r.dir.join("a/b"))
        .args(["scan", "--staged", "--no-builtin", "--rules"])
        .arg(&r.rules)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("a/b/c.txt (staged):1:1"));
    let out = lg()
        .current_dir(r.tmp.path())
        .args(["scan", "--staged", "--no-builtin"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

fn hook_repo() -> (Repo, String) {
    let r = Repo::new();
    std::fs::copy(&r.rules, r.dir.join("lg-rules.toml")).expect("copy rules");
    r.write(".launchguard.toml", "rules = [\"lg-rules.toml\"]\n");
    r.write("src/app.ts", "export const url = '/api';\n");
    r.commit("init");
    let mut g = Gen::new(14);
    (r, g.token())
}

fn commit(r: &Repo, env: &[(&str, &str)]) -> std::process::Output {
    let mut c = std::process::Command::new("git");
    c.args(["commit", "-q", "-m", "change"])
        .current_dir(&r.dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.invalid");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("git commit runs")
}

#[test]
fn native_hook_blocks_a_commit_with_a_staged_secret() {
    let (r, s) = hook_repo();
    lg().current_dir(&r.dir)
        .args(["hook", "install"])
        .assert()
        .success();
    let hook = std::fs::read_to_string(r.dir.join(".git/hooks/pre-commit")).expect("hook");
    assert!(hook.contains("scan --staged"));
    // Installing again is a no-op.
    lg().current_dir(&r.dir)
        .args(["hook", "install"])
        .assert()
        .success();
    let before = r.head();
    r.write(
        "src/app.ts",
        &format!("export const url = '/api';\nconst v = '{s}';\n"),
    );
    r.git(&["add", "src/app.ts"]);
    let out = commit(&r, &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(r.head(), before, "the commit must not happen");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("src/app.ts (staged):2:12"), "{all}");
    assert!(
        all.contains(&format!("{}…[redacted 36 chars]", &s[..6])),
        "{all}"
    );
    assert!(!all.contains(&s), "full secret printed: {all}");
    assert!(all.contains("environment variable or"), "{all}");
    assert!(all.contains("SKIP=launchguard git commit"), "{all}");
    assert!(all.contains("--no-verify"), "{all}");
    // Bypass on purpose.
    let out = commit(&r, &[("SKIP", "launchguard")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // A clean change commits.
    r.write("src/other.ts", "export {};\n");
    r.git(&["add", "src/other.ts"]);
    let out = commit(&r, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn hook_install_respects_hooks_path_and_foreign_hooks() {
    let (r, _) = hook_repo();
    // A foreign hook is kept unless --force.
    let hooks = r.dir.join(".git/hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho mine\n").expect("write");
    lg().current_dir(&r.dir)
        .args(["hook", "install"])
        .assert()
        .code(2);
    assert!(std::fs::read_to_string(hooks.join("pre-commit"))
        .expect("hook")
        .contains("echo mine"));
    lg().current_dir(&r.dir)
        .args(["hook", "install", "--force"])
        .assert()
        .success();
    assert!(std::fs::read_to_string(hooks.join("pre-commit"))
        .expect("hook")
        .contains("launchguard-hook"));
    // core.hooksPath (relative to the work tree) is where git looks, so it is where we write.
    r.git(&["config", "core.hooksPath", "githooks"]);
    lg().arg("hook")
        .arg("install")
        .arg(&r.dir)
        .assert()
        .success();
    assert!(r.dir.join("githooks/pre-commit").is_file());
}
