//! The engine: builder → frozen config → reusable [`Scanner`]. It pulls blobs from
//! inputs, expands them, runs the matcher, and folds matches into findings.

use crate::blob::{Blob, Bytes, Origin, OriginPart};
use crate::error::Result;
use crate::expand::{self, ExpandCtx};
use crate::findings::{
    classify_exposure, client_var_before, fingerprint, is_test_path, Exposure, Finding, Location,
    Secret, Skip, SkipReason,
};
use crate::inputs::fs::{self as fsin, FsItem, WalkOptions};
use crate::inputs::git::HistoryOptions;
use crate::matcher::{Matcher, RawMatch, Scratch};
use crate::rules::{RuleKind, RuleSet, Severity};
use crate::scan_git::Memo;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default per-file size cap (bytes). Larger files are skipped and reported.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;
/// Default maximum nesting depth of expansions (archive in archive in ...).
pub const DEFAULT_MAX_DEPTH: usize = 8;
/// Default cap on bytes expanded out of one input blob, all levels together.
pub const DEFAULT_MAX_EXPANDED_BYTES: u64 = 1024 * 1024 * 1024;
/// Default cap on one expanded member's size.
pub const DEFAULT_MAX_MEMBER_SIZE: u64 = 256 * 1024 * 1024;
/// Default cap on a member's expansion ratio (uncompressed / compressed).
pub const DEFAULT_MAX_RATIO: u64 = 1000;
/// Default cap on members read from one archive.
pub const DEFAULT_MAX_MEMBERS: usize = 100_000;
/// Default time budget for expanding one input blob.
pub const DEFAULT_MAX_EXPAND_TIME: Duration = Duration::from_secs(60);
/// Default cap on nested encodings peeled off one value (base64 of base64 of ...).
pub const DEFAULT_MAX_DECODE_DEPTH: usize = 2;
/// Default cap on encoded (base64, percent) blocks decoded out of one blob.
pub const DEFAULT_MAX_DECODED_BLOCKS: usize = 1000;
/// Bytes of context kept on each side of a secret in a snippet.
pub const SNIPPET_CONTEXT: usize = 48;
/// Marker that suppresses findings on its line.
pub const INLINE_ALLOW: &str = "launchguard:allow";

/// Every limit of a scan, each a named default with an override.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Per-file size cap for inputs.
    pub max_file_size: u64,
    /// Maximum expansion depth.
    pub max_depth: usize,
    /// Total bytes expanded from one input blob.
    pub max_expanded_bytes: u64,
    /// Largest single expanded member.
    pub max_member_size: u64,
    /// Largest expansion ratio of a member.
    pub max_ratio: u64,
    /// Most members read from one archive.
    pub max_members: usize,
    /// Time budget for expanding one input blob.
    pub max_expand_time: Duration,
    /// Most nested encodings (base64, percent) decoded inside one another.
    pub max_decode_depth: usize,
    /// Most encoded blocks decoded out of one blob.
    pub max_decoded_blocks: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_depth: DEFAULT_MAX_DEPTH,
            max_expanded_bytes: DEFAULT_MAX_EXPANDED_BYTES,
            max_member_size: DEFAULT_MAX_MEMBER_SIZE,
            max_ratio: DEFAULT_MAX_RATIO,
            max_members: DEFAULT_MAX_MEMBERS,
            max_expand_time: DEFAULT_MAX_EXPAND_TIME,
            max_decode_depth: DEFAULT_MAX_DECODE_DEPTH,
            max_decoded_blocks: DEFAULT_MAX_DECODED_BLOCKS,
        }
    }
}

/// Values and paths the user has declared not to be findings.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    paths: Option<GlobSet>,
    path_globs: Vec<String>,
    values: Vec<String>,
    regexes: Vec<Regex>,
    fingerprints: std::collections::HashSet<String>,
}

impl Allowlist {
    /// Adds a path glob (matched against the root and the inner path).
    pub fn add_path_glob(&mut self, glob: &str) -> Result<()> {
        Glob::new(glob).map_err(|e| crate::Error::Config {
            path: PathBuf::from("<allowlist>"),
            message: format!("bad path glob {glob:?}: {e}"),
        })?;
        self.path_globs.push(glob.to_string());
        let mut b = GlobSetBuilder::new();
        for g in &self.path_globs {
            if let Ok(g) = Glob::new(g) {
                b.add(g);
            }
        }
        self.paths = b.build().ok();
        Ok(())
    }

    /// Adds an exact secret value.
    pub fn add_value(&mut self, v: &str) {
        self.values.push(v.to_string());
    }

    /// Adds a regex matched against secret values.
    pub fn add_regex(&mut self, re: &str) -> Result<()> {
        let r = Regex::new(re).map_err(|e| crate::Error::Config {
            path: PathBuf::from("<allowlist>"),
            message: format!("bad allowlist regex {re:?}: {e}"),
        })?;
        self.regexes.push(r);
        Ok(())
    }

    /// Adds a finding fingerprint (baseline entries).
    pub fn add_fingerprint(&mut self, fp: &str) {
        self.fingerprints.insert(fp.to_string());
    }

