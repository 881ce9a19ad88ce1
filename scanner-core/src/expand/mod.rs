//! Expanders turn one blob into child blobs by content type (magic bytes first,
//! extension second): archives, Android binary XML, plists, DEX strings, Mach-O/ELF
//! strings, Hermes bytecode, source maps, encoded blocks. Every expander works within
//! the [`Limits`](crate::Limits) it is given and reports what it could not do as a
//! [`Skip`](crate::findings::Skip), never a panic and never silence.
//!
//! Children are handed to a sink one at a time as they are produced, so an archive's
//! members are scanned (and dropped) one after another instead of all being held in
//! memory together. Container expanders are exclusive (the first that accepts a blob
//! wins); *inline* expanders (encoded blocks) run as well on every blob whose raw bytes
//! are still matched.
//!
//! Adding a format is one module and one line in [`registry`].

pub mod arsc;
pub mod axml;
pub mod dex;
pub mod encoded;
pub mod gzip;
pub mod hermes;
pub mod native;
pub mod plist;
pub mod sourcemap;
pub mod strings;
pub mod tar;
pub mod zip;

use crate::blob::Blob;
use crate::findings::{Skip, SkipReason};
use crate::Limits;

/// What an expander produces for one blob.
#[derive(Debug, Default)]
pub struct Expansion {
    /// Child blobs (each with an origin extending the parent's). Expanders may also
    /// hand children to the sink as they go; the engine scans both.
    pub children: Vec<Blob>,
    /// Problems met (corrupt members, limits hit).
    pub skips: Vec<Skip>,
    /// Whether the parent's raw bytes should be matched too.
    pub scan_parent: bool,
}

impl Expansion {
    /// Records that only the first `limit` members of `blob` were read.
    pub fn member_limit_hit(&mut self, blob: &Blob, limit: usize) {
        self.skip(
            blob.origin.to_string(),
            SkipReason::LimitHit,
            format!("only the first {limit} members read (raise with --max-members)"),
        );
    }

    /// Records a problem with `what` (an origin display string).
    pub fn skip(
        &mut self,
        what: impl Into<String>,
        reason: SkipReason,
        message: impl Into<String>,
    ) {
        self.skips.push(Skip {
            path: what.into(),
            reason,
            message: message.into(),
        });
    }
}

/// Per-expansion context: limits and how deep we are.
#[derive(Debug, Clone, Copy)]
pub struct ExpandCtx<'a> {
    /// The scan's limits.
    pub limits: &'a Limits,
    /// Nesting depth of the blob being expanded (0 = an input blob).
    pub depth: usize,
    /// Bytes still allowed to be expanded out of the current input blob when this
    /// expansion started (an upper bound: the engine checks again per child).
    pub budget_left: u64,
}

impl ExpandCtx<'_> {
    /// The most bytes one member may be read to: the member cap, bounded by the budget.
    pub fn member_cap(&self) -> u64 {
        self.limits.max_member_size.min(self.budget_left)
    }
}

/// Where an expander hands its children: returns `false` when the engine wants no more
/// (budget or time exhausted); the expander should then stop.
pub type Sink<'s> = dyn FnMut(Blob) -> bool + 's;

/// A format decoder that yields child blobs.
pub trait Expander: Send + Sync {
    /// Short name (`zip`, `axml`, ...).
    fn name(&self) -> &'static str;
    /// True when this expander handles `blob` (magic bytes first, then path).
    fn accepts(&self, blob: &Blob) -> bool;
    /// Expands `blob`, handing children to `sink` (or returning them in
    /// [`Expansion::children`]).
    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion;
    /// True for inline expanders: they decode pieces of a blob whose raw bytes are
    /// still matched, run besides the container expander, and apply their own depth
    /// limit (reporting a skip only when there was something they could not open).
    fn inline(&self) -> bool {
        false
    }
}

/// Every registered expander, tried in order; the first container expander that
/// accepts a blob wins, and every inline expander that accepts it runs too.
pub fn registry() -> &'static [&'static dyn Expander] {
    &[
        &zip::ZipExpander,
        &gzip::GzipExpander,
        &tar::TarExpander,
        &axml::AxmlExpander,
        &arsc::ArscExpander,
        &dex::DexExpander,
        &hermes::HermesExpander,
        &plist::PlistExpander,
        &native::NativeExpander,
        &sourcemap::SourceMapExpander,
        &encoded::EncodedExpander,
    ]
}

