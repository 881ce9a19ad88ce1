//! The one module of the core with `unsafe` code: AVX2 forms of the two passes that
//! touch every byte of every blob, the keyword gate's table test (see
//! `matcher::gate`), eight positions per gather, and the base64 alphabet masks of the
//! encoded-block finder (see `expand::encoded`), 32 bytes per comparison.
//!
//! Why: the scalar test costs about twenty instructions per position tested and is
//! bound by instruction throughput, not by the table's cache misses (an L1-sized table
//! is no faster). With AVX2 the hash, the table gather and the comparison handle eight
//! positions per instruction. Measured on minified JavaScript in a standalone loop
//! with a table of the same size and load: 3.7 GB/s against 1.3 GB/s for the scalar
//! loop; the whole keyword search in place, confirmation included, 1.57-1.68 against
//! 0.74-0.77 GB/s (`examples/gate_speed`, with and without `LAUNCHGUARD_NO_AVX2=1`). An AVX-512 form
//! measured slower (2.7-3.0 GB/s standalone) on the project machine, so there is none.
//! The alphabet masks are two nibble-table lookups (`pshufb`) per 32 bytes.
//!
//! # Safety
//!
//! Four things make the code below sound, and each is checked where it is needed:
//! - AVX2 is present: [`Avx2`] can only be obtained from [`Avx2::detect`], which asks
//!   the CPU at run time, and the `target_feature` function is only called with one.
//! - Every 32-byte load lies inside `data`: the gate loads at `j` and `j + 2` for
//!   `j <= data.len() - 34` only (`last` in [`scan`]'s loop).
//! - Every gather reads the four bytes of slot `index` with `index < 1 << bits`: the
//!   index is the top `bits` bits of a 32-bit product, and [`scan`] asserts that the
//!   table holds `1 << bits` slots.
//! - The alphabet masks load 64 bytes per chunk from `data[64k..64k + 64]` for
//!   `k < out.len()`, and [`alphabet_masks`] asserts `64 * out.len() <= data.len()`.

#![allow(unsafe_code)]

/// Proof that the CPU running this process supports AVX2.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// `Some` when the CPU supports AVX2, unless the environment variable
    /// `LAUNCHGUARD_NO_AVX2` is set (to compare with, or fall back to, the scalar
    /// paths).
    pub(crate) fn detect() -> Option<Avx2> {
        static FOUND: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let found = *FOUND.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            if std::env::var_os("LAUNCHGUARD_NO_AVX2").is_none() {
                return std::is_x86_feature_detected!("avx2");
            }
            false
        });
        found.then_some(Avx2(()))
    }
}

/// The table test, shared with the scalar path so that both agree bit for bit: the
/// product `p = x * mul` of the folded slice `x` picks slot `p >> index_shift` (four
/// bytes), and byte 1 of `p`, top bit set, is the fingerprint looked for in the
/// slot's four bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hash {
    /// Case fold or-ed into every byte.
    pub fold: u32,
    /// Multiplier.
    pub mul: u32,
    /// Right shift of the product giving the slot index (32 - table bits, at least
    /// 15: the fingerprint's seven bits, 8 to 14, lie below the index bits).
    pub index_shift: u32,
}

/// Tests the even positions `i` from `start` (even) while `i + 32 <= end` and
/// `i + 34 <= data.len()`, appending two words per 32 bytes with a hit: `i`, then
/// `(b << 32) | a`, where nibble `j` of `a` is not zero when position `i + 4j`
/// passed, of `b` when `i + 4j + 2` did. Returns the first position not tested, for
/// the scalar loop to finish.
pub(crate) fn scan(
    cpu: Avx2,
    h: &Hash,
    table: &[[u8; 4]],
    data: &[u8],
    start: usize,
    end: usize,
    out: &mut Vec<u64>,
) -> usize {
    assert!(h.index_shift >= 15 && h.index_shift < 32);
    assert!(table.len() >= 1 << (32 - h.index_shift));
    let _ = cpu;
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `cpu` proves AVX2 is available; the assertions above bound the gather
    // indexes; `scan_avx2` bounds its loads by `data.len()` (see the module note).
    unsafe {
        scan_avx2(h, table, data, start, end, out)
    }
    #[cfg(not(target_arch = "x86_64"))]
    start
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn scan_avx2(
    h: &Hash,
    table: &[[u8; 4]],
    data: &[u8],
    start: usize,
    end: usize,
    out: &mut Vec<u64>,
) -> usize {
    use std::arch::x86_64::*;
    let fold = _mm256_set1_epi32(h.fold as i32);
    let mul = _mm256_set1_epi32(h.mul as i32);
    let top = _mm256_set1_epi8(0x80u8 as i8);
    // Byte 1 of each lane's product into all four bytes of the lane.
    #[rustfmt::skip]
    let spread = _mm256_broadcastsi128_si256(_mm_setr_epi8(
        1, 1, 1, 1, 5, 5, 5, 5, 9, 9, 9, 9, 13, 13, 13, 13,
    ));
    let index_shift = _mm_cvtsi32_si128(h.index_shift as i32);
    let base = table.as_ptr() as *const i32;
    let p = data.as_ptr();
    let mut i = start;
    // Lanes of the load at `i + 2k` hold the positions `i + 4j + 2k`. Eight
    // instructions and a gather per eight positions: the fingerprint is compared
    // with the slot's four bytes at once.
    let test = |v: __m256i| -> u32 {
        let x = _mm256_or_si256(v, fold);
        let prod = _mm256_mullo_epi32(x, mul);
        let idx = _mm256_srl_epi32(prod, index_shift);
        let fp = _mm256_or_si256(_mm256_shuffle_epi8(prod, spread), top);
        // SAFETY: idx < 1 << (32 - index_shift) <= table.len() (asserted in `scan`),
        // and the gather reads the four bytes of slot idx.
        let e = unsafe { _mm256_i32gather_epi32::<4>(base, idx) };
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(e, fp)) as u32
    };
    // Groups are written without a branch: every step stores its group, and only a
    // group with a hit advances the count. About one step in ten has a hit, at
    // random, so a branch per step was often mispredicted.
    let mut groups = [0u64; 512];
    while i + 34 <= data.len() && i + 32 <= end {
        let last = (data.len() - 34).min(end - 32);
        let steps = ((last - i) / 32 + 1).min(groups.len() / 2);
        let mut n = 0;
        for k in 0..steps {
            let j = i + 32 * k;
            // SAFETY: j <= last, so j + 2 + 32 <= data.len().
            let (a, b) = unsafe {
                (
                    _mm256_loadu_si256(p.add(j) as *const __m256i),
                    _mm256_loadu_si256(p.add(j + 2) as *const __m256i),
                )
            };
            let (ma, mb) = (test(a), test(b));
            groups[n] = j as u64;
            groups[n + 1] = (mb as u64) << 32 | ma as u64;
            n += 2 * ((ma | mb != 0) as usize);
        }
        out.extend_from_slice(&groups[..n]);
        i += 32 * steps;
    }
    i
}

