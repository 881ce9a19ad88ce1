//! The engine side of the git inputs: streams the blobs that
//! [`inputs::git`](crate::inputs::git) enumerates through the per-blob path, in
//! parallel, with one repository handle (and pack cache) per thread, reading each
//! blob only when its turn comes. Also owns the memo that lets a working-tree file
//! reuse the matcher's work on identical history content (same git blob id).

use crate::blob::Blob;
use crate::expand;
use crate::findings::{Skip, SkipReason};
use crate::inputs::git::{self, BlobRead, BlobReader, GitBlobs, HistoryOptions};
use crate::matcher::RawMatch;
use crate::scan::{Collector, Input, LiveStats, Scanner, Worker};
use gix::hash::ObjectId;
use gix::hashtable::{HashMap as IdMap, HashSet as IdSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Matcher results of history blobs that are also in `HEAD`'s tree, by blob id, so
/// working-tree files with the same content are not matched again.
#[derive(Default)]
pub(crate) struct Memo {
    head: Mutex<IdSet<ObjectId>>,
    entries: Mutex<IdMap<ObjectId, MemoEntry>>,
}

struct MemoEntry {
    /// The history path the raws were found under (rule path globs depend on it).
    path: Arc<str>,
    raws: Vec<RawMatch>,
}

impl Memo {
    /// A memo when the inputs ask for both history and working-tree files.
    pub(crate) fn wanted(inputs: &[Input]) -> Option<Memo> {
        let history = inputs.iter().any(|i| matches!(i, Input::History(_)));
        let paths = inputs.iter().any(|i| matches!(i, Input::Path(_)));
        (history && paths).then(Memo::default)
    }
}

/// The git blob id of `data` (SHA-1 of `blob <len>\0` + bytes).
fn blob_oid(data: &[u8]) -> ObjectId {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    let d: [u8; 20] = h.finalize().into();
    ObjectId::Sha1(d)
}

/// Per-thread state of a git scan.
struct ThreadState {
    reader: BlobReader,
    worker: Worker,
}

/// Reports at most this many missing blobs one by one; the rest are counted.
const MISSING_LISTED: u64 = 20;

impl Scanner {
    pub(crate) fn scan_history(
        &self,
        opts: &HistoryOptions,
        col: &Collector,
        live: &LiveStats,
        memo: Option<&Memo>,
    ) {
        let mut opts = opts.clone();
        opts.want_head_blobs = memo.is_some();
        match git::history(&opts) {
            Ok(blobs) => self.scan_git_blobs(blobs, col, live, memo),
            Err(e) => col.skip(Skip {
                path: opts.repo.display().to_string(),
                reason: SkipReason::Unreadable,
                message: format!("history not scanned: {e}"),
            }),
        }
    }

    pub(crate) fn scan_staged(&self, repo: &Path, col: &Collector, live: &LiveStats) {
        match git::staged(repo) {
            Ok(blobs) => self.scan_git_blobs(blobs, col, live, None),
            Err(e) => col.skip(Skip {
                path: repo.display().to_string(),
                reason: SkipReason::Unreadable,
                message: format!("staged changes not scanned: {e}"),
            }),
        }
    }

    fn scan_git_blobs(
        &self,
        mut blobs: GitBlobs,
        col: &Collector,
        live: &LiveStats,
        memo: Option<&Memo>,
    ) {
        use rayon::prelude::*;
        for s in blobs.take_skips() {
            col.skip(s);
        }
        let head = memo.and_then(|_| blobs.head_blobs().cloned());
        if let (Some(m), Some(h)) = (memo, head.as_ref()) {
            if let Ok(mut set) = m.head.lock() {
                *set = h.clone();
            }
        }
        let missing = AtomicU64::new(0);
        let max = self.limits().max_file_size;
        let blobs = &blobs;
        let run = |threads: usize| {
            let states: Vec<Mutex<Option<ThreadState>>> =
                (0..threads.max(1)).map(|_| Mutex::new(None)).collect();
            blobs.items().par_iter().with_min_len(8).for_each(|item| {
                let slot = rayon::current_thread_index().and_then(|i| states.get(i));
                // Take the thread's state out of its slot while scanning (never hold the
                // lock across the scan: an expander may use rayon and steal work).
                let mut st = slot
                    .and_then(|m| m.lock().ok().and_then(|mut g| g.take()))
                    .unwrap_or_else(|| ThreadState {
                        reader: blobs.reader(threads),
                        worker: Worker::default(),
                    });
                self.scan_git_item(
                    blobs,
                    item,
                    &mut st,
                    col,
                    live,
                    memo,
                    head.as_ref(),
                    &missing,
                    max,
                );
                if let Some(Ok(mut g)) = slot.map(|m| m.lock()) {
                    *g = Some(st);
                }
            });
        };
        let threads = self.walk_threads();
        if threads > 0 {
            match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                Ok(pool) => pool.install(|| run(pool.current_num_threads())),
                Err(_) => run(rayon::current_num_threads()),
            }
        } else {
            run(rayon::current_num_threads());
        }
        let n = missing.load(Ordering::Relaxed);
        if n > MISSING_LISTED {
            col.skip(Skip {
                path: blobs.repo_path().display().to_string(),
                reason: SkipReason::Missing,
                message: format!(
                    "{} more blobs are missing from the object database (partial clone?) and were not scanned",
                    n - MISSING_LISTED
                ),
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn scan_git_item(
        &self,
        blobs: &GitBlobs,
        item: &git::GitBlobRef,
        st: &mut ThreadState,
        col: &Collector,
        live: &LiveStats,
        memo: Option<&Memo>,
        head: Option<&IdSet<ObjectId>>,
        missing: &AtomicU64,
        max: u64,
    ) {
        let where_ = || blobs.origin(item).to_string();
        match st.reader.read(&item.id, max) {
            BlobRead::Data(bytes) => {
                let blob = Blob::new(blobs.origin(item), crate::buffers::copy(bytes));
                let memoize = memo.is_some()
                    && head.is_some_and(|h| h.contains(&item.id))
                    && expand::expander_for(&blob).is_none();
                self.scan_input_blob(&blob, col, live, &mut st.worker);
                if memoize {
                    if let Some(Ok(mut e)) = memo.map(|m| m.entries.lock()) {
                        e.insert(
                            item.id,
                            MemoEntry {
                                path: blobs.path(item).clone(),
                                raws: st.worker.raws.clone(),
                            },
                        );
                    }
                }
            }
            BlobRead::Missing => {
                if missing.fetch_add(1, Ordering::Relaxed) < MISSING_LISTED {
                    col.skip(Skip {
                        path: where_(),
                        reason: SkipReason::Missing,
                        message: format!(
                            "blob {} is missing from the object database (partial clone?): not scanned",
                            item.id
                        ),
                    });
                }
            }
            BlobRead::TooLarge(size) => col.skip(Skip {
                path: where_(),
                reason: SkipReason::TooLarge,
                message: format!(
                    "{size} bytes is over the {max}-byte file size cap (raise it with --max-file-size)"
                ),
            }),
            BlobRead::Failed(message) => col.skip(Skip {
                path: where_(),
                reason: SkipReason::Unreadable,
                message,
            }),
        }
    }

    /// Reuses the history scan's matches for a working-tree file with the same
    /// content, when nothing path-dependent differs (no expander, and the same
    /// path-scoped rules apply). Returns false when the file must be matched itself.
    pub(crate) fn reuse(
        &self,
        memo: &Memo,
        blob: &Blob,
        col: &Collector,
        live: &LiveStats,
        w: &mut Worker,
    ) -> bool {
        let empty = memo.head.lock().map(|h| h.is_empty()).unwrap_or(true);
        if empty {
            return false;
        }
        let id = blob_oid(&blob.data);
        let Ok(entries) = memo.entries.lock() else {
            return false;
        };
        let Some(entry) = entries.get(&id) else {
            return false;
        };
        if expand::expander_for(blob).is_some() {
            return false;
        }
        let here = blob.origin.inner_path();
        let same_rules = self
            .matcher()
            .rules()
            .iter()
            .filter(|r| !r.spec.paths.is_empty())
            .all(|r| r.applies_to(Some(here)) == r.applies_to(Some(&entry.path)));
        if !same_rules {
            return false;
        }
        w.raws.clear();
        w.raws.extend_from_slice(&entry.raws);
        drop(entries);
        live.blobs.fetch_add(1, Ordering::Relaxed);
        self.emit_hits(blob, col, live, w);
        self.finish_hits(col, w);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_oid_matches_git() {
        assert_eq!(
            blob_oid(b"hello\n").to_string(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