    fn path_allowed(&self, origin: &Origin) -> bool {
        self.paths
            .as_ref()
            .is_some_and(|g| g.is_match(origin.root_path()) || g.is_match(origin.inner_path()))
    }

    fn value_allowed(&self, secret: &[u8]) -> bool {
        self.values.iter().any(|v| v.as_bytes() == secret)
            || self.regexes.iter().any(|r| r.is_match(secret))
    }

    /// True when `fp` is a baselined fingerprint.
    pub fn fingerprint_allowed(&self, fp: &str) -> bool {
        self.fingerprints.contains(fp)
    }
}

/// Builds a [`Scanner`].
#[derive(Debug, Clone)]
pub struct ScannerBuilder {
    builtin: bool,
    rule_paths: Vec<PathBuf>,
    rule_texts: Vec<(String, String)>,
    disabled: Vec<String>,
    limits: Limits,
    walk: WalkOptions,
    allowlist: Allowlist,
}

impl Default for ScannerBuilder {
    fn default() -> Self {
        ScannerBuilder {
            builtin: true,
            rule_paths: Vec::new(),
            rule_texts: Vec::new(),
            disabled: Vec::new(),
            limits: Limits::default(),
            walk: WalkOptions::default(),
            allowlist: Allowlist::default(),
        }
    }
}

impl ScannerBuilder {
    /// A builder with the built-in rules and default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to load the built-in rules (default: yes).
    pub fn builtin_rules(mut self, yes: bool) -> Self {
        self.builtin = yes;
        self
    }

    /// Adds a rule file or a directory of rule files.
    pub fn rules_path(mut self, p: impl Into<PathBuf>) -> Self {
        self.rule_paths.push(p.into());
        self
    }

    /// Adds rules from TOML text; `name` identifies it in errors.
    pub fn rules_toml(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.rule_texts.push((name.into(), text.into()));
        self
    }

    /// Disables rules by id.
    pub fn disable_rules(mut self, ids: impl IntoIterator<Item = String>) -> Self {
        self.disabled.extend(ids);
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the working-tree walk options.
    pub fn walk_options(mut self, walk: WalkOptions) -> Self {
        self.walk = walk;
        self
    }

    /// Sets the allowlist.
    pub fn allowlist(mut self, allowlist: Allowlist) -> Self {
        self.allowlist = allowlist;
        self
    }

    /// The rule set this builder would compile.
    pub fn rule_set(&self) -> Result<RuleSet> {
        let mut set = if self.builtin {
            RuleSet::builtin()?
        } else {
            RuleSet::new()
        };
        for p in &self.rule_paths {
            set.add_path(p)?;
        }
        for (name, text) in &self.rule_texts {
            set.add_toml(name, text)?;
        }
        set.disable(&self.disabled);
        Ok(set)
    }

    /// Compiles the rules and freezes the configuration.
    pub fn build(self) -> Result<Scanner> {
        let set = self.rule_set()?;
        let matcher = Matcher::new(&set)?;
        Ok(Scanner {
            matcher: Arc::new(matcher),
            limits: self.limits,
            walk: self.walk,
            allowlist: Arc::new(self.allowlist),
        })
    }
}

/// Something to scan.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file or directory of the working tree.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes in memory, shown under `name`.
    Bytes {
        /// Display name.
        name: String,
        /// Content.
        data: Vec<u8>,
    },
    /// Ready-made blobs (from the history or staged inputs).
    Blobs(Vec<Blob>),
    /// Every distinct blob of a repository's history, each once, attributed to the
    /// commit that introduced it. Scanned before any [`Input::Path`], whose files then
    /// reuse the results of identical content (same git blob id).
    History(HistoryOptions),
    /// The blobs staged in a repository's index that differ from `HEAD`.
    Staged(PathBuf),
}

/// Live counters of a running scan (for progress display).
#[derive(Debug, Default)]
pub struct LiveStats {
    /// Input blobs (files, history blobs) scanned.
    pub blobs: AtomicU64,
    /// Bytes matched (expanded children included).
    pub bytes: AtomicU64,
    /// Raw matches accepted so far.
    pub matches: AtomicU64,
}

/// Totals of a finished scan.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ScanStats {
    /// Input blobs (files, history blobs) scanned.
    pub blobs_scanned: u64,
    /// Bytes matched, expanded children included.
    pub bytes_scanned: u64,
    /// Child blobs produced by expanders.
    pub expanded_blobs: u64,
    /// Matches dropped by inline allow comments, the allowlist or the baseline.
    pub suppressed: u64,
    /// Inputs skipped or partly scanned.
    pub skipped: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

/// The result of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// What was skipped or only partly scanned, and why.
    pub skips: Vec<Skip>,
    /// One summary per container input (APK, IPA, archive, ...), sorted by path.
    pub artifacts: Vec<ArtifactSummary>,
    /// Totals.
    pub stats: ScanStats,
}

/// What was scanned inside one container input (the release-gate summary line).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ArtifactSummary {
    /// The artifact as given (path, or origin chain for history blobs).
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Bytes expanded out of it, all nesting levels.
    pub expanded_bytes: u64,
    /// Members and decoded blocks scanned, all nesting levels.
    pub members: u64,
}

