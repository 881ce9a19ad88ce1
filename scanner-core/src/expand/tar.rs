//! Tar archives (`.tar`, and the inside of `.tar.gz`/`.tgz` streamed by the gzip
//! expander). Only regular files become children; each is read through a bounded
//! reader. Unsafe member names are sanitized and reported; a truncated archive keeps
//! the members read before the break.

use super::{read_sized, sanitize_member_name, ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;
use std::io::Read;

/// Expands tar archives.
#[derive(Debug, Clone, Copy, Default)]
pub struct TarExpander;

/// True when `head` starts with a tar header (`ustar` magic, or a valid checksum).
pub fn is_tar_header(head: &[u8]) -> bool {
    if head.len() < 512 {
        return false;
    }
    if &head[257..262] == b"ustar" {
        return true;
    }
    // Old (v7) tar: check the header checksum.
    let field = &head[148..156];
    let text: String = field
        .iter()
        .take_while(|&&b| b != 0 && b != b' ')
        .map(|&b| b as char)
        .collect();
    let Ok(want) = u32::from_str_radix(text.trim(), 8) else {
        return false;
    };
    let sum: u32 = head[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u32
            }
        })
        .sum();
    sum == want && head[0] != 0
}

impl Expander for TarExpander {
    fn name(&self) -> &'static str {
        "tar"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        is_tar_header(&blob.data) || (super::has_ext(blob, &[".tar"]) && blob.data.len() >= 512)
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        if !is_tar_header(&blob.data) {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                "not a readable tar archive; scanned as raw bytes",
            );
            out.scan_parent = true;
            return out;
        }
        expand_tar_stream(&blob.data[..], blob, &ctx, None, sink, &mut out);
        out
    }
}

/// Reads the tar stream `r` member by member into `sink`. `compressed` is the size of
/// the compressed input when `r` decompresses (the ratio is then checked per member).
pub(crate) fn expand_tar_stream<R: Read>(
    r: R,
    blob: &Blob,
    ctx: &ExpandCtx<'_>,
    compressed: Option<u64>,
    sink: &mut Sink<'_>,
    out: &mut Expansion,
) {
    let mut archive = tar::Archive::new(r);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                format!("cannot read tar archive: {e}"),
            );
            return;
        }
    };
    let mut used = 0u64;
    let mut count = 0usize;
    let mut last = String::new();
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let (reason, msg) = if e.to_string().contains(super::LIMITED_MSG) {
                    (
                        SkipReason::LimitHit,
                        format!(
                            "stopped: the archive expands more than {}x its compressed size: a compression bomb? (raise with --max-ratio)",
                            ctx.limits.max_ratio
                        ),
                    )
                } else {
                    (
                        SkipReason::Corrupt,
                        format!("truncated or corrupt tar archive after member {last:?}: {e}"),
                    )
                };
                out.skip(blob.origin.to_string(), reason, msg);
                return;
            }
        };
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            continue;
        }
        count += 1;
        if count > ctx.limits.max_members {
            out.member_limit_hit(blob, ctx.limits.max_members);
            return;
        }
        let raw = entry.path_bytes().into_owned();
        let (name, unsafe_name) = sanitize_member_name(&raw);
        last = name.clone();
        let origin = blob.origin.child(OriginPart::Member(name.clone()));
        let what = origin.to_string();
        if unsafe_name {
            out.skip(
                what.clone(),
                SkipReason::Other,
                format!(
                    "unsafe member name {:?} (absolute or path traversal); scanned as {name:?}",
                    String::from_utf8_lossy(&raw)
                ),
            );
        }
        let cap = ctx.member_cap().saturating_sub(used);
        let claimed = entry.size();
        if claimed > cap {
            out.skip(
                what,
                SkipReason::LimitHit,
                format!(
                    "member not scanned: its header claims {claimed} bytes, over the {cap}-byte cap (raise with --max-member-size / --max-expanded-bytes)"
                ),
            );
            continue;
        }
        // A tar member's size is exact (it is how the stream is framed); it is bounded
        // by the input (plain tar) or, in a compressed stream, by the caller's limited
        // reader, which enforces the ratio on the whole stream.
        let bound = compressed
            .map(|c| c.saturating_mul(ctx.limits.max_ratio))
            .unwrap_or(blob.data.len() as u64);
        if claimed > bound.max(super::RATIO_MIN_BYTES) {
            out.skip(
                what,
                SkipReason::LimitHit,
                format!(
                    "member not scanned: its header claims {claimed} bytes, more than the input can hold at the {}x expansion ratio (raise with --max-ratio)",
                    ctx.limits.max_ratio
                ),
            );
            continue;
        }
        let (bytes, res) = read_sized(&mut entry, claimed as usize);
        let broken = res.is_err();
        if let Err(e) = res {
            let (reason, msg) = if e.contains(super::LIMITED_MSG) {
                (
                    SkipReason::LimitHit,
                    format!(
                        "stopped: the archive expands more than {}x its compressed size: a compression bomb? (raise with --max-ratio)",
                        ctx.limits.max_ratio
                    ),
                )
            } else {
                (
                    SkipReason::Corrupt,
                    format!(
                        "truncated or corrupt member: {e}; {} byte(s) recovered and scanned",
                        bytes.len()
                    ),
                )
            };
            out.skip(what, reason, msg);
        }
        if !bytes.is_empty() {
            used += bytes.len() as u64;
            if !sink(Blob::new(origin, bytes)) {
                return;
            }
        }
        if broken {
            return;
        }
    }
}
