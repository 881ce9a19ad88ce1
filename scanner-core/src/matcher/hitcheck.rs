//! A cheap test of a keyword hit before any regex runs, for the common shape of
//! token rules: `GUARD(?P<secret>LITERAL CLASS{m,n}…)`, e.g.
//! `(?:^|[^A-Za-z0-9/+])(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})…`.
//!
//! Most hits of such keywords are not tokens: `EAAA`, `AQE`, `ABIA` inside base64
//! images and fonts, `re_` at the end of `store_`. Each opened a window, and the
//! rule's regex was compiled (0.1-0.7 ms each, on first use) and run (0.1-0.3 µs per
//! window) only to find nothing. Two byte tests reject nearly all of them: the byte
//! before the literal must be one the guard accepts, and the literal must be followed
//! by at least `m` bytes of the class.
//!
//! The test is derived from the pattern's syntax tree, and only when it is sound: the
//! rule has `exact_keywords` (every hit is its keyword as written), the secret group
//! sits directly in the pattern's top-level sequence and starts with literals that
//! each start with one of the keywords. A real match's secret then starts with a hit
//! of a keyword, that hit passes, and its window holds the match; other hits of the
//! same match may fail and change nothing. Any other shape gets no test.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);

    fn insert(&mut self, b: u8) {
        self.0[(b >> 6) as usize] |= 1 << (b & 63);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[(b >> 6) as usize] >> (b & 63) & 1 != 0
    }

    fn union(mut self, o: ByteSet) -> ByteSet {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a |= b;
        }
        self
    }

    fn from_class(c: &Class) -> ByteSet {
        let mut s = ByteSet::EMPTY;
        match c {
            Class::Bytes(b) => {
                for r in b.iter() {
                    for x in r.start()..=r.end() {
                        s.insert(x);
                    }
                }
            }
            Class::Unicode(u) => {
                for r in u.iter() {
                    // Only the ASCII part is a single byte; any non-ASCII character
                    // starts with a byte of 0xC2 or more, so all of those are allowed.
                    let (lo, hi) = (r.start() as u32, r.end() as u32);
                    for x in lo.min(0x80)..=hi.min(0x7F) {
                        s.insert(x as u8);
                    }
                    if hi >= 0x80 {
                        for x in 0x80..=0xFFu8 {
                            s.insert(x);
                        }
                    }
                }
            }
        }
        s
    }

    fn word() -> ByteSet {
        let mut s = ByteSet::EMPTY;
        for b in 0..=255u8 {
            if b.is_ascii_alphanumeric() || b == b'_' {
                s.insert(b);
            }
        }
        s
    }

    fn complement(mut self) -> ByteSet {
        for a in self.0.iter_mut() {
            *a = !*a;
        }
        self
    }
}

/// The test of one rule's keyword hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HitCheck {
    /// Bytes the guard accepts just before the secret (`None`: no test). A hit at the
    /// start of the blob always passes.
    before: Option<ByteSet>,
    /// The literals the secret starts with.
    literals: Vec<Vec<u8>>,
    /// The class and least count of the repetition right after the literal.
    run: Option<(ByteSet, usize)>,
}

/// The tests of one rule, from one parse of its pattern.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checks {
    /// The hit test (`exact_keywords` rules only).
    pub(crate) hit: Option<HitCheck>,
    /// The window tests.
    pub(crate) run: Option<RunCheck>,
    pub(crate) literals: Option<LiteralCheck>,
}

impl Checks {
    /// The tests for `pattern`, whose keywords are `keywords`; `exact` when they match
    /// exactly as written (`exact_keywords`), else there is no hit test.
    pub(crate) fn new(pattern: &str, keywords: &[String], exact: bool) -> Checks {
        let Some(hir) = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .ok()
        else {
            return Checks::default();
        };
        let literals = LiteralCheck::from_tree(&hir, keywords);
        let Some(at) = secret_in_sequence(&hir) else {
            return Checks {
                literals,
                ..Checks::default()
            };
        };
        let items = sequence(&hir);
        Checks {
            hit: exact
                .then(|| HitCheck::from_tree(items, at, keywords))
                .flatten(),
            run: RunCheck::from_tree(items, at),
            literals,
        }
    }
}

