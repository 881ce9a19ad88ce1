//! Android binary XML (`AndroidManifest.xml`, `res/**/*.xml` in an APK; chunk header
//! `03 00 08 00`) decoded back to readable XML text, so that
//! `<meta-data android:name="com.google.android.geo.API_KEY" android:value="AIza…"/>`
//! and `android:debuggable="true"` are matched as text with their context.
//!
//! A small bounded parser (no maintained crate decodes this without pulling a large
//! dependency tree): every chunk size and offset is checked against the data, loops
//! advance by at least one chunk header, strings are decoded on use, and the output is
//! capped so a crafted pool cannot multiply one long string without end.

use super::le;
use super::strings::{utf16le_to_string, CappedText};
use super::{ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;
use std::borrow::Cow;
use std::collections::HashMap;

const RES_XML_TYPE: u16 = 0x0003;
const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;
const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
const RES_XML_CDATA_TYPE: u16 = 0x0104;
const NO_INDEX: u32 = 0xFFFF_FFFF;

/// Expands Android binary XML to text.
#[derive(Debug, Clone, Copy, Default)]
pub struct AxmlExpander;

/// True for the binary XML file header.
pub fn is_axml(d: &[u8]) -> bool {
    le::u16(d, 0) == Some(RES_XML_TYPE) && le::u16(d, 2) == Some(8) && d.len() >= 16
}

/// A string pool (shared with `resources.arsc`), decoding strings on use.
pub(crate) struct StringPool<'a> {
    chunk: &'a [u8],
    count: usize,
    utf8: bool,
    strings_start: usize,
}

impl<'a> StringPool<'a> {
    /// Parses the pool chunk `chunk` (header included).
    pub(crate) fn parse(chunk: &'a [u8]) -> Option<Self> {
        let header_size = le::u16(chunk, 2)? as usize;
        let count = le::u32(chunk, 8)? as usize;
        let flags = le::u32(chunk, 16)?;
        let strings_start = le::u32(chunk, 20)? as usize;
        // Only as many offsets as the chunk holds.
        let count = count.min(chunk.len().saturating_sub(header_size) / 4);
        Some(StringPool {
            chunk,
            count,
            utf8: flags & (1 << 8) != 0,
            strings_start,
        })
    }

    /// Number of strings.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// String `i`, or `None` when it lies outside the chunk.
    pub(crate) fn get(&self, i: usize) -> Option<Cow<'a, str>> {
        if i >= self.count {
            return None;
        }
        let header_size = le::u16(self.chunk, 2)? as usize;
        let off = le::u32(self.chunk, header_size + 4 * i)? as usize;
        let at = self.strings_start.checked_add(off)?;
        let c = self.chunk;
        if self.utf8 {
            // UTF-16 length (1 or 2 bytes), then UTF-8 length (1 or 2 bytes).
            let mut p = at;
            let b = *c.get(p)?;
            p += if b & 0x80 != 0 { 2 } else { 1 };
            let b = *c.get(p)? as usize;
            let len = if b & 0x80 != 0 {
                let b2 = *c.get(p + 1)? as usize;
                p += 2;
                ((b & 0x7f) << 8) | b2
            } else {
                p += 1;
                b
            };
            let bytes = c.get(p..p.checked_add(len)?)?;
            Some(String::from_utf8_lossy(bytes))
        } else {
            let mut p = at;
            let u = le::u16(c, p)? as usize;
            let len = if u & 0x8000 != 0 {
                let u2 = le::u16(c, p + 2)? as usize;
                p += 4;
                ((u & 0x7fff) << 16) | u2
            } else {
                p += 2;
                u
            };
            let bytes = c.get(p..p.checked_add(len.checked_mul(2)?)?)?;
            Some(Cow::Owned(utf16le_to_string(bytes)))
        }
    }
}