/// Sets `out[k]` to the base64 alphabet mask of `data[64k..64k + 64]` (bit `i` for byte
/// `i`: ASCII letters, digits, `+ / - _`), as `expand::encoded` computes it byte by
/// byte.
pub(crate) fn alphabet_masks(cpu: Avx2, data: &[u8], out: &mut [u64]) {
    assert!(out.len().checked_mul(64).is_some_and(|n| n <= data.len()));
    let _ = cpu;
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `cpu` proves AVX2; the assertion bounds the loads (see the module note).
    unsafe {
        alphabet_masks_avx2(data, out)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn alphabet_masks_avx2(data: &[u8], out: &mut [u64]) {
    use std::arch::x86_64::*;
    // Nibble classification: a byte is in the alphabet when the class bits of its high
    // nibble and of its low nibble meet. Classes: 1 `+ - /` (high 2), 2 digits (high
    // 3), 4 `A-O a-o` (high 4 and 6), 8 `P-Z _` (high 5), 16 `p-z` (high 7). Bytes of
    // 0x80 and more get no bits from the low table (`pshufb` zeroes them), nor from the
    // high one. Nine instructions per 32 bytes rather than seventeen for range tests.
    #[rustfmt::skip]
    let lo_table = _mm256_broadcastsi128_si256(_mm_setr_epi8(
        2 | 8 | 16,      // 0: 0 P p
        2 | 4 | 8 | 16,  // 1: 1 A Q a q
        2 | 4 | 8 | 16,  // 2
        2 | 4 | 8 | 16,  // 3
        2 | 4 | 8 | 16,  // 4
        2 | 4 | 8 | 16,  // 5
        2 | 4 | 8 | 16,  // 6
        2 | 4 | 8 | 16,  // 7
        2 | 4 | 8 | 16,  // 8
        2 | 4 | 8 | 16,  // 9: 9 I Y i y
        4 | 8 | 16,      // A: J Z j z
        1 | 4,           // B: + K k
        4,               // C: L l
        1 | 4,           // D: - M m
        4,               // E: N n
        1 | 4 | 8,       // F: / O _ o
    ));
    #[rustfmt::skip]
    let hi_table = _mm256_broadcastsi128_si256(_mm_setr_epi8(
        0, 0, 1, 2, 4, 8, 4, 16, 0, 0, 0, 0, 0, 0, 0, 0,
    ));
    let nibble = _mm256_set1_epi8(0x0F);
    let zero = _mm256_setzero_si256();
    let mask32 = |v: __m256i| -> u64 {
        let lo = _mm256_shuffle_epi8(lo_table, v);
        let hi = _mm256_shuffle_epi8(
            hi_table,
            _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble),
        );
        let none = _mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), zero);
        !(_mm256_movemask_epi8(none) as u32) as u64
    };
    let p = data.as_ptr();
    for (k, o) in out.iter_mut().enumerate() {
        // SAFETY: 64 * k + 64 <= 64 * out.len() <= data.len() (asserted by the caller).
        let (a, b) = unsafe {
            (
                _mm256_loadu_si256(p.add(64 * k) as *const __m256i),
                _mm256_loadu_si256(p.add(64 * k + 32) as *const __m256i),
            )
        };
        *o = mask32(a) | mask32(b) << 32;
    }
}