/// Literals every match holds, other than the rule's keywords: `sv=` and `&sig=` of
/// a SAS token, `access-control-allow-origin` of a rule keyed on
/// `access-control-allow-credentials`, `'errorhandler'` in quotes of a rule keyed on
/// the bare word. A window without one of them is not searched, and a rule none of
/// whose windows has them all is never compiled: the context rules with the largest
/// regexes (1-2 ms to compile each) mostly hit on words of ordinary code.
///
/// Derived from the pattern's syntax tree: runs of literal bytes (ASCII letters that
/// match in either case count, and are then looked for in either case) in sequences
/// every match goes through: the top level, groups, and repetitions of at least one.
/// Alternations and optional parts contribute nothing.
#[derive(Debug, Clone)]
pub(crate) struct LiteralCheck {
    /// Up to [`MAX_LITERALS`] literals, longest first, each with its searcher.
    needles: Vec<Needle>,
}

#[derive(Debug, Clone)]
enum Needle {
    Exact(Box<memchr::memmem::Finder<'static>>),
    /// Lower-cased; matched in either case.
    Folded(Folded),
}

/// Shortest literal worth a search, and most literals searched per window.
const MIN_LITERAL: usize = 3;
const MAX_LITERALS: usize = 3;

impl LiteralCheck {
    fn from_tree(hir: &Hir, keywords: &[String]) -> Option<LiteralCheck> {
        let mut runs = Vec::new();
        required_runs(hir, &mut runs);
        let mut runs: Vec<(Vec<u8>, bool)> = runs
            .into_iter()
            .filter(|(l, _)| {
                l.len() >= MIN_LITERAL
                    && !keywords
                        .iter()
                        .any(|k| k.as_bytes().eq_ignore_ascii_case(l))
            })
            .collect();
        runs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
        runs.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
        let needles: Vec<Needle> = runs
            .into_iter()
            .take(MAX_LITERALS)
            .map(|(l, folded)| {
                if folded {
                    Needle::Folded(Folded::new(&l))
                } else {
                    Needle::Exact(Box::new(memchr::memmem::Finder::new(&l).into_owned()))
                }
            })
            .collect();
        (!needles.is_empty()).then_some(LiteralCheck { needles })
    }

    /// Whether `d` holds every literal.
    pub(crate) fn found(&self, d: &[u8]) -> bool {
        self.needles.iter().all(|n| match n {
            Needle::Exact(f) => f.find(d).is_some(),
            Needle::Folded(a) => a.found(d),
        })
    }

    #[cfg(test)]
    fn count(&self) -> usize {
        self.needles.len()
    }
}

/// A literal matched in either case: `memchr2` finds its rarest letter in both
/// cases and each place is compared in full. An `aho-corasick` searcher for one
/// case-insensitive literal fell back to a common byte and took five times the
/// instructions on the README's JavaScript corpus.
#[derive(Debug, Clone)]
pub(crate) struct Folded {
    /// The literal in lower case.
    lit: Vec<u8>,
    /// Offset of the byte searched for, and that byte in both cases.
    at: usize,
    pair: (u8, u8),
}

impl Folded {
    fn new(lit: &[u8]) -> Folded {
        let lit = lit.to_ascii_lowercase();
        // Letters and digits by how common they are in code (most common first);
        // anything else (punctuation) counts as rarer than all of them.
        const COMMON: &[u8] = b"etaoinsrlcdhupmfgbywvk0x1j2q3z456789";
        let rank = |b: u8| COMMON.iter().position(|&c| c == b).unwrap_or(COMMON.len());
        let at = (0..lit.len())
            .max_by_key(|&i| (rank(lit[i]), i))
            .unwrap_or(0);
        let b = lit.get(at).copied().unwrap_or(0);
        Folded {
            at,
            pair: (b, b.to_ascii_uppercase()),
            lit,
        }
    }