impl ScanReport {
    /// Findings at or above `min`.
    pub fn count_at_least(&self, min: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity >= min).count()
    }
}

struct Hit {
    rule: usize,
    secret: Vec<u8>,
    location: Location,
}

#[derive(Default)]
pub(crate) struct Collector {
    hits: Mutex<Vec<Hit>>,
    skips: Mutex<Vec<Skip>>,
    artifacts: Mutex<Vec<ArtifactSummary>>,
    expanded: AtomicU64,
    suppressed: AtomicU64,
}

impl Collector {
    pub(crate) fn skip(&self, s: Skip) {
        if let Ok(mut v) = self.skips.lock() {
            v.push(s);
        }
    }
}

/// Per-thread working memory.
#[derive(Default)]
pub(crate) struct Worker {
    scratch: Scratch,
    pub(crate) raws: Vec<RawMatch>,
    hits: Vec<Hit>,
    /// Secret spans of the blob being matched, sorted (masked in snippet context).
    spans: Vec<(usize, usize)>,
    /// Path-only rules that apply to the blob being matched.
    path_only: Vec<usize>,
}

/// A compiled, reusable scanner. Cheap to clone; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Scanner {
    matcher: Arc<Matcher>,
    limits: Limits,
    walk: WalkOptions,
    allowlist: Arc<Allowlist>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scanner>();
};

impl Scanner {
    /// A scanner with the built-in rules and defaults.
    pub fn with_defaults() -> Result<Self> {
        ScannerBuilder::new().build()
    }

    /// The compiled matcher.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The allowlist in force.
    pub fn allowlist(&self) -> &Allowlist {
        &self.allowlist
    }

    /// Worker threads asked for (0 = all cores).
    pub(crate) fn walk_threads(&self) -> usize {
        self.walk.threads
    }

    /// Scans `inputs` and returns the findings.
    pub fn scan(&self, inputs: &[Input]) -> ScanReport {
        self.scan_with_stats(inputs, &LiveStats::default())
    }

    /// Scans `inputs`, updating `live` as it goes.
    pub fn scan_with_stats(&self, inputs: &[Input], live: &LiveStats) -> ScanReport {
        let start = Instant::now();
        let col = Collector::default();
        let mut paths = Vec::new();
        let memo = Memo::wanted(inputs);
        for input in inputs {
            match input {
                Input::Path(p) => paths.push(p.clone()),
                Input::Stdin => {
                    let mut buf = Vec::new();
                    let limit = self.limits.max_file_size;
                    match std::io::stdin()
                        .lock()
                        .take(limit + 1)
                        .read_to_end(&mut buf)
                    {
                        Ok(_) if buf.len() as u64 > limit => col.skip(Skip {
                            path: "<stdin>".into(),
                            reason: SkipReason::TooLarge,
                            message: format!("standard input is larger than the {limit}-byte cap"),
                        }),
                        Ok(_) => self.scan_input_blob(
                            &Blob::new(Origin::new(OriginPart::Stdin), buf),
                            &col,
                            live,
                            &mut Worker::default(),
                        ),
                        Err(e) => col.skip(Skip {
                            path: "<stdin>".into(),
                            reason: SkipReason::Unreadable,
                            message: e.to_string(),
                        }),
                    }
                }
                Input::Bytes { name, data } => self.scan_input_blob(
                    &Blob::new(Origin::file(name.clone()), data.clone()),
                    &col,
                    live,
                    &mut Worker::default(),
                ),
                Input::Blobs(blobs) => self.scan_blobs(blobs, &col, live),
                Input::History(opts) => self.scan_history(opts, &col, live, memo.as_ref()),
                Input::Staged(repo) => self.scan_staged(repo, &col, live),
            }
        }
        if !paths.is_empty() {
            self.scan_paths(&paths, &col, live, memo.as_ref());
        }
        self.finish(col, start, live)
    }

    fn scan_blobs(&self, blobs: &[Blob], col: &Collector, live: &LiveStats) {
        use rayon::prelude::*;
        blobs.par_iter().for_each_init(Worker::default, |w, b| {
            self.scan_input_blob(b, col, live, w);
        });
    }

    fn scan_paths(
        &self,
        paths: &[PathBuf],
        col: &Collector,
        live: &LiveStats,
        memo: Option<&Memo>,
    ) {
        let max = self.limits.max_file_size;
        fsin::walk(paths, &self.walk, || {
            let mut w = Worker::default();
            move |item| match item {
                FsItem::File {
                    path,
                    display,
                    size,
                } => {
                    if let Some(sz) = size {
                        if sz > max {
                            col.skip(Skip {
                                path: display,
                                reason: SkipReason::TooLarge,
                                message: too_large(sz, max),
                            });
                            return;
                        }
                    }
                    match read_file(&path, max) {
                        Ok(FileRead::Data(data)) => {
                            let blob = Blob::new(Origin::file(display), data);
                            if memo.is_some_and(|m| self.reuse(m, &blob, col, live, &mut w)) {
                                return;
                            }
                            self.scan_input_blob(&blob, col, live, &mut w);
                        }
                        Ok(FileRead::TooLarge(size)) => col.skip(Skip {
                            path: display,
                            reason: SkipReason::TooLarge,
                            message: match size {
                                Some(sz) => too_large(sz, max),
                                None => {
                                    format!("grew over the {max}-byte file size cap while read")
                                }
                            },
                        }),
                        Ok(FileRead::NotRegular) => col.skip(not_regular(display, "special file")),
                        Err(e) => col.skip(Skip {
                            path: display,
                            reason: SkipReason::Unreadable,
                            message: format!("cannot read: {e}"),
                        }),
                    }
                }
                FsItem::NotRegular { path, kind } => col.skip(not_regular(path, kind)),
                FsItem::Error { path, message } => col.skip(Skip {
                    path,
                    reason: SkipReason::Unreadable,
                    message,
                }),
            }
        });
    }

