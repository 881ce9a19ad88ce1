//! The zip family: `.zip`, `.apk`, `.aab`, `.ipa`, `.jar`, `.aar`, `.xapk`, `.apks`
//! (magic `PK\x03\x04` first, extension second). The archive is read in memory; each
//! member is decompressed through a bounded reader (member size cap, expansion ratio,
//! the input's byte budget), never by its claimed size. Unsafe member names are
//! sanitized and reported; a corrupt member is reported and the others still read; an
//! archive whose central directory is missing (truncated) is walked by its local
//! headers instead.

use super::{
    member_bytes, read_bounded, read_sized, sanitize_member_name, ExpandCtx, Expander, Expansion,
    Sink, RATIO_MIN_BYTES,
};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;
use std::io::Cursor;

/// Extensions of the zip family.
pub const ZIP_EXTENSIONS: &[&str] = &[
    ".zip", ".apk", ".aab", ".ipa", ".jar", ".aar", ".xapk", ".apks", ".war", ".ear",
];

/// Expands zip archives and their family.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZipExpander;

impl Expander for ZipExpander {
    fn name(&self) -> &'static str {
        "zip"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        let d = &blob.data;
        d.starts_with(b"PK\x03\x04")
            || d.starts_with(b"PK\x05\x06")
            || (super::has_ext(blob, ZIP_EXTENSIONS) && d.len() >= 22)
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let data: &[u8] = &blob.data;
        let too_many = eocd_entries_estimate(data).is_some_and(|n| n > ctx.limits.max_members);
        if !too_many {
            match zip::ZipArchive::new(Cursor::new(data)) {
                Ok(archive) => {
                    by_central_directory(archive, blob, &ctx, sink, &mut out);
                    return out;
                }
                Err(e) => {
                    if !data.starts_with(b"PK\x03\x04") {
                        // Not a zip after all (only the extension said so): scan it raw.
                        out.skip(
                            blob.origin.to_string(),
                            SkipReason::Corrupt,
                            format!("not a readable zip archive ({e}); scanned as raw bytes"),
                        );
                        out.scan_parent = true;
                        return out;
                    }
                    out.skip(
                        blob.origin.to_string(),
                        SkipReason::Corrupt,
                        format!(
                            "truncated or corrupt zip archive ({e}): members recovered from local headers only"
                        ),
                    );
                }
            }
        } else {
            out.skip(
                blob.origin.to_string(),
                SkipReason::LimitHit,
                format!(
                    "central directory lists more than {} members (raise with --max-members); reading the first ones by local headers",
                    ctx.limits.max_members
                ),
            );
        }
        by_local_headers(blob, &ctx, sink, &mut out);
        out
    }
}

/// The member count the end-of-central-directory record claims (a `u16`, so a
/// zip64 archive reports the central directory size over the smallest entry size).
fn eocd_entries_estimate(data: &[u8]) -> Option<usize> {
    let tail_start = data.len().saturating_sub(65_536 + 22);
    let tail = &data[tail_start..];
    let pos = memchr::memmem::rfind(tail, b"PK\x05\x06")?;
    let entries = super::le::u16(tail, pos + 10)? as usize;
    let cd_size = super::le::u32(tail, pos + 12)? as usize;
    if entries == 0xFFFF || cd_size == 0xFFFF_FFFF {
        Some(cd_size / 46)
    } else {
        Some(entries)
    }
}

fn member_origin(blob: &Blob, raw: &[u8], out: &mut Expansion) -> crate::Origin {
    let (name, unsafe_name) = sanitize_member_name(raw);
    let origin = blob.origin.child(OriginPart::Member(name.clone()));
    if unsafe_name {
        out.skip(
            origin.to_string(),
            SkipReason::Other,
            format!(
                "unsafe member name {:?} (absolute or path traversal); scanned as {name:?}",
                String::from_utf8_lossy(raw)
            ),
        );
    }
    origin
}

fn by_central_directory(
    mut archive: zip::ZipArchive<Cursor<&[u8]>>,
    blob: &Blob,
    ctx: &ExpandCtx<'_>,
    sink: &mut Sink<'_>,
    out: &mut Expansion,
) {
    let mut used = 0u64;
    let n = archive.len();
    for i in 0..n {
        if i >= ctx.limits.max_members {
            out.skip(
                blob.origin.to_string(),
                SkipReason::LimitHit,
                format!(
                    "only the first {} of {n} members read (raise with --max-members)",
                    ctx.limits.max_members
                ),
            );
            return;
        }
        let name = archive
            .name_for_index(i)
            .map(|s| s.as_bytes().to_vec())
            .unwrap_or_else(|| format!("<member {i}>").into_bytes());
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                let origin = member_origin(blob, &name, out);
                out.skip(
                    origin.to_string(),
                    SkipReason::Corrupt,
                    format!("member not readable: {e}"),
                );
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let origin = member_origin(blob, file.name_raw(), out);
        let what = origin.to_string();
        let claimed = file.size();
        let compressed = file.compressed_size();
        let cap = ctx.member_cap().saturating_sub(used);
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
        if compressed > blob.data.len() as u64 {
            out.skip(
                what,
                SkipReason::Corrupt,
                format!(
                    "member not scanned: its header claims {compressed} compressed bytes, more than the whole archive"
                ),
            );
            continue;
        }
        if claimed > RATIO_MIN_BYTES && claimed / compressed.max(1) > ctx.limits.max_ratio {
            out.skip(
                what,
                SkipReason::LimitHit,
                format!(
                    "member not scanned: {claimed} bytes from {compressed} compressed, over the {}x expansion ratio: a zip bomb? (raise with --max-ratio)",
                    ctx.limits.max_ratio
                ),
            );
            continue;
        }
        // The claimed size is bounded by the member cap and by the ratio to the
        // compressed bytes: read straight into a buffer of that size.
        let (bytes, res) = read_sized(&mut file, claimed as usize);
        if let Err(e) = res {
            out.skip(
                what,
                SkipReason::Corrupt,
                format!(
                    "truncated or corrupt member: {e}; {} byte(s) recovered and scanned",
                    bytes.len()
                ),
            );
        }
        if bytes.is_empty() {
            continue;
        }
        used += bytes.len() as u64;
        if !sink(Blob::new(origin, bytes)) {
            return;
        }
    }
}

fn by_local_headers(blob: &Blob, ctx: &ExpandCtx<'_>, sink: &mut Sink<'_>, out: &mut Expansion) {
    let mut cur = Cursor::new(&blob.data[..]);
    let mut used = 0u64;
    for i in 0.. {
        if i >= ctx.limits.max_members {
            out.member_limit_hit(blob, ctx.limits.max_members);
            return;
        }
        let at = cur.position();
        let mut file = match zip::read::read_zipfile_from_stream(&mut cur) {
            Ok(Some(f)) => f,
            Ok(None) => return,
            Err(e) => {
                if at < blob.data.len() as u64 {
                    out.skip(
                        format!("{}!/<member {i} at byte {at}>", blob.origin),
                        SkipReason::Corrupt,
                        format!("cannot read further members: {e}"),
                    );
                }
                return;
            }
        };
        if file.is_dir() {
            continue;
        }
        let origin = member_origin(blob, file.name_raw(), out);
        let what = origin.to_string();
        let compressed = file.compressed_size();
        let cap = ctx.member_cap().saturating_sub(used);
        let res = read_bounded(&mut file, cap, Some(compressed), ctx.limits.max_ratio);
        let broken = matches!(res, Err(super::ReadStop::Broken(..)));
        let bytes = member_bytes(res, &what, ctx, out);
        drop(file);
        if let Some(bytes) = bytes {
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
