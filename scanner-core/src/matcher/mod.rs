//! The matcher: a keyword search over every rule's keywords finds candidate positions
//! (the fingerprint gate of `gate.rs`, 2-3x the throughput of an Aho-Corasick DFA on
//! hundreds of case-insensitive keywords; the automaton when a user keyword is shorter
//! than the gate's three bytes); only rules whose keyword hit run their regex, on a
//! bounded window around the hit (behind the rule's `requires` pre-check, if any);
//! candidates then pass the rule's checks (entropy, checksum, JWT claims, placeholder
//! and generic-value filters).
//!
//! Work per blob is linear in its size: windows of one rule are merged before the regex
//! runs, so a multi-megabyte minified line with thousands of keyword hits is searched
//! once per rule, never once per hit.

pub mod checks;
mod gate;
mod globs;
mod hitcheck;

use crate::error::{Error, Result};
use crate::rules::{Checksum, RuleKind, RuleSet, RuleSpec};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use gate::Gate;
use globs::Globs;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use hitcheck::Checks;
use regex::bytes::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Largest compiled size of one rule's regex.
pub const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;
/// Default distance between a keyword hit and the edges of a match.
pub const DEFAULT_WINDOW: usize = 256;
/// How far a window edge may move to avoid splitting a token.
const TOKEN_EXTEND: usize = 128;

/// A rule compiled for matching.
#[derive(Debug)]
pub struct CompiledRule {
    /// The rule as written.
    pub spec: RuleSpec,
    /// The file it came from.
    pub file: String,
    /// The pattern, compiled on first use: most rules never see a keyword hit in a
    /// given scan, so start-up does not pay for compiling them.
    regex: Option<LazyRegex>,
    /// The `requires` pre-check, compiled on first use.
    requires: Option<LazyRegex>,
    /// Validated path globs: (glob, matches the whole path rather than the file name).
    globs: Vec<(globset::Glob, bool)>,
    /// Per-rule glob sets, built on first use (validation and path-only lookups).
    glob_sets: OnceLock<(GlobSet, GlobSet)>,
    exclude: Option<AhoCorasick>,
    window: usize,
    /// The cheap tests of keyword hits and of windows (`hitcheck.rs`), derived from
    /// the pattern on first use.
    checks: OnceLock<Checks>,
}

/// A regex compiled on first use; its syntax is validated up front.
#[derive(Debug)]
struct LazyRegex {
    pattern: String,
    /// Whether its longest match is wanted (the pattern of an `exact_keywords` rule):
    /// it costs a second parse, so other regexes skip it.
    measure: bool,
    cell: OnceLock<Option<Compiled>>,
}

/// A compiled pattern: the regex, the index of its secret group, and the longest
/// match it can produce (`None`: unbounded, or not measured).
#[derive(Debug)]
struct Compiled {
    re: Regex,
    secret_group: Option<usize>,
    /// The group holding the assigned name (`exclude_key_words`).
    key_group: Option<usize>,
    max_len: Option<usize>,
}

impl LazyRegex {
    fn build(pattern: &str) -> std::result::Result<Regex, regex::Error> {
        RegexBuilder::new(pattern)
            .unicode(false)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
    }

    /// The compiled regex, the index of its secret group and its longest match.
    fn get(&self) -> Option<&Compiled> {
        self.cell
            .get_or_init(|| {
                let re = Self::build(&self.pattern).ok()?;
                let secret_group = re
                    .capture_names()
                    .position(|n| n == Some("secret"))
                    .or(if re.captures_len() > 1 { Some(1) } else { None });
                let key_group = re.capture_names().position(|n| n == Some("key"));
                let max_len = self
                    .measure
                    .then(|| {
                        regex_syntax::ParserBuilder::new()
                            .unicode(false)
                            .utf8(false)
                            .build()
                            .parse(&self.pattern)
                            .ok()
                    })
                    .flatten()
                    .and_then(|hir| hir.properties().maximum_len());
                Some(Compiled {
                    re,
                    secret_group,
                    key_group,
                    max_len,
                })
            })
            .as_ref()
    }
}

