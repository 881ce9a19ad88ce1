//! The git inputs: every blob reachable from any ref (history), and the blobs staged in
//! the index that differ from `HEAD` (staged). Both read the object database with
//! `gix`, never with a `git` subprocess, and never match anything themselves.
//!
//! History enumeration is done in two cheap passes over commits and trees, then the
//! blob list is handed to the engine, which reads blob data lazily, in parallel:
//!
//! 1. walk every commit reachable from the selected tips (all refs and `HEAD` by
//!    default), remembering only ids, parents, tree ids and commit times;
//! 2. visit commits oldest-first (parents before children, older commit time first
//!    among those ready) and traverse each commit's tree, skipping subtrees whose tree
//!    id was already seen; each new blob id is recorded once with the commit and path
//!    that introduced it.
//!
//! The blobs are read in that discovery order: successive versions of a file come one
//! after the other, so the delta bases they share stay hot in the per-thread pack
//! cache (measured faster than pack-offset order; see `history`).
//!
//! Missing objects (shallow or partial clones) are reported as [`Skip`]s with
//! [`SkipReason::Missing`], never treated as clean.

use crate::blob::{CommitInfo, Origin, OriginPart};
use crate::error::{Error, Result};
use crate::findings::{Skip, SkipReason};
use gix::hash::ObjectId;
use gix::hashtable::{HashMap as IdMap, HashSet as IdSet};
use gix::objs::tree::EntryKind;
use gix::objs::{CommitRefIter, TreeRefIter};
use gix::odb::Header as _;
use std::collections::{BinaryHeap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Delta-base cache budget of a history scan, shared out between the reader threads
/// (bytes). Blobs are read in discovery order, so a delta's base (usually another
/// version of the same file) was decoded shortly before; the cache is what makes that
/// cheap. Measured with two threads on rust-lang/cargo and vuejs/vue history: 32 MiB
/// reads as fast as 128 MiB (within noise) for 120 MiB less peak RSS; 16 MiB is ~10%
/// slower.
pub const PACK_CACHE_BUDGET: usize = 32 * 1024 * 1024;
/// Smallest delta-base cache per reader thread.
pub const MIN_PACK_CACHE_PER_THREAD: usize = 8 * 1024 * 1024;

/// Commit id shown for blobs that no ref reaches (`--all-objects`).
pub const UNREACHABLE: &str = "unreachable";

/// What part of a repository's history to enumerate.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// A path inside the repository (its work tree, `.git` dir, or any subdirectory).
    pub repo: PathBuf,
    /// Only commits that are not ancestors of this revision (`REV..`); blobs already
    /// present in its tree count as introduced before and are not enumerated.
    pub since_commit: Option<String>,
    /// Only the history of this ref or revision instead of all refs and `HEAD`.
    pub branch: Option<String>,
    /// Also enumerate blobs that no ref reaches (dangling, stashed away, reflog-only).
    pub all_objects: bool,
    /// Also collect the ids of the blobs in `HEAD`'s tree (see
    /// [`GitBlobs::head_blobs`]), so a working-tree scan can reuse their results.
    pub want_head_blobs: bool,
}

impl HistoryOptions {
    /// All history of the repository that contains `repo`.
    pub fn new(repo: impl Into<PathBuf>) -> Self {
        HistoryOptions {
            repo: repo.into(),
            ..Default::default()
        }
    }
}

/// One blob to read: its id and where it was first seen.
#[derive(Debug, Clone, Copy)]
pub struct GitBlobRef {
    /// The blob id.
    pub id: ObjectId,
    commit: u32,
    path: u32,
}

const STAGED: u32 = u32::MAX;

/// A list of blobs enumerated from a repository, in the order they should be read,
/// with what is needed to read them from any thread.
pub struct GitBlobs {
    repo: gix::ThreadSafeRepository,
    items: Vec<GitBlobRef>,
    commits: Vec<Arc<CommitInfo>>,
    paths: Vec<Arc<str>>,
    skips: Vec<Skip>,
    head_blobs: Option<IdSet<ObjectId>>,
    commits_walked: usize,
}

impl std::fmt::Debug for GitBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitBlobs")
            .field("repo", &self.repo.git_dir())
            .field("blobs", &self.items.len())
            .field("commits", &self.commits_walked)
            .field("skips", &self.skips.len())
            .finish()
    }
}

impl GitBlobs {
    /// The blobs, in reading order.
    pub fn items(&self) -> &[GitBlobRef] {
        &self.items
    }

    /// Problems met while enumerating (missing commits or trees, broken refs).
    pub fn take_skips(&mut self) -> Vec<Skip> {
        std::mem::take(&mut self.skips)
    }

    /// Number of commits visited.
    pub fn commits_walked(&self) -> usize {
        self.commits_walked
    }

