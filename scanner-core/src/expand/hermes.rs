//! Hermes bytecode (React Native release bundles: `index.android.bundle`,
//! `main.jsbundle`; magic `0x1F1903C103BC1FC6` little-endian at offset 0). The header
//! gives the counts of the sections before the string storage (function headers,
//! string kinds, identifier hashes, the small string table and its overflow table);
//! each string (ASCII/Latin-1 or UTF-16) becomes one line of a text child.
//!
//! The function header size changed across bytecode versions, so the layout is found
//! by trying the known sizes and keeping the first under which every string table
//! entry lies inside the storage. A version outside the known range, or a file no
//! layout fits, is reported; for the latter every printable run is extracted instead
//! (best effort).

use super::le;
use super::strings::{printable_strings, utf16le_to_string, CappedText, MIN_PRINTABLE};
use super::{ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;

/// The Hermes bytecode magic, little-endian at offset 0.
pub const HERMES_MAGIC: u64 = 0x1F19_03C1_03BC_1FC6;
/// Oldest bytecode version whose layout this parser was written against.
pub const HERMES_MIN_KNOWN_VERSION: u32 = 59;
/// Newest bytecode version whose layout this parser was written against.
pub const HERMES_MAX_KNOWN_VERSION: u32 = 99;
/// Size of the file header.
const HEADER_SIZE: usize = 128;
/// Function header sizes seen across versions, most common first.
const FUNC_HEADER_SIZES: &[usize] = &[16, 12, 20, 24, 8];

/// Expands Hermes bytecode into its string table.
#[derive(Debug, Clone, Copy, Default)]
pub struct HermesExpander;

/// True when `d` starts with the Hermes magic (or its delta form).
pub fn is_hermes(d: &[u8]) -> bool {
    matches!(le::u64(d, 0), Some(m) if m == HERMES_MAGIC || m == !HERMES_MAGIC)
}

struct Entry {
    utf16: bool,
    offset: usize,
    length: usize,
}

/// The string table under one layout guess, or `None` when an entry falls outside.
fn table(d: &[u8], func_size: usize) -> Option<(Vec<Entry>, &[u8])> {
    let functions = le::u32(d, 40)? as usize;
    let kinds = le::u32(d, 44)? as usize;
    let idents = le::u32(d, 48)? as usize;
    let strings = le::u32(d, 52)? as usize;
    let overflow = le::u32(d, 56)? as usize;
    let storage_size = le::u32(d, 60)? as usize;
    let small_off = HEADER_SIZE
        .checked_add(functions.checked_mul(func_size)?)?
        .checked_add(kinds.checked_mul(4)?)?
        .checked_add(idents.checked_mul(4)?)?;
    let over_off = small_off.checked_add(strings.checked_mul(4)?)?;
    let storage_off = over_off.checked_add(overflow.checked_mul(8)?)?;
    let storage = d.get(storage_off..storage_off.checked_add(storage_size)?)?;
    let mut out = Vec::with_capacity(strings.min(d.len() / 4));
    for i in 0..strings {
        let w = le::u32(d, small_off + 4 * i)?;
        let utf16 = w & 1 == 1;
        let mut offset = ((w >> 1) & 0x7F_FFFF) as usize;
        let mut length = (w >> 24) as usize;
        if length == 0xFF {
            if offset >= overflow {
                return None;
            }
            offset = le::u32(d, over_off + 8 * offset)? as usize;
            length = le::u32(d, over_off + 8 * (offset_index(w)) + 4)? as usize;
        }
        let bytes = if utf16 {
            length.checked_mul(2)?
        } else {
            length
        };
        if offset.checked_add(bytes)? > storage.len() {
            return None;
        }
        out.push(Entry {
            utf16,
            offset,
            length: bytes,
        });
    }
    Some((out, storage))
}

fn offset_index(w: u32) -> usize {
    ((w >> 1) & 0x7F_FFFF) as usize
}

impl Expander for HermesExpander {
    fn name(&self) -> &'static str {
        "hermes"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        is_hermes(&blob.data)
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let d: &[u8] = &blob.data;
        let version = le::u32(d, 8).unwrap_or(0);
        if !(HERMES_MIN_KNOWN_VERSION..=HERMES_MAX_KNOWN_VERSION).contains(&version) {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Other,
                format!(
                    "Hermes bytecode version {version} is outside the known range {HERMES_MIN_KNOWN_VERSION}-{HERMES_MAX_KNOWN_VERSION}: strings extracted best effort"
                ),
            );
        }
        let mut text = CappedText::for_input(d.len(), 2, ctx.member_cap());
        let found = FUNC_HEADER_SIZES.iter().find_map(|&fs| table(d, fs));
        match found {
            Some((entries, storage)) => {
                for e in &entries {
                    let raw = &storage[e.offset..e.offset + e.length];
                    let s = if e.utf16 {
                        utf16le_to_string(raw)
                    } else {
                        // ASCII, or Latin-1 for the odd accented literal.
                        raw.iter().map(|&b| b as char).collect()
                    };
                    if !text.line(&s) {
                        out.skip(
                            blob.origin.to_string(),
                            SkipReason::LimitHit,
                            "Hermes strings beyond the output cap not scanned (raise with --max-member-size)",
                        );
                        break;
                    }
                }
            }
            None => {
                out.skip(
                    blob.origin.to_string(),
                    SkipReason::Corrupt,
                    format!("Hermes bytecode (version {version}) string table not found (truncated, corrupt or an unknown layout): printable strings extracted instead"),
                );
                let mut buf = Vec::new();
                printable_strings(d, MIN_PRINTABLE, &mut buf, text.cap);
                text.buf = buf;
            }
        }
        if !text.buf.is_empty() {
            sink(Blob::new(
                blob.origin
                    .child(OriginPart::Decoded("hermes-strings".into())),
                text.buf,
            ));
        }
        out
    }
}