    fn found(&self, d: &[u8]) -> bool {
        let (n, at) = (self.lit.len(), self.at);
        if d.len() < n {
            return false;
        }
        // The searched byte of a match lies in `at..len - (n - at) + 1`.
        memchr::memchr2_iter(self.pair.0, self.pair.1, &d[at..d.len() - (n - at) + 1])
            .any(|i| d[i..i + n].eq_ignore_ascii_case(&self.lit))
    }
}

/// One byte of a literal run: the byte, and whether it matches in either case.
fn literal_byte(h: &Hir) -> Option<(u8, bool)> {
    let HirKind::Class(c) = h.kind() else {
        return None;
    };
    let set = ByteSet::from_class(c);
    let members: Vec<u8> = (0..=255u8).filter(|&b| set.contains(b)).collect();
    match members[..] {
        [b] => Some((b, false)),
        [a, b] if a.is_ascii_uppercase() && b == a.to_ascii_lowercase() => Some((b, true)),
        _ => None,
    }
}

/// Appends the literal runs every match of `h` holds: (bytes, matched in either case).
fn required_runs(h: &Hir, out: &mut Vec<(Vec<u8>, bool)>) {
    match h.kind() {
        HirKind::Literal(l) => out.push((l.0.to_vec(), false)),
        HirKind::Capture(c) => required_runs(&c.sub, out),
        HirKind::Repetition(r) if r.min > 0 => required_runs(&r.sub, out),
        HirKind::Concat(items) => {
            let mut run: (Vec<u8>, bool) = (Vec::new(), false);
            let flush = |run: &mut (Vec<u8>, bool), out: &mut Vec<(Vec<u8>, bool)>| {
                if !run.0.is_empty() {
                    out.push(std::mem::take(run));
                }
            };
            for item in items {
                match item.kind() {
                    HirKind::Literal(l) => run.0.extend_from_slice(&l.0),
                    // Zero-width: the bytes on either side are still adjacent.
                    HirKind::Look(_) => {}
                    _ => match literal_byte(item) {
                        Some((b, folded)) => {
                            run.0.push(b);
                            run.1 |= folded;
                        }
                        None => {
                            flush(&mut run, out);
                            required_runs(item, out);
                        }
                    },
                }
            }
            flush(&mut run, out);
        }
        _ => {}
    }
}

impl HitCheck {
    /// The test for `pattern`, whose keywords are `keywords` (matched exactly as
    /// written), or `None` when the pattern does not have the shape the test needs.
    #[cfg(test)]
    fn new(pattern: &str, keywords: &[String]) -> Option<HitCheck> {
        Checks::new(pattern, keywords, true).hit
    }

    /// The test from the pattern's top-level sequence `items`, whose item `at` is the
    /// secret group.
    fn from_tree(items: &[Hir], at: usize, keywords: &[String]) -> Option<HitCheck> {
        let HirKind::Capture(cap) = items[at].kind() else {
            return None;
        };
        let parts: &[Hir] = match cap.sub.kind() {
            HirKind::Concat(p) => p,
            _ => std::slice::from_ref(&*cap.sub),
        };
        let literals = literals(parts.first()?)?;
        if literals.is_empty()
            || !literals
                .iter()
                .all(|l| keywords.iter().any(|k| l.starts_with(k.as_bytes())))
        {
            return None;
        }
        let run = parts.get(1).and_then(|h| match h.kind() {
            HirKind::Repetition(r) if r.min > 0 => match r.sub.kind() {
                HirKind::Class(c) => Some((ByteSet::from_class(c), r.min as usize)),
                _ => None,
            },
            _ => None,
        });
        let before = match at {
            0 => None,
            _ => guard(&items[at - 1], &literals),
        };
        Some(HitCheck {
            before,
            literals,
            run,
        })
    }

    /// Whether a hit at `start` may begin a match.
    pub(crate) fn passes(&self, data: &[u8], start: usize) -> bool {
        if let (Some(set), Some(&b)) = (&self.before, start.checked_sub(1).map(|i| &data[i])) {
            if !set.contains(b) {
                return false;
            }
        }
        let rest = &data[start..];
        self.literals.iter().any(|l| {
            rest.starts_with(l)
                && match &self.run {
                    None => true,
                    Some((class, min)) => {
                        let after = &rest[l.len()..];
                        after.len() >= *min && after[..*min].iter().all(|&b| class.contains(b))
                    }
                }
        })
    }
}

/// A run of token bytes every match holds, derived from the pattern's secret group:
/// `[0-9a-f]{40}` needs forty hex digits in a row somewhere in the window. Windows
/// without one are not searched, and a rule none of whose windows has one is never
/// compiled. Context rules (`circle…token = <40 hex>`) hit on common words in code,
/// and their regexes are the costliest to compile; the run is rare there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunCheck {
    class: ByteSet,
    min: usize,
}

/// Shortest run worth a check: shorter ones are common in code.
const MIN_RUN_CHECK: usize = 16;