    /// The path at which `item` was first seen.
    pub fn path(&self, item: &GitBlobRef) -> &Arc<str> {
        &self.paths[item.path as usize]
    }

    /// The commit that introduced `item` (`None` for staged blobs).
    pub fn commit(&self, item: &GitBlobRef) -> Option<&Arc<CommitInfo>> {
        if item.commit == STAGED {
            None
        } else {
            self.commits.get(item.commit as usize)
        }
    }

    /// The origin of `item`: commit and path, or the staged path.
    pub fn origin(&self, item: &GitBlobRef) -> Origin {
        let path = self.path(item).to_string();
        match self.commit(item) {
            Some(c) => Origin::new(OriginPart::Commit {
                commit: c.clone(),
                path,
            }),
            None => Origin::new(OriginPart::Staged(path)),
        }
    }

    /// Ids of the blobs in `HEAD`'s tree, when asked for with
    /// [`HistoryOptions::want_head_blobs`].
    pub fn head_blobs(&self) -> Option<&IdSet<ObjectId>> {
        self.head_blobs.as_ref()
    }

    /// A reader for one of `threads` reader threads; its delta-base cache gets an
    /// equal share of [`PACK_CACHE_BUDGET`].
    pub fn reader(&self, threads: usize) -> BlobReader {
        let mut repo = self.repo.to_thread_local();
        let bytes = (PACK_CACHE_BUDGET / threads.max(1)).max(MIN_PACK_CACHE_PER_THREAD);
        repo.objects.set_pack_cache(move || {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(bytes))
        });
        BlobReader {
            repo,
            buf: Vec::new(),
        }
    }

    /// A short description of the repository for messages.
    pub fn repo_path(&self) -> &Path {
        self.repo.work_dir().unwrap_or_else(|| self.repo.git_dir())
    }
}

/// What reading one blob gave.
#[derive(Debug)]
pub enum BlobRead<'a> {
    /// The bytes (borrowed from the reader's reusable buffer).
    Data(&'a [u8]),
    /// The object is not in the object database (partial or shallow clone).
    Missing,
    /// The blob is larger than the cap; it was not read.
    TooLarge(u64),
    /// The object could not be read or is not a blob.
    Failed(String),
}

/// Reads blobs for one thread, reusing its buffer and pack cache.
pub struct BlobReader {
    repo: gix::Repository,
    buf: Vec<u8>,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("repo", &self.repo.git_dir())
            .finish()
    }
}

impl BlobReader {
    /// Reads blob `id` unless it is larger than `max_size` bytes.
    pub fn read(&mut self, id: &ObjectId, max_size: u64) -> BlobRead<'_> {
        use gix::objs::Find as _;
        match self.repo.objects.try_header(id) {
            Ok(None) => return BlobRead::Missing,
            Ok(Some(h)) => {
                if h.kind() != gix::objs::Kind::Blob {
                    return BlobRead::Failed(format!("object {id} is a {}, not a blob", h.kind()));
                }
                if h.size() > max_size {
                    return BlobRead::TooLarge(h.size());
                }
            }
            Err(e) => return BlobRead::Failed(format!("cannot read header of {id}: {e}")),
        }
        match self.repo.objects.try_find(id, &mut self.buf) {
            Ok(Some(data)) => BlobRead::Data(data.data),
            Ok(None) => BlobRead::Missing,
            Err(e) => BlobRead::Failed(format!("cannot read blob {id}: {e}")),
        }
    }
}