    /// Scans one input blob and everything expanded from it.
    pub(crate) fn scan_input_blob(
        &self,
        blob: &Blob,
        col: &Collector,
        live: &LiveStats,
        w: &mut Worker,
    ) {
        live.blobs.fetch_add(1, Ordering::Relaxed);
        let mut budget = Budget {
            bytes_left: self.limits.max_expanded_bytes,
            deadline: Instant::now() + self.limits.max_expand_time,
            reported: false,
            members: 0,
        };
        self.scan_blob(blob, 0, &mut budget, col, live, w);
        // Containers (archives, packages, bundles with maps) get a summary line.
        if budget.members > 0 && expand::expander_for(blob).is_some() {
            if let Ok(mut a) = col.artifacts.lock() {
                a.push(ArtifactSummary {
                    path: blob.origin.to_string(),
                    bytes: blob.data.len() as u64,
                    expanded_bytes: self.limits.max_expanded_bytes - budget.bytes_left,
                    members: budget.members,
                });
            }
        }
        if !w.hits.is_empty() {
            if let Ok(mut h) = col.hits.lock() {
                h.append(&mut w.hits);
            }
        }
    }

    fn scan_blob(
        &self,
        blob: &Blob,
        depth: usize,
        budget: &mut Budget,
        col: &Collector,
        live: &LiveStats,
        w: &mut Worker,
    ) {
        let mut scan_self = true;
        if let Some(exp) = expand::expander_for(blob) {
            if depth >= self.limits.max_depth {
                col.skip(Skip {
                    path: blob.origin.to_string(),
                    reason: SkipReason::LimitHit,
                    message: format!(
                        "{} not opened: nesting depth limit {} reached (raise it with --max-depth)",
                        exp.name(),
                        self.limits.max_depth
                    ),
                });
            } else {
                scan_self = self.run_expander(exp, blob, depth, budget, col, live, w);
            }
        }
        if scan_self {
            // Inline expanders (encoded blocks) apply their own depth limit.
            for exp in expand::inline_expanders_for(blob) {
                self.run_expander(exp, blob, depth, budget, col, live, w);
            }
            self.match_blob(blob, col, live, w);
        }
    }

    /// Runs one expander on `blob`, scanning each child as it comes; returns whether
    /// the parent's raw bytes should be matched too.
    #[allow(clippy::too_many_arguments)]
    fn run_expander(
        &self,
        exp: &dyn expand::Expander,
        blob: &Blob,
        depth: usize,
        budget: &mut Budget,
        col: &Collector,
        live: &LiveStats,
        w: &mut Worker,
    ) -> bool {
        let ctx = ExpandCtx {
            limits: &self.limits,
            depth,
            budget_left: budget.bytes_left,
        };
        let out = exp.expand(blob, ctx, &mut |child: Blob| {
            self.scan_child(&child, blob, depth, budget, col, live, w)
        });
        for s in out.skips {
            col.skip(s);
        }
        for child in &out.children {
            if !self.scan_child(child, blob, depth, budget, col, live, w) {
                break;
            }
        }
        out.scan_parent
    }

    /// Scans one expanded child within the input's budget; `false` once the budget
    /// (bytes or time) is exhausted.
    #[allow(clippy::too_many_arguments)]
    fn scan_child(
        &self,
        child: &Blob,
        parent: &Blob,
        depth: usize,
        budget: &mut Budget,
        col: &Collector,
        live: &LiveStats,
        w: &mut Worker,
    ) -> bool {
        let n = child.data.len() as u64;
        if n > budget.bytes_left || Instant::now() > budget.deadline {
            if !budget.reported {
                budget.reported = true;
                col.skip(Skip {
                    path: parent.origin.to_string(),
                    reason: SkipReason::LimitHit,
                    message: "expansion budget (total bytes or time) exhausted; remaining members not scanned".into(),
                });
            }
            return false;
        }
        budget.bytes_left -= n;
        budget.members += 1;
        col.expanded.fetch_add(1, Ordering::Relaxed);
        self.scan_blob(child, depth + 1, budget, col, live, w);
        true
    }

