//! Shared text helpers of the binary-format expanders: printable-string extraction
//! (like `strings(1)`), Java's modified UTF-8, and an output buffer with a hard cap so
//! that a crafted table whose entries all point at one long string cannot make a
//! decoder write without bound.

/// Shortest printable run that [`printable_strings`] keeps.
pub const MIN_PRINTABLE: usize = 8;

/// Appends each run of at least `min` printable ASCII bytes of `data` to `out`, one
/// per line; stops once `out` holds `cap` bytes. Returns false when the cap stopped it.
pub fn printable_strings(data: &[u8], min: usize, out: &mut Vec<u8>, cap: usize) -> bool {
    let mut start = None;
    for (i, &b) in data.iter().enumerate() {
        let printable = (0x20..0x7f).contains(&b) || b == b'\t';
        match (printable, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= min {
                    if out.len() + (i - s) + 1 > cap {
                        return false;
                    }
                    out.extend_from_slice(&data[s..i]);
                    out.push(b'\n');
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        if data.len() - s >= min {
            if out.len() + (data.len() - s) + 1 > cap {
                return false;
            }
            out.extend_from_slice(&data[s..]);
            out.push(b'\n');
        }
    }
    true
}

/// Decodes Java's modified UTF-8 (DEX strings): `C0 80` is NUL and characters outside
/// the BMP come as two encoded surrogates. Invalid bytes become U+FFFD.
pub fn mutf8_to_string(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            units.push(b as u16);
            i += 1;
        } else if b & 0xE0 == 0xC0 && i + 1 < bytes.len() {
            units.push((((b & 0x1F) as u16) << 6) | (bytes[i + 1] & 0x3F) as u16);
            i += 2;
        } else if b & 0xF0 == 0xE0 && i + 2 < bytes.len() {
            units.push(
                (((b & 0x0F) as u16) << 12)
                    | (((bytes[i + 1] & 0x3F) as u16) << 6)
                    | (bytes[i + 2] & 0x3F) as u16,
            );
            i += 3;
        } else {
            units.push(0xFFFD);
            i += 1;
        }
    }
    String::from_utf16_lossy(&units)
}

/// Decodes little-endian UTF-16 bytes (an odd last byte is dropped).
pub fn utf16le_to_string(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// An output buffer that refuses to grow past a cap.
#[derive(Debug)]
pub struct CappedText {
    /// The text so far.
    pub buf: Vec<u8>,
    /// Most bytes allowed.
    pub cap: usize,
    /// True once something was refused.
    pub full: bool,
}

impl CappedText {
    /// An empty buffer with a cap: `factor` times the input plus 1 MiB, at most `limit`.
    pub fn for_input(input_len: usize, factor: usize, limit: u64) -> Self {
        let cap = input_len
            .saturating_mul(factor)
            .saturating_add(1024 * 1024)
            .min(usize::try_from(limit).unwrap_or(usize::MAX));
        CappedText {
            buf: Vec::new(),
            cap,
            full: false,
        }
    }

    /// Appends `s`; false (and nothing appended) when it would pass the cap.
    pub fn push(&mut self, s: &str) -> bool {
        if self.full || self.buf.len() + s.len() > self.cap {
            self.full = true;
            return false;
        }
        self.buf.extend_from_slice(s.as_bytes());
        true
    }

    /// Appends `s` and a newline.
    pub fn line(&mut self, s: &str) -> bool {
        self.push(s) && self.push("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_mutf8() {
        let mut out = Vec::new();
        assert!(printable_strings(
            b"\x00\x01short\x00a_longer_string_here\x00tail_string",
            8,
            &mut out,
            1000
        ));
        assert_eq!(out, b"a_longer_string_here\ntail_string\n");
        assert_eq!(mutf8_to_string(b"a\xC0\x80b"), "a\u{0}b");
        // U+1F600 as two CESU-8 surrogates.
        assert_eq!(mutf8_to_string(b"\xED\xA0\xBD\xED\xB8\x80"), "\u{1F600}");
        let mut c = CappedText::for_input(0, 1, 4);
        assert!(c.push("abcd"));
        assert!(!c.push("e"));
    }
}
