//! Source maps (`*.map`, JSON with `sources`/`sourcesContent`): each embedded original
//! source becomes a child named after its path (`app.js.map!/src/config.ts [decoded
//! sourcemap]`), so a key is found in the file a developer will open.
//!
//! Also the reverse direction used by the engine: [`map_for_bundle`] finds the map of a
//! minified bundle (its `//# sourceMappingURL=` comment: an inline `data:` URL, or a
//! sibling file next to a working-tree file) and [`original_positions`] decodes the
//! VLQ `mappings` (one linear pass, a small hand-written decoder rather than a crate
//! with a heavy dependency tree) to report where a finding was in the original source.

use super::{sanitize_member_name, ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, Origin, OriginPart};
use crate::findings::SkipReason;
use base64::Engine;
use serde::Deserialize;
use std::path::Path;

/// Expands source maps into their embedded sources.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceMapExpander;

#[derive(Deserialize)]
struct RawMap {
    #[serde(default)]
    sources: Vec<Option<String>>,
    #[serde(default, rename = "sourcesContent")]
    sources_content: Vec<Option<String>>,
    #[serde(default, rename = "sourceRoot")]
    source_root: Option<String>,
}

/// The parts of a map needed to look positions up (`sourcesContent` is skipped).
#[derive(Deserialize)]
struct LookupMap {
    #[serde(default)]
    sources: Vec<Option<String>>,
    #[serde(default, rename = "sourceRoot")]
    source_root: Option<String>,
    #[serde(default)]
    mappings: String,
}

/// Describes a JSON error by kind and position only: serde's messages quote the
/// offending value (`invalid type: string "…"`), which may be a secret, and a warning
/// must never print one.
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "JSON syntax error",
        Category::Data => "unexpected JSON structure",
        Category::Eof => "JSON ends early",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// Turns a `sources` entry into a member path: scheme (`webpack://`) and `..` dropped.
fn source_path(root: Option<&str>, s: &str) -> String {
    let s = match s.find("://") {
        Some(i) if i < 24 => &s[i + 3..],
        _ => s,
    };
    let joined = match root {
        Some(r) if !r.is_empty() && !s.starts_with('/') => format!("{r}/{s}"),
        _ => s.to_string(),
    };
    sanitize_member_name(joined.as_bytes()).0
}

impl Expander for SourceMapExpander {
    fn name(&self) -> &'static str {
        "sourcemap"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        let first = blob.data.iter().find(|b| !b.is_ascii_whitespace());
        first == Some(&b'{')
            && (super::has_ext(blob, &[".map"])
                || memchr::memmem::find(&blob.data[..blob.data.len().min(4096)], b"\"mappings\"")
                    .is_some()
                    && memchr::memmem::find(&blob.data, b"\"sourcesContent\"").is_some())
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let map: RawMap = match serde_json::from_slice(&blob.data) {
            Ok(m) => m,
            Err(e) => {
                out.skip(
                    blob.origin.to_string(),
                    SkipReason::Corrupt,
                    format!(
                        "not a readable source map ({}); scanned as text",
                        json_error(&e)
                    ),
                );
                out.scan_parent = true;
                return out;
            }
        };
        if map.sources_content.iter().all(|c| c.is_none()) {
            out.scan_parent = true;
            return out;
        }
        let RawMap {
            sources,
            sources_content,
            source_root,
            ..
        } = map;
        for (i, content) in sources_content.into_iter().enumerate() {
            let Some(content) = content else { continue };
            let path = sources
                .get(i)
                .and_then(|s| s.as_deref())
                .map(|s| source_path(source_root.as_deref(), s))
                .unwrap_or_else(|| format!("<source {i}>"));
            if content.len() as u64 > ctx.member_cap() {
                out.skip(
                    format!("{}!/{path}", blob.origin),
                    SkipReason::LimitHit,
                    "embedded source over the member size cap (raise with --max-member-size)",
                );
                continue;
            }
            let origin = blob
                .origin
                .child(OriginPart::Member(path))
                .child(OriginPart::Decoded("sourcemap".into()));
            if !sink(Blob::new(origin, content.into_bytes())) {
                break;
            }
        }
        out
    }
}

