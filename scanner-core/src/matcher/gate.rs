//! The fingerprint gate: the first pass of keyword search. It finds the few positions
//! where a keyword may occur, and confirms each, so that nothing runs per byte but a
//! handful of arithmetic instructions.
//!
//! With hundreds of case-insensitive keywords, `aho-corasick` has no usable prefilter
//! and its automaton costs a dependent table walk per byte. The gate instead hashes the
//! four bytes at every even position, folded to lower case (`| 0x20` on each byte, a
//! superset of ASCII case folding), and compares one byte of a 256 KiB table with the
//! slice's fingerprint. The positions are independent, so the loop runs several times
//! faster than the automaton's DFA on the same input, with the same hits (measured with
//! `examples/gate_speed.rs` against `examples/ac_kinds.rs`, interleaved, on minified
//! JavaScript and Rust sources: 1.7-2x per position tested, and half the positions).
//!
//! The table holds two four-byte slices per keyword, at consecutive offsets, so that
//! one of them starts at an even position wherever the keyword occurs. For keywords of
//! five bytes or more, the pair is the one whose bytes are rarest in ordinary text
//! (`_`, digits and rare letters beat `e`, `t`, spaces and dots; words common in code
//! count most), so that common words that merely contain part of a keyword are not
//! reported. A four-byte keyword enters as itself and as its first three bytes after
//! any byte; a three-byte keyword as itself after any byte and followed by any byte. A
//! position that passes the table is confirmed exactly: its slice is looked up in a map
//! of the keywords that hold it, and each keyword is compared in place.
//!
//! Every occurrence of every keyword is reported exactly once, overlapping ones
//! included (a keyword at start `s` has its slices at `s + o` and `s + o + 1`, exactly
//! one of which is even and tested), so the gate never loses a match the automaton
//! would have found.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hash multiplier (a 64-bit golden-ratio constant; any odd constant with well-mixed
/// bits works): the top bits of the product pick a slot, middle bits a fingerprint.
const MUL: u64 = 0x9E37_79B9_7F4A_7C15;
/// A slot no slice hashes to.
const EMPTY: u8 = 0;
/// A slot that two slices with different fingerprints share: always a candidate.
const SHARED: u8 = 1;
/// Folds ASCII upper case onto lower case in each byte (and merges a few punctuation
/// pairs, which only costs an occasional extra comparison).
const FOLD: u32 = 0x2020_2020;
/// Table entries, one byte each: empty, shared, or the fingerprint of the one slice
/// hashed there (a byte load needs no shift; 256 KiB stays in L2 and holds the ~35,000
/// slices of the built-in keywords, the any-byte ones included, sparsely). The
/// fingerprint cuts hash collisions with frequent text (`[\n  `, `var `, …) by a
/// factor of 128: measured with one slice per keyword, 0.3-0.6% of positions reached
/// the exact comparison, against 1.4-1.8% with a presence bit alone.
const TABLE_BITS: u32 = 18;
const ENTRIES: usize = 1 << TABLE_BITS;

/// Bytes scanned per block before candidates are confirmed.
const BLOCK: usize = 64 * 1024;

/// Shortest keyword the gate can represent.
pub(crate) const MIN_KEYWORD: usize = 3;

/// A `Hasher` for `u32` keys that are already well distributed after one multiply.
#[derive(Default)]
struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Map<V> = HashMap<u32, V, BuildHasherDefault<MulHasher>>;

/// Words common in source code, configuration and prose. A keyword slice found in
/// them would gate far more positions than the keyword occurs at, so the gate prefers
/// the slice that occurs in the fewest of them.
const COMMON_WORDS: &str = "the and for that with this from have are was not but all can \
    will one there their what which when your more about other into some time than then \
    them these only also make like just over such here most very even back after work \
    first well way use used using new any each how code codec decode encode config \
    configuration error errors check checked checker allow allowed public private assert \
    support command demand mandatory debug create created process token tokens parse \
    parser search research pass passed passing password mark market marker string struct \
    auth author handle handler hand push pushed extra every http https com org www net \
    github gitlab function return const import export default value values number object \
    class impl self type interface module package require version test tests testing name \
    list array index length result option some none true false null undefined async await \
    match case break continue while else print format write read file path open close info \
    warn warning build target source cargo crate rust node react component props state \
    event window document element style color width height margin padding display \
    position transform user users admin client server request response header headers body \
    status message content text title description label input output button form submit \
    update delete insert select where order group query database table column row key keys \
    store cache memory buffer stream thread lock mutex channel sender receiver trust \
    recovery enabled minify stack track tracker back callback fire firework service \
    services account accounts account_id api_key secret secrets credential credentials \
    access control origin method methods context current parent child children project \
    application app apps data date main master branch commit remote local global static \
    public_key private_key certificate cert reference replace replicate email mail send \
    sent post postgres local host hostname port protocol address url uri link links \
    string_view mutable immutable install license contribute contributing changelog readme \
    example examples sample samples support supported deploy deployment environment \
    release releases manifest resource resources android apple google microsoft amazon \
    azure cloud storage bucket region session sessions cookie cookies login logout \
    sign signature signed verify verified verification valid invalid validate default_value";