impl CompiledRule {
    /// Compiles every part of the rule now, regex included (used by validation).
    pub fn compile_eager(spec: &RuleSpec, file: &str) -> Result<Self> {
        let r = Self::compile(spec, file)?;
        for (field, lazy) in [("pattern", &r.regex), ("requires", &r.requires)] {
            if let Some(lazy) = lazy {
                LazyRegex::build(&lazy.pattern).map_err(|e| Error::Rule {
                    rule: spec.id.clone(),
                    file: file.to_string(),
                    message: format!("{field} does not compile: {e}"),
                })?;
            }
        }
        if let Some(lazy) = &r.regex {
            lazy.get();
        }
        Ok(r)
    }

    /// Prepares one rule: syntax and globs are checked now, the regex is compiled on
    /// first use.
    pub fn compile(spec: &RuleSpec, file: &str) -> Result<Self> {
        Self::prepare(spec, file, true)
    }

    /// Like [`compile`](Self::compile) but trusts the pattern's syntax (built-in rules,
    /// verified by the test suite), so start-up does not parse hundreds of regexes.
    pub fn compile_trusted(spec: &RuleSpec, file: &str) -> Result<Self> {
        Self::prepare(spec, file, false)
    }

    fn prepare(spec: &RuleSpec, file: &str, validate: bool) -> Result<Self> {
        let err = |message: String| Error::Rule {
            rule: spec.id.clone(),
            file: file.to_string(),
            message,
        };
        // A regex field: syntax checked now (unless trusted), compiled on first use.
        let lazy = |field: &str, p: &Option<String>| -> Result<Option<LazyRegex>> {
            let Some(p) = p else { return Ok(None) };
            if validate {
                regex_syntax::ParserBuilder::new()
                    .unicode(false)
                    .utf8(false)
                    .build()
                    .parse(p)
                    .map_err(|e| err(format!("{field} does not compile: {e}")))?;
            }
            Ok(Some(LazyRegex {
                pattern: p.clone(),
                measure: field == "pattern" && spec.exact_keywords,
                cell: OnceLock::new(),
            }))
        };
        let regex = lazy("pattern", &spec.pattern)?;
        let requires = lazy("requires", &spec.requires)?;
        if requires.is_some() && regex.is_none() {
            return Err(err("requires needs a pattern".to_string()));
        }
        if regex.is_some() && spec.keywords.is_empty() {
            return Err(err(
                "a rule with a pattern needs at least one keyword".to_string()
            ));
        }
        if !spec.exclude_key_words.is_empty()
            && !spec
                .pattern
                .as_deref()
                .is_some_and(|p| p.contains("(?P<key>") || p.contains("(?<key>"))
        {
            return Err(err(
                "exclude_key_words needs a (?P<key>...) group in the pattern".to_string(),
            ));
        }
        if regex.is_none() && spec.paths.is_empty() {
            return Err(err("a rule needs a pattern or paths".to_string()));
        }
        if spec.keywords.iter().any(|k| k.is_empty()) {
            return Err(err("empty keyword".to_string()));
        }
        let mut globs = Vec::with_capacity(spec.paths.len());
        for g in &spec.paths {
            // Case-insensitive matching as lower-cased glob against lower-cased path:
            // globset keeps its fast literal, extension and file-name strategies for
            // case-sensitive globs only (a regex set instead costs ~10 ms to build with
            // the built-in rules, and more per path).
            let glob = GlobBuilder::new(&g.to_lowercase())
                .literal_separator(true)
                .build()
                .map_err(|e| err(format!("bad path glob {g:?}: {e}")))?;
            globs.push((glob, g.contains('/')));
        }
        Ok(CompiledRule {
            spec: spec.clone(),
            file: file.to_string(),
            regex,
            requires,
            globs,
            glob_sets: OnceLock::new(),
            exclude: if spec.exclude_context.is_empty() {
                None
            } else {
                Some(
                    // Searched only around a confirmed match: a contiguous NFA builds
                    // several times faster than the DFA the builder would pick.
                    AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                        .build(&spec.exclude_context)
                        .map_err(|e| err(format!("exclude_context: {e}")))?,
                )
            },
            window: spec.window.unwrap_or(DEFAULT_WINDOW),
            checks: OnceLock::new(),
        })
    }