impl RunCheck {
    /// The check for `pattern`, when its secret group sits in the top-level sequence
    /// (so every match holds it) and requires a run of at least [`MIN_RUN_CHECK`]
    /// bytes of one class.
    #[cfg(test)]
    fn new(pattern: &str) -> Option<RunCheck> {
        Checks::new(pattern, &[], false).run
    }

    /// The check from the pattern's top-level sequence `items`, whose item `at` is the
    /// secret group.
    fn from_tree(items: &[Hir], at: usize) -> Option<RunCheck> {
        let (class, min) = run_needed(&items[at])?;
        (min >= MIN_RUN_CHECK).then_some(RunCheck { class, min })
    }

    /// Whether `d` holds the run: tests the last byte of each place a run could sit,
    /// so that text without one costs about one test per `min` bytes.
    pub(crate) fn found(&self, d: &[u8]) -> bool {
        let m = self.min;
        let mut i = 0;
        while i + m <= d.len() {
            let mut j = i + m;
            while j > i && self.class.contains(d[j - 1]) {
                j -= 1;
            }
            if j == i {
                return true;
            }
            // `d[j - 1]` is outside the class: no run can cover it.
            i = j;
        }
        false
    }
}

/// The items of `h` as a sequence (one item when it is not a concatenation).
fn sequence(h: &Hir) -> &[Hir] {
    match h.kind() {
        HirKind::Concat(items) => items,
        _ => std::slice::from_ref(h),
    }
}

/// The position, in the top-level sequence of `hir`, of the secret group (named
/// `secret`, else the first group), when the group sits there: then every match
/// holds it.
fn secret_in_sequence(hir: &Hir) -> Option<usize> {
    let items = sequence(hir);
    let find = |want: &dyn Fn(&regex_syntax::hir::Capture) -> bool| {
        items
            .iter()
            .position(|h| matches!(h.kind(), HirKind::Capture(c) if want(c)))
    };
    find(&|c| c.name.as_deref() == Some("secret")).or_else(|| find(&|c| c.index == 1))
}

/// A run (class, least length) every match of `h` holds, if there is one.
fn run_needed(h: &Hir) -> Option<(ByteSet, usize)> {
    match h.kind() {
        HirKind::Class(c) => Some((ByteSet::from_class(c), 1)),
        HirKind::Repetition(r) if r.min > 0 => match r.sub.kind() {
            HirKind::Class(c) => Some((ByteSet::from_class(c), r.min as usize)),
            _ => run_needed(&r.sub),
        },
        HirKind::Capture(c) => run_needed(&c.sub),
        // Any one part's run will do: the longest.
        HirKind::Concat(items) => items.iter().filter_map(run_needed).max_by_key(|r| r.1),
        // Each branch needs one: a run of the shortest length over all their classes.
        HirKind::Alternation(alts) => {
            alts.iter()
                .try_fold((ByteSet::EMPTY, usize::MAX), |acc, a| {
                    let (c, m) = run_needed(a)?;
                    Some((acc.0.union(c), acc.1.min(m)))
                })
        }
        _ => None,
    }
}