/// The source map of a bundle: from an inline `data:` URL in its last
/// `sourceMappingURL` comment, or from the sibling file it names when the bundle is a
/// working-tree file (read up to `max` bytes). `None` when there is none.
pub fn map_for_bundle(origin: &Origin, data: &[u8], max: u64) -> Option<Vec<u8>> {
    const KEY: &[u8] = b"sourceMappingURL=";
    // The last occurrence, found searching forward: `memmem`'s forward search has a
    // vector prefilter and its reverse search has none (10x slower; on a corpus of
    // 350 MB of npm bundles the reverse search over bundles without a map comment
    // was 6% of the scan).
    let at = memchr::memmem::find_iter(data, KEY).last()?;
    let before = &data[at.saturating_sub(4)..at];
    if !(before.ends_with(b"//# ") || before.ends_with(b"//@ ") || before.ends_with(b"/*# ")) {
        return None;
    }
    let rest = &data[at + KEY.len()..];
    let end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'*')
        .unwrap_or(rest.len());
    let url = &rest[..end];
    if let Some(r) = url.strip_prefix(b"data:") {
        let comma = memchr::memchr(b',', r)?;
        let (meta, payload) = (&r[..comma], &r[comma + 1..]);
        if payload.len() as u64 > max.saturating_mul(2) {
            return None;
        }
        return if meta.ends_with(b";base64") {
            base64::engine::general_purpose::STANDARD
                .decode(payload)
                .ok()
        } else {
            Some(payload.to_vec())
        };
    }
    // A sibling file: only for bundles read from the working tree.
    let [OriginPart::File(path)] = origin.parts() else {
        return None;
    };
    let url = std::str::from_utf8(url).ok()?;
    let url = url.split(['?', '#']).next()?;
    if url.contains("://") || url.is_empty() {
        return None;
    }
    let p = Path::new(path).parent()?.join(url);
    let f = std::fs::File::open(p).ok()?;
    let mut buf = Vec::new();
    use std::io::Read;
    f.take(max.saturating_add(1)).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 <= max).then_some(buf)
}

fn vlq_digit(b: u8) -> Option<i64> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as i64)
}

/// Decodes one segment's VLQ fields into `fields`; returns how many there were.
fn segment(seg: &[u8], fields: &mut [i64; 5]) -> usize {
    let mut n = 0;
    let mut value: i64 = 0;
    let mut shift = 0;
    for &b in seg {
        let Some(d) = vlq_digit(b) else { return n };
        if shift < 60 {
            value |= (d & 31) << shift;
        }
        if d & 32 != 0 {
            shift += 5;
            continue;
        }
        let v = if value & 1 == 1 {
            -(value >> 1)
        } else {
            value >> 1
        };
        if n < 5 {
            fields[n] = v;
        }
        n += 1;
        value = 0;
        shift = 0;
    }
    n
}