    /// Whether `window` may hold a match, as far as the secret's run of token bytes
    /// and the literals every match holds tell (see `hitcheck.rs`); checked before the
    /// regex is compiled or run.
    fn window_may_match(&self, window: &[u8]) -> bool {
        let c = self.checks();
        c.run.as_ref().is_none_or(|c| c.found(window))
            && c.literals.as_ref().is_none_or(|c| c.found(window))
    }

    /// The rule's cheap tests, derived on first use (none without a pattern).
    fn checks(&self) -> &Checks {
        self.checks
            .get_or_init(|| match self.spec.pattern.as_deref() {
                Some(p) => Checks::new(p, &self.spec.keywords, self.spec.exact_keywords),
                None => Checks::default(),
            })
    }

    /// Whether a hit of one of its keywords at `start` may begin a match (see
    /// `hitcheck.rs`; only `exact_keywords` rules have a test, the others always pass).
    fn hit_passes(&self, data: &[u8], start: usize) -> bool {
        self.checks()
            .hit
            .as_ref()
            .is_none_or(|c| c.passes(data, start))
    }

    /// True when this rule applies to a blob at `path` (rules without globs apply everywhere).
    pub fn applies_to(&self, path: Option<&str>) -> bool {
        if self.globs.is_empty() {
            return true;
        }
        let Some(p) = path else { return false };
        let (by_name, by_path) = self.glob_sets.get_or_init(|| {
            let (mut n, mut w) = (GlobSetBuilder::new(), GlobSetBuilder::new());
            for (g, whole) in &self.globs {
                if *whole {
                    w.add(g.clone());
                } else {
                    n.add(g.clone());
                }
            }
            (
                n.build().unwrap_or_else(|_| GlobSet::empty()),
                w.build().unwrap_or_else(|_| GlobSet::empty()),
            )
        });
        let p = glob_path(p);
        let (name, p) = split_path(&p);
        by_name.is_match(name) || by_path.is_match(p)
    }

    /// For `exact_keywords` rules every match holds its keyword as written, so no
    /// match reaches further from a hit than the pattern's longest match: that length,
    /// when the pattern is bounded and it is within the rule's window (`AKIA` + 16
    /// characters needs 22 bytes on each side, not 256). Such a window already holds
    /// every match that holds its hit, so its start need not move back to a token edge.
    fn exact_window(&self) -> Option<usize> {
        if !self.spec.exact_keywords {
            return None;
        }
        let max_len = self.regex.as_ref().and_then(|l| l.get())?.max_len?;
        (max_len <= self.window).then_some(max_len)
    }

    /// True when the rule is restricted to some paths.
    pub fn is_path_scoped(&self) -> bool {
        !self.globs.is_empty()
    }

    /// True for rules that match by path alone (no pattern).
    pub fn is_path_only(&self) -> bool {
        self.regex.is_none()
    }

    /// True when an `exclude_context` literal occurs near the match `[start, end)`.
    pub fn context_excluded(&self, data: &[u8], start: usize, end: usize) -> bool {
        let Some(finder) = &self.exclude else {
            return false;
        };
        let w = self.spec.context_window.unwrap_or(400);
        let lo = start.saturating_sub(w);
        let hi = (end + w).min(data.len());
        finder.is_match(&data[lo..hi])
    }

