//! The fingerprint gate: the first pass of keyword search. It finds the few positions
//! where a keyword may occur, and confirms each, so that nothing runs per byte but a
//! handful of arithmetic instructions.
//!
//! With hundreds of case-insensitive keywords, `aho-corasick` has no usable prefilter
//! and its automaton costs a dependent table walk per byte. The gate instead hashes the
//! four bytes at every even position, folded to lower case (`| 0x20` on each byte, a
//! superset of ASCII case folding), and compares the four fingerprint bytes of a slot
//! of a 512 KiB table with the slice's fingerprint. The positions are independent, so
//! the loop runs several times faster than the automaton's DFA on the same input, with
//! the same hits (measured with `examples/gate_speed.rs` against
//! `examples/ac_kinds.rs`, interleaved, on minified JavaScript and Rust sources: 1.7-2x
//! per position tested, and half the positions, before the AVX2 form below).
//!
//! Where the CPU has AVX2, eight positions are hashed and looked up per instruction
//! (`crate::simd`, one gather per eight positions), the same positions passing. The
//! keyword search as a whole (`examples/gate_speed`; `LAUNCHGUARD_NO_AVX2=1` runs the
//! scalar path) went from 0.74-0.77 to 1.57-1.68 GB/s on minified JavaScript with
//! two fingerprints per slot, and to 2.84 GB/s (scalar 0.9) with the four-byte slots
//! and the block-wise confirmation below.
//!
//! The table holds two slices per keyword, one at an even and one at an odd offset in
//! it, so that one of them starts at an even position wherever the keyword occurs.
//! Each is the rarest of its parity in ordinary text (`_`, digits and rare letters
//! beat `e`, `t`, spaces and dots; words common in code count most), so that common
//! words that merely contain part of a keyword are not reported. Where every slice of
//! one parity sits in a common word (`ring` and `stri` of `<string`, `ault` of
//! `vault`), a three-byte end of the keyword with a byte of any value stands in for
//! it, as for short keywords: 17% fewer candidates on minified JavaScript, 19% on
//! Rust sources, the same hits. A keyword of five
//! bytes or more enters as two four-byte slices inside it. A four-byte keyword enters
//! as itself and as its rarer three-byte end, first three bytes after any byte or last
//! three before any byte; a three-byte keyword as itself after any byte and followed
//! by any byte. A position that passes the table is confirmed exactly: the slot and
//! fingerprint it passed on name the one key stored there (a second table of key ids
//! beside the fingerprints), whose keywords are compared in place; only where several
//! keys share a slot and fingerprint does the slice go through a small bit filter and
//! a search of the sorted keys (the direct lookup took 3% of the instructions
//! of a scan of the README's JavaScript corpus off, a third of the confirmation).
//!
//! Every occurrence of every keyword is reported exactly once, overlapping ones
//! included (a keyword at start `s` has slices at `s + o` and `s + o'`, `o` even and
//! `o'` odd, exactly one of which is even and tested), so the gate never loses a match
//! the automaton would have found.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::simd;

/// Hash multipliers, tried in turn until every slot has room for the fingerprints
/// hashed there (32-bit constants with well-mixed bits; the first is the golden
/// ratio): the top bits of the product pick a slot, byte 1 is the fingerprint.
/// Thirty-two bits, so that the AVX2 path multiplies eight positions at once.
const MULS: [u32; 6] = [
    0x9E37_79B1,
    0x85EB_CA77,
    0xC2B2_AE3D,
    0x27D4_EB2F,
    0x1656_67B1,
    0xD6E8_FEB7,
];
/// A fingerprint byte of a slot that no slice hashes to (fingerprints have their top
/// bit set).
const EMPTY: u8 = 0;
/// Folds ASCII upper case onto lower case in each byte (and merges a few punctuation
/// pairs, which only costs an occasional extra comparison).
const FOLD: u32 = 0x2020_2020;
/// Table slots, four fingerprint bytes each (512 KiB, in L2): the ~30,000 slices of
/// the built-in keywords, the any-byte ones included, fill about a twentieth of the
/// bytes. A position passes when its fingerprint is one of its slot's four bytes,
/// which the AVX2 path tests with one byte comparison: eight instructions and a
/// gather per eight positions, against eighteen for two fingerprints per slot, a
/// shared-slot mark and a mixing step (the keyword search alone 13-20% faster on
/// minified JavaScript and Rust sources, `examples/gate_speed`).
///
/// The fingerprint is bits 8 to 14 of the product, which depend on the slice's first
/// two bytes only; the slot, from the top bits, depends on all four. Among the slices
/// of one slot that is as good a filter as a fingerprint of all four bytes: on
/// minified JavaScript 116k positions passed against 122k with a mixed fingerprint,
/// most of them real slices of keywords inside other words (94k).
const TABLE_BITS: u32 = 17;
const ENTRIES: usize = 1 << TABLE_BITS;