    /// Runs the matcher on one blob and turns raw matches into located hits.
    fn match_blob(&self, blob: &Blob, col: &Collector, live: &LiveStats, w: &mut Worker) {
        live.bytes
            .fetch_add(blob.data.len() as u64, Ordering::Relaxed);
        w.raws.clear();
        self.matcher.scan(
            Some(blob.origin.inner_path()),
            &blob.data,
            &mut w.scratch,
            &mut w.raws,
        );
        self.emit_hits(blob, col, live, w);
    }

    /// Turns the raw matches in `w.raws` (found in `blob`'s bytes) and the path-only
    /// rules for `blob`'s path into located hits.
    pub(crate) fn emit_hits(&self, blob: &Blob, col: &Collector, live: &LiveStats, w: &mut Worker) {
        let data: &[u8] = &blob.data;
        let inner = blob.origin.inner_path();
        let mut path_only = std::mem::take(&mut w.path_only);
        path_only.clear();
        self.matcher
            .path_only_rules_into(inner, &mut w.scratch, &mut path_only);
        for &r in &path_only {
            let exposure = classify_exposure(&blob.origin, false);
            if !in_scope(&self.matcher.rules()[r].spec.scope, exposure) {
                continue;
            }
            w.hits.push(Hit {
                rule: r,
                secret: blob.origin.to_string().into_bytes(),
                location: Location {
                    origin: blob.origin.clone(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                    offset: 0,
                    before: String::new(),
                    after: String::new(),
                    exposure,
                    client_var: None,
                    original: None,
                },
            });
        }
        w.path_only = path_only;
        if w.raws.is_empty() {
            return;
        }
        live.matches
            .fetch_add(w.raws.len() as u64, Ordering::Relaxed);
        if self.allowlist.path_allowed(&blob.origin) {
            col.suppressed
                .fetch_add(w.raws.len() as u64, Ordering::Relaxed);
            return;
        }
        let first_hit = w.hits.len();
        w.raws.sort_by_key(|m| (m.secret_start, m.rule));
        w.raws
            .dedup_by_key(|m| (m.secret_start, m.secret_end, m.rule));
        let rules = self.matcher.rules();
        // Every secret span, before overlaps are dropped: a snippet shows none of them
        // (another key on the same line, or a wider match holding this one).
        w.spans.clear();
        w.spans.extend(
            w.raws
                .iter()
                .filter(|m| rules[m.rule].spec.kind == RuleKind::Secret)
                .map(|m| (m.secret_start, m.secret_end)),
        );
        drop_overlapping(&mut w.raws, rules);
        let mut lc = LineCounter::default();
        for m in &w.raws {
            let secret = &data[m.secret_start..m.secret_end];
            if self.allowlist.value_allowed(secret) || line_has_allow(data, m.secret_start) {
                col.suppressed.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let (line, column) = lc.locate(data, m.secret_start);
            let (end_line, end_column) = lc.peek(data, m.secret_end);
            let before = snippet_before(data, m.secret_start, &w.spans);
            let after = snippet_after(data, m.secret_end, &w.spans);
            let wide_before = context_before(data, m.secret_start, 96);
            let client_var = client_var_before(&wide_before);
            let rule = &rules[m.rule];
            let exposure = classify_exposure(&blob.origin, client_var.is_some());
            if !in_scope(&rule.spec.scope, exposure) {
                continue;
            }
            w.hits.push(Hit {
                rule: m.rule,
                secret: secret.to_vec(),
                location: Location {
                    origin: blob.origin.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                    offset: m.secret_start,
                    before,
                    after,
                    exposure,
                    client_var: if rule.spec.kind == RuleKind::Secret {
                        client_var
                    } else {
                        None
                    },
                    original: None,
                },
            });
        }
        self.attach_original(blob, &mut w.hits[first_hit..]);
    }

    /// Adds the original source position to hits in a bundle that has a source map.
    fn attach_original(&self, blob: &Blob, hits: &mut [Hit]) {
        if hits.is_empty() {
            return;
        }
        let Some(map) =
            expand::sourcemap::map_for_bundle(&blob.origin, &blob.data, self.limits.max_file_size)
        else {
            return;
        };
        let positions: Vec<(usize, usize)> = hits
            .iter()
            .map(|h| (h.location.line, h.location.column))
            .collect();
        for (h, o) in hits
            .iter_mut()
            .zip(expand::sourcemap::original_positions(&map, &positions))
        {
            h.location.original = o;
        }
    }

    pub(crate) fn finish_hits(&self, col: &Collector, w: &mut Worker) {
        if !w.hits.is_empty() {
            if let Ok(mut h) = col.hits.lock() {
                h.append(&mut w.hits);
            }
        }
    }

    fn finish(&self, col: Collector, start: Instant, live: &LiveStats) -> ScanReport {
        let hits = col.hits.into_inner().unwrap_or_default();
        let mut skips = col.skips.into_inner().unwrap_or_default();
        skips.sort_by(|a, b| a.path.cmp(&b.path));
        let mut artifacts = col.artifacts.into_inner().unwrap_or_default();
        artifacts.sort_by(|a, b| a.path.cmp(&b.path));
        let mut suppressed = col.suppressed.load(Ordering::Relaxed);
        let rules = self.matcher.rules();
        let mut by_fp: HashMap<String, Finding> = HashMap::new();
        for hit in hits {
            let rule = &rules[hit.rule];
            let spec = &rule.spec;
            let fp = match spec.kind {
                RuleKind::Secret => fingerprint(&spec.id, &hit.secret),
                RuleKind::Config => {
                    let mut key = hit.location.origin.root_path().as_bytes().to_vec();
                    key.push(0);
                    key.extend_from_slice(&hit.secret);
                    fingerprint(&spec.id, &key)
                }
            };
            if self.allowlist.fingerprint_allowed(&fp) {
                suppressed += 1;
                continue;
            }
            let f = by_fp.entry(fp.clone()).or_insert_with(|| Finding {
                rule_id: spec.id.clone(),
                rule_name: spec.name.clone(),
                provider: spec.provider.clone(),
                kind: spec.kind,
                severity: spec.severity,
                confidence: spec.confidence,
                fingerprint: fp,
                secret: Secret::new(hit.secret.clone()),
                locations: Vec::new(),
                exposure: Exposure::Staged,
                in_tests: true,
                description: spec.description.clone(),
                rotation: spec.rotation.clone(),
            });
            f.locations.push(hit.location);
        }
        let mut findings: Vec<Finding> = by_fp
            .into_values()
            .map(|mut f| {
                f.locations.sort_by(|a, b| {
                    (a.origin.to_string(), a.line, a.column).cmp(&(
                        b.origin.to_string(),
                        b.line,
                        b.column,
                    ))
                });
                f.locations
                    .dedup_by(|a, b| a.origin == b.origin && a.offset == b.offset);
                f.exposure = f
                    .locations
                    .iter()
                    .map(|l| l.exposure)
                    .min()
                    .unwrap_or(Exposure::Source);
                f.in_tests = f.locations.iter().all(|l| {
                    is_test_path(l.origin.root_path()) || is_test_path(l.origin.inner_path())
                });
                if f.kind == RuleKind::Secret
                    && matches!(f.exposure, Exposure::ClientArtifact | Exposure::ClientEnv)
                {
                    f.severity = f.severity.raised();
                }
                if f.in_tests {
                    f.confidence = f.confidence.lowered();
                }
                f
            })
            .collect();
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule_id.cmp(&b.rule_id))
                .then_with(|| {
                    let la = a.locations.first().map(|l| (l.origin.to_string(), l.line));
                    let lb = b.locations.first().map(|l| (l.origin.to_string(), l.line));
                    la.cmp(&lb)
                })
        });
        let stats = ScanStats {
            blobs_scanned: live.blobs.load(Ordering::Relaxed),
            bytes_scanned: live.bytes.load(Ordering::Relaxed),
            expanded_blobs: col.expanded.load(Ordering::Relaxed),
            suppressed,
            skipped: skips.len() as u64,
            elapsed_ms: start.elapsed().as_millis() as u64,
        };
        ScanReport {
            findings,
            skips,
            artifacts,
            stats,
        }
    }
}