    /// Runs the rule's post-regex checks on a candidate secret.
    pub fn accepts(&self, secret: &[u8]) -> bool {
        let s = &self.spec;
        if secret.is_empty() {
            return false;
        }
        if let Some(min) = s.min_entropy {
            if checks::shannon_entropy(secret) < min {
                return false;
            }
        }
        match s.checksum {
            Some(Checksum::Crc32Base62) if !checks::crc32_base62_ok(secret) => return false,
            Some(Checksum::Jwt) if checks::decode_jwt(secret).is_none() => return false,
            _ => {}
        }
        if !s.jwt_claims.is_empty() && !checks::jwt_claims_ok(secret, &s.jwt_claims) {
            return false;
        }
        if s.checksum == Some(Checksum::Jwt) && checks::is_public_jwt(secret) {
            return false;
        }
        if s.kind == RuleKind::Secret && checks::is_placeholder(secret) {
            return false;
        }
        if s.generic && !checks::generic_value_ok(secret) {
            return false;
        }
        true
    }
}

/// The path as globs see it: lower case, without a leading `./`.
fn glob_path(p: &str) -> std::borrow::Cow<'_, str> {
    let p = p.trim_start_matches("./");
    let upper = if p.is_ascii() {
        p.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        p.chars().any(|c| c.is_uppercase())
    };
    if upper {
        std::borrow::Cow::Owned(p.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(p)
    }
}

/// (file name, whole path) of a path prepared by [`glob_path`].
fn split_path(p: &str) -> (&str, &str) {
    (p.rsplit('/').next().unwrap_or(p), p)
}

/// A confirmed match: byte spans into the scanned blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMatch {
    /// Index of the rule in [`Matcher::rules`].
    pub rule: usize,
    /// Start of the whole regex match.
    pub start: usize,
    /// End of the whole regex match.
    pub end: usize,
    /// Start of the secret.
    pub secret_start: usize,
    /// End of the secret.
    pub secret_end: usize,
}

/// The path-scoped rules whose globs match the last path seen.
#[derive(Debug, Default)]
struct GlobCache {
    /// The matcher (by address) and path `hits` was computed for, if any: a blob's
    /// globs are matched once for its keyword hits and its path-only rules together.
    key: Option<(usize, String)>,
    hits: Vec<usize>,
    scratch: Vec<usize>,
}

/// Reusable per-thread buffers for [`Matcher::scan`].
#[derive(Debug, Default)]
pub struct Scratch {
    open: Vec<Option<(usize, usize)>>,
    touched: Vec<usize>,
    windows: Vec<(usize, usize, usize)>,
    applies: Vec<bool>,
    glob: GlobCache,
    gate_groups: Vec<u64>,
}

/// All rules compiled into one automaton plus per-rule regexes. `Send + Sync`: build
/// once, share across threads.
#[derive(Debug)]
pub struct Matcher {
    rules: Vec<CompiledRule>,
    /// The keyword search, built on first use (a run with no input pays nothing).
    search: OnceLock<Option<KeywordSearch>>,
    keywords: Vec<String>,
    keyword_rules: Vec<Vec<usize>>,
    path_scoped: Vec<usize>,
    /// Every rule's name globs and whole-path globs in two sets, glob index → rule.
    /// Globs matched against a blob's file name, and against its whole path.
    name_globs: Globs,
    path_globs: Globs,
}

/// The keyword search built from every rule's keywords.
#[derive(Debug)]
enum KeywordSearch {
    /// Every keyword has at least [`gate::MIN_KEYWORD`] bytes (the built-in rules).
    Gate(Gate),
    /// Some keyword is shorter: the automaton scans everything.
    Automaton(AhoCorasick),
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Matcher>();
};

impl Matcher {
    /// Compiles every rule of `set`. Fails on the first invalid rule or duplicate id.
    pub fn new(set: &RuleSet) -> Result<Self> {
        let mut rules = Vec::with_capacity(set.len());
        let mut ids: HashMap<&str, &str> = HashMap::new();
        for r in set.rules() {
            if let Some(prev) = ids.insert(&r.spec.id, &r.file) {
                return Err(Error::Rule {
                    rule: r.spec.id.clone(),
                    file: r.file.clone(),
                    message: format!("duplicate rule id (also in {prev})"),
                });
            }
            rules.push(if r.builtin {
                CompiledRule::compile_trusted(&r.spec, &r.file)?
            } else {
                CompiledRule::compile(&r.spec, &r.file)?
            });
        }
        Self::from_compiled(rules)
    }

