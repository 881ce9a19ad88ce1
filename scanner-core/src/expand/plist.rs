//! Binary property lists (`bplist00`: `Info.plist`, `GoogleService-Info.plist`, any
//! compiled `.plist` in an IPA), decoded with the `plist` crate and written back as
//! XML text so keys and values are matched with their context. XML plists are text
//! already and are matched as they are.

use super::{ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;
use std::io::Cursor;

/// Expands binary plists to XML.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlistExpander;

impl Expander for PlistExpander {
    fn name(&self) -> &'static str {
        "plist"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        blob.data.starts_with(b"bplist00")
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let data: &[u8] = &blob.data;
        let parsed = std::panic::catch_unwind(|| plist::Value::from_reader(Cursor::new(data)));
        let value = match parsed {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                out.skip(
                    blob.origin.to_string(),
                    SkipReason::Corrupt,
                    format!("malformed binary plist ({e}): raw bytes scanned instead"),
                );
                out.scan_parent = true;
                return out;
            }
            Err(_) => {
                out.skip(
                    blob.origin.to_string(),
                    SkipReason::Corrupt,
                    "binary plist parser failed: raw bytes scanned instead",
                );
                out.scan_parent = true;
                return out;
            }
        };
        let mut xml = Vec::new();
        if let Err(e) = value.to_writer_xml(&mut xml) {
            out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                format!("binary plist could not be written as XML ({e})"),
            );
            out.scan_parent = true;
            return out;
        }
        if xml.len() as u64 > ctx.member_cap() {
            out.skip(
                blob.origin.to_string(),
                SkipReason::LimitHit,
                "decoded plist is over the member size cap (raise with --max-member-size)",
            );
            return out;
        }
        sink(Blob::new(
            blob.origin.child(OriginPart::Decoded("plist".into())),
            xml,
        ));
        out
    }
}