fn in_scope(scope: &[Exposure], e: Exposure) -> bool {
    scope.is_empty() || scope.contains(&e)
}

struct Budget {
    bytes_left: u64,
    deadline: Instant,
    reported: bool,
    members: u64,
}

/// What reading one working-tree file gave.
enum FileRead {
    /// The whole content.
    Data(Bytes),
    /// Over the size cap: its size when opened, or `None` when it grew while read.
    TooLarge(Option<u64>),
    /// Not a regular file after all (replaced by a device after the walk saw it; the
    /// walk's own type check is what keeps FIFOs from being opened at all).
    NotRegular,
}

/// The message of a file skipped for its size.
fn too_large(size: u64, max: u64) -> String {
    format!("{size} bytes is over the {max}-byte file size cap (raise it with --max-file-size)")
}

/// The skip of a FIFO, socket or device: reported, never opened.
fn not_regular(path: String, kind: &str) -> Skip {
    Skip {
        path,
        reason: SkipReason::Other,
        message: format!(
            "not a regular file ({kind}): not opened (to scan a stream, pipe it to `launchguard scan -`)"
        ),
    }
}

/// Reads a regular file of at most `max` bytes into this thread's reused buffer (see
/// `buffers.rs`): no zero-fill first, no growing `Vec`, no copy. A file that shrinks
/// while read yields what it had; one that grows is read on, up to the cap.
fn read_file(path: &Path, max: u64) -> std::io::Result<FileRead> {
    let mut f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Ok(FileRead::NotRegular);
    }
    let len = meta.len();
    if len > max {
        return Ok(FileRead::TooLarge(Some(len)));
    }
    let n = usize::try_from(len).map_err(std::io::Error::other)?;
    Ok(match crate::buffers::read_all(&mut f, n, max)? {
        Some(data) => FileRead::Data(data),
        None => FileRead::TooLarge(None),
    })
}

/// Incremental line/column computation over sorted offsets. Both the line and the
/// column are counted on from the previous offset, so locating thousands of matches on
/// one 100 MB minified line stays linear in the data (counting each column from the
/// line start was quadratic).
#[derive(Default, Clone)]
struct LineCounter {
    pos: usize,
    line: usize,
    line_start: usize,
    /// Offset up to which `col_chars` characters of the current line are counted.
    col_pos: usize,
    col_chars: usize,
}

