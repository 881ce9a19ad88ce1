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

/// Both tests of one rule, from one parse of its pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checks {
    /// The hit test (`exact_keywords` rules only).
    pub(crate) hit: Option<HitCheck>,
    /// The window test.
    pub(crate) run: Option<RunCheck>,
}

impl Checks {
    /// The tests for `pattern`; `keywords` are the rule's keywords when they match
    /// exactly as written (`exact_keywords`), else `None` and there is no hit test.
    pub(crate) fn new(pattern: &str, keywords: Option<&[String]>) -> Checks {
        let Some((hir, at)) = secret_in_sequence(pattern) else {
            return Checks {
                hit: None,
                run: None,
            };
        };
        let items = sequence(&hir);
        Checks {
            hit: keywords.and_then(|k| HitCheck::from_tree(items, at, k)),
            run: RunCheck::from_tree(items, at),
        }
    }
}

impl HitCheck {
    /// The test for `pattern`, whose keywords are `keywords` (matched exactly as
    /// written), or `None` when the pattern does not have the shape the test needs.
    #[cfg(test)]
    fn new(pattern: &str, keywords: &[String]) -> Option<HitCheck> {
        Checks::new(pattern, Some(keywords)).hit
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
        Checks::new(pattern, None).run
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

/// The syntax tree of `pattern` and the position, in its top-level sequence, of the
/// secret group (named `secret`, else the first group), when the group sits there:
/// then every match holds it.
fn secret_in_sequence(pattern: &str) -> Option<(Hir, usize)> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let items = sequence(&hir);
    let find = |want: &dyn Fn(&regex_syntax::hir::Capture) -> bool| {
        items
            .iter()
            .position(|h| matches!(h.kind(), HirKind::Capture(c) if want(c)))
    };
    let at = find(&|c| c.name.as_deref() == Some("secret")).or_else(|| find(&|c| c.index == 1))?;
    Some((hir, at))
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