    /// Builds the matcher from compiled rules.
    pub fn from_compiled(rules: Vec<CompiledRule>) -> Result<Self> {
        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut path_scoped = Vec::new();
        // Each distinct glob once (the built-in rules share many), with its rules.
        let (mut name_globs, mut path_globs): (Vec<(globset::Glob, Vec<usize>)>, Vec<_>) =
            (Vec::new(), Vec::new());
        let mut distinct: HashMap<(String, bool), usize> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            if r.is_path_scoped() {
                path_scoped.push(i);
                for (g, whole) in &r.globs {
                    let list = if *whole {
                        &mut path_globs
                    } else {
                        &mut name_globs
                    };
                    let k = *distinct
                        .entry((g.glob().to_string(), *whole))
                        .or_insert_with(|| {
                            list.push((g.clone(), Vec::new()));
                            list.len() - 1
                        });
                    if !list[k].1.contains(&i) {
                        list[k].1.push(i);
                    }
                }
            }
        }
        for (i, r) in rules.iter().enumerate() {
            if r.is_path_only() {
                continue;
            }
            for k in &r.spec.keywords {
                let k = k.to_ascii_lowercase();
                let idx = *keyword_index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if !keyword_rules[idx].contains(&i) {
                    keyword_rules[idx].push(i);
                }
            }
        }
        // Fail early on keyword sets the automaton cannot hold.
        if keywords.iter().any(|k| k.len() > 1024) {
            return Err(Error::Rule {
                rule: "*".into(),
                file: "*".into(),
                message: "a keyword is longer than 1024 bytes".into(),
            });
        }
        let glob_err = |e: String| Error::Rule {
            rule: "*".into(),
            file: "*".into(),
            message: format!("path globs: {e}"),
        };
        Ok(Matcher {
            rules,
            search: OnceLock::new(),
            keywords,
            keyword_rules,
            path_scoped,
            name_globs: Globs::new(name_globs).map_err(glob_err)?,
            path_globs: Globs::new(path_globs).map_err(glob_err)?,
        })
    }

    /// The keyword search: the fingerprint gate (see [`gate`]), or, when a keyword is
    /// too short for it (user rules), the automaton over everything, as a DFA (about 3x
    /// the throughput of the NFA kinds on hundreds of case-insensitive keywords).
    fn keyword_search(&self) -> Option<&KeywordSearch> {
        self.search
            .get_or_init(|| {
                if self.keywords.is_empty() {
                    return None;
                }
                if let Some(g) = Gate::new(&self.keywords) {
                    return Some(KeywordSearch::Gate(g));
                }
                let build = |kind| {
                    AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::Standard)
                        .kind(kind)
                        .build(&self.keywords)
                        .ok()
                };
                build(Some(aho_corasick::AhoCorasickKind::DFA))
                    .or_else(|| build(None))
                    .map(KeywordSearch::Automaton)
            })
            .as_ref()
    }

    /// Calls `f(keyword, start, end)` for every keyword occurrence in `data`, overlapping
    /// ones included, in no strict order.
    fn keyword_hits(
        &self,
        data: &[u8],
        groups: &mut Vec<u64>,
        mut f: impl FnMut(usize, usize, usize),
    ) {
        match self.keyword_search() {
            Some(KeywordSearch::Gate(g)) => g.find(data, groups, f),
            Some(KeywordSearch::Automaton(ac)) => {
                for hit in ac.find_overlapping_iter(data) {
                    f(hit.pattern().as_usize(), hit.start(), hit.end());
                }
            }
            None => {}
        }
    }

    /// Number of keyword occurrences in `data` (benchmarks and tests of the keyword
    /// search alone).
    #[doc(hidden)]
    pub fn keyword_hit_count(&self, data: &[u8]) -> usize {
        let mut n = 0;
        self.keyword_hits(data, &mut Vec::new(), |_, _, _| n += 1);
        n
    }

    /// The compiled rules, indexed by [`RawMatch::rule`].
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// Indexes of path-only rules that apply to `path`.
    pub fn path_only_rules<'a>(
        &'a self,
        path: Option<&'a str>,
    ) -> impl Iterator<Item = usize> + 'a {
        let mut hits = Vec::new();
        if let Some(p) = path {
            self.path_only_rules_into(p, &mut Scratch::default(), &mut hits);
        }
        hits.into_iter()
    }

    /// Appends to `out` the path-only rules that apply to `path`, like
    /// [`Matcher::path_only_rules`], reusing the globs matched for `path` by the last
    /// [`Matcher::scan`] with `scratch`.
    pub fn path_only_rules_into(&self, path: &str, scratch: &mut Scratch, out: &mut Vec<usize>) {
        self.cached_glob_rules(path, &mut scratch.glob);
        out.extend(
            scratch
                .glob
                .hits
                .iter()
                .copied()
                .filter(|&i| self.rules[i].is_path_only()),
        );
        out.sort_unstable();
        out.dedup();
    }

    /// Sets `hits` to the path-scoped rules whose globs match `path`, unless `key` says
    /// they already are.
    fn cached_glob_rules(&self, path: &str, cache: &mut GlobCache) {
        let me = self as *const Matcher as usize;
        if matches!(&cache.key, Some((m, k)) if *m == me && k == path) {
            return;
        }
        cache.hits.clear();
        self.glob_rules(path, &mut cache.scratch, &mut cache.hits);
        match &mut cache.key {
            Some((m, k)) => {
                *m = me;
                k.clear();
                k.push_str(path);
            }
            None => cache.key = Some((me, path.to_string())),
        }
    }

    /// Appends the indexes of path-scoped rules whose globs match `path`.
    fn glob_rules(&self, path: &str, scratch: &mut Vec<usize>, out: &mut Vec<usize>) {
        let path = glob_path(path);
        let (name, p) = split_path(&path);
        self.name_globs.matches_into(name, scratch, out);
        self.path_globs.matches_into(p, scratch, out);
    }

    /// Finds every confirmed match in `data`. `path` (the blob's innermost path) scopes
    /// path-restricted rules. Matches are appended to `out` in no particular order.
    pub fn scan(
        &self,
        path: Option<&str>,
        data: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<RawMatch>,
    ) {
        if self.keywords.is_empty() {
            return;
        }
        let n = self.rules.len();
        if scratch.open.len() != n {
            scratch.open = vec![None; n];
            scratch.applies = vec![true; n];
        }
        for &i in &self.path_scoped {
            scratch.applies[i] = false;
        }
        scratch.touched.clear();
        scratch.windows.clear();
        let len = data.len();
        let (rules, keyword_rules) = (&self.rules, &self.keyword_rules);
        let (open, touched, windows, applies, glob, groups) = (
            &mut scratch.open,
            &mut scratch.touched,
            &mut scratch.windows,
            &mut scratch.applies,
            &mut scratch.glob,
            &mut scratch.gate_groups,
        );
        // Path globs are matched only once a path-scoped rule's keyword hits: most
        // blobs never need them.
        let mut globs_done = path.is_none();
        self.keyword_hits(data, groups, |kw, start, end| {
            for &r in &keyword_rules[kw] {
                let spec = &rules[r].spec;
                if spec.exact_keywords
                    && (!spec
                        .keywords
                        .iter()
                        .any(|k| k.as_bytes() == &data[start..end])
                        || !rules[r].hit_passes(data, start))
                {
                    continue;
                }
                if !applies[r] {
                    if globs_done || !rules[r].is_path_scoped() {
                        continue;
                    }
                    globs_done = true;
                    if let Some(p) = path {
                        self.cached_glob_rules(p, glob);
                        for &i in glob.hits.iter() {
                            applies[i] = true;
                        }
                    }
                    if !applies[r] {
                        continue;
                    }
                }
                let w = rules[r].exact_window().unwrap_or(rules[r].window);
                let s = start.saturating_sub(w);
                let e = (end + w).min(len);
                match &mut open[r] {
                    Some((os, oe)) if s <= *oe && e >= *os => {
                        *os = (*os).min(s);
                        *oe = (*oe).max(e);
                    }
                    slot => {
                        if let Some((os, oe)) = slot.take() {
                            windows.push((r, os, oe));
                        } else {
                            touched.push(r);
                        }
                        *slot = Some((s, e));
                    }
                }
            }
        });
        for &r in &scratch.touched {
            if let Some((s, e)) = scratch.open[r].take() {
                scratch.windows.push((r, s, e));
            }
        }
        // Hits come nearly in order; merge whatever windows of one rule still overlap
        // so that no region is searched twice by the same rule.
        scratch.windows.sort_unstable();
        scratch.windows.dedup_by(|next, prev| {
            if next.0 == prev.0 && next.1 <= prev.2 {
                prev.2 = prev.2.max(next.2);
                true
            } else {
                false
            }
        });
        for &(r, s, e) in &scratch.windows {
            let rule = &self.rules[r];
            // The window extended to token edges: every match lies in it.
            let (wide_s, e) = (extend_back(data, s), extend_forward(data, e));
            if rule.regex.is_some() && !rule.window_may_match(&data[wide_s..e]) {
                continue;
            }
            let Some(lazy) = rule.regex.as_ref() else {
                continue;
            };
            // An exact window already holds every match of its hits (see `exact_window`).
            let s = if rule.exact_window().is_some() {
                s
            } else {
                wide_s
            };
            // Compiled on first use here: a rule with `requires` whose windows hold no
            // match of it never compiles its (often large) pattern.
            let mut locs = None;
            // Matches in `s..e`, searched with the bytes before `s` as context, so that
            // `^` and boundaries at the window's start mean what they say.
            let mut confirm = |s: usize, e: usize| {
                let Some(Compiled {
                    re,
                    secret_group,
                    key_group,
                    ..
                }) = lazy.get()
                else {
                    return;
                };
                let locs = locs.get_or_insert_with(|| re.capture_locations());
                let hay = &data[..e];
                let mut at = s;
                while at <= e {
                    let Some(m) = re.captures_read_at(locs, hay, at) else {
                        break;
                    };
                    let spec = &rule.spec;
                    if !spec.exclude_key_words.is_empty() {
                        if let Some((ks, ke)) = key_group.and_then(|g| locs.get(g)) {
                            if !checks::key_words_ok(
                                &data[ks..ke],
                                &spec.keywords,
                                &spec.exclude_key_words,
                            ) {
                                // Not this name; a match may still start further on.
                                at = m.start() + 1;
                                continue;
                            }
                        }
                    }
                    let (ss, se) = secret_group
                        .and_then(|g| locs.get(g))
                        .unwrap_or((m.start(), m.end()));
                    // Go on from the secret's end, not the match's: the byte that ends
                    // one token may be the guard that starts the next (`K1 K2`).
                    at = se.max(m.start() + 1);
                    if rule.accepts(&data[ss..se])
                        && !rule.context_excluded(data, m.start(), m.end())
                    {
                        out.push(RawMatch {
                            rule: r,
                            start: m.start(),
                            end: m.end(),
                            secret_start: ss,
                            secret_end: se,
                        });
                    }
                }
            };
            let Some(Compiled { re: req, .. }) = rule.requires.as_ref().and_then(|l| l.get())
            else {
                confirm(s, e);
                continue;
            };
            // Every match of the pattern contains a match of `requires`, and lies within
            // the rule's window of it (as of its keyword): search only there. In
            // keyword-dense code the merged keyword window is most of the file, while
            // the assignments `requires` looks for are few.
            let w = rule.window;
            let mut open: Option<(usize, usize)> = None;
            for m in req.find_iter(&data[s..e]) {
                let ws = extend_back(data, (s + m.start()).saturating_sub(w).max(s));
                let we = extend_forward(data, (s + m.end() + w).min(e));
                match &mut open {
                    Some((_, oe)) if ws <= *oe => *oe = (*oe).max(we),
                    slot => {
                        if let Some((os, oe)) = slot.replace((ws, we)) {
                            confirm(os, oe);
                        }
                    }
                }
            }
            if let Some((os, oe)) = open {
                confirm(os, oe);
            }
        }
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.')
}