impl LineCounter {
    fn advance(&mut self, data: &[u8], off: usize) {
        if off < self.pos {
            *self = LineCounter::default();
        }
        if self.line == 0 {
            self.line = 1;
        }
        for i in memchr::memchr_iter(b'\n', &data[self.pos..off]) {
            self.line += 1;
            self.line_start = self.pos + i + 1;
        }
        self.pos = off;
    }

    /// 1-based character column of `off` (at or after the current position's line).
    fn column(&mut self, data: &[u8], off: usize) -> usize {
        if self.col_pos < self.line_start || self.col_pos > off {
            self.col_pos = self.line_start;
            self.col_chars = 0;
        }
        // Count characters: every byte that is not a UTF-8 continuation byte.
        self.col_chars += data[self.col_pos..off]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        self.col_pos = off;
        self.col_chars + 1
    }

    fn locate(&mut self, data: &[u8], off: usize) -> (usize, usize) {
        self.advance(data, off);
        let col = self.column(data, off);
        (self.line, col)
    }

    /// Line and column of `off` without moving this counter.
    fn peek(&self, data: &[u8], off: usize) -> (usize, usize) {
        let mut c = self.clone();
        c.locate(data, off)
    }
}

/// Where two matches of the same kind cover overlapping secrets, keeps the more
/// specific one: a provider rule beats a generic one; for the same span, higher
/// confidence, then higher severity, then the earlier rule wins.
fn drop_overlapping(raws: &mut Vec<RawMatch>, rules: &[crate::matcher::CompiledRule]) {
    if raws.len() < 2 {
        return;
    }
    let rank = |m: &RawMatch| {
        let s = &rules[m.rule].spec;
        (
            !s.generic,
            s.confidence,
            s.severity,
            std::cmp::Reverse(m.rule),
        )
    };
    let mut drop = vec![false; raws.len()];
    for i in 0..raws.len() {
        let a = raws[i];
        for j in i + 1..raws.len() {
            let b = raws[j];
            if b.secret_start >= a.secret_end {
                break;
            }
            let (sa, sb) = (&rules[a.rule].spec, &rules[b.rule].spec);
            if sa.kind != sb.kind {
                continue;
            }
            let same_span = a.secret_start == b.secret_start && a.secret_end == b.secret_end;
            if sa.generic != sb.generic || same_span {
                if rank(&a) >= rank(&b) {
                    drop[j] = true;
                } else {
                    drop[i] = true;
                }
            }
        }
    }
    let mut k = 0;
    raws.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// Masks long high-entropy tokens in snippet context, so that a neighbouring secret
/// (the AWS secret after its key id, a key after a config rule's variable name) never
/// appears whole in a report.
fn mask_tokens(s: String) -> String {
    let is_tok =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '.' | '~');
    let mut out = String::with_capacity(s.len());
    let mut tok = String::new();
    let flush = |tok: &mut String, out: &mut String| {
        let t = tok.as_str();
        let risky = t.len() >= 16
            && t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes().any(|b| b.is_ascii_alphabetic())
            && crate::matcher::checks::shannon_entropy(t.as_bytes()) >= 3.3;
        if risky {
            out.push_str(&t[..4]);
            out.push_str("…[masked]");
        } else {
            out.push_str(t);
        }
        tok.clear();
    };
    for c in s.chars() {
        if is_tok(c) {
            tok.push(c);
        } else {
            flush(&mut tok, &mut out);
            out.push(c);
        }
    }
    flush(&mut tok, &mut out);
    out
}

fn clean(bytes: &[u8]) -> String {
    mask_tokens(
        String::from_utf8_lossy(bytes)
            .chars()
            .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
            .collect(),
    )
}

/// Snippet text of `data[start..end]`: the parts inside `spans` (the blob's other
/// secrets, sorted by start) are shown redacted, the rest cleaned and masked.
fn clean_masked(data: &[u8], start: usize, end: usize, spans: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut pos = start;
    for &(s, e) in spans {
        if s >= end {
            break;
        }
        if e <= pos {
            continue;
        }
        let s = s.max(pos);
        if s > pos {
            out.push_str(&clean(&data[pos..s]));
        }
        let e = e.min(end);
        out.push_str(&crate::findings::redact(&data[s..e]));
        pos = e;
    }
    if pos < end {
        out.push_str(&clean(&data[pos..end]));
    }
    out
}

fn snippet_before(data: &[u8], off: usize, spans: &[(usize, usize)]) -> String {
    let start = off.saturating_sub(SNIPPET_CONTEXT);
    let start = match memchr::memrchr(b'\n', &data[start..off]) {
        Some(i) => start + i + 1,
        None => start,
    };
    clean_masked(data, start, off, spans)
}

fn context_before(data: &[u8], off: usize, n: usize) -> String {
    let start = off.saturating_sub(n);
    let seg = &data[start..off];
    let seg = match memchr::memrchr(b'\n', seg) {
        Some(i) => &seg[i + 1..],
        None => seg,
    };
    clean(seg)
}