/// Well-known framework attribute ids, for manifests whose attribute names were
/// stripped (obfuscated) and survive only in the resource map.
fn android_attr_name(id: u32) -> Option<&'static str> {
    Some(match id {
        0x0101_0000 => "theme",
        0x0101_0001 => "label",
        0x0101_0002 => "icon",
        0x0101_0003 => "name",
        0x0101_0006 => "permission",
        0x0101_000f => "debuggable",
        0x0101_0010 => "exported",
        0x0101_0024 => "value",
        0x0101_0025 => "resource",
        0x0101_0280 => "allowBackup",
        0x0101_021b => "versionCode",
        0x0101_021c => "versionName",
        0x0101_020c => "minSdkVersion",
        0x0101_0270 => "targetSdkVersion",
        0x0101_04ec => "usesCleartextTraffic",
        0x0101_0527 => "networkSecurityConfig",
        0x0101_001c => "host",
        0x0101_0027 => "scheme",
        _ => return None,
    })
}

fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;"),
    )
}

/// Renders a typed value (`Res_value`) as text.
pub(crate) fn typed_value(pool: Option<&StringPool<'_>>, data_type: u8, data: u32) -> String {
    match data_type {
        0x00 => String::new(),
        0x01 => format!("@0x{data:08x}"),
        0x02 => format!("?0x{data:08x}"),
        0x03 => pool
            .and_then(|p| p.get(data as usize))
            .map(|s| s.into_owned())
            .unwrap_or_default(),
        0x04 => format!("{}", f32::from_bits(data)),
        0x10 => format!("{}", data as i32),
        0x11 => format!("0x{data:x}"),
        0x12 => if data != 0 { "true" } else { "false" }.to_string(),
        0x1c..=0x1f => format!("#{data:08x}"),
        _ => format!("0x{data:08x}"),
    }
}

impl Expander for AxmlExpander {
    fn name(&self) -> &'static str {
        "axml"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        is_axml(&blob.data)
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let d: &[u8] = &blob.data;
        let mut text = CappedText::for_input(d.len(), 16, ctx.member_cap());
        let complete = decode(d, &mut text);
        if let Err(why) = complete {
            out.skip(
                blob.origin.to_string(),
                if text.full {
                    SkipReason::LimitHit
                } else {
                    SkipReason::Corrupt
                },
                format!("binary XML only partly decoded: {why}"),
            );
        }
        if !text.buf.is_empty() {
            sink(Blob::new(
                blob.origin.child(OriginPart::Decoded("axml".into())),
                text.buf,
            ));
        }
        out
    }
}