fn git_err(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Git {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// Opens the repository containing `path` (a directory or a file in it).
pub fn open(path: &Path) -> Result<gix::ThreadSafeRepository> {
    let dir = if path.is_file() {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    } else {
        path
    };
    gix::ThreadSafeRepository::discover(dir)
        .map_err(|e| git_err(path, format!("not a git repository (or unreadable): {e}")))
}

/// The directory git runs hooks from for the repository containing `path`:
/// `core.hooksPath` when set (relative values are relative to the work tree, `~/` is
/// expanded), else `hooks/` in the common git directory (shared by linked worktrees).
pub fn hooks_dir(path: &Path) -> Result<PathBuf> {
    let repo = open(path)?.to_thread_local();
    let configured = repo
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .map_err(|e| git_err(path, format!("invalid core.hooksPath: {e}")))?;
    Ok(match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().unwrap_or_else(|| repo.git_dir()).join(p),
        None => repo.common_dir().join("hooks"),
    })
}

/// The work tree root of the repository containing `path` (its git dir if bare).
pub fn root_dir(path: &Path) -> Result<PathBuf> {
    let repo = open(path)?;
    Ok(repo
        .work_dir()
        .unwrap_or_else(|| repo.git_dir())
        .to_path_buf())
}

/// Interns paths: one `Arc<str>` per distinct path.
#[derive(Default)]
struct Paths {
    index: HashMap<Arc<str>, u32>,
    list: Vec<Arc<str>>,
}

impl Paths {
    fn intern(&mut self, p: &str) -> u32 {
        if let Some(&i) = self.index.get(p) {
            return i;
        }
        let a: Arc<str> = Arc::from(p);
        let i = self.list.len() as u32;
        self.list.push(a.clone());
        self.index.insert(a, i);
        i
    }
}

/// A compact commit graph: ids, tree ids, times and parent lists by index.
#[derive(Default)]
struct Graph {
    index: IdMap<ObjectId, u32>,
    ids: Vec<ObjectId>,
    trees: Vec<ObjectId>,
    times: Vec<i64>,
    /// (child, parent id) edges; resolved to indices after the walk.
    edges: Vec<(u32, ObjectId)>,
}

fn hex12(id: &ObjectId) -> String {
    let s = id.to_string();
    s[..12.min(s.len())].to_string()
}

/// Commit tips, and refs that point straight at a tree or blob.
type Tips = (Vec<ObjectId>, Vec<(String, ObjectId)>);

struct Enumerator<'r> {
    repo: &'r gix::Repository,
    path: PathBuf,
    buf: Vec<u8>,
    skips: Vec<Skip>,
}