/// The literals `h` is one of, if it is a literal or an alternation of literals.
fn literals(h: &Hir) -> Option<Vec<Vec<u8>>> {
    match h.kind() {
        HirKind::Literal(l) => Some(vec![l.0.to_vec()]),
        HirKind::Alternation(alts) => alts
            .iter()
            .map(|a| match a.kind() {
                HirKind::Literal(l) => Some(l.0.to_vec()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// The bytes that `h`, the element before the secret, lets through as the byte just
/// before it (`None`: it is not a guard the test understands). Start-of-text assertions
/// add nothing (a hit at the start always passes); line starts add `\n` and `\r`.
fn guard(h: &Hir, literals: &[Vec<u8>]) -> Option<ByteSet> {
    let one = |h: &Hir| -> Option<ByteSet> {
        match h.kind() {
            HirKind::Class(c) => Some(ByteSet::from_class(c)),
            HirKind::Look(Look::Start) => Some(ByteSet::EMPTY),
            HirKind::Look(Look::StartLF | Look::StartCRLF) => {
                let mut s = ByteSet::EMPTY;
                s.insert(b'\n');
                s.insert(b'\r');
                Some(s)
            }
            HirKind::Look(Look::WordAscii) => {
                // `\b` before the secret: the byte before is of the other kind than
                // the literal's first byte, the same for every literal.
                let word = ByteSet::word();
                let firsts: Vec<bool> = literals
                    .iter()
                    .map(|l| l.first().is_some_and(|&b| word.contains(b)))
                    .collect();
                match firsts.first() {
                    Some(&w) if firsts.iter().all(|&x| x == w) => {
                        Some(if w { word.complement() } else { word })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    };
    match h.kind() {
        HirKind::Alternation(alts) => alts
            .iter()
            .try_fold(ByteSet::EMPTY, |acc, a| Some(acc.union(one(a)?))),
        _ => one(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(p: &str, kws: &[&str]) -> Option<HitCheck> {
        let kws: Vec<String> = kws.iter().map(|k| k.to_string()).collect();
        HitCheck::new(p, &kws)
    }

    fn lits(p: &str, kws: &[&str]) -> Option<LiteralCheck> {
        let kws: Vec<String> = kws.iter().map(|k| k.to_string()).collect();
        Checks::new(p, &kws, false).literals
    }

    #[test]
    fn required_literals_are_derived() {
        let sas = r#"(?:^|[?&;="'\s])sv=\d{4}-\d{2}-\d{2}(?:&[^&\s"'<>]{1,200}){0,15}?&sig=(?P<secret>[A-Za-z0-9%]{43})"#;
        let c = lits(sas, &["sig="]).unwrap();
        assert_eq!(c.count(), 2);
        assert!(c.found(b"x?sv=2020-01-01&se=1&sig=abc"));
        assert!(!c.found(b"x?sx=2020-01-01&se=1&sig=abc"), "sv= missing");
        assert!(
            !c.found(b"x?sv=2020-01-01&se=1&siG=abc"),
            "&sig= is case-sensitive"
        );
        // Letters that match in either case are looked for in either case; the
        // keyword itself is no test; alternations and optional parts add nothing.
        let c = lits(
            r#"(?i)(?:require|from)\s*['"]errorhandler['"].{0,40}app\.use\((?:foo)?"#,
            &["errorhandler"],
        )
        .unwrap();
        assert_eq!(c.count(), 1);
        assert!(c.found(b"q APP.USE( x"));
        assert!(!c.found(b"q app.us( x"));
        assert!(lits(r"(?i)(?:abcd|efgh)(?:ijkl)?x{0,3}", &[]).is_none());
        assert!(lits(r"(?i)token", &["token"]).is_none());
    }

    #[test]
    fn folded_search_agrees_with_brute_force() {
        let mut x: u32 = 0x1234_5678;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for lit in [
            &b"app.use("[..],
            b"sv=",
            b"zq",
            b"access-control-allow-origin",
            b"x",
        ] {
            let f = Folded::new(lit);
            for len in 0..40 {
                for _ in 0..200 {
                    let hay: Vec<u8> = (0..len)
                        .map(|_| {
                            let r = rnd();
                            match r % 4 {
                                0 => lit[(r >> 8) as usize % lit.len()].to_ascii_uppercase(),
                                1 => lit[(r >> 8) as usize % lit.len()],
                                _ => b"aZ.(=-"[(r >> 8) as usize % 6],
                            }
                        })
                        .collect();
                    let want = hay.windows(lit.len()).any(|w| w.eq_ignore_ascii_case(lit));
                    assert_eq!(f.found(&hay), want, "{:?} in {:?}", lit, hay);
                }
            }
        }
    }

    /// Every example match of every built-in rule holds its rule's literals.
    #[test]
    fn built_in_examples_hold_their_literals() {
        let set = crate::RuleSet::builtin().unwrap();
        let (mut with, mut matches) = (0, 0);
        for r in set.rules() {
            let Some(p) = &r.spec.pattern else { continue };
            let Some(c) = Checks::new(p, &r.spec.keywords, r.spec.exact_keywords).literals else {
                continue;
            };
            with += 1;
            let re = regex::bytes::RegexBuilder::new(p)
                .unicode(false)
                .build()
                .unwrap();
            for ex in r.spec.examples.iter().chain(&r.spec.negative_examples) {
                for m in re.find_iter(ex.as_bytes()) {
                    matches += 1;
                    assert!(c.found(m.as_bytes()), "{}: {:?}", r.spec.id, m.as_bytes());
                }
            }
        }
        assert!(
            with > 100 && matches > 300,
            "{with} rules, {matches} matches"
        );
    }

    #[test]
    fn guard_literal_and_run_are_tested() {
        let c = check(
            r"(?:^|[^A-Za-z0-9/+])(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})(?:[^A-Za-z0-9/+=]|$)",
            &["AKIA", "ASIA"],
        )
        .expect("shape understood");
        let ok = b"k='AKIAABCDEFGHIJKLMNOP'";
        assert!(c.passes(ok, 3));
        assert!(c.passes(&ok[3..], 0), "a hit at the start passes");
        // Inside base64: the byte before is a letter.
        assert!(!c.passes(b"xAKIAABCDEFGHIJKLMNOP", 1));
        // Too short a run, or a byte outside the class.
        assert!(!c.passes(b" AKIAABCDEFGHIJKLMNO", 1));
        assert!(!c.passes(b" AKIAABCDEFGHIJKLMN1P", 1));
        assert!(c.passes(b" ASIAABCDEFGHIJKLMNOP", 1));
    }

    #[test]
    fn word_boundaries_and_line_starts_are_guards() {
        let c = check(r"\b(?P<secret>ghp_[A-Za-z0-9]{36})\b", &["ghp_"]).unwrap();
        let tok = format!(" ghp_{}", "a1".repeat(18));
        assert!(c.passes(tok.as_bytes(), 1));
        assert!(!c.passes(format!("x{}", &tok[1..]).as_bytes(), 1));
        let c = check(r"(?m)(?:^|[ =])(?P<secret>tkn_[a-z]{4})", &["tkn_"]).unwrap();
        assert!(c.passes(b"a\ntkn_abcd", 2));
        assert!(c.passes(b"a=tkn_abcd", 2));
        assert!(!c.passes(b"a-tkn_abcd", 2));
    }

    #[test]
    fn runs_are_derived_and_found() {
        let c = RunCheck::new(
            r"(?i)circle[\w.]{0,40}?token\s*[:=]\s*(?P<secret>[0-9a-f]{40})(?:[^0-9a-z]|$)",
        )
        .expect("a run of 40");
        let hex = "0123456789abcdef0123456789abcdef01234567";
        assert!(c.found(format!("circle_token = '{hex}'").as_bytes()));
        assert!(c.found(hex.as_bytes()));
        assert!(!c.found(format!("circle_token = '{}'", &hex[1..]).as_bytes()));
        assert!(!c.found(format!("{}x{}", &hex[..20], &hex[20..]).as_bytes()));
        assert!(!c.found(b""));
        // Alternatives: the shorter run over both classes.
        let c = RunCheck::new(r"k=(?P<secret>[A-Za-z0-9]{52}|[0-9A-F]{32})").unwrap();
        assert_eq!(c.min, 32);
        assert!(c.found("Z".repeat(32).as_bytes()));
        // Too short a run, an optional secret, no secret: no check.
        assert!(RunCheck::new(r"(?P<secret>[a-z]{8})").is_none());
        assert!(RunCheck::new(r"(?:x|(?P<secret>[a-z]{40}))").is_none());
        assert!(RunCheck::new(r"[a-z]{40}").is_none());
        // Parts in sequence: the longest run.
        let c = RunCheck::new(r"(?P<secret>[a-z]{20}-[0-9]{30})").unwrap();
        assert_eq!(c.min, 30);
    }

    #[test]
    fn other_shapes_get_no_test() {
        // The literal does not start with a keyword.
        assert!(check(r"(?P<secret>xtkn_[a-z]{4})", &["tkn_"]).is_none());
        // Case-insensitive literal: not a literal in the tree.
        assert!(check(r"(?P<secret>(?i:tkn_)[a-z]{4})", &["tkn_"]).is_none());
        // The secret does not start with a literal.
        assert!(check(r"(?P<secret>[0-9a-f]{32}-us[0-9]{1,2})", &["-us"]).is_none());
        // The secret group is nested.
        assert!(check(r"(?:a|(?P<secret>tkn_[a-z]{4}))", &["tkn_"]).is_none());
        // No guard before it: the literal and the run are still tested.
        let c = check(r"(?P<secret>tkn_[a-z]{4})", &["tkn_"]).unwrap();
        assert!(c.passes(b"xtkn_abcd", 1));
        assert!(!c.passes(b"xtkn_ab1d", 1));
    }
}