/// Maps generated positions (1-based line, 1-based column) of a bundle to original
/// positions `(source path, line, column)` (1-based) through the source map `map`.
/// One pass over `mappings`; unknown positions map to `None`.
pub fn original_positions(
    map: &[u8],
    positions: &[(usize, usize)],
) -> Vec<Option<(String, usize, usize)>> {
    let mut result = vec![None; positions.len()];
    let Ok(m) = serde_json::from_slice::<LookupMap>(map) else {
        return result;
    };
    let max_line = positions.iter().map(|p| p.0).max().unwrap_or(0);
    let mut line = 1usize;
    let (mut src, mut oline, mut ocol) = (0i64, 0i64, 0i64);
    let mut name = 0i64;
    let mut gcol;
    for line_text in m.mappings.as_bytes().split(|&b| b == b';') {
        if line > max_line {
            break;
        }
        gcol = 0i64;
        let wanted: Vec<usize> = (0..positions.len())
            .filter(|&i| positions[i].0 == line)
            .collect();
        // Best segment so far for each wanted position: (gen col, src, line, col).
        let mut best: Vec<Option<(i64, i64, i64)>> = vec![None; wanted.len()];
        for seg in line_text.split(|&b| b == b',') {
            if seg.is_empty() {
                continue;
            }
            let mut f = [0i64; 5];
            let n = segment(seg, &mut f);
            if n == 0 {
                continue;
            }
            gcol += f[0];
            if n >= 4 {
                src += f[1];
                oline += f[2];
                ocol += f[3];
                if n >= 5 {
                    name += f[4];
                }
                for (k, &i) in wanted.iter().enumerate() {
                    let col0 = positions[i].1.saturating_sub(1) as i64;
                    if gcol <= col0 {
                        best[k] = Some((src, oline, ocol));
                    }
                }
            }
        }
        for (k, &i) in wanted.iter().enumerate() {
            if let Some((s, l, c)) = best[k] {
                let path = usize::try_from(s)
                    .ok()
                    .and_then(|s| m.sources.get(s))
                    .and_then(|s| s.as_deref())
                    .map(|s| source_path(m.source_root.as_deref(), s));
                if let (Some(path), Ok(l), Ok(c)) = (path, usize::try_from(l), usize::try_from(c)) {
                    result[i] = Some((path, l + 1, c + 1));
                }
            }
        }
        line += 1;
    }
    let _ = name;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_map_comment_counts() {
        let origin = Origin::file("nowhere/app.js");
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let bundle = format!(
            "var a=1;\n//# sourceMappingURL=data:application/json;base64,{}\nvar b=2;\n//# sourceMappingURL=data:application/json;base64,{}\n",
            b64("first"),
            b64("second")
        );
        assert_eq!(
            map_for_bundle(&origin, bundle.as_bytes(), 1 << 20).as_deref(),
            Some(&b"second"[..])
        );
        assert_eq!(
            map_for_bundle(&origin, b"var a = 1;\n// no map\n", 1 << 20),
            None
        );
        // A mention that is not a comment is not a map.
        assert_eq!(
            map_for_bundle(&origin, b"x = 'sourceMappingURL=data:,abc'", 1 << 20),
            None
        );
    }

    #[test]
    fn maps_back() {
        // Line 1: col 0 -> a.ts 1:1; col 10 -> a.ts 3:5 ("AAAA", "UAEI").
        let map = br#"{"version":3,"sources":["webpack:///./src/a.ts"],"names":[],"mappings":"AAAA,UAEI"}"#;
        let r = original_positions(map, &[(1, 12), (1, 3), (2, 1)]);
        assert_eq!(r[0], Some(("src/a.ts".into(), 3, 5)));
        assert_eq!(r[1], Some(("src/a.ts".into(), 1, 1)));
        assert_eq!(r[2], None);
    }

    #[test]
    fn a_malformed_map_warning_never_quotes_its_content() {
        let key = "sk_live_4fQ9zK2mXv7LpR3tW8yB1nC6hD5jG0aE"; // launchguard:allow (fake)
        let map = format!(
            "{{\"version\":3,\"sources\":[\"a.js\"],\"sourcesContent\":\"k='{key}'\",\"mappings\":\"\"}}"
        );
        let blob = Blob::new(Origin::file("app.js.map"), map.into_bytes());
        let limits = crate::Limits::default();
        let ctx = ExpandCtx {
            limits: &limits,
            depth: 0,
            budget_left: u64::MAX,
        };
        let out = crate::expand::expand_all(&SourceMapExpander, &blob, ctx);
        assert!(out.scan_parent);
        assert_eq!(out.skips.len(), 1);
        let m = &out.skips[0].message;
        assert!(m.contains("unexpected JSON structure at line 1"), "{m}");
        assert!(!m.contains("4fQ9zK2m"), "{m}");
    }
}