impl Enumerator<'_> {
    fn skip(&mut self, path: String, reason: SkipReason, message: String) {
        self.skips.push(Skip {
            path,
            reason,
            message,
        });
    }

    /// Resolves a revision to a commit id.
    fn resolve_commit(&mut self, rev: &str) -> Result<ObjectId> {
        let id = self
            .repo
            .rev_parse_single(rev)
            .map_err(|e| git_err(&self.path, format!("cannot resolve revision {rev:?}: {e}")))?;
        let obj = id
            .object()
            .map_err(|e| git_err(&self.path, format!("cannot read {rev:?}: {e}")))?;
        let commit = obj
            .peel_to_commit()
            .map_err(|e| git_err(&self.path, format!("{rev:?} is not a commit: {e}")))?;
        Ok(commit.id)
    }

    /// The tips to walk from: every ref and `HEAD`, peeled. Non-commit targets (a tag
    /// of a tree or blob) come back separately.
    fn all_tips(&mut self) -> Result<Tips> {
        let mut tips = Vec::new();
        let mut others = Vec::new();
        let platform = self
            .repo
            .references()
            .map_err(|e| git_err(&self.path, format!("cannot read refs: {e}")))?;
        let iter = platform
            .all()
            .map_err(|e| git_err(&self.path, format!("cannot read refs: {e}")))?;
        let mut named: Vec<(String, Option<ObjectId>)> = Vec::new();
        for r in iter {
            match r {
                Ok(mut r) => {
                    let name = r.name().as_bstr().to_string();
                    match r.peel_to_id() {
                        Ok(id) => named.push((name, Some(id.detach()))),
                        Err(e) => self.skip(
                            name,
                            SkipReason::Missing,
                            format!("ref cannot be resolved (history behind it not scanned): {e}"),
                        ),
                    }
                }
                Err(e) => self.skip(
                    "<refs>".into(),
                    SkipReason::Corrupt,
                    format!("unreadable ref: {e}"),
                ),
            }
        }
        if let Ok(head) = self.repo.head() {
            if let Some(id) = head.id() {
                named.push(("HEAD".into(), Some(id.detach())));
            }
        }
        for (name, id) in named {
            let Some(id) = id else { continue };
            match self.repo.try_find_header(id) {
                Ok(Some(h)) => match h.kind() {
                    gix::objs::Kind::Commit => tips.push(id),
                    gix::objs::Kind::Tree | gix::objs::Kind::Blob => others.push((name, id)),
                    gix::objs::Kind::Tag => {}
                },
                Ok(None) => self.skip(
                    name,
                    SkipReason::Missing,
                    format!("ref points at missing object {id}: history behind it not scanned"),
                ),
                Err(e) => self.skip(name, SkipReason::Corrupt, format!("cannot read {id}: {e}")),
            }
        }
        tips.sort();
        tips.dedup();
        others.sort();
        others.dedup_by(|a, b| a.1 == b.1);
        Ok((tips, others))
    }

    /// Reads commit `id` into the reusable buffer; `None` when it is missing.
    fn read_commit(&mut self, id: &ObjectId) -> std::result::Result<Option<()>, String> {
        use gix::objs::Find as _;
        match self.repo.objects.try_find(id, &mut self.buf) {
            Ok(Some(d)) if d.kind == gix::objs::Kind::Commit => Ok(Some(())),
            Ok(Some(d)) => Err(format!("object {id} is a {}, not a commit", d.kind)),
            Ok(None) => Ok(None),
            Err(e) => Err(format!("cannot read commit {id}: {e}")),
        }
    }

    /// Collects the ancestors of `tips` (inclusive) that are not in `hidden`.
    fn walk(
        &mut self,
        tips: &[ObjectId],
        hidden: Option<&IdSet<ObjectId>>,
        shallow: &IdSet<ObjectId>,
    ) -> Graph {
        let hash = self.repo.object_hash();
        let mut g = Graph::default();
        let mut stack: Vec<(ObjectId, Option<ObjectId>)> =
            tips.iter().map(|t| (*t, None)).collect();
        let mut missing_reported = 0usize;
        let mut queued: IdSet<ObjectId> = IdSet::default();
        for t in tips {
            queued.insert(*t);
        }
        while let Some((id, child)) = stack.pop() {
            if hidden.is_some_and(|h| h.contains(&id)) {
                continue;
            }
            match self.read_commit(&id) {
                Ok(Some(())) => {}
                Ok(None) => {
                    missing_reported += 1;
                    if missing_reported <= 20 {
                        let msg = match child {
                            Some(c) => format!(
                                "commit {id} (parent of {}) is missing from the object database (shallow or partial clone?): the history behind it was not scanned",
                                hex12(&c)
                            ),
                            None => format!(
                                "commit {id} is missing from the object database: the history behind it was not scanned"
                            ),
                        };
                        self.skip(format!("commit {}", hex12(&id)), SkipReason::Missing, msg);
                    }
                    continue;
                }
                Err(e) => {
                    self.skip(format!("commit {}", hex12(&id)), SkipReason::Corrupt, e);
                    continue;
                }
            }
            let mut iter = CommitRefIter::from_bytes(&self.buf, hash);
            let tree = match iter.tree_id() {
                Ok(t) => t,
                Err(e) => {
                    self.skip(
                        format!("commit {}", hex12(&id)),
                        SkipReason::Corrupt,
                        format!("cannot decode commit {id}: {e}"),
                    );
                    continue;
                }
            };
            let mut parents: Vec<ObjectId> = Vec::new();
            let mut time = 0i64;
            for tok in iter {
                match tok {
                    Ok(gix::objs::commit::ref_iter::Token::Parent { id }) => parents.push(id),
                    Ok(gix::objs::commit::ref_iter::Token::Committer { signature }) => {
                        time = signature.seconds();
                        break;
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            let idx = g.ids.len() as u32;
            g.index.insert(id, idx);
            g.ids.push(id);
            g.trees.push(tree);
            g.times.push(time);
            if shallow.contains(&id) {
                continue;
            }
            for p in parents {
                g.edges.push((idx, p));
                if queued.insert(p) {
                    stack.push((p, Some(id)));
                }
            }
        }
        if missing_reported > 20 {
            self.skip(
                "<history>".into(),
                SkipReason::Missing,
                format!(
                    "{} more missing commits not listed one by one",
                    missing_reported - 20
                ),
            );
        }
        g
    }
}

/// Orders the commits of `g` parents-first, older commit time first among the
/// commits whose parents are all done (Kahn's algorithm on a min-heap).
fn oldest_first(g: &Graph) -> Vec<u32> {
    let n = g.ids.len();
    let mut pending = vec![0u32; n];
    let mut child_count = vec![0u32; n + 1];
    let mut resolved: Vec<(u32, u32)> = Vec::with_capacity(g.edges.len());
    for (child, parent) in &g.edges {
        if let Some(&p) = g.index.get(parent) {
            if p != *child {
                resolved.push((p, *child));
                pending[*child as usize] += 1;
                child_count[p as usize + 1] += 1;
            }
        }
    }
    for i in 0..n {
        child_count[i + 1] += child_count[i];
    }
    let starts = child_count;
    let mut fill = starts.clone();
    let mut children = vec![0u32; resolved.len()];
    for (p, c) in resolved {
        children[fill[p as usize] as usize] = c;
        fill[p as usize] += 1;
    }
    let mut heap: BinaryHeap<std::cmp::Reverse<(i64, u32)>> = BinaryHeap::new();
    for (i, &p) in pending.iter().enumerate() {
        if p == 0 {
            heap.push(std::cmp::Reverse((g.times[i], i as u32)));
        }
    }
    let mut order = Vec::with_capacity(n);
    while let Some(std::cmp::Reverse((_, i))) = heap.pop() {
        order.push(i);
        let (s, e) = (starts[i as usize] as usize, starts[i as usize + 1] as usize);
        for &c in &children[s..e] {
            pending[c as usize] -= 1;
            if pending[c as usize] == 0 {
                heap.push(std::cmp::Reverse((g.times[c as usize], c)));
            }
        }
    }
    // A cycle cannot happen in a valid repository; keep whatever was left anyway.
    if order.len() < n {
        let mut done = vec![false; n];
        for &i in &order {
            done[i as usize] = true;
        }
        order.extend((0..n as u32).filter(|&i| !done[i as usize]));
    }
    order
}

/// Tree traversal state shared by every commit of the history walk.
struct Trees {
    seen_trees: IdSet<ObjectId>,
    /// blob id → index into `items`, or `u32::MAX` for blobs marked seen only.
    seen_blobs: IdMap<ObjectId, u32>,
    items: Vec<GitBlobRef>,
    paths: Paths,
    stack: Vec<(ObjectId, String)>,
    missing_trees: usize,
}

const SEEN_ONLY: u32 = u32::MAX;

impl Trees {
    fn new() -> Self {
        Trees {
            seen_trees: IdSet::default(),
            seen_blobs: IdMap::default(),
            items: Vec::new(),
            paths: Paths::default(),
            stack: Vec::new(),
            missing_trees: 0,
        }
    }

    /// Traverses `root`, recording every blob not seen before with `commit` (or
    /// marking it seen only when `commit` is `None`). Returns how many blobs were new.
    fn visit(
        &mut self,
        en: &mut Enumerator<'_>,
        root: ObjectId,
        commit: Option<(u32, &str)>,
    ) -> usize {
        use gix::objs::Find as _;
        let hash = en.repo.object_hash();
        let mut new = 0usize;
        if !self.seen_trees.insert(root) {
            return 0;
        }
        self.stack.push((root, String::new()));
        while let Some((tree, prefix)) = self.stack.pop() {
            let data = match en.repo.objects.try_find(&tree, &mut en.buf) {
                Ok(Some(d)) if d.kind == gix::objs::Kind::Tree => d.data,
                Ok(Some(d)) => {
                    let kind = d.kind;
                    en.skip(
                        where_(commit, &prefix),
                        SkipReason::Corrupt,
                        format!("object {tree} is a {kind}, not a tree"),
                    );
                    continue;
                }
                Ok(None) => {
                    self.missing_trees += 1;
                    if self.missing_trees <= 20 {
                        en.skip(
                            where_(commit, &prefix),
                            SkipReason::Missing,
                            format!(
                                "tree {tree} is missing from the object database (partial clone?): its files were not scanned"
                            ),
                        );
                    }
                    continue;
                }
                Err(e) => {
                    en.skip(
                        where_(commit, &prefix),
                        SkipReason::Unreadable,
                        format!("cannot read tree {tree}: {e}"),
                    );
                    continue;
                }
            };
            for entry in TreeRefIter::from_bytes(data, hash) {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        en.skip(
                            where_(commit, &prefix),
                            SkipReason::Corrupt,
                            format!("cannot decode tree {tree}: {e}"),
                        );
                        break;
                    }
                };
                let name = String::from_utf8_lossy(entry.filename);
                match entry.mode.kind() {
                    EntryKind::Tree => {
                        let id = entry.oid.to_owned();
                        if self.seen_trees.insert(id) {
                            let p = if prefix.is_empty() {
                                name.into_owned()
                            } else {
                                format!("{prefix}/{name}")
                            };
                            self.stack.push((id, p));
                        }
                    }
                    EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link => {
                        let id = entry.oid.to_owned();
                        if self.seen_blobs.contains_key(&id) {
                            continue;
                        }
                        match commit {
                            Some((c, _)) => {
                                let p = if prefix.is_empty() {
                                    self.paths.intern(&name)
                                } else {
                                    self.paths.intern(&format!("{prefix}/{name}"))
                                };
                                self.seen_blobs.insert(id, self.items.len() as u32);
                                self.items.push(GitBlobRef {
                                    id,
                                    commit: c,
                                    path: p,
                                });
                                new += 1;
                            }
                            None => {
                                self.seen_blobs.insert(id, SEEN_ONLY);
                            }
                        }
                    }
                    EntryKind::Commit => {}
                }
            }
        }
        new
    }
}

