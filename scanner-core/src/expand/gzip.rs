//! Gzip streams (`.gz`, `.tgz`, `.tar.gz`; magic `1f 8b`). A gzipped tar is streamed
//! member by member without holding the whole tar in memory; any other payload becomes
//! one child named after the file without `.gz`. The decompressed stream as a whole
//! may not exceed the expansion ratio (past [`RATIO_MIN_BYTES`](super::RATIO_MIN_BYTES)).

use super::{member_bytes, read_bounded, ExpandCtx, Expander, Expansion, Limited, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;
use std::io::{Cursor, Read};

/// Expands gzip streams.
#[derive(Debug, Clone, Copy, Default)]
pub struct GzipExpander;

impl Expander for GzipExpander {
    fn name(&self) -> &'static str {
        "gzip"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        blob.data.starts_with(&[0x1f, 0x8b])
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let compressed = blob.data.len() as u64;
        let limit = compressed
            .max(1)
            .saturating_mul(ctx.limits.max_ratio)
            .max(super::RATIO_MIN_BYTES);
        let mut dec = Limited {
            inner: flate2::read::MultiGzDecoder::new(&blob.data[..]),
            read: 0,
            limit,
        };
        // Peek at the first block to tell a tar from anything else.
        let mut head = Vec::with_capacity(512);
        if let Err(e) = (&mut dec).take(512).read_to_end(&mut head) {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                format!("truncated or corrupt gzip stream: {e}"),
            );
            if head.is_empty() {
                return out;
            }
        }
        let name = inner_name(blob);
        if super::tar::is_tar_header(&head) {
            let stream = Cursor::new(head).chain(dec);
            super::tar::expand_tar_stream(stream, blob, &ctx, Some(compressed), sink, &mut out);
            return out;
        }
        let origin = blob.origin.child(OriginPart::Member(name));
        let what = origin.to_string();
        // The trailer's size (mod 2^32) lets a bomb be refused before inflating it.
        let claimed = blob
            .data
            .len()
            .checked_sub(4)
            .and_then(|at| super::le::u32(&blob.data, at))
            .map(u64::from)
            .unwrap_or(0);
        if claimed > ctx.member_cap() {
            out.skip(
                what,
                SkipReason::LimitHit,
                format!(
                    "member not scanned: its trailer claims {claimed} bytes, over the {}-byte cap (raise with --max-member-size / --max-expanded-bytes)",
                    ctx.member_cap()
                ),
            );
            return out;
        }
        if claimed > limit {
            out.skip(
                what,
                SkipReason::LimitHit,
                format!(
                    "member not scanned: {claimed} bytes from {compressed} compressed, over the {}x expansion ratio: a compression bomb? (raise with --max-ratio)",
                    ctx.limits.max_ratio
                ),
            );
            return out;
        }
        let res = read_bounded(
            Cursor::new(head).chain(dec),
            ctx.member_cap(),
            Some(compressed),
            ctx.limits.max_ratio,
        );
        let res = match res {
            Err(super::ReadStop::Broken(e, _)) if e.to_string().contains(super::LIMITED_MSG) => {
                Err(super::ReadStop::Ratio(limit))
            }
            r => r,
        };
        if let Some(bytes) = member_bytes(res, &what, &ctx, &mut out) {
            sink(Blob::new(origin, bytes));
        }
        out
    }
}

/// The name of the decompressed payload: the file name without `.gz` (`.tgz` → `.tar`).
fn inner_name(blob: &Blob) -> String {
    let p = blob.origin.inner_path();
    let file = p.rsplit('/').next().unwrap_or(p);
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".tgz") {
        format!("{}.tar", &file[..file.len() - 4])
    } else if lower.ends_with(".gz") && file.len() > 3 {
        file[..file.len() - 3].to_string()
    } else {
        format!("{file}.gunzipped")
    }
}