/// Moves a window start back so that it does not split a token.
fn extend_back(data: &[u8], mut s: usize) -> usize {
    let limit = s.saturating_sub(TOKEN_EXTEND);
    while s > limit && is_token_byte(data[s - 1]) {
        s -= 1;
    }
    s
}

/// Moves a window end forward so that it does not split a token.
fn extend_forward(data: &[u8], mut e: usize) -> usize {
    let limit = (e + TOKEN_EXTEND).min(data.len());
    while e < limit && is_token_byte(data[e]) {
        e += 1;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, kw: &str, pat: &str) -> RuleSpec {
        toml::from_str(&format!(
            "id = {id:?}\nname = \"t\"\nkeywords = [{kw:?}]\npattern = '''{pat}'''\nseverity = \"high\"\n"
        ))
        .unwrap()
    }

    #[test]
    fn finds_only_around_keywords() {
        let mut set = RuleSet::new();
        set.push(
            rule("t-key", "tkn_", r"\b(?P<secret>tkn_[A-Za-z0-9]{20})\b"),
            "t",
        );
        let m = Matcher::new(&set).unwrap();
        let mut out = Vec::new();
        let data = b"x = 'tkn_Ab3dE5gH7jK9mN1pQ3sT' and TKN_Ab3dE5gH7jK9mN1pQ3sU";
        m.scan(None, data, &mut Scratch::default(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            &data[out[0].secret_start..out[0].secret_end],
            b"tkn_Ab3dE5gH7jK9mN1pQ3sT"
        );
    }

    #[test]
    fn many_hits_on_one_long_line_stay_linear() {
        let mut set = RuleSet::new();
        set.push(
            rule("t-key", "tkn_", r"\b(?P<secret>tkn_[A-Za-z0-9]{20})\b"),
            "t",
        );
        let m = Matcher::new(&set).unwrap();
        let mut data = b"tkn_ ".repeat(400_000);
        data.extend_from_slice(b"tkn_Zb3dE5gH7jK9mN1pQ3sT");
        let mut out = Vec::new();
        m.scan(None, &data, &mut Scratch::default(), &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn exact_windows_shrink_and_see_the_bytes_before_them() {
        let mut spec = rule(
            "t-key",
            "tkn_",
            r"(?:^|[^A-Za-z0-9])(?P<secret>(?i:tkn_)[A-Za-z0-9]{8})(?:[^A-Za-z0-9]|$)",
        );
        spec.exact_keywords = true;
        let mut set = RuleSet::new();
        set.push(spec, "t");
        let m = Matcher::new(&set).unwrap();
        // Longest match: a guard byte, 12 token bytes, a guard byte.
        assert_eq!(m.rules()[0].exact_window(), Some(14));
        // The hit on `tkn_` at 15 opens its window at 1, on `TKN_`, which follows an
        // `x`: searched without the byte before it, `^` would match there.
        let data = b"xTKN_AAAAbbbb  tkn_CCCCdddd ";
        let mut out = Vec::new();
        m.scan(None, data, &mut Scratch::default(), &mut out);
        let found: Vec<&[u8]> = out
            .iter()
            .map(|x| &data[x.secret_start..x.secret_end])
            .collect();
        assert_eq!(found, vec![&b"tkn_CCCCdddd"[..]]);
        // Tokens one space apart: the space ends the first match and starts the next.
        let data = b"tkn_EEEEffff tkn_GGGGhhhh\ttkn_IIIIjjjj";
        out.clear();
        m.scan(None, data, &mut Scratch::default(), &mut out);
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn duplicate_ids_rejected() {
        let mut set = RuleSet::new();
        set.push(rule("dup", "a", "a"), "x");
        set.push(rule("dup", "b", "b"), "y");
        assert!(Matcher::new(&set).is_err());
    }
}