fn where_(commit: Option<(u32, &str)>, prefix: &str) -> String {
    let p = if prefix.is_empty() { "/" } else { prefix };
    match commit {
        Some((_, c)) => format!("{p}@{}", &c[..12.min(c.len())]),
        None => p.to_string(),
    }
}

/// Reads author, date and summary of commit `id`.
fn commit_info(en: &mut Enumerator<'_>, id: &ObjectId) -> CommitInfo {
    let mut info = CommitInfo {
        id: id.to_string(),
        author: String::new(),
        email: String::new(),
        date: String::new(),
        summary: String::new(),
    };
    if !matches!(en.read_commit(id), Ok(Some(()))) {
        return info;
    }
    let hash = en.repo.object_hash();
    if let Ok(author) = CommitRefIter::from_bytes(&en.buf, hash).author() {
        let a = author.trim();
        info.author = a.name.to_string();
        info.email = a.email.to_string();
        if let Ok(t) = a.time() {
            info.date = t.format_or_unix(gix::date::time::format::ISO8601_STRICT);
        }
    }
    if let Ok(msg) = CommitRefIter::from_bytes(&en.buf, hash).message() {
        let s = String::from_utf8_lossy(msg);
        info.summary = s.trim().lines().next().unwrap_or("").trim().to_string();
    }
    info
}

