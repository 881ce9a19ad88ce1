//! Expanders turn one blob into child blobs by content type (magic bytes first,
//! extension second): archives, Android binary XML, plists, DEX strings, Mach-O/ELF
//! strings, Hermes bytecode, source maps, encoded blocks. Every expander works within
//! the [`Limits`](crate::Limits) it is given and reports what it could not do as a
//! [`Skip`](crate::findings::Skip), never a panic and never silence.
//!
//! Adding a format is one module and one line in [`registry`].

use crate::blob::Blob;
use crate::findings::{Skip, SkipReason};
use crate::Limits;

/// What an expander produces for one blob.
#[derive(Debug, Default)]
pub struct Expansion {
    /// Child blobs (each with an origin extending the parent's).
    pub children: Vec<Blob>,
    /// Problems met (corrupt members, limits hit).
    pub skips: Vec<Skip>,
    /// Whether the parent's raw bytes should be matched too.
    pub scan_parent: bool,
}

impl Expansion {
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
}

/// A format decoder that yields child blobs.
pub trait Expander: Send + Sync {
    /// Short name (`zip`, `axml`, ...).
    fn name(&self) -> &'static str;
    /// True when this expander handles `blob` (magic bytes first, then path).
    fn accepts(&self, blob: &Blob) -> bool;
    /// Expands `blob`.
    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>) -> Expansion;
}

/// Every registered expander, tried in order; the first that accepts a blob wins.
pub fn registry() -> &'static [&'static dyn Expander] {
    &[]
}

/// Finds the expander for `blob`, if any.
pub fn expander_for(blob: &Blob) -> Option<&'static dyn Expander> {
    registry().iter().copied().find(|e| e.accepts(blob))
}
