//! The working-tree input: a parallel walk with `ignore` that yields files, never
//! matching anything itself.
//!
//! Hidden files are walked (`.env`, `.npmrc`, `.git-credentials` are where secrets
//! live); only `.git` internals are left out (they belong to the history input).
//! `.gitignore` rules apply unless turned off, but a path named by the user is always
//! scanned, even when ignored: a gitignored `dist/` is what a release pipeline scans.

use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};

/// Options of a working-tree walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Respect `.gitignore`, `.ignore` and git excludes.
    pub respect_ignore: bool,
    /// Follow symbolic links (loops are detected by `ignore`).
    pub follow_links: bool,
    /// Worker threads (0 = available parallelism).
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            respect_ignore: true,
            follow_links: false,
            threads: 0,
        }
    }
}

/// One thing the walk found.
#[derive(Debug)]
pub enum FsItem {
    /// A regular file to scan.
    File {
        /// Path to open.
        path: PathBuf,
        /// Path to show (relative, without `./`).
        display: String,
        /// Size from metadata, if known.
        size: Option<u64>,
    },
    /// Something that could not be walked.
    Error {
        /// The path concerned.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Shows `p` as the user would write it: relative, `/`-separated, without `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// True when an ancestor's `.gitignore` ignores `path` itself.
fn ignored_by_ancestors(path: &Path) -> bool {
    let Ok(abs) = path.canonicalize() else {
        return false;
    };
    let mut dir = abs.parent();
    while let Some(d) = dir {
        let gi = d.join(".gitignore");
        if gi.is_file() {
            let mut b = ignore::gitignore::GitignoreBuilder::new(d);
            if b.add(&gi).is_none() {
                if let Ok(m) = b.build() {
                    if m.matched_path_or_any_parents(&abs, abs.is_dir())
                        .is_ignore()
                    {
                        return true;
                    }
                }
            }
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    false
}

/// Walks `roots` in parallel. `make` is called once per worker thread to build its
/// visitor, so each thread can own its buffers.
pub fn walk<F, V>(roots: &[PathBuf], opts: &WalkOptions, make: F)
where
    F: Fn() -> V + Sync,
    V: FnMut(FsItem) + Send,
{
    let mut dirs: Vec<(PathBuf, bool)> = Vec::new();
    {
        let mut visit = make();
        for root in roots {
            match std::fs::metadata(root) {
                Ok(m) if m.is_dir() => {
                    let explicit_ignored = opts.respect_ignore && ignored_by_ancestors(root);
                    dirs.push((root.clone(), explicit_ignored));
                }
                Ok(m) => visit(FsItem::File {
                    path: root.clone(),
                    display: display_path(root),
                    size: Some(m.len()),
                }),
                Err(e) => visit(FsItem::Error {
                    path: display_path(root),
                    message: format!("cannot read: {e}"),
                }),
            }
        }
    }
    for (dir, explicit_ignored) in dirs {
        let mut b = WalkBuilder::new(&dir);
        b.hidden(false)
            .follow_links(opts.follow_links)
            .git_ignore(opts.respect_ignore)
            .git_global(false)
            .git_exclude(opts.respect_ignore)
            .ignore(opts.respect_ignore)
            .parents(opts.respect_ignore && !explicit_ignored)
            .require_git(false)
            .threads(opts.threads)
            .filter_entry(|e| e.file_name() != ".git");
        b.build_parallel().run(|| {
            let mut visit = make();
            Box::new(move |res| {
                match res {
                    Ok(entry) => {
                        let ft = entry.file_type();
                        if ft.is_some_and(|t| t.is_file()) {
                            let size = entry.metadata().ok().map(|m| m.len());
                            visit(FsItem::File {
                                display: display_path(entry.path()),
                                path: entry.into_path(),
                                size,
                            });
                        }
                    }
                    Err(err) => {
                        let path = match &err {
                            ignore::Error::WithPath { path, .. } => display_path(path),
                            _ => String::from("<walk>"),
                        };
                        visit(FsItem::Error {
                            path,
                            message: err.to_string(),
                        });
                    }
                }
                WalkState::Continue
            })
        });
    }
}