/// Folded four-byte slices of [`COMMON_WORDS`] with their number of occurrences.
fn common_slices() -> Map<u32> {
    let mut m = Map::default();
    for w in COMMON_WORDS.as_bytes().windows(4) {
        *m.entry(fold4(u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
            .or_default() += 1;
    }
    m
}

/// How common a folded four-byte slice is: its occurrences in [`COMMON_WORDS`], then
/// the commonness of its bytes (English letter frequency; spaces, dots, slashes,
/// quotes and brackets count as the most common bytes of code).
fn commonness(common: &Map<u32>, slice: &[u8]) -> (u32, u32) {
    let x = fold4(u32::from_le_bytes([slice[0], slice[1], slice[2], slice[3]]));
    let bytes = slice
        .iter()
        .map(|&b| match b.to_ascii_lowercase() {
            b' ' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 9,
            b'h' | b'l' | b'd' | b'c' | b'u' | b'.' | b'(' | b')' | b'"' | b',' | b'/' => 7,
            b'm' | b'f' | b'p' | b'g' | b'w' | b'y' | b'b' | b':' | b'=' | b'*' | b';' => 6,
            b'v' | b'k' | b'\'' | b'>' | b'<' | b'{' | b'}' | b'-' => 4,
            b'x' | b'j' | b'q' | b'z' | b'_' | b'0'..=b'9' => 2,
            _ => 1,
        })
        .sum();
    (common.get(&x).copied().unwrap_or(0), bytes)
}

/// Eight bytes as a little-endian integer (`bytes` is eight long).
#[inline(always)]
fn load8(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

#[inline(always)]
fn fold4(w: u32) -> u32 {
    w | FOLD
}

/// Table slot and fingerprint (0x80..=0xFF) of a folded four-byte slice.
#[inline(always)]
fn slot(x: u32) -> (usize, u8) {
    let h = (x as u64).wrapping_mul(MUL);
    ((h >> (64 - TABLE_BITS)) as usize, (h >> 24) as u8 | 0x80)
}

#[derive(Debug)]
pub(crate) struct Gate {
    table: Box<[u8; ENTRIES]>,
    /// Folded four-byte slice → (keyword, offset of the slice in it; -1 when the
    /// slice starts one byte before the keyword).
    four: Map<Vec<(u32, i32)>>,
    keywords: Vec<Box<[u8]>>,
}

impl Gate {
    /// A gate for `keywords`, or `None` when one is shorter than [`MIN_KEYWORD`] bytes
    /// (the caller then runs the automaton over everything).
    pub(crate) fn new<S: AsRef<[u8]>>(keywords: &[S]) -> Option<Gate> {
        let mut table: Box<[u8; ENTRIES]> =
            vec![0u8; ENTRIES].into_boxed_slice().try_into().ok()?;
        let mut set = |x: u32| {
            let (i, fp) = slot(x);
            table[i] = match table[i] {
                EMPTY => fp,
                e if e == fp => fp,
                _ => SHARED,
            };
        };
        let mut four: Map<Vec<(u32, i32)>> = Map::default();
        let common = common_slices();
        // Adds the slice `bytes` (None: any byte) at offset `off` of keyword `n`.
        let mut add = |n: u32, off: i32, bytes: [Option<u8>; 4]| {
            let any = bytes.iter().position(|b| b.is_none());
            let values: Vec<u32> = match any {
                None => vec![u32::from_le_bytes(bytes.map(|b| b.unwrap_or(0)))],
                Some(j) => (0..=255u8)
                    .map(|v| {
                        let mut w = bytes.map(|b| b.unwrap_or(0));
                        w[j] = v;
                        u32::from_le_bytes(w)
                    })
                    .collect(),
            };
            for v in values {
                let x = fold4(v);
                set(x);
                let list = four.entry(x).or_default();
                if !list.contains(&(n, off)) {
                    list.push((n, off));
                }
            }
        };
        for (n, k) in keywords.iter().enumerate() {
            let k = k.as_ref();
            let n = n as u32;
            if k.len() < MIN_KEYWORD {
                return None;
            }
            let b = |o: usize| Some(k[o]);
            match k.len() {
                3 => {
                    add(n, -1, [None, b(0), b(1), b(2)]);
                    add(n, 0, [b(0), b(1), b(2), None]);
                }
                4 => {
                    add(n, -1, [None, b(0), b(1), b(2)]);
                    add(n, 0, [b(0), b(1), b(2), b(3)]);
                }
                len => {
                    // Two consecutive slices: one of them starts at an even position.
                    let off = (0..=len - 5)
                        .min_by_key(|&o| {
                            let (a, b) = (
                                commonness(&common, &k[o..o + 4]),
                                commonness(&common, &k[o + 1..o + 5]),
                            );
                            (a.0 + b.0, a.1 + b.1)
                        })
                        .unwrap_or(0);
                    for o in [off, off + 1] {
                        add(n, o as i32, [b(o), b(o + 1), b(o + 2), b(o + 3)]);
                    }
                }
            }
        }
        Some(Gate {
            table,
            four,
            keywords: keywords.iter().map(|k| k.as_ref().into()).collect(),
        })
    }

    /// Calls `f(keyword, start, end)` for every occurrence of a keyword in `data`
    /// (ASCII case-insensitive), overlapping ones included. Calls come roughly, not
    /// strictly, in order of start.
    /// `groups` is scratch space, reused between calls to save an allocation per blob.
    pub(crate) fn find(
        &self,
        data: &[u8],
        groups: &mut Vec<u64>,
        mut f: impl FnMut(usize, usize, usize),
    ) {
        let mut at = 0;
        // Blocks keep the list of candidate groups small and in cache.
        while at < data.len() {
            let end = (at + BLOCK).min(data.len());
            groups.clear();
            self.scan_block(data, at, end, groups);
            for &g in groups.iter() {
                let (base, mut mask) = ((g >> 8) as usize, g & 0xFF);
                while mask != 0 {
                    let i = base + mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    self.confirm(data, i, &mut f);
                }
            }
            at = end;
        }
    }

    /// Appends to `out` a group `(position << 8) | mask` for every eight positions in
    /// `start..end` of which some (the mask's bits) pass the table. Positions without
    /// four bytes left are tested as if padded with zero bytes.
    #[inline(never)]
    fn scan_block(&self, data: &[u8], start: usize, end: usize, out: &mut Vec<u64>) {
        let t = &*self.table;
        let test = |x: u32| {
            let (i, fp) = slot(fold4(x));
            let e = t[i];
            ((e == fp) | (e == SHARED)) as u64
        };
        // Only even positions are tested: every keyword has slices at two consecutive
        // offsets in the table (see `new`), so one of them starts at an even position.
        // `start` is a multiple of `BLOCK`, hence even.
        let mut i = start;
        // Positions i, i+2, i+4, i+6 per step from two overlapping eight-byte loads;
        // one branch per step, rarely taken.
        while i + 12 <= data.len() && i < end {
            let lo = load8(&data[i..i + 8]);
            let hi = load8(&data[i + 4..i + 12]);
            let m = test(lo as u32)
                | test((lo >> 16) as u32) << 2
                | test((lo >> 32) as u32) << 4
                | test((hi >> 16) as u32) << 6;
            if m != 0 {
                let m = if i + 8 > end {
                    m & ((1 << (end - i)) - 1)
                } else {
                    m
                };
                out.push((i as u64) << 8 | m);
            }
            i += 8;
        }
        // The last few positions.
        while i < end && i + MIN_KEYWORD <= data.len() {
            let mut w = [0u8; 4];
            let m = (data.len() - i).min(4);
            w[..m].copy_from_slice(&data[i..i + m]);
            if test(u32::from_le_bytes(w)) != 0 {
                out.push((i as u64) << 8 | 1);
            }
            i += 2;
        }
    }

    /// Confirms a position whose folded slice `x` passed the table.
    #[inline(never)]
    fn confirm(&self, data: &[u8], i: usize, f: &mut impl FnMut(usize, usize, usize)) {
        let mut w = [0u8; 4];
        let m = (data.len() - i).min(4);
        w[..m].copy_from_slice(&data[i..i + m]);
        let x = fold4(u32::from_le_bytes(w));
        if let Some(list) = self.four.get(&x) {
            for &(kw, off) in list {
                let Some(s) = i.checked_add_signed(-(off as isize)) else {
                    continue;
                };
                let k = &self.keywords[kw as usize];
                let e = s + k.len();
                if e <= data.len() && data[s..e].eq_ignore_ascii_case(k) {
                    f(kw as usize, s, e);
                }
            }
        }
    }

    /// Number of table positions set (for tests: the table is far from full).
    #[cfg(test)]
    fn load(&self) -> usize {
        self.table.iter().filter(|&&b| b != EMPTY).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(keywords: &[&str], data: &[u8]) -> Vec<(usize, usize, usize)> {
        let g = Gate::new(keywords).unwrap();
        let mut v = Vec::new();
        g.find(data, &mut Vec::new(), |k, s, e| v.push((k, s, e)));
        v.sort();
        v
    }

    /// Every occurrence, by brute force.
    fn naive(keywords: &[&str], data: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut v = Vec::new();
        for (k, kw) in keywords.iter().enumerate() {
            let kw = kw.as_bytes();
            for s in 0..data.len() {
                if s + kw.len() <= data.len() && data[s..s + kw.len()].eq_ignore_ascii_case(kw) {
                    v.push((k, s, s + kw.len()));
                }
            }
        }
        v.sort();
        v
    }

    #[test]
    fn finds_what_brute_force_finds() {
        let kws = [
            "ghp_",
            "secret",
            "sk_",
            "secret_key",
            "api_key",
            "xoxb-",
            "aws",
        ];
        let data = b"xx GHP_abc Secret  sk_ SK_ SECRET_KEY=1 api_KEY xoxB- aws\nsk_";
        assert_eq!(hits(&kws, data), naive(&kws, data));
    }

    #[test]
    fn every_offset_and_length_is_covered() {
        let kws = ["token", "pwd", "client_secret"];
        for pad in 0..12 {
            for kw in ["TOKEN", "pwd", "Client_Secret"] {
                for tail in 0..5 {
                    let mut data = vec![b' '; pad];
                    data.extend_from_slice(kw.as_bytes());
                    data.extend_from_slice(&b"    "[..tail]);
                    assert_eq!(hits(&kws, &data), naive(&kws, &data), "{pad} {kw} {tail}");
                }
            }
        }
    }

    #[test]
    fn odd_bytes_and_case_folding_collisions_are_exact() {
        // `_` and DEL fold to the same byte, as do `@` and a backtick: the table lets
        // them through, the comparison does not.
        let kws = ["sk_", "@scope", "ghp_"];
        let data = b"sk\x7f sk_ `scope @Scope ghp\x7f\xff\x00ghp_";
        assert_eq!(hits(&kws, data), naive(&kws, data));
    }

    #[test]
    fn plain_text_is_mostly_skipped() {
        let g = Gate::new(&["ghp_", "secret", "sk_", "akia", "together"]).unwrap();
        let text = b"the quick brown fox jumps over the lazy dog, again and again. ".repeat(2000);
        let mut n = 0;
        g.find(&text, &mut Vec::new(), |_, _, _| n += 1);
        assert_eq!(n, 0);
        // Two slices per keyword; a byte of any value in the short keywords' slices.
        assert!(g.load() <= 2 * 2 + 2 * (1 + 128) + 2 * 128);
    }

    #[test]
    fn short_keywords_disable_the_gate() {
        assert!(Gate::new(&["ab"]).is_none());
    }

    #[test]
    fn agrees_with_the_automaton_on_every_built_in_keyword() {
        let set = crate::RuleSet::builtin().unwrap();
        let kws = set.keywords();
        // Every keyword planted in mixed case among pseudo-random bytes and text.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut data = Vec::new();
        for k in kws.iter().chain(kws.iter()) {
            for _ in 0..(rnd() % 12) {
                data.push(b"ab _-.:=\"\n\x00\xffQz9"[(rnd() % 15) as usize]);
            }
            data.extend(k.bytes().map(|b| {
                if rnd() % 2 == 0 {
                    b.to_ascii_uppercase()
                } else {
                    b
                }
            }));
        }
        let g = Gate::new(&kws).unwrap();
        let mut got = Vec::new();
        g.find(&data, &mut Vec::new(), |k, s, e| got.push((k, s, e)));
        got.sort();
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&kws)
            .unwrap();
        let mut want: Vec<_> = ac
            .find_overlapping_iter(&data)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
        want.sort();
        assert_eq!(got.len(), want.len());
        assert_eq!(got, want);
    }

    #[test]
    fn keywords_across_block_edges_are_found() {
        let kws = ["sk_", "ghp_", "client_secret"];
        for edge in [BLOCK, 2 * BLOCK] {
            for back in 0..14 {
                let mut data = vec![b'.'; 2 * BLOCK + 64];
                for (n, kw) in kws.iter().enumerate() {
                    let at = edge - back + n * 20;
                    data[at..at + kw.len()].copy_from_slice(kw.as_bytes());
                }
                assert_eq!(
                    hits(&kws, &data),
                    naive(&kws, &data),
                    "edge {edge} back {back}"
                );
            }
        }
    }
}
