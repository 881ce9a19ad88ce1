//! Native code: ELF shared libraries (`lib/**/*.so`) and Mach-O executables and
//! frameworks, thin or fat/universal, parsed with `goblin`. The printable strings
//! (at least [`MIN_PRINTABLE`](super::strings::MIN_PRINTABLE) bytes) of the data
//! sections — ELF `.rodata*`/`.data*`, Mach-O `__cstring`, `__const`, `__data`,
//! `__ustring`, ... — become one text child, one string per line, each string once.
//! A file `goblin` cannot parse is reported and its whole bytes are searched for
//! strings instead.

use super::strings::{printable_strings, utf16le_to_string, MIN_PRINTABLE};
use super::{ExpandCtx, Expander, Expansion, Sink};
use crate::blob::{Blob, OriginPart};
use crate::findings::SkipReason;
use std::collections::HashSet;

/// Mach-O section names whose contents are searched for strings.
pub const MACHO_STRING_SECTIONS: &[&str] = &[
    "__cstring",
    "__const",
    "__data",
    "__ustring",
    "__oslogstring",
    "__cfstring",
    "__objc_methname",
    "__swift5_reflstr",
];

/// Expands ELF and Mach-O binaries into their strings.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeExpander;

fn is_elf(d: &[u8]) -> bool {
    d.starts_with(b"\x7fELF")
}

fn is_macho(d: &[u8]) -> bool {
    const THIN: [[u8; 4]; 4] = [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xcf, 0xfa, 0xed, 0xfe],
    ];
    if THIN.iter().any(|m| d.starts_with(m)) {
        return true;
    }
    // Fat: CAFEBABE is shared with Java class files, whose next word is a version
    // (45 and up); a universal binary lists a handful of architectures.
    if d.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) || d.starts_with(&[0xca, 0xfe, 0xba, 0xbf]) {
        let n = d
            .get(4..8)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0);
        return (1..=20).contains(&n);
    }
    false
}

impl Expander for NativeExpander {
    fn name(&self) -> &'static str {
        "native"
    }

    fn accepts(&self, blob: &Blob) -> bool {
        is_elf(&blob.data) || is_macho(&blob.data)
    }

    fn expand(&self, blob: &Blob, ctx: ExpandCtx<'_>, sink: &mut Sink<'_>) -> Expansion {
        let mut out = Expansion::default();
        let data: &[u8] = &blob.data;
        let mut sections: Vec<(&[u8], bool)> = Vec::new();
        // goblin is fuzzed, but a panic on hostile input must not take the scan down.
        let parsed = std::panic::catch_unwind(|| {
            let mut secs: Vec<(&[u8], bool)> = Vec::new();
            let r = if is_elf(data) {
                elf_sections(data, &mut secs)
            } else {
                macho_sections(data, &mut secs)
            };
            (r, secs)
        });
        let (kind, res) = if is_elf(data) {
            ("ELF", parsed)
        } else {
            ("Mach-O", parsed)
        };
        match res {
            Ok((Ok(()), secs)) if !secs.is_empty() => sections = secs,
            Ok((Ok(()), _)) => out.skip(
                blob.origin.to_string(),
                SkipReason::Other,
                format!("{kind} file without string sections: whole file searched for strings"),
            ),
            Ok((Err(e), secs)) => {
                out.skip(
                    blob.origin.to_string(),
                    SkipReason::Corrupt,
                    format!("malformed {kind} file ({e}): whole file searched for strings"),
                );
                let _ = secs;
            }
            Err(_) => out.skip(
                blob.origin.to_string(),
                SkipReason::Corrupt,
                format!("{kind} parser failed: whole file searched for strings"),
            ),
        }
        if sections.is_empty() {
            sections.push((data, false));
        }
        let cap = usize::try_from(ctx.member_cap()).unwrap_or(usize::MAX);
        let mut text = Vec::new();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut full = false;
        for (bytes, utf16) in sections {
            let mut found = Vec::new();
            if utf16 {
                let s = utf16le_to_string(bytes);
                for part in s.split('\0') {
                    if part.chars().count() >= MIN_PRINTABLE {
                        found.extend_from_slice(part.as_bytes());
                        found.push(b'\n');
                    }
                }
            } else {
                printable_strings(bytes, MIN_PRINTABLE, &mut found, usize::MAX);
            }
            for line in found.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                if seen.contains(line) {
                    continue;
                }
                if text.len() + line.len() + 1 > cap {
                    full = true;
                    break;
                }
                seen.insert(line.to_vec());
                text.extend_from_slice(line);
                text.push(b'\n');
            }
            if full {
                out.skip(
                    blob.origin.to_string(),
                    SkipReason::LimitHit,
                    "strings beyond the member size cap not scanned (raise with --max-member-size)",
                );
                break;
            }
        }
        if !text.is_empty() {
            sink(Blob::new(
                blob.origin.child(OriginPart::Decoded("strings".into())),
                text,
            ));
        }
        out
    }
}

fn elf_sections<'a>(data: &'a [u8], out: &mut Vec<(&'a [u8], bool)>) -> Result<(), String> {
    let elf = goblin::elf::Elf::parse(data).map_err(|e| e.to_string())?;
    for sh in &elf.section_headers {
        if sh.sh_type == goblin::elf::section_header::SHT_NOBITS {
            continue;
        }
        let name = elf.shdr_strtab.get_at(sh.sh_name).unwrap_or("");
        let wanted = name.starts_with(".rodata")
            || name.starts_with(".data")
            || name == ".init_array"
            || name == ".dynstr";
        if !wanted {
            continue;
        }
        let (Ok(off), Ok(size)) = (usize::try_from(sh.sh_offset), usize::try_from(sh.sh_size))
        else {
            continue;
        };
        if let Some(bytes) = off.checked_add(size).and_then(|end| data.get(off..end)) {
            out.push((bytes, false));
        }
    }
    Ok(())
}

fn macho_sections<'a>(data: &'a [u8], out: &mut Vec<(&'a [u8], bool)>) -> Result<(), String> {
    use goblin::mach::{Mach, SingleArch};
    match Mach::parse(data).map_err(|e| e.to_string())? {
        Mach::Binary(m) => macho_one(&m, out)?,
        Mach::Fat(fat) => {
            for i in 0..fat.narches.min(32) {
                match fat.get(i) {
                    Ok(SingleArch::MachO(m)) => {
                        macho_one(&m, out).map_err(|e| format!("architecture {i}: {e}"))?
                    }
                    Ok(SingleArch::Archive(_)) => {}
                    Err(e) => return Err(format!("architecture {i}: {e}")),
                }
            }
        }
    }
    Ok(())
}

/// Collects a Mach-O's string sections. Stops at the first section header that does
/// not parse: a segment may claim billions of sections (`nsects` is a `u32`), and
/// goblin's iterator keeps yielding the same error until it has counted them all, so
/// skipping errors (as `flatten` did) spun for minutes on a 2 KB file.
fn macho_one<'a>(
    m: &goblin::mach::MachO<'a>,
    out: &mut Vec<(&'a [u8], bool)>,
) -> Result<(), String> {
    for seg in m.segments.iter() {
        for sec in seg {
            let (s, bytes) = sec.map_err(|e| format!("section table: {e}"))?;
            let name = s.name().unwrap_or("");
            if MACHO_STRING_SECTIONS.contains(&name) {
                out.push((bytes, name == "__ustring"));
            }
        }
    }
    Ok(())
}