fn snippet_after(data: &[u8], off: usize, spans: &[(usize, usize)]) -> String {
    let end = (off + SNIPPET_CONTEXT).min(data.len());
    let end = match memchr::memchr2(b'\n', b'\r', &data[off..end]) {
        Some(i) => off + i,
        None => end,
    };
    clean_masked(data, off, end, spans)
}

/// True when the line holding `off` carries the inline allow marker (looked for within
/// 1 KiB on either side, so huge minified lines stay cheap).
fn line_has_allow(data: &[u8], off: usize) -> bool {
    let lo = off.saturating_sub(1024);
    let hi = (off + 1024).min(data.len());
    let start = memchr::memrchr(b'\n', &data[lo..off])
        .map(|i| lo + i + 1)
        .unwrap_or(lo);
    let end = memchr::memchr(b'\n', &data[off..hi])
        .map(|i| off + i)
        .unwrap_or(hi);
    memchr::memmem::find(&data[start..end], INLINE_ALLOW.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive line/column of `off`: what the incremental counter must agree with.
    fn naive(data: &[u8], off: usize) -> (usize, usize) {
        let line = 1 + memchr::memchr_iter(b'\n', &data[..off]).count();
        let start = memchr::memrchr(b'\n', &data[..off]).map_or(0, |i| i + 1);
        let col = 1 + data[start..off]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        (line, col)
    }

    #[test]
    fn line_counter_agrees_with_naive_counting() {
        let data = "ab\ncdé€f\n\nxyz ünï end\nlast".as_bytes();
        let offsets: Vec<usize> = (0..=data.len())
            .filter(|&i| i == data.len() || (data[i] & 0xC0) != 0x80)
            .collect();
        // Sorted offsets, with a peek at a later one after each.
        let mut lc = LineCounter::default();
        for (k, &off) in offsets.iter().enumerate() {
            assert_eq!(lc.locate(data, off), naive(data, off), "at {off}");
            if let Some(&end) = offsets.get(k + 3) {
                assert_eq!(lc.peek(data, end), naive(data, end), "peek {end}");
            }
        }
        // Going back resets.
        assert_eq!(lc.locate(data, 4), naive(data, 4));
    }

    #[test]
    fn many_matches_on_one_long_line_are_located_linearly() {
        // 4,000 keys on one 8 MB line: counting each column from the line start would
        // scan ~16 GB; counting on from the previous match scans the line once.
        let mut data = Vec::new();
        let mut offs = Vec::new();
        for i in 0..4000 {
            data.extend(std::iter::repeat_n(b'x', 2000));
            offs.push(data.len());
            data.extend_from_slice(format!("key{i:05}").as_bytes());
        }
        let mut lc = LineCounter::default();
        for &o in &offs {
            let (line, col) = lc.locate(&data, o);
            assert_eq!((line, col), (1, o + 1));
            assert_eq!(lc.peek(&data, o + 8), (1, o + 9));
        }
    }

    #[test]
    fn a_snippet_never_shows_another_secret_of_its_line() {
        let rules = r#"
[[rule]]
id = "t-key"
name = "key"
keywords = ["kq_"]
pattern = '''(?P<secret>kq_[a-z0-9]{20})'''
severity = "high"
[rule.rotation]
steps = ["x"]

[[rule]]
id = "t-pw"
name = "pw"
keywords = ["pw="]
pattern = '''pw=(?P<secret>[A-Za-z0-9#]{12,24})'''
severity = "high"
[rule.rotation]
steps = ["x"]
"#;
        let scanner = ScannerBuilder::new()
            .builtin_rules(false)
            .rules_toml("t.toml", rules)
            .build()
            .expect("rules");
        // The password has no 16-character token (the `#` splits it), so only span
        // masking, not the high-entropy token mask, keeps it out of the key's snippet.
        let (key, pw) = ("kq_h3k9w2m7q5x8c4v1z6b0", "Tr9vK2x#Lp4qW7zN");
        let line = format!("cfg(pw={pw} key={key} pw={pw})\n");
        let report = scanner.scan(&[Input::Bytes {
            name: "a.txt".into(),
            data: line.into_bytes(),
        }]);
        assert_eq!(report.findings.len(), 2);
        for f in &report.findings {
            for l in &f.locations {
                let shown = format!("{}{}", l.before, l.after);
                assert!(!shown.contains(key) && !shown.contains(pw), "{shown}");
            }
        }
        let k = report
            .findings
            .iter()
            .find(|f| f.rule_id == "t-key")
            .expect("key finding");
        assert_eq!(
            k.locations[0].before,
            "cfg(pw=Tr9v…[redacted 16 chars] key="
        );
    }

    #[test]
    fn read_file_reads_exactly_and_respects_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f.txt");
        std::fs::write(&p, b"hello world").expect("write");
        assert!(matches!(read_file(&p, 100), Ok(FileRead::Data(d)) if &*d == b"hello world"));
        assert!(matches!(read_file(&p, 5), Ok(FileRead::TooLarge(Some(11)))));
        assert!(matches!(
            read_file(dir.path(), 100),
            Ok(FileRead::NotRegular) | Err(_)
        ));
    }
}
