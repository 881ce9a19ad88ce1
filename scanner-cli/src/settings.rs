//! What `scan` and `baseline create` share beyond the flags: finding and applying the
//! `.launchguard.toml` config and the baseline, and turning the source flags
//! (`--history`, `--staged`) into engine inputs.

use crate::cli::ScanArgs;
use anyhow::{Context, Result};
use scanner_core::inputs::fs::display_path;
use scanner_core::inputs::git;
use scanner_core::{Allowlist, Baseline, Config, HistoryOptions, Input, ScannerBuilder};
use std::path::{Path, PathBuf};

/// The paths named on the command line, `.` when none.
fn roots(args: &ScanArgs) -> Vec<PathBuf> {
    if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    }
}

/// The nearest ancestor of `dir` (inclusive) holding `.git`.
fn repo_root(dir: &Path) -> Option<PathBuf> {
    let abs = dir.canonicalize().ok()?;
    abs.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The config in force: `--config FILE`, else the first `.launchguard.toml` in the
/// scanned directory, its repository root, then the current directory.
pub(crate) fn load_config(args: &ScanArgs) -> Result<Option<Config>> {
    if args.ignores.no_config {
        return Ok(None);
    }
    if let Some(p) = &args.ignores.config {
        return Ok(Some(Config::load(p)?));
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(first) = roots(args).into_iter().find(|p| p.as_os_str() != "-") {
        let dir = if first.is_dir() {
            first
        } else {
            first
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."))
        };
        if let Some(r) = repo_root(&dir) {
            dirs.push(dir);
            dirs.push(r);
        } else {
            dirs.push(dir);
        }
    }
    dirs.push(PathBuf::from("."));
    match Config::discover(dirs.iter().map(PathBuf::as_path)) {
        Some(p) => Ok(Some(Config::load(&p)?)),
        None => Ok(None),
    }
}

/// Applies the config (rules, disabled rules, allowlist, baseline) and `--baseline`
/// to `b`.
pub(crate) fn apply(
    args: &ScanArgs,
    cfg: Option<&Config>,
    mut b: ScannerBuilder,
) -> Result<ScannerBuilder> {
    let mut allow = Allowlist::default();
    let mut baselines: Vec<PathBuf> = Vec::new();
    if let Some(c) = cfg {
        for p in c.rule_paths() {
            b = b.rules_path(p);
        }
        b = b.disable_rules(c.disabled_rules());
        let shown: Vec<String> = roots(args).iter().map(|p| display_path(p)).collect();
        c.allowlist_into(&mut allow, &shown)?;
        baselines.extend(c.baseline_path());
    }
    baselines.extend(args.ignores.baseline.clone());
    for p in &baselines {
        Baseline::load(p)?.allowlist_into(&mut allow);
    }
    Ok(b.allowlist(allow))
}

/// The engine inputs for the source flags.
pub(crate) fn inputs(args: &ScanArgs) -> Result<Vec<Input>> {
    let src = &args.source;
    if !src.history && !src.staged {
        return Ok(crate::cmd_scan::inputs(&args.paths));
    }
    let mut out = Vec::new();
    for p in roots(args) {
        if p.as_os_str() == "-" {
            anyhow::bail!("--history and --staged read a repository, not standard input");
        }
        // Fail early, with the path, when it is not a repository.
        git::open(&p).with_context(|| format!("cannot scan {}", p.display()))?;
        if src.staged {
            out.push(Input::Staged(p));
        } else {
            let opts = HistoryOptions {
                repo: p.clone(),
                since_commit: src.since_commit.clone(),
                branch: src.branch.clone(),
                all_objects: src.all_objects,
                want_head_blobs: false,
            };
            git::validate(&opts)?;
            out.push(Input::History(opts));
            if src.worktree {
                out.push(Input::Path(p));
            }
        }
    }
    Ok(out)
}

/// What a developer whose commit was just blocked needs to read.
pub(crate) const BLOCKED_HELP: &str = "\
launchguard: commit blocked: the staged changes hold the secret(s) shown above.
  Fix it: replace each secret with a reference to an environment variable or your
  secret manager (e.g. process.env.API_KEY, os.environ[\"API_KEY\"]), `git add` the
  file, then commit again. If the value was ever pushed or shared, rotate it too.
  Not a secret? Add `launchguard:allow` in a comment on that line, allowlist it in
  .launchguard.toml, or accept it: launchguard baseline create --staged --output FILE
  Bypass on purpose: SKIP=launchguard git commit ...   or   git commit --no-verify";
