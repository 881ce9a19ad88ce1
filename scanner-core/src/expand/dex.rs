//! DEX files (`classes*.dex`, magic `dex\n0xx\0`): the `string_ids` table gives every
//! string constant of the app's Java/Kotlin code; they become one text child, one
//! string per line (modified UTF-8 decoded). Every offset is bounds-checked: a
//! truncated file yields the strings read so far and a skip.

use super::le;
use super::strings::{mutf8_to_string, CappedText};
use super::{ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;

/// Expands DEX files into their string table.
#[derive(Debug, Clone, Copy, Default)]
pub struct DexExpander;

/// True for the DEX magic `dex\n` + three digits + NUL.
pub fn is_dex(d: &[u8]) -> bool {
    d.len() >= 8
        && d.starts_with(b"dex\n")
        && d[4..7].iter().all(|b| b.is_ascii_digit())
        && d[7] == 0
}

/// Reads an unsigned LEB128 (at most 5 bytes) at `off`; returns the value and the
/// offset after it.
fn uleb128(d: &[u8], mut off: usize) -> Option<(u32, usize)> {
    let mut v: u32 = 0;
    for i in 0..5 {
        let b = *d.get(off)?;
        off += 1;
        v |= ((b & 0x7f) as u32) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, off));
        }
    }
    None
}

impl Expander for DexExpander {
    fn name(&self) -> &'static str {
        "dex"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        is_dex(&blob.data)
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let d: &[u8] = &blob.data;
        let (Some(count), Some(ids_off)) = (le::u32(d, 0x38), le::u32(d, 0x3C)) else {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                "truncated DEX header",
            );
            return out;
        };
        let (count, ids_off) = (count as usize, ids_off as usize);
        // Never trust the count: only as many ids as the file can hold.
        let fits = d.len().saturating_sub(ids_off) / 4;
        if count > fits {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                format!("DEX string table claims {count} strings but the file holds at most {fits}: truncated or corrupt; reading those present"),
            );
        }
        let mut text = CappedText::for_input(d.len(), 4, ctx.member_cap());
        let mut bad = 0usize;
        for i in 0..count.min(fits) {
            let Some(data_off) = le::u32(d, ids_off + 4 * i) else {
                break;
            };
            let Some((_utf16_len, start)) = uleb128(d, data_off as usize) else {
                bad += 1;
                continue;
            };
            let Some(rest) = d.get(start..) else {
                bad += 1;
                continue;
            };
            let end = memchr::memchr(0, rest).unwrap_or(rest.len());
            if !text.line(&mutf8_to_string(&rest[..end])) {
                out.skip(
                    blob.origin.to_string(),
                    SkipReason::LimitHit,
                    "DEX strings beyond the output cap not scanned (raise with --max-member-size)",
                );
                break;
            }
        }
        if bad > 0 {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                format!("{bad} DEX string id(s) point outside the file"),
            );
        }
        if !text.buf.is_empty() {
            sink(Blob::new(
                blob.origin.child(OriginPart::Decoded("dex-strings".into())),
                text.buf,
            ));
        }
        out
    }
}