/// Checks that the repository opens and that `--since-commit` / `--branch` resolve to
/// commits, so a caller can fail with a clear error before scanning.
pub fn validate(opts: &HistoryOptions) -> Result<()> {
    let ts = open(&opts.repo)?;
    let repo = ts.to_thread_local();
    let mut en = Enumerator {
        repo: &repo,
        path: opts.repo.clone(),
        buf: Vec::new(),
        skips: Vec::new(),
    };
    for rev in opts.since_commit.iter().chain(opts.branch.iter()) {
        en.resolve_commit(rev)?;
    }
    Ok(())
}

/// Enumerates every distinct blob of a repository's history, each attributed to the
/// oldest commit (and the path in it) that introduced it.
pub fn history(opts: &HistoryOptions) -> Result<GitBlobs> {
    let ts = open(&opts.repo)?;
    let repo = ts.to_thread_local();
    let mut en = Enumerator {
        repo: &repo,
        path: opts.repo.clone(),
        buf: Vec::new(),
        skips: Vec::new(),
    };
    if opts.all_objects && (opts.branch.is_some() || opts.since_commit.is_some()) {
        return Err(git_err(
            &opts.repo,
            "--all-objects scans the whole object database; it cannot be combined with --branch or --since-commit",
        ));
    }
    let shallow: IdSet<ObjectId> = match repo.shallow_commits() {
        Ok(Some(c)) => c.iter().copied().collect(),
        _ => IdSet::default(),
    };
    if !shallow.is_empty() {
        en.skip(
            "<history>".into(),
            SkipReason::Missing,
            format!(
                "shallow clone: history before {} boundary commit(s) is not in this repository and was not scanned (fetch with --unshallow to scan it)",
                shallow.len()
            ),
        );
    }
    let (tips, others) = match &opts.branch {
        Some(b) => (vec![en.resolve_commit(b)?], Vec::new()),
        None => en.all_tips()?,
    };
    let mut trees = Trees::new();
    // `--since-commit`: ancestors of REV are hidden; their trees count as seen.
    let hidden = match &opts.since_commit {
        Some(rev) => {
            let base = en.resolve_commit(rev)?;
            let g = en.walk(&[base], None, &shallow);
            let set: IdSet<ObjectId> = g.ids.iter().copied().collect();
            Some((set, g))
        }
        None => None,
    };
    let g = en.walk(&tips, hidden.as_ref().map(|h| &h.0), &shallow);
    if let Some((_, hg)) = &hidden {
        // Only the boundary (hidden parents of walked commits) needs marking: their
        // trees hold everything that existed when the range began.
        let mut boundary: Vec<u32> = g
            .edges
            .iter()
            .filter(|(_, p)| !g.index.contains_key(p))
            .filter_map(|(_, p)| hg.index.get(p).copied())
            .collect();
        boundary.sort_unstable();
        boundary.dedup();
        for b in boundary {
            trees.visit(&mut en, hg.trees[b as usize], None);
        }
    }
    let order = oldest_first(&g);
    let mut commits: Vec<Arc<CommitInfo>> = Vec::new();
    for &ci in &order {
        let cid = g.ids[ci as usize];
        let cid_hex = cid.to_string();
        let next = commits.len() as u32;
        let n = trees.visit(&mut en, g.trees[ci as usize], Some((next, &cid_hex)));
        if n > 0 {
            commits.push(Arc::new(commit_info(&mut en, &cid)));
        }
    }
    // Refs pointing straight at a tree or blob (`git tag v1 <tree>`).
    for (name, id) in others {
        let next = commits.len() as u32;
        let info = CommitInfo {
            id: id.to_string(),
            author: String::new(),
            email: String::new(),
            date: String::new(),
            summary: format!("object referenced directly by {name}"),
        };
        let id_hex = id.to_string();
        let is_tree =
            matches!(repo.try_find_header(id), Ok(Some(h)) if h.kind() == gix::objs::Kind::Tree);
        let n = if is_tree {
            trees.visit(&mut en, id, Some((next, &id_hex)))
        } else if trees.seen_blobs.contains_key(&id) {
            0
        } else {
            let p = trees.paths.intern(&name);
            trees.seen_blobs.insert(id, trees.items.len() as u32);
            trees.items.push(GitBlobRef {
                id,
                commit: next,
                path: p,
            });
            1
        };
        if n > 0 {
            commits.push(Arc::new(info));
        }
    }
    if trees.missing_trees > 20 {
        en.skip(
            "<history>".into(),
            SkipReason::Missing,
            format!(
                "{} more missing trees not listed one by one",
                trees.missing_trees - 20
            ),
        );
    }
    let head_blobs = if opts.want_head_blobs {
        Some(head_blob_ids(&mut en))
    } else {
        None
    };
    let commits_walked = g.ids.len();
    drop(g);
    drop(hidden);
    // Items stay in discovery order: oldest commit first, each blob right after the
    // other blobs of the commit that introduced it. Measured against pack-offset order
    // on rust-lang/cargo and vuejs/vue: 28-37% less CPU (successive versions of a
    // file are read one after the other, so delta bases are still in the pack cache).
    let mut items = trees.items;
    if opts.all_objects {
        append_unreachable(
            &repo,
            &trees.seen_blobs,
            &trees.seen_trees,
            &mut Appender {
                items: &mut items,
                paths: &mut trees.paths,
                commits: &mut commits,
            },
        );
    }
    let skips = std::mem::take(&mut en.skips);
    drop(en);
    Ok(GitBlobs {
        repo: ts,
        items,
        commits,
        paths: trees.paths.list,
        skips,
        head_blobs,
        commits_walked,
    })
}

