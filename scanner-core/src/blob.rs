//! Blobs and origins: bytes plus the chain of where those bytes came from
//! (`release/app.apk!/classes.dex`, or commit `3f2a…` path `src/api.ts`).

pub use bytes::Bytes;
use std::fmt;
use std::sync::Arc;

/// A commit that introduced a blob (history input).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct CommitInfo {
    /// Full hex commit id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author e-mail.
    pub email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// First line of the message.
    pub summary: String,
}

/// One step of an origin chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OriginPart {
    /// A file in the working tree (path as given or relative to the scan root).
    File(String),
    /// Standard input.
    Stdin,
    /// A blob in git history at `path`, introduced by `commit`.
    Commit {
        /// The introducing commit.
        commit: Arc<CommitInfo>,
        /// Path of the blob in that commit's tree.
        path: String,
    },
    /// A blob staged in the index at `path`.
    Staged(String),
    /// A member of an archive or container (path inside it).
    Member(String),
    /// Bytes decoded from the parent (`base64`, `percent`, `hermes-strings`, ...).
    Decoded(String),
}

/// Where a blob's bytes came from, outermost first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    parts: Arc<Vec<OriginPart>>,
}

impl Origin {
    /// An origin of one part.
    pub fn new(part: OriginPart) -> Self {
        Origin {
            parts: Arc::new(vec![part]),
        }
    }

    /// A file path origin.
    pub fn file(path: impl Into<String>) -> Self {
        Self::new(OriginPart::File(path.into()))
    }

    /// This origin extended by one inner part.
    pub fn child(&self, part: OriginPart) -> Self {
        let mut v = (*self.parts).clone();
        v.push(part);
        Origin { parts: Arc::new(v) }
    }

    /// The parts, outermost first.
    pub fn parts(&self) -> &[OriginPart] {
        &self.parts
    }

    /// The outermost path (file, history or staged path; `<stdin>` for stdin).
    pub fn root_path(&self) -> &str {
        match self.parts.first() {
            Some(OriginPart::File(p)) | Some(OriginPart::Staged(p)) => p,
            Some(OriginPart::Commit { path, .. }) => path,
            Some(OriginPart::Member(p)) | Some(OriginPart::Decoded(p)) => p,
            Some(OriginPart::Stdin) | None => "<stdin>",
        }
    }

    /// The innermost path: the last archive member, else the root path. Rule path
    /// globs are matched against it.
    pub fn inner_path(&self) -> &str {
        for p in self.parts.iter().rev() {
            if let OriginPart::Member(m) = p {
                return m;
            }
        }
        self.root_path()
    }

    /// The chain inside the root (`classes.dex`, `assets/x.bundle!/…`), if any.
    pub fn inner_chain(&self) -> Option<String> {
        if self.parts.len() < 2 {
            return None;
        }
        let mut s = String::new();
        for p in &self.parts[1..] {
            match p {
                OriginPart::Member(m) => {
                    if !s.is_empty() {
                        s.push_str("!/");
                    }
                    s.push_str(m);
                }
                OriginPart::Decoded(how) => {
                    s.push_str(&format!(" [decoded {how}]"));
                }
                _ => {}
            }
        }
        Some(s)
    }

    /// The commit that introduced this blob, for history blobs.
    pub fn commit(&self) -> Option<&CommitInfo> {
        self.parts.iter().find_map(|p| match p {
            OriginPart::Commit { commit, .. } => Some(&**commit),
            _ => None,
        })
    }

    /// True when the bytes came from the staged index.
    pub fn is_staged(&self) -> bool {
        matches!(self.parts.first(), Some(OriginPart::Staged(_)))
    }

    /// True when the bytes are inside an archive or container.
    pub fn in_archive(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, OriginPart::Member(_)))
    }

    /// True when some step decoded the bytes.
    pub fn is_decoded(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, OriginPart::Decoded(_)))
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(OriginPart::Commit { commit, .. }) = self.parts.first() {
            write!(
                f,
                "{}@{}",
                self.root_path(),
                &commit.id[..commit.id.len().min(12)]
            )?;
        } else if let Some(OriginPart::Staged(p)) = self.parts.first() {
            write!(f, "{p} (staged)")?;
        } else {
            f.write_str(self.root_path())?;
        }
        if let Some(inner) = self.inner_chain() {
            if inner.starts_with(' ') {
                f.write_str(&inner)?;
            } else {
                write!(f, "!/{inner}")?;
            }
        }
        Ok(())
    }
}

/// Bytes plus their origin.
#[derive(Clone)]
pub struct Blob {
    /// Where the bytes came from.
    pub origin: Origin,
    /// The bytes (cheap to clone and to slice; a scanned file's buffer is reused for
    /// the next file once its last reference is dropped, see `buffers.rs`).
    pub data: Bytes,
}

impl Blob {
    /// A blob from owned bytes.
    pub fn new(origin: Origin, data: impl Into<Bytes>) -> Self {
        Blob {
            origin,
            data: data.into(),
        }
    }

    /// The git blob id of these bytes (SHA-1 of `blob <len>\0` + bytes), hex.
    pub fn git_id(&self) -> String {
        git_blob_id(&self.data)
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the bytes: they may hold secrets.
        f.debug_struct("Blob")
            .field("origin", &self.origin.to_string())
            .field("len", &self.data.len())
            .finish()
    }
}

/// The git blob id of `data`, hex.
pub fn git_blob_id(data: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    hex(&h.finalize())
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_id_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            git_blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn origin_display_chains_members() {
        let o = Origin::file("release/app.apk")
            .child(OriginPart::Member("assets/index.android.bundle".into()));
        assert_eq!(
            o.to_string(),
            "release/app.apk!/assets/index.android.bundle"
        );
        assert_eq!(o.inner_path(), "assets/index.android.bundle");
        assert_eq!(o.root_path(), "release/app.apk");
    }
}
