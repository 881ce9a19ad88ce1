//! The working-tree input: a parallel walk with `ignore` that yields files, never
//! matching anything itself.
//!
//! Hidden files are walked (`.env`, `.npmrc`, `.git-credentials` are where secrets
//! live); only `.git` internals are left out (they belong to the history input).
//! `.gitignore` rules apply unless turned off, but a path named by the user is always
//! scanned, even when ignored: a gitignored `dist/` is what a release pipeline scans.
//!
//! Only regular files are ever opened. FIFOs, sockets and devices (met in a walk or
//! named on the command line) are reported, never opened: opening a FIFO with no
//! writer blocks forever, and a device can be endless. Symbolic links are followed
//! only when asked; a loop or a dangling link is reported with its path.

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
    /// A FIFO, socket or device: reported, never opened.
    NotRegular {
        /// Path to show.
        path: String,
        /// What it is (`FIFO`, `socket`, `block device`, ...).
        kind: &'static str,
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
/// Bytes that are not UTF-8 are shown as `\u{FFFD}` and control characters as `?`
/// (as archive member names are), so a hostile file name cannot break a report's lines
/// or send escape sequences to a terminal.
pub fn display_path(p: &Path) -> String {
    let lossy = p.to_string_lossy();
    // The usual path, printable ASCII without a backslash, is copied as it is; the
    // character-by-character rewrite cost ~1% of a scan of many small files.
    let plain = lossy
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'\\');
    let slashed;
    let mut s: &str = if plain {
        &lossy
    } else {
        slashed = lossy.replace('\\', "/");
        &slashed
    };
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if plain {
        return s.to_string();
    }
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// What a file type that is neither a regular file, a directory nor a symbolic link
/// is, for messages.
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO";
        }
        if ft.is_socket() {
            return "socket";
        }
        if ft.is_block_device() {
            return "block device";
        }
        if ft.is_char_device() {
            return "character device";
        }
    }
    let _ = ft;
    "special file"
}

/// The path an `ignore` walk error is about, if it names one.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// The message of an `ignore` walk error without the path it is about (shown apart).
fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_message(err)
        }
        e => e.to_string(),
    }
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
                Ok(m) if m.is_file() => visit(FsItem::File {
                    path: root.clone(),
                    display: display_path(root),
                    size: Some(m.len()),
                }),
                Ok(m) => visit(FsItem::NotRegular {
                    path: display_path(root),
                    kind: special_kind(&m.file_type()),
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
        let dir = &dir;
        b.build_parallel().run(|| {
            let mut visit = make();
            Box::new(move |res| {
                match res {
                    Ok(entry) => {
                        // With `follow_links`, a link's type is its target's; without,
                        // links are left alone (not followed, not reported).
                        match entry.file_type() {
                            Some(t) if t.is_file() => {
                                // No stat here: the reader's fstat on the open file
                                // gives the size (one path lookup per file, not two).
                                visit(FsItem::File {
                                    display: display_path(entry.path()),
                                    path: entry.into_path(),
                                    size: None,
                                });
                            }
                            Some(t) if !t.is_dir() && !t.is_symlink() => {
                                visit(FsItem::NotRegular {
                                    path: display_path(entry.path()),
                                    kind: special_kind(&t),
                                });
                            }
                            _ => {}
                        }
                    }
                    Err(err) => {
                        let path = error_path(&err)
                            .map(display_path)
                            .unwrap_or_else(|| display_path(dir));
                        visit(FsItem::Error {
                            path,
                            message: error_message(&err),
                        });
                    }
                }
                WalkState::Continue
            })
        });
    }
}

#[cfg(test)]
mod display_tests {
    use super::*;

    #[test]
    fn display_paths_are_printable_with_or_without_the_fast_path() {
        for (p, want) in [
            ("./a/b.js", "a/b.js"),
            ("././x", "x"),
            ("plain/path with spaces.txt", "plain/path with spaces.txt"),
            ("a\\b", "a/b"),
            ("./a\nb", "a?b"),
            ("x\x7fy", "x?y"),
            ("caf\u{e9}/\u{85}z", "caf\u{e9}/?z"),
        ] {
            assert_eq!(display_path(Path::new(p)), want, "{p:?}");
        }
    }
}
