//! Compiled Android resources (`resources.arsc`, chunk header `02 00 0c 00`): the
//! global string pool (where `strings.xml` values end up) is emitted one string per
//! line, followed by `type/key = value` lines for every simple string resource, so a
//! key in `<string name="google_api_key">` is matched with its name as context.
//! Bounded like the binary XML decoder: every offset checked, output capped.

use super::axml::{typed_value, StringPool};
use super::le;
use super::strings::CappedText;
use super::{ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;

const RES_TABLE_TYPE: u16 = 0x0002;
const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
const RES_TABLE_TYPE_TYPE: u16 = 0x0201;

/// Expands `resources.arsc` to text.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArscExpander;

/// True for the resource table header.
pub fn is_arsc(d: &[u8]) -> bool {
    le::u16(d, 0) == Some(RES_TABLE_TYPE) && le::u16(d, 2) == Some(12) && d.len() >= 20
}

/// A chunk: (type, header size, bytes).
type Chunk<'a> = (u16, usize, &'a [u8]);

/// The chunks inside `d[start..end]`: (type, header size, chunk bytes). Stops at the
/// first malformed one, returning it as an error.
fn chunks(d: &[u8], start: usize, end: usize) -> (Vec<Chunk<'_>>, Option<String>) {
    let mut v = Vec::new();
    let mut pos = start;
    let end = end.min(d.len());
    while pos + 8 <= end {
        let (Some(ty), Some(h), Some(size)) =
            (le::u16(d, pos), le::u16(d, pos + 2), le::u32(d, pos + 4))
        else {
            break;
        };
        let (h, size) = (h as usize, size as usize);
        if size < 8 || h < 8 || h > size {
            return (v, Some(format!("bad chunk size {size} at byte {pos}")));
        }
        let Some(c) = pos.checked_add(size).and_then(|e| d.get(pos..e)) else {
            return (
                v,
                Some(format!("chunk at byte {pos} runs past the end (truncated)")),
            );
        };
        v.push((ty, h, c));
        pos += size;
    }
    (v, None)
}

impl Expander for ArscExpander {
    fn name(&self) -> &'static str {
        "arsc"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        is_arsc(&blob.data)
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let d: &[u8] = &blob.data;
        let mut text = CappedText::for_input(d.len(), 8, ctx.member_cap());
        let total = le::u32(d, 4).unwrap_or(0) as usize;
        let (top, mut problem) = chunks(d, 12, total);
        if total > d.len() && problem.is_none() {
            problem = Some(format!(
                "header says {total} bytes, file has {} (truncated)",
                d.len()
            ));
        }
        let mut global: Option<StringPool<'_>> = None;
        'outer: for (ty, h, c) in top {
            match ty {
                RES_STRING_POOL_TYPE if global.is_none() => {
                    global = StringPool::parse(c);
                    if let Some(p) = &global {
                        for i in 0..p.len() {
                            if let Some(s) = p.get(i) {
                                if !text.line(&s) {
                                    break 'outer;
                                }
                            }
                        }
                    }
                }
                RES_TABLE_PACKAGE_TYPE if !package(c, h, global.as_ref(), &mut text) => {
                    break 'outer;
                }
                _ => {}
            }
        }
        if text.full {
            out.skip(
                blob.origin.to_string(),
                SkipReason::LimitHit,
                "resource strings beyond the output cap not scanned",
            );
        } else if let Some(p) = problem {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                format!("resource table only partly decoded: {p}"),
            );
        }
        if !text.buf.is_empty() {
            sink(Blob::new(
                blob.origin.child(OriginPart::Decoded("arsc".into())),
                text.buf,
            ));
        }
        out
    }
}

/// Emits `type/key = value` for the package chunk `c`; false once the output is full.
fn package(c: &[u8], h: usize, global: Option<&StringPool<'_>>, text: &mut CappedText) -> bool {
    let pool_at = |off: Option<u32>| -> Option<StringPool<'_>> {
        let off = off? as usize;
        let size = le::u32(c, off.checked_add(4)?)? as usize;
        StringPool::parse(c.get(off..off.checked_add(size)?)?)
    };
    let types = pool_at(le::u32(c, 8 + 4 + 256));
    let keys = pool_at(le::u32(c, 8 + 4 + 256 + 8));
    let (inner, _) = chunks(c, h, c.len());
    for (ty, th, t) in inner {
        if ty != RES_TABLE_TYPE_TYPE {
            continue;
        }
        let type_id = t.get(8).copied().unwrap_or(0) as usize;
        let flags = t.get(9).copied().unwrap_or(0);
        let count = le::u32(t, 12).unwrap_or(0) as usize;
        let entries_start = le::u32(t, 16).unwrap_or(0) as usize;
        let type_name = types
            .as_ref()
            .and_then(|p| p.get(type_id.wrapping_sub(1)))
            .map(|s| s.into_owned())
            .unwrap_or_else(|| format!("type{type_id}"));
        let sparse = flags & 0x01 != 0;
        let off16 = flags & 0x02 != 0;
        let count = count.min(t.len() / 2);
        for i in 0..count {
            let off = if sparse {
                le::u16(t, th + 4 * i + 2).map(|o| o as usize * 4)
            } else if off16 {
                le::u16(t, th + 2 * i).and_then(|o| (o != 0xFFFF).then_some(o as usize * 4))
            } else {
                le::u32(t, th + 4 * i).and_then(|o| (o != 0xFFFF_FFFF).then_some(o as usize))
            };
            let Some(at) = off.and_then(|o| entries_start.checked_add(o)) else {
                continue;
            };
            let (Some(esize), Some(eflags)) = (le::u16(t, at), le::u16(t, at + 2)) else {
                continue;
            };
            if eflags & 0x0001 != 0 {
                continue; // a map (style, array): not a simple value
            }
            let (key, dt, data) = if eflags & 0x0008 != 0 {
                // Compact entry: key in the size field, type in the flags' high byte.
                (Some(esize as u32), (eflags >> 8) as u8, le::u32(t, at + 4))
            } else {
                let v = at + esize as usize;
                (
                    le::u32(t, at + 4),
                    t.get(v + 3).copied().unwrap_or(0),
                    le::u32(t, v + 4),
                )
            };
            if dt != 0x03 {
                continue;
            }
            let (Some(key), Some(data)) = (key, data) else {
                continue;
            };
            let k = keys
                .as_ref()
                .and_then(|p| p.get(key as usize))
                .map(|s| s.into_owned())
                .unwrap_or_default();
            let v = typed_value(global, dt, data);
            if !text.line(&format!("{type_name}/{k} = {v}")) {
                return false;
            }
        }
    }
    true
}