/// Decodes binary XML `d` into `text`; `Err` says why it stopped early (the text so
/// far is kept).
pub(crate) fn decode(d: &[u8], text: &mut CappedText) -> Result<(), String> {
    let total = (le::u32(d, 4).unwrap_or(0) as usize).min(d.len());
    let mut pos = le::u16(d, 2).unwrap_or(8) as usize;
    let mut pool: Option<StringPool<'_>> = None;
    let mut res_map: &[u8] = &[];
    let mut ns_prefix: HashMap<u32, u32> = HashMap::new();
    let mut pending_ns: Vec<(u32, u32)> = Vec::new();
    let mut depth = 0usize;
    text.push("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let str_at = |pool: &Option<StringPool<'_>>, i: u32| -> String {
        if i == NO_INDEX {
            return String::new();
        }
        pool.as_ref()
            .and_then(|p| p.get(i as usize))
            .map(|s| s.into_owned())
            .unwrap_or_default()
    };
    while pos + 8 <= total {
        let ty = le::u16(d, pos).ok_or("truncated chunk header")?;
        let hsize = le::u16(d, pos + 2).ok_or("truncated chunk header")? as usize;
        let size = le::u32(d, pos + 4).ok_or("truncated chunk header")? as usize;
        if size < 8 || hsize < 8 || hsize > size {
            return Err(format!("bad chunk size {size} at byte {pos}"));
        }
        let Some(chunk) = pos.checked_add(size).and_then(|end| d.get(pos..end)) else {
            return Err(format!("chunk at byte {pos} runs past the end (truncated)"));
        };
        match ty {
            RES_STRING_POOL_TYPE => pool = StringPool::parse(chunk),
            RES_XML_RESOURCE_MAP_TYPE => res_map = chunk.get(hsize..).unwrap_or(&[]),
            RES_XML_START_NAMESPACE_TYPE => {
                let prefix = le::u32(chunk, 16).unwrap_or(NO_INDEX);
                let uri = le::u32(chunk, 20).unwrap_or(NO_INDEX);
                ns_prefix.insert(uri, prefix);
                pending_ns.push((prefix, uri));
            }
            RES_XML_START_ELEMENT_TYPE => {
                let ext = hsize;
                let name = str_at(&pool, le::u32(chunk, ext + 4).unwrap_or(NO_INDEX));
                let attr_start = le::u16(chunk, ext + 8).unwrap_or(20) as usize;
                let attr_size = (le::u16(chunk, ext + 10).unwrap_or(20) as usize).max(20);
                let attr_count = le::u16(chunk, ext + 12).unwrap_or(0) as usize;
                let mut line = "  ".repeat(depth.min(64));
                line.push('<');
                line.push_str(&name);
                for (prefix, uri) in pending_ns.drain(..) {
                    line.push_str(&format!(
                        " xmlns:{}=\"{}\"",
                        str_at(&pool, prefix),
                        escape(&str_at(&pool, uri))
                    ));
                }
                for a in 0..attr_count {
                    let at = ext + attr_start + a * attr_size;
                    let (Some(ns), Some(an), Some(raw), Some(dt), Some(data)) = (
                        le::u32(chunk, at),
                        le::u32(chunk, at + 4),
                        le::u32(chunk, at + 8),
                        chunk.get(at + 15).copied(),
                        le::u32(chunk, at + 16),
                    ) else {
                        break;
                    };
                    let mut aname = str_at(&pool, an);
                    if aname.is_empty() {
                        if let Some(id) = le::u32(res_map, 4 * an as usize) {
                            aname = android_attr_name(id)
                                .map(str::to_string)
                                .unwrap_or_else(|| format!("attr_0x{id:08x}"));
                        }
                    }
                    let prefix = if ns == NO_INDEX {
                        String::new()
                    } else {
                        match ns_prefix.get(&ns) {
                            Some(&p) => format!("{}:", str_at(&pool, p)),
                            None => String::new(),
                        }
                    };
                    let value = if raw != NO_INDEX {
                        str_at(&pool, raw)
                    } else {
                        typed_value(pool.as_ref(), dt, data)
                    };
                    line.push_str(&format!(" {prefix}{aname}=\"{}\"", escape(&value)));
                }
                line.push('>');
                if !text.line(&line) {
                    return Err("output cap reached".into());
                }
                depth += 1;
            }
            RES_XML_END_ELEMENT_TYPE => {
                depth = depth.saturating_sub(1);
                let name = str_at(&pool, le::u32(chunk, hsize + 4).unwrap_or(NO_INDEX));
                let line = format!("{}</{}>", "  ".repeat(depth.min(64)), name);
                if !text.line(&line) {
                    return Err("output cap reached".into());
                }
            }
            RES_XML_CDATA_TYPE => {
                let s = str_at(&pool, le::u32(chunk, hsize).unwrap_or(NO_INDEX));
                if !text.line(&escape(&s)) {
                    return Err("output cap reached".into());
                }
            }
            _ => {}
        }
        pos += size;
    }
    if pos < total {
        return Err("truncated after the last whole chunk".into());
    }
    if le::u32(d, 4).is_some_and(|t| t as usize > d.len()) {
        return Err(format!(
            "header says {} bytes, file has {} (truncated)",
            le::u32(d, 4).unwrap_or(0),
            d.len()
        ));
    }
    Ok(())
}