/// Finds the container expander for `blob`, if any.
pub fn expander_for(blob: &Blob) -> Option<&'static dyn Expander> {
    registry()
        .iter()
        .copied()
        .find(|e| !e.inline() && e.accepts(blob))
}

/// The inline expanders that accept `blob`.
pub fn inline_expanders_for(blob: &Blob) -> impl Iterator<Item = &'static dyn Expander> + '_ {
    registry()
        .iter()
        .copied()
        .filter(move |e| e.inline() && e.accepts(blob))
}

/// Runs `e` on `blob` and collects every child (for tests and embedders that want the
/// children rather than a scan).
pub fn expand_all(e: &dyn Expander, blob: &Blob, ctx: ExpandCtx<'_>) -> Expansion {
    let mut got = Vec::new();
    let mut out = e.expand(blob, ctx, &mut |b| {
        got.push(b);
        true
    });
    got.append(&mut out.children);
    out.children = got;
    out
}

/// Lowercase file name of the blob's innermost path.
pub(crate) fn file_name_lower(blob: &Blob) -> String {
    let p = blob.origin.inner_path();
    p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase()
}

/// True when the blob's innermost path ends with one of `exts` (lowercase, with dot).
pub(crate) fn has_ext(blob: &Blob, exts: &[&str]) -> bool {
    let n = file_name_lower(blob);
    exts.iter().any(|e| n.ends_with(e))
}

/// Little-endian readers that never panic.
pub(crate) mod le {
    /// `u16` at `off`.
    pub fn u16(d: &[u8], off: usize) -> Option<u16> {
        let b = d.get(off..off.checked_add(2)?)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }
    /// `u32` at `off`.
    pub fn u32(d: &[u8], off: usize) -> Option<u32> {
        let b = d.get(off..off.checked_add(4)?)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// `u64` at `off`.
    pub fn u64(d: &[u8], off: usize) -> Option<u64> {
        let b = d.get(off..off.checked_add(8)?)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(u64::from_le_bytes(a))
    }
}

/// Expansion ratios are only enforced once a member is larger than this: tiny, highly
/// repetitive files (a page of spaces) legitimately compress a thousandfold.
pub const RATIO_MIN_BYTES: u64 = 1024 * 1024;

/// Why a bounded read stopped early.
#[derive(Debug)]
pub(crate) enum ReadStop {
    /// More than the cap: the bytes read so far are dropped.
    TooLarge(u64),
    /// The expansion ratio was exceeded (a compression bomb).
    Ratio(u64),
    /// An I/O or decoding error; holds what was read before it.
    Broken(std::io::Error, Vec<u8>),
}

/// Reads `r` to its end in chunks, never allocating by a claimed size: stops when more
/// than `cap` bytes come, or (when `compressed` is known) when the output exceeds
/// `compressed * max_ratio` past [`RATIO_MIN_BYTES`].
pub(crate) fn read_bounded(
    mut r: impl std::io::Read,
    cap: u64,
    compressed: Option<u64>,
    max_ratio: u64,
) -> Result<Vec<u8>, ReadStop> {
    let ratio_cap = compressed.map(|c| c.max(1).saturating_mul(max_ratio).max(RATIO_MIN_BYTES));
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match r.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => {
                out.extend_from_slice(&chunk[..n]);
                let len = out.len() as u64;
                if ratio_cap.is_some_and(|rc| len > rc) {
                    return Err(ReadStop::Ratio(len));
                }
                if len > cap {
                    return Err(ReadStop::TooLarge(len));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadStop::Broken(e, out)),
        }
    }
}

/// A reader that fails once more than `limit` bytes went through it (bounds the work
/// of skipping through a decompressing stream).
pub(crate) struct Limited<R> {
    /// The wrapped reader.
    pub inner: R,
    /// Bytes read so far.
    pub read: u64,
    /// Most bytes allowed.
    pub limit: u64,
}

impl<R: std::io::Read> std::io::Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.limit {
            return Err(std::io::Error::other(LIMITED_MSG));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other(LIMITED_MSG));
        }
        Ok(n)
    }
}

/// The error message of a [`Limited`] reader past its limit.
pub(crate) const LIMITED_MSG: &str = "expansion ratio limit exceeded";