/// Appends to `out` the blobs of the object database that nothing reached, attributed
/// to [`UNREACHABLE`] (`--all-objects`), in pack order.
fn append_unreachable(
    repo: &gix::Repository,
    seen_blobs: &IdMap<ObjectId, u32>,
    seen_trees: &IdSet<ObjectId>,
    out: &mut Appender<'_>,
) {
    let Appender {
        items,
        paths,
        commits,
    } = out;
    let iter = match repo.objects.store_ref().iter() {
        Ok(it) => it.with_ordering(
            gix::odb::store::iter::Ordering::PackAscendingOffsetThenLooseLexicographical,
        ),
        Err(_) => return,
    };
    let mut unreachable_commit: Option<u32> = None;
    let mut extra: IdSet<ObjectId> = IdSet::default();
    for id in iter {
        let Ok(id) = id else { continue };
        if seen_blobs.contains_key(&id) || seen_trees.contains(&id) || extra.contains(&id) {
            continue;
        }
        if let Ok(Some(h)) = repo.try_find_header(id) {
            if h.kind() == gix::objs::Kind::Blob {
                let c = *unreachable_commit.get_or_insert_with(|| {
                    commits.push(Arc::new(CommitInfo {
                        id: UNREACHABLE.into(),
                        author: String::new(),
                        email: String::new(),
                        date: String::new(),
                        summary: "blob not reachable from any ref".into(),
                    }));
                    (commits.len() - 1) as u32
                });
                extra.insert(id);
                let p = paths.intern(&format!("<unreachable blob {id}>"));
                items.push(GitBlobRef {
                    id,
                    commit: c,
                    path: p,
                });
            }
        }
    }
}

/// Where `--all-objects` appends the unreachable blobs it finds.
struct Appender<'a> {
    items: &'a mut Vec<GitBlobRef>,
    paths: &'a mut Paths,
    commits: &'a mut Vec<Arc<CommitInfo>>,
}

/// Ids of every blob in `HEAD`'s tree (empty when there is no `HEAD`).
fn head_blob_ids(en: &mut Enumerator<'_>) -> IdSet<ObjectId> {
    let mut t = Trees::new();
    if let Ok(tree) = en.repo.head_tree_id() {
        t.visit(en, tree.detach(), None);
    }
    t.seen_blobs.into_keys().collect()
}