/// Bytes scanned per block before candidates are confirmed.
const BLOCK: usize = 64 * 1024;

/// An `ids` value: several keys share the slot and fingerprint; the candidate goes
/// through the filter and the map.
const MULTI: u16 = u16::MAX;

/// Shortest keyword the gate can represent.
pub(crate) const MIN_KEYWORD: usize = 3;

/// Kinds of confirmation keys: a whole four-byte slice, or three bytes of a short
/// keyword with any byte before or after them.
const WHOLE: u64 = 0;
const ANY_FIRST: u64 = 1 << 32;
const ANY_LAST: u64 = 2 << 32;

/// A `Hasher` for integer keys that are already well distributed after one multiply.
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
    fn write_u64(&mut self, v: u64) {
        self.0 = (v ^ v >> 29).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<MulHasher>>;

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
    sign signature signed verify verified verification valid invalid validate default_value \
    network framework operator operation router route active native relative percent \
    center scope destination destroy initial potential context next entry level declare \
    multiply write site settings things nodes codes cursor register registry bottom \
    commerce redirect credit prepare enable disable capable possible available keyboard \
    keydown keyup keypress keymap keyframes monkey turkey hockey journey survey whiskey \
    mailbox gmail thumbnail detail details retail tail available fallback facebook \
    certain concern internal external global signal design assign signed variable \
    abstract distribute district registration administration nationality additional \
    instance distance substance constant important planet plane lane banner channel \
    document. element. event. content. component. parent. current. agent. payment. \
    moment. comment. client. this.state this.start this.status this.style this.stack \
    extend extension text. next. context. program diagram telegram histogram provided \
    provider. improved approved derived private. sequence sentence presence absence \
    preference reference. difference licence occurrence https:// http:// .com/ .org/ \
    option. options. locale. prototype. constructor. exports. module. \
    undefined. function. return. typeof instanceof arguments. prevent. session. keyword \
    rust-lang rust-version rust_ trust works frameworks networks clippy:: cell cells \
    cancel cancelled excel parcel visual visible visibility hook hooks unauthorized \
    authorized authorization";

/// Folded three- and four-byte slices of [`COMMON_WORDS`] (keyed by their length and
/// bytes) with their number of occurrences.
fn common_slices() -> Map<u64, u32> {
    let mut m = Map::default();
    for n in [3, 4] {
        for w in COMMON_WORDS.as_bytes().windows(n) {
            *m.entry(ngram_key(w)).or_default() += 1;
        }
    }
    m
}

/// A folded three- or four-byte slice with its length, as a map key.
fn ngram_key(w: &[u8]) -> u64 {
    let mut b = [0u8; 4];
    b[..w.len()].copy_from_slice(w);
    (w.len() as u64) << 32 | fold4(u32::from_le_bytes(b)) as u64
}

/// How common a three- or four-byte slice is: its occurrences in [`COMMON_WORDS`],
/// then the commonness of its bytes (English letter frequency; spaces, dots,
/// slashes, quotes and brackets count as the most common bytes of code).
fn commonness(common: &Map<u64, u32>, slice: &[u8]) -> (u32, u32) {
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
    (common.get(&ngram_key(slice)).copied().unwrap_or(0), bytes)
}

/// Eight bytes as a little-endian integer (`bytes` is eight long).
#[inline(always)]
fn load8(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// Up to four bytes at `i` as a little-endian integer, zero-padded past the end.
#[inline(always)]
fn load4_padded(data: &[u8], i: usize) -> u32 {
    if let Some(&[a, b, c, d]) = data.get(i..i + 4) {
        return u32::from_le_bytes([a, b, c, d]);
    }
    let mut w = [0u8; 4];
    let m = (data.len() - i).min(4);
    w[..m].copy_from_slice(&data[i..i + m]);
    u32::from_le_bytes(w)
}

#[inline(always)]
fn fold4(w: u32) -> u32 {
    w | FOLD
}

/// Table slot and fingerprint (0x80..=0xFF) of a folded four-byte slice under
/// multiplier `mul`. The AVX2 path computes the same from [`Gate::hash`].
#[inline(always)]
fn slot(x: u32, mul: u32) -> (usize, u8) {
    let h = x.wrapping_mul(mul);
    ((h >> (32 - TABLE_BITS)) as usize, (h >> 8) as u8 | 0x80)
}

/// Which of the four bytes of `slot` equal `fp`: bit 7 of each byte of the result.
#[inline(always)]
fn matching_bytes(slot: [u8; 4], fp: u8) -> u32 {
    let t = u32::from_le_bytes(slot) ^ (u32::from(fp) * 0x0101_0101);
    // Exact zero-byte test (no borrow between bytes).
    !((t & 0x7F7F_7F7F).wrapping_add(0x7F7F_7F7F) | t | 0x7F7F_7F7F)
}

/// The confirmation key of kind `kind` for the folded four bytes `x`: the kind and
/// the bytes, without the byte of any value of the short-keyword kinds.
#[inline(always)]
fn key_of(kind: u64, x: u32) -> u64 {
    let bytes = match kind {
        ANY_FIRST => x & 0xFFFF_FF00,
        ANY_LAST => x & 0x00FF_FFFF,
        _ => x,
    };
    kind | bytes as u64
}

/// Bits per kind of key in the confirmation filter (8 KiB each).
const FILTER_BITS: u32 = 16;

/// A key's bit in the confirmation filter: its kind's block, then a hash of its bytes.
#[inline(always)]
fn filter_bit(key: u64) -> usize {
    let kind = (key >> 32) as usize;
    let h = (key as u32).wrapping_mul(0x85EB_CA6B) >> (32 - FILTER_BITS);
    kind << FILTER_BITS | h as usize
}

/// The fingerprint table and the key ids beside it, a slot of each per index.
type Table = Box<[[u8; 4]]>;
type Ids = Box<[[u16; 4]]>;

/// One bit per position of a group's mask: nibble `j`'s lowest bit set when any of
/// its bits is.
#[inline(always)]
fn lanes(m: u64) -> u64 {
    (m | m >> 1 | m >> 2 | m >> 3) & 0x1111_1111_1111_1111
}

/// The table of fingerprints and the key ids beside them for the keys of `dense`
/// under multiplier `mul`, or `None` when a slot would need a fifth fingerprint (the
/// built-in keywords fit the first multiplier).
fn fill(dense: &[(u64, u32, u32)], mul: u32) -> Option<(Table, Ids)> {
    let mut table = vec![[EMPTY; 4]; ENTRIES].into_boxed_slice();
    let mut ids = vec![[0u16; 4]; ENTRIES].into_boxed_slice();
    let mut set = |x: u32, id: u16| -> Option<()> {
        let (i, fp) = slot(x, mul);
        let j = match table[i].iter().position(|&f| f == fp || f == EMPTY)? {
            j if table[i][j] == fp => {
                if ids[i][j] != id {
                    ids[i][j] = MULTI;
                }
                return Some(());
            }
            j => j,
        };
        table[i][j] = fp;
        ids[i][j] = id;
        Some(())
    };
    for (n, &(key, _, _)) in dense.iter().enumerate() {
        // Past the id range every slot takes the map (user rule sets only).
        let id = u16::try_from(n + 1)
            .ok()
            .filter(|&v| v < MULTI)
            .unwrap_or(MULTI);
        let x = key as u32;
        match key & !0xFFFF_FFFF {
            // All 256 values of the byte of any value enter the table.
            ANY_FIRST => (0..=255).try_for_each(|v| set(fold4(x | v), id))?,
            ANY_LAST => (0..=255).try_for_each(|v| set(fold4(x | v << 24), id))?,
            _ => set(x, id)?,
        }
    }
    Some((table, ids))
}

/// A slice chosen for a keyword: its commonness, key and offset in the keyword.
type Choice = ((u32, u32), u64, i32);

#[derive(Debug)]
pub(crate) struct Gate {
    /// [`ENTRIES`] slots of four fingerprint bytes.
    table: Table,
    /// For each fingerprint of each slot, the one key hashed there with that
    /// fingerprint (index into `keys`, plus one; 0: none), or [`MULTI`] when several
    /// are: most candidates go straight to their key, without the filter and the map.
    ids: Ids,
    /// The hash, with the multiplier that fitted the table.
    hash: simd::Hash,
    /// (confirmation key: kind | masked folded slice, range of `entries`), sorted by
    /// key; indexed by `ids`, searched where a slot holds several keys.
    keys: Vec<(u64, u32, u32)>,
    /// (keyword, offset of the slice's first byte in it; -1 when the slice starts one
    /// byte before the keyword), grouped by key.
    entries: Vec<(u32, i32)>,
    /// Whether any key is of a short-keyword kind.
    short: bool,
    /// One bit per [`filter_bit`] of each key: most positions that pass the table
    /// fail here, before the map is looked up.
    filter: Box<[u64]>,
    /// All keywords' bytes, back to back, and each keyword's span in them.
    bytes: Vec<u8>,
    spans: Vec<(u32, u32)>,
    avx2: Option<simd::Avx2>,
}

impl Gate {
    /// A gate for `keywords`, or `None` when one is shorter than [`MIN_KEYWORD`] bytes
    /// (the caller then runs the automaton over everything).
    pub(crate) fn new<S: AsRef<[u8]>>(keywords: &[S]) -> Option<Gate> {
        Self::with_simd(keywords, simd::Avx2::detect())
    }

    fn with_simd<S: AsRef<[u8]>>(keywords: &[S], avx2: Option<simd::Avx2>) -> Option<Gate> {
        // (key, keyword, offset): the key is a kind and the folded slice, with the
        // byte of any value (short keywords) masked out.
        let mut keys: Vec<(u64, u32, i32)> = Vec::new();
        let common = common_slices();
        for (n, k) in keywords.iter().enumerate() {
            let k = k.as_ref();
            let n = n as u32;
            if k.len() < MIN_KEYWORD {
                return None;
            }
            // A keyword at start `s` meets the slice at offset `o` at position `s + o`,
            // tested when even: one slice at an even offset and one at an odd offset
            // catch every occurrence. Each is the rarest of its parity: a four-byte
            // slice inside the keyword, or, for keywords of three or four bytes, its
            // first (last) three bytes after (before) a byte of any value, which take
            // 256 table slots and count that byte as the most common.
            // Per parity: (commonness, key, offset).
            let mut best: [Option<Choice>; 2] = [None, None];
            let offer = |best: &mut [Option<Choice>; 2], o: i64, key: u64, cost: (u32, u32)| {
                let b = &mut best[o.rem_euclid(2) as usize];
                if b.is_none_or(|(c, _, _)| cost < c) {
                    *b = Some((cost, key, o as i32));
                }
            };
            let len = k.len();
            for o in 0..(len + 1).saturating_sub(4) {
                let w = fold4(u32::from_le_bytes([k[o], k[o + 1], k[o + 2], k[o + 3]]));
                offer(
                    &mut best,
                    o as i64,
                    WHOLE | w as u64,
                    commonness(&common, &k[o..o + 4]),
                );
            }
            let any_cost = |three: &[u8]| {
                let (n, b) = commonness(&common, three);
                (n, b + 9)
            };
            // Three-byte ends: always for keywords of three or four bytes; for longer
            // ones only where every whole slice of that parity sits in common words
            // (`ring` of `<string`, `ault` of `vault`) and the end does not.
            let e = len - 3;
            let first = fold4(u32::from_le_bytes([0, k[0], k[1], k[2]]));
            let last = fold4(u32::from_le_bytes([k[e], k[e + 1], k[e + 2], 0]));
            let ends = [
                (-1i64, key_of(ANY_FIRST, first), any_cost(&k[..3])),
                (e as i64, key_of(ANY_LAST, last), any_cost(&k[e..])),
            ];
            for (o, key, cost) in ends {
                let common_whole = best[o.rem_euclid(2) as usize].is_some_and(|(c, _, _)| c.0 > 0);
                if len <= 4 || (common_whole && cost.0 == 0) {
                    offer(&mut best, o, key, cost);
                }
            }
            for (_, key, o) in best.into_iter().flatten() {
                keys.push((key, n, o));
            }
        }
        keys.sort_unstable();
        keys.dedup();
        let mut entries = Vec::with_capacity(keys.len());
        let mut dense: Vec<(u64, u32, u32)> = Vec::new();
        for &(key, n, off) in &keys {
            let at = entries.len() as u32;
            entries.push((n, off));
            match dense.last_mut() {
                Some(d) if d.0 == key => d.2 = at + 1,
                _ => dense.push((key, at, at + 1)),
            }
        }
        let (table, ids, mul) = MULS
            .iter()
            .find_map(|&mul| fill(&dense, mul).map(|(t, i)| (t, i, mul)))?;
        let short = keywords.iter().any(|k| k.as_ref().len() <= 4);
        let mut filter = vec![0u64; 3 << (FILTER_BITS - 6)].into_boxed_slice();
        for &(key, _, _) in &dense {
            let b = filter_bit(key);
            filter[b >> 6] |= 1 << (b & 63);
        }
        let mut bytes = Vec::new();
        let mut spans = Vec::with_capacity(keywords.len());
        for k in keywords {
            let s = bytes.len() as u32;
            bytes.extend_from_slice(k.as_ref());
            spans.push((s, bytes.len() as u32));
        }
        Some(Gate {
            table,
            ids,
            hash: simd::Hash {
                fold: FOLD,
                mul,
                index_shift: 32 - TABLE_BITS,
            },
            keys: dense,
            entries,
            short,
            filter,
            bytes,
            spans,
            avx2,
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
            // First each candidate's key id, appended after the groups: the id loads
            // are independent of each other, so their cache misses overlap, where
            // confirming each candidate in turn waited for one at a time.
            let n = groups.len();
            for g in (0..n).step_by(2) {
                let base = groups[g] as usize;
                let mut mask = lanes(groups[g + 1]);
                while mask != 0 {
                    let b = mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    // Nibble j of the low half: position base + 4j; of the high half:
                    // base + 2 + 4j.
                    let i = base + (b & 31) + (b >> 5) * 2;
                    let (at, fp) = slot(fold4(load4_padded(data, i)), self.hash.mul);
                    // At most one byte of a slot holds a given fingerprint.
                    let id = match matching_bytes(self.table[at], fp) {
                        0 => 0,
                        m => self.ids[at][m.trailing_zeros() as usize / 8],
                    };
                    groups.push((i as u64) << 16 | id as u64);
                }
            }
            for &c in &groups[n..] {
                self.confirm(data, (c >> 16) as usize, c as u16, &mut f);
            }
            at = end;
        }
    }

    /// Appends to `out` a group of two words, `i` and `(b << 32) | a`, for positions
    /// from `i` of which some pass the table: nibble `j` of `a` is not zero when
    /// position `i + 4j` passed, of `b` when `i + 4j + 2` did. Positions from `start`
    /// to `end` are tested; those without four bytes left as if padded with zero bytes.
    #[inline(never)]
    fn scan_block(&self, data: &[u8], start: usize, end: usize, out: &mut Vec<u64>) {
        let t = &*self.table;
        let mul = self.hash.mul;
        let test = |x: u32| {
            let (i, fp) = slot(fold4(x), mul);
            (matching_bytes(t[i], fp) != 0) as u64
        };
        // Only even positions are tested: every keyword has a slice at an even and one
        // at an odd offset in the table (see `new`), so one of them starts at an even
        // position. `start` is a multiple of `BLOCK`, hence even.
        let mut i = start;
        if let Some(cpu) = self.avx2 {
            i = simd::scan(cpu, &self.hash, t, data, i, end, out);
        }
        // Positions i, i+2, i+4, i+6 per step from two overlapping eight-byte loads;
        // one branch per step, rarely taken.
        while i + 12 <= data.len() && i < end {
            let lo = load8(&data[i..i + 8]);
            let hi = load8(&data[i + 4..i + 12]);
            // Nibbles: i, i + 4 in the low half; i + 2, i + 6 in the high half.
            let m = test(lo as u32)
                | test((lo >> 32) as u32) << 4
                | test((lo >> 16) as u32) << 32
                | test((hi >> 16) as u32) << 36;
            if m != 0 {
                // Positions at or past `end` belong to the next block.
                let m = match end - i {
                    ..=2 => m & 0x01,
                    3..=4 => m & 0x1_0000_0001,
                    5..=6 => m & 0x1_0000_0011,
                    _ => m,
                };
                out.extend_from_slice(&[i as u64, m]);
            }
            i += 8;
        }
        // The last few positions.
        while i < end && i + MIN_KEYWORD <= data.len() {
            if test(load4_padded(data, i)) != 0 {
                out.extend_from_slice(&[i as u64, 1]);
            }
            i += 2;
        }
    }

    /// Confirms a position that passed the table with key id `id` (see `ids`): the
    /// one key there, or, for [`MULTI`], its slice under each kind of key tested
    /// against the bit filter and those that pass looked up.
    #[inline(always)]
    fn confirm(&self, data: &[u8], i: usize, id: u16, f: &mut impl FnMut(usize, usize, usize)) {
        let x = fold4(load4_padded(data, i));
        // The slot's own key, when only one key has this fingerprint there: the
        // position holds a slice of it or of nothing.
        if id != MULTI {
            if let Some(&(key, s, e)) = id.checked_sub(1).and_then(|k| self.keys.get(k as usize)) {
                if key == key_of(key & !0xFFFF_FFFF, x) {
                    self.compare(data, i, s, e, f);
                }
            }
            return;
        }
        let kinds = if self.short { 3 } else { 1 };
        for key in [WHOLE, ANY_FIRST, ANY_LAST]
            .map(|k| key_of(k, x))
            .into_iter()
            .take(kinds)
        {
            let bit = filter_bit(key);
            if self.filter[bit >> 6] >> (bit & 63) & 1 != 0 {
                self.confirm_key(data, i, key, f);
            }
        }
    }

    /// Compares in place every keyword that holds the slice `key` at position `i`.
    #[inline(never)]
    fn confirm_key(
        &self,
        data: &[u8],
        i: usize,
        key: u64,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        if let Ok(at) = self.keys.binary_search_by_key(&key, |k| k.0) {
            let (_, a, b) = self.keys[at];
            self.compare(data, i, a, b, f);
        }
    }

    /// Compares in place the keywords of `entries[a..b]`, whose slice is at `i`.
    #[inline(always)]
    fn compare(
        &self,
        data: &[u8],
        i: usize,
        a: u32,
        b: u32,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        for &(kw, off) in &self.entries[a as usize..b as usize] {
            let Some(s) = i.checked_add_signed(-(off as isize)) else {
                continue;
            };
            let (ks, ke) = self.spans[kw as usize];
            let k = &self.bytes[ks as usize..ke as usize];
            let e = s + k.len();
            if e <= data.len() && data[s..e].eq_ignore_ascii_case(k) {
                f(kw as usize, s, e);
            }
        }
    }

    /// Number of table positions set (for tests: the table is far from full).
    #[cfg(test)]
    fn load(&self) -> usize {
        self.table
            .as_flattened()
            .iter()
            .filter(|&&b| b != EMPTY)
            .count()
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
    fn a_full_slot_takes_the_next_multiplier() {
        // Five keywords whose whole slices meet in one slot of the first multiplier,
        // each with its own fingerprint: the first table cannot hold them.
        let mut by_fp: Vec<(u8, [u8; 4])> = Vec::new();
        let want = slot(fold4(u32::from_le_bytes(*b"qzx0")), MULS[0]).0;
        let alnum: Vec<u8> = (b'a'..=b'z').chain(b'0'..=b'9').collect();
        'search: for &a in &alnum {
            for &b in &alnum {
                for &c in &alnum {
                    for &d in &alnum {
                        let w = [a, b, c, d];
                        let (i, fp) = slot(fold4(u32::from_le_bytes(w)), MULS[0]);
                        if i == want && by_fp.iter().all(|&(f, _)| f != fp) {
                            by_fp.push((fp, w));
                            if by_fp.len() == 5 {
                                break 'search;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(by_fp.len(), 5);
        let kws: Vec<String> = by_fp
            .iter()
            .map(|(_, w)| String::from_utf8(w.to_vec()).unwrap())
            .collect();
        let kws: Vec<&str> = kws.iter().map(|k| k.as_str()).collect();
        let g = Gate::new(&kws).unwrap();
        assert_ne!(g.hash.mul, MULS[0]);
        let mut data = b"..".to_vec();
        for k in &kws {
            data.extend_from_slice(k.as_bytes());
            data.extend_from_slice(b" ; ");
        }
        assert_eq!(hits(&kws, &data), naive(&kws, &data));
        assert_eq!(hits(&kws, &data).len(), 5);
    }

    #[test]
    fn the_built_in_keywords_fit_the_first_multiplier() {
        let g = Gate::new(&crate::RuleSet::builtin().unwrap().keywords()).unwrap();
        assert_eq!(g.hash.mul, MULS[0]);
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
    fn avx2_and_scalar_tests_agree() {
        let Some(cpu) = simd::Avx2::detect() else {
            eprintln!("skipped: this CPU has no AVX2, only the scalar path runs");
            return;
        };
        let kws = crate::RuleSet::builtin().unwrap().keywords();
        let (vector, scalar) = (
            Gate::with_simd(&kws, Some(cpu)).unwrap(),
            Gate::with_simd(&kws, None).unwrap(),
        );
        // Text dense in keywords and their slices, at every alignment and length.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut data = Vec::new();
        while data.len() < 3 * BLOCK {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = kws[(x % kws.len() as u64) as usize].as_bytes();
            let cut = (x >> 20) as usize % k.len();
            let piece = if x & 1 == 0 { k } else { &k[cut..] };
            // Upper case now and then, and a run of arbitrary bytes (high bytes, NUL,
            // DEL, `@`) every few keywords.
            data.extend(piece.iter().map(|&b| {
                if x >> 50 & 3 == 0 {
                    b.to_ascii_uppercase()
                } else {
                    b
                }
            }));
            if x >> 44 & 7 == 0 {
                data.extend((0..(x >> 30) % 24).map(|j| (x >> (j % 56)) as u8));
            }
            data.push(b" ._\n\"=:"[(x >> 40) as usize % 6]);
        }
        for len in [0, 1, 5, 33, 34, 35, 100, BLOCK - 1, BLOCK + 33, data.len()] {
            let d = &data[..len];
            let (mut a, mut b) = (Vec::new(), Vec::new());
            vector.find(d, &mut Vec::new(), |k, s, e| a.push((k, s, e)));
            scalar.find(d, &mut Vec::new(), |k, s, e| b.push((k, s, e)));
            a.sort();
            b.sort();
            assert_eq!(a, b, "length {len}");
            assert!(
                len < 1000 || a.len() > len / 100,
                "length {len}: {} hits",
                a.len()
            );
            // The table tests themselves, position by position.
            let (mut ga, mut gb) = (Vec::new(), Vec::new());
            vector.scan_block(d, 0, len.min(BLOCK), &mut ga);
            scalar.scan_block(d, 0, len.min(BLOCK), &mut gb);
            let positions = |g: &[u64]| {
                let mut v: Vec<usize> = Vec::new();
                for g in g.chunks_exact(2) {
                    let base = g[0] as usize;
                    for (at, m) in [(base, g[1] as u32), (base + 2, (g[1] >> 32) as u32)] {
                        v.extend(
                            (0..8)
                                .filter(|j| m >> (4 * j) & 0xF != 0)
                                .map(|j| at + 4 * j),
                        );
                    }
                }
                v.sort();
                v
            };
            assert_eq!(positions(&ga), positions(&gb), "length {len}");
        }
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