/// Makes an archive member name safe to show and to use in an origin: `\` becomes `/`,
/// control characters `?`, and leading `/`, drive letters, `.` and `..` components are
/// dropped. Returns the safe name and whether the original was unsafe (absolute or
/// escaping its archive).
pub(crate) fn sanitize_member_name(raw: &[u8]) -> (String, bool) {
    let s = String::from_utf8_lossy(raw);
    let s: String = s
        .chars()
        .map(|c| match c {
            '\\' => '/',
            c if c.is_control() => '?',
            c => c,
        })
        .collect();
    let mut unsafe_name = s.starts_with('/');
    let bytes = s.as_bytes();
    let mut rest = s.as_str();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        unsafe_name = true;
        rest = &s[2..];
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in rest.split('/') {
        match c {
            "" | "." => {}
            ".." => unsafe_name = true,
            c => parts.push(c),
        }
    }
    let mut name = parts.join("/");
    if name.is_empty() {
        name = "<unnamed>".into();
    }
    (name, unsafe_name)
}

/// True when `data` looks like text (no NUL in its first KiB).
pub(crate) fn looks_textual(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(1024)]).is_none()
}

/// Reads a member whose size `n` is known (checked against the caps by the caller)
/// straight into a buffer of that size, which the blob then owns: a large member costs
/// its size in memory once, not a growing `Vec` and a copy, and no zero-fill. A stream
/// shorter than `n` yields what it had and an error; a longer one yields `n` bytes and
/// says so.
pub(crate) fn read_sized(mut r: impl std::io::Read, n: usize) -> (Vec<u8>, Result<(), String>) {
    use std::io::Read as _;
    let mut buf = Vec::with_capacity(n);
    let short = |mut buf: Vec<u8>, why: String| {
        buf.shrink_to_fit();
        (buf, Err(why))
    };
    if let Err(e) = (&mut r).take(n as u64).read_to_end(&mut buf) {
        return short(buf, e.to_string());
    }
    if buf.len() < n {
        let why = format!("ends after {} of {n} bytes", buf.len());
        return short(buf, why);
    }
    let mut probe = [0u8; 1];
    loop {
        return match r.read(&mut probe) {
            Ok(0) => (buf, Ok(())),
            Ok(_) => (
                buf,
                Err(format!(
                    "holds more than the {n} bytes its header claims; the rest not scanned"
                )),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => (buf, Err(e.to_string())),
        };
    }
}

/// Turns a bounded read of member `what` into its bytes, recording why it stopped
/// early. A broken read yields what was recovered before the break (scanned too).
pub(crate) fn member_bytes(
    res: Result<Vec<u8>, ReadStop>,
    what: &str,
    ctx: &ExpandCtx<'_>,
    out: &mut Expansion,
) -> Option<Vec<u8>> {
    match res {
        Ok(v) => Some(v),
        Err(ReadStop::TooLarge(n)) => {
            out.skip(
                what,
                SkipReason::LimitHit,
                format!(
                    "member not scanned: over {} bytes after {n} read (member size cap {} or the input's expansion budget; raise with --max-member-size / --max-expanded-bytes)",
                    ctx.member_cap(),
                    ctx.limits.max_member_size
                ),
            );
            None
        }
        Err(ReadStop::Ratio(n)) => {
            out.skip(
                what,
                SkipReason::LimitHit,
                format!(
                    "member not scanned: expands more than {}x its compressed size ({n} bytes read): a compression bomb? (raise with --max-ratio)",
                    ctx.limits.max_ratio
                ),
            );
            None
        }
        Err(ReadStop::Broken(e, partial)) => {
            out.skip(
                what,
                SkipReason::Corrupt,
                format!(
                    "truncated or corrupt member: {e}; {} byte(s) recovered and scanned",
                    partial.len()
                ),
            );
            (!partial.is_empty()).then_some(partial)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_names() {
        assert_eq!(
            sanitize_member_name(b"../../etc/passwd"),
            ("etc/passwd".into(), true)
        );
        assert_eq!(sanitize_member_name(b"/abs/x"), ("abs/x".into(), true));
        assert_eq!(sanitize_member_name(b"C:\\w\\x"), ("w/x".into(), true));
        assert_eq!(sanitize_member_name(b"a/./b"), ("a/b".into(), false));
        assert_eq!(sanitize_member_name(b""), ("<unnamed>".into(), false));
    }

    #[test]
    fn bounded_read_stops() {
        let data = vec![0u8; 3 * 1024 * 1024];
        assert!(matches!(
            read_bounded(&data[..], 1024, None, 10),
            Err(ReadStop::TooLarge(_))
        ));
        assert!(matches!(
            read_bounded(&data[..], u64::MAX, Some(10), 10),
            Err(ReadStop::Ratio(_))
        ));
        assert_eq!(
            read_bounded(&b"abc"[..], 3, None, 1).ok(),
            Some(b"abc".to_vec())
        );
    }
}