/// Enumerates the staged blobs of the repository containing `repo`: index entries
/// (stage 0) whose blob differs from `HEAD`'s tree at the same path, or every entry
/// before the first commit. Deleted files have nothing to scan; submodules and
/// intent-to-add entries are left out.
pub fn staged(repo: &Path) -> Result<GitBlobs> {
    let ts = open(repo)?;
    let r = ts.to_thread_local();
    let index = r
        .open_index()
        .or_else(|e| {
            // No index file yet: nothing staged.
            if r.index_path().exists() {
                Err(e)
            } else {
                Ok(gix::index::File::from_state(
                    gix::index::State::new(r.object_hash()),
                    r.index_path(),
                ))
            }
        })
        .map_err(|e| git_err(repo, format!("cannot read the index: {e}")))?;
    let head_tree = match r.head() {
        Ok(h) if h.is_unborn() => None,
        Ok(mut h) => match h.peel_to_commit() {
            Ok(c) => Some(
                c.tree_id()
                    .map_err(|e| git_err(repo, format!("cannot read HEAD's tree: {e}")))?
                    .detach(),
            ),
            Err(e) => return Err(git_err(repo, format!("cannot read HEAD: {e}"))),
        },
        Err(e) => return Err(git_err(repo, format!("cannot read HEAD: {e}"))),
    };
    let mut en = Enumerator {
        repo: &r,
        path: repo.to_path_buf(),
        buf: Vec::new(),
        skips: Vec::new(),
    };
    let entries = index.entries();
    // Entries under directories whose cached index tree equals HEAD's are unchanged.
    let mut unchanged = vec![false; entries.len()];
    let mut head: HashMap<String, ObjectId> = HashMap::new();
    if let Some(root) = head_tree {
        let mut work: Vec<(ObjectId, String, Option<&gix::index::extension::Tree>)> =
            vec![(root, String::new(), index.tree())];
        while let Some((tree, prefix, cache)) = work.pop() {
            if let Some(c) = cache {
                if c.num_entries.is_some() && c.id == tree {
                    let range = if prefix.is_empty() {
                        Some(0..entries.len())
                    } else {
                        index.prefixed_entries_range(format!("{prefix}/").as_str().into())
                    };
                    if let Some(range) = range {
                        for u in &mut unchanged[range] {
                            *u = true;
                        }
                    }
                    continue;
                }
            }
            use gix::objs::Find as _;
            let data = match r.objects.try_find(&tree, &mut en.buf) {
                Ok(Some(d)) if d.kind == gix::objs::Kind::Tree => d.data.to_vec(),
                Ok(_) => {
                    en.skip(
                        if prefix.is_empty() { "HEAD".into() } else { prefix.clone() },
                        SkipReason::Missing,
                        format!("HEAD's tree {tree} is missing: every staged file below it is treated as new"),
                    );
                    continue;
                }
                Err(e) => return Err(git_err(repo, format!("cannot read tree {tree}: {e}"))),
            };
            for entry in TreeRefIter::from_bytes(&data, r.object_hash()) {
                let entry =
                    entry.map_err(|e| git_err(repo, format!("cannot decode tree {tree}: {e}")))?;
                let name = String::from_utf8_lossy(entry.filename);
                let path = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}/{name}")
                };
                match entry.mode.kind() {
                    EntryKind::Tree => {
                        let child = cache.and_then(|c| {
                            c.children
                                .iter()
                                .find(|ch| ch.name.as_slice() == entry.filename.as_ref() as &[u8])
                        });
                        work.push((entry.oid.to_owned(), path, child));
                    }
                    EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link => {
                        head.insert(path, entry.oid.to_owned());
                    }
                    EntryKind::Commit => {}
                }
            }
        }
    }
    let mut paths = Paths::default();
    let mut items = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if unchanged[i] || e.stage_raw() != 0 {
            continue;
        }
        if e.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD) {
            continue;
        }
        if e.mode == gix::index::entry::Mode::COMMIT {
            continue;
        }
        let path = String::from_utf8_lossy(e.path(&index)).into_owned();
        if head.get(&path) == Some(&e.id) {
            continue;
        }
        let p = paths.intern(&path);
        items.push(GitBlobRef {
            id: e.id,
            commit: STAGED,
            path: p,
        });
    }
    let skips = std::mem::take(&mut en.skips);
    drop(en);
    drop(r);
    Ok(GitBlobs {
        repo: ts,
        items,
        commits: Vec::new(),
        paths: paths.list,
        skips,
        head_blobs: None,
        commits_walked: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(times: &[i64], edges: &[(u32, u32)]) -> Graph {
        let mut g = Graph::default();
        for (i, t) in times.iter().enumerate() {
            let mut b = [0u8; 20];
            b[0] = i as u8 + 1;
            let id = ObjectId::from_bytes_or_panic(&b);
            g.index.insert(id, i as u32);
            g.ids.push(id);
            g.trees.push(id);
            g.times.push(*t);
        }
        for (c, p) in edges {
            g.edges.push((*c, g.ids[*p as usize]));
        }
        g
    }

    #[test]
    fn parents_come_first_even_with_skewed_clocks() {
        // 0 <- 1 <- 2, where 2 claims to be older than its parents.
        let g = graph(&[100, 200, 50], &[(1, 0), (2, 1)]);
        assert_eq!(oldest_first(&g), vec![0, 1, 2]);
    }

    #[test]
    fn older_branch_first() {
        // root 0; branch a: 1 (t=300); branch b: 2 (t=200); merge 3.
        let g = graph(&[100, 300, 200, 400], &[(1, 0), (2, 0), (3, 1), (3, 2)]);
        assert_eq!(oldest_first(&g), vec![0, 2, 1, 3]);
    }
}
