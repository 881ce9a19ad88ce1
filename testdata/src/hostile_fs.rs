//! Hostile *file-system* inputs, generated in code: a 2 GB sparse file, a single
//! 100 MB line, symbolic-link loops and dangling links, FIFOs and sockets, unreadable
//! files and directories, non-UTF-8 (and control-character) file names and contents, a
//! corrupt `.git` directory, and truncated binaries of every format launchguard
//! decodes.
//!
//! Each builder writes under a directory it is given and returns a [`HostileEntry`]
//! per input: where it is, the substring a warning about it must contain (if the
//! scanner must warn), and the keys planted in or beside it that must still be found.
//! Keys are the fake fixture formats of [`RULES_TOML`](crate::RULES_TOML) (and match
//! the built-in Stripe and Google rules too).
//!
//! Nothing here reads the big inputs back: the sparse file costs no disk, the long line
//! is written in chunks.

use crate::formats;
use crate::{google_key, stripe_key, Fixture, Planted};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Size of the sparse file: over the default 256 MiB file-size cap, never read.
pub const SPARSE_SIZE: u64 = 2 * 1024 * 1024 * 1024;
/// Length of the single-line file.
pub const LONG_LINE_SIZE: usize = 100 * 1024 * 1024;

/// One hostile input on disk.
#[derive(Debug, Clone)]
pub struct HostileEntry {
    /// What it is, for test messages.
    pub what: &'static str,
    /// Its path relative to the directory it was written under (`/`-separated, as
    /// launchguard shows it when that directory is scanned by its relative name).
    pub path: String,
    /// A substring a warning about this input must contain, if any.
    pub warning: Option<String>,
    /// Keys planted in or beside it that must still be found.
    pub planted: Vec<Planted>,
}

fn planted(secret: String, origin: &str) -> Planted {
    Planted {
        secret,
        origin: origin.to_string(),
        original: None,
    }
}

fn put(dir: &Path, rel: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&p, bytes)?;
    Ok(p)
}

/// A sparse file of `size` bytes (`set_len`: no disk blocks, never to be read) at
/// `rel`, next to `rel`'s sibling `beside.env` holding a key.
pub fn sparse_file(dir: &Path, rel: &str, size: u64) -> io::Result<Vec<HostileEntry>> {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent)?;
    }
    let f = fs::File::create(&p)?;
    f.set_len(size)?;
    let key = stripe_key(5001);
    let beside = sibling(rel, "beside.env");
    put(dir, &beside, format!("STRIPE_KEY={key}\n").as_bytes())?;
    Ok(vec![
        HostileEntry {
            what: "sparse file over the size cap",
            path: rel.to_string(),
            warning: Some(rel.to_string()),
            planted: vec![],
        },
        HostileEntry {
            what: "file beside the sparse file",
            path: beside.clone(),
            warning: None,
            planted: vec![planted(key, &beside)],
        },
    ])
}

fn sibling(rel: &str, name: &str) -> String {
    match rel.rsplit_once('/') {
        Some((d, _)) => format!("{d}/{name}"),
        None => name.to_string(),
    }
}

/// One line of `len` bytes of minified-JavaScript-like text (no newline anywhere)
/// with a key 200 bytes before its end; written in 1 MiB chunks.
pub fn long_line(dir: &Path, rel: &str, len: usize) -> io::Result<HostileEntry> {
    let key = stripe_key(5002);
    let tail = format!(";var cfg={{stripe:\"{key}\"}};");
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut f = io::BufWriter::new(fs::File::create(&p)?);
    let unit: &[u8] = b"function a(b,c){return b.map(function(d){return d+c})}var e=1;";
    let chunk: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
    let body = len.saturating_sub(tail.len() + 200);
    let mut written = 0;
    while written < body {
        let n = (body - written).min(chunk.len());
        f.write_all(&chunk[..n])?;
        written += n;
    }
    f.write_all(tail.as_bytes())?;
    let pad: Vec<u8> = unit.iter().copied().cycle().take(200).collect();
    f.write_all(&pad)?;
    f.flush()?;
    Ok(HostileEntry {
        what: "single 100 MB line",
        path: rel.to_string(),
        warning: None,
        planted: vec![planted(key, rel)],
    })
}

/// Symbolic-link loops under `rel`: a link to an ancestor (`up -> ..`), a link to
/// itself, two links to each other, and a dangling link; plus a real file with a key.
/// Without following links none of them is opened; with `--follow-links` each loop is
/// reported (the ancestor loop by the walk, the self/mutual loops as unreadable).
#[cfg(unix)]
pub fn symlink_loops(dir: &Path, rel: &str) -> io::Result<Vec<HostileEntry>> {
    use std::os::unix::fs::symlink;
    let base = dir.join(rel);
    fs::create_dir_all(base.join("sub"))?;
    symlink("..", base.join("sub/up"))?;
    symlink("self", base.join("self"))?;
    symlink("pong", base.join("ping"))?;
    symlink("ping", base.join("pong"))?;
    symlink("does/not/exist", base.join("dangling"))?;
    let key = stripe_key(5003);
    let real = format!("{rel}/sub/real.env");
    put(dir, &real, format!("KEY={key}\n").as_bytes())?;
    let e = |what, name: &str| HostileEntry {
        what,
        path: format!("{rel}/{name}"),
        warning: Some(format!("{rel}/{name}")),
        planted: vec![],
    };
    Ok(vec![
        e("link to an ancestor", "sub/up"),
        e("link to itself", "self"),
        e("links to each other", "ping"),
        e("dangling link", "dangling"),
        HostileEntry {
            what: "file among the loops",
            path: real.clone(),
            warning: None,
            planted: vec![planted(key, &real)],
        },
    ])
}

/// A FIFO (made with the `mkfifo` tool; `None` when it is missing) at `rel`.
/// Opening it for reading would block forever: a scanner must not.
pub fn fifo(dir: &Path, rel: &str) -> io::Result<Option<HostileEntry>> {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent)?;
    }
    match std::process::Command::new("mkfifo").arg(&p).status() {
        Ok(s) if s.success() => Ok(Some(HostileEntry {
            what: "FIFO",
            path: rel.to_string(),
            warning: Some(rel.to_string()),
            planted: vec![],
        })),
        _ => Ok(None),
    }
}

/// A Unix-domain socket file at `rel` (the listener is dropped; the file stays).
#[cfg(unix)]
pub fn socket(dir: &Path, rel: &str) -> io::Result<HostileEntry> {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent)?;
    }
    drop(std::os::unix::net::UnixListener::bind(&p)?);
    Ok(HostileEntry {
        what: "socket",
        path: rel.to_string(),
        warning: Some(rel.to_string()),
        planted: vec![],
    })
}

/// An unreadable file and an unreadable directory (mode 000), each holding a key, and
/// a readable file with a key beside them. Mode 000 does not stop a process with
/// `CAP_DAC_OVERRIDE` (root): tests must check [`permissions_bite`] or drop that
/// capability. Call [`restore_permissions`] before deleting the tree.
#[cfg(unix)]
pub fn unreadable(dir: &Path, rel: &str) -> io::Result<Vec<HostileEntry>> {
    use std::os::unix::fs::PermissionsExt;
    let (k1, k2, k3) = (stripe_key(5004), stripe_key(5005), stripe_key(5006));
    let file = format!("{rel}/locked.env");
    let locked_dir = format!("{rel}/locked-dir");
    let inside = format!("{locked_dir}/inside.env");
    let open = format!("{rel}/open.env");
    put(dir, &file, format!("KEY={k1}\n").as_bytes())?;
    put(dir, &inside, format!("KEY={k2}\n").as_bytes())?;
    put(dir, &open, format!("KEY={k3}\n").as_bytes())?;
    fs::set_permissions(dir.join(&file), fs::Permissions::from_mode(0o000))?;
    fs::set_permissions(dir.join(&locked_dir), fs::Permissions::from_mode(0o000))?;
    Ok(vec![
        HostileEntry {
            what: "unreadable file",
            path: file.clone(),
            warning: Some(file),
            planted: vec![],
        },
        HostileEntry {
            what: "unreadable directory",
            path: locked_dir.clone(),
            warning: Some(locked_dir),
            planted: vec![],
        },
        HostileEntry {
            what: "readable file beside them",
            path: open.clone(),
            warning: None,
            planted: vec![planted(k3, &open)],
        },
    ])
}

/// Gives every entry under `dir` owner read/write/search permission back (so the
/// tree can be deleted by a non-root user).
#[cfg(unix)]
pub fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_symlink() {
            continue;
        }
        let mode = if ft.is_dir() { 0o755 } else { 0o644 };
        let _ = fs::set_permissions(&p, fs::Permissions::from_mode(mode));
        if ft.is_dir() {
            restore_permissions(&p);
        }
    }
}

/// True when mode 000 actually stops this process from reading a file (false for
/// root with `CAP_DAC_OVERRIDE`). Probes with a scratch file under `dir`.
#[cfg(unix)]
pub fn permissions_bite(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(".perm-probe");
    if fs::write(&p, b"probe").is_err() {
        return false;
    }
    let _ = fs::set_permissions(&p, fs::Permissions::from_mode(0o000));
    let bites = fs::read(&p).is_err();
    let _ = fs::set_permissions(&p, fs::Permissions::from_mode(0o644));
    let _ = fs::remove_file(&p);
    bites
}

/// Files whose names are not UTF-8 (Latin-1 bytes, a lone `0xff`), a directory whose
/// name is not UTF-8, a name with an escape sequence and a newline, and contents that
/// are not UTF-8 (Latin-1 text, invalid bytes hugging the key, UTF-8 with a BOM). Each
/// holds a key that must be found; paths are shown lossily.
#[cfg(unix)]
pub fn non_utf8(dir: &Path, rel: &str) -> io::Result<Vec<HostileEntry>> {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let base = dir.join(rel);
    fs::create_dir_all(&base)?;
    let mut out = Vec::new();
    let mut add = |what: &'static str,
                   name: &[u8],
                   shown: String,
                   content: Vec<u8>,
                   key: String|
     -> io::Result<()> {
        let p = base.join(OsStr::from_bytes(name));
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&p, content)?;
        out.push(HostileEntry {
            what,
            path: format!("{rel}/{shown}"),
            warning: None,
            planted: vec![planted(key, &format!("{rel}/{shown}"))],
        });
        Ok(())
    };
    let k = |i: u64| stripe_key(5100 + i);
    let key = k(1);
    add(
        "Latin-1 file name",
        b"caf\xe9-config.env",
        "caf\u{FFFD}-config.env".into(),
        format!("KEY={key}\n").into_bytes(),
        key,
    )?;
    let key = k(2);
    add(
        "lone 0xff in a directory name",
        b"dir-\xff/app.env",
        "dir-\u{FFFD}/app.env".into(),
        format!("KEY={key}\n").into_bytes(),
        key,
    )?;
    let key = k(3);
    add(
        "escape sequence and newline in a file name",
        b"evil\x1b[31mred\nname.env",
        "evil?[31mred?name.env".into(),
        format!("KEY={key}\n").into_bytes(),
        key,
    )?;
    let key = k(4);
    let mut latin1 = b"# cl\xe9 d'acc\xe8s \xe0 l'API\ncl\xe9=".to_vec();
    latin1.extend_from_slice(key.as_bytes());
    latin1.extend_from_slice(b"\n# fin\xff\xfe\n");
    add(
        "Latin-1 content",
        b"latin1.properties",
        "latin1.properties".into(),
        latin1,
        key,
    )?;
    let key = k(5);
    let mut hug = b"\xc3\x28\xa0\xa1 k=\"".to_vec();
    hug.extend_from_slice(key.as_bytes());
    hug.extend_from_slice(b"\"\xf0\x28\x8c\xbc\xed\xa0\x80\xff\n");
    add(
        "invalid UTF-8 around the key",
        b"invalid-utf8.js",
        "invalid-utf8.js".into(),
        hug,
        key,
    )?;
    let key = google_key(5106);
    let mut bom = b"\xef\xbb\xbf{\"apiKey\": \"".to_vec();
    bom.extend_from_slice(key.as_bytes());
    bom.extend_from_slice(b"\"}\n");
    add("UTF-8 with BOM", b"bom.json", "bom.json".into(), bom, key)?;
    Ok(out)
}

/// A working tree at `rel` whose `.git` is garbage: a HEAD that names nothing, a
/// config that is not INI, an index of random bytes, a pack and a loose object that
/// are corrupt, a binary `info/exclude`, and a nested repository whose `.git` is a
/// file pointing nowhere. The working files hold keys; the fs scan must find them and
/// not care about `.git` at all.
pub fn corrupt_git(dir: &Path, rel: &str) -> io::Result<Vec<HostileEntry>> {
    let mut r = crate::Rng::new(99);
    let mut noise = |n: usize| -> Vec<u8> { (0..n).map(|_| r.next_u64() as u8).collect() };
    let g = |p: &str| format!("{rel}/.git/{p}");
    put(dir, &g("HEAD"), b"ref: refs/heads/\xff\xfe\0nowhere\n")?;
    put(dir, &g("config"), &noise(300))?;
    put(dir, &g("index"), &noise(4096))?;
    put(dir, &g("info/exclude"), &noise(512))?;
    let mut pack = b"PACK\0\0\0\x02\xff\xff\xff\xff".to_vec();
    pack.extend(noise(2048));
    put(dir, &g("objects/pack/pack-0000.pack"), &pack)?;
    put(dir, &g("objects/pack/pack-0000.idx"), &noise(1024))?;
    put(dir, &g("objects/ab/cdef0123456789"), &noise(300))?;
    put(dir, &g("refs/heads/main"), b"not-a-sha\n")?;
    put(
        dir,
        &format!("{rel}/vendor/lib/.git"),
        b"gitdir: /nonexistent/.git/modules/lib\n",
    )?;
    let (k1, k2) = (stripe_key(5201), stripe_key(5202));
    let a = format!("{rel}/src/config.env");
    let b = format!("{rel}/vendor/lib/settings.env");
    put(dir, &a, format!("STRIPE_KEY={k1}\n").as_bytes())?;
    put(dir, &b, format!("STRIPE_KEY={k2}\n").as_bytes())?;
    Ok(vec![
        HostileEntry {
            what: "tree with a corrupt .git",
            path: a.clone(),
            warning: None,
            planted: vec![planted(k1, &a)],
        },
        HostileEntry {
            what: "nested repo whose .git file points nowhere",
            path: b.clone(),
            warning: None,
            planted: vec![planted(k2, &b)],
        },
    ])
}

/// Truncated copies (cut at 60% of their length) of every binary format launchguard
/// decodes on its own (not inside an archive): binary XML manifest, `resources.arsc`,
/// DEX, ELF, thin and fat Mach-O, binary plist, Hermes bundle, APK (zip) and tar.gz;
/// named so that dispatch picks the decoder. Each carries a key after the cut (lost)
/// and one before it where the format allows, so a decoder that gives up loudly and a
/// best-effort one are both honest. Reuses the well-formed writers of
/// [`formats`] and the truncated archives of [`truncated`](crate::truncated).
pub fn truncated_binaries(rel: &str) -> Vec<Fixture> {
    let cut = |mut b: Vec<u8>| {
        let n = b.len() * 6 / 10;
        b.truncate(n);
        b
    };
    let f = |name: &str, bytes: Vec<u8>| Fixture {
        path: format!("{rel}/{name}"),
        kind: "hostile",
        bytes: cut(bytes),
        planted: vec![],
        expect_skip: None,
    };
    let k = |i: u64| stripe_key(5300 + i);
    let long = "lorem ipsum dolor sit amet ".repeat(20);
    let (apk, tgz) = crate::truncated();
    let mut apk = apk;
    apk.path = format!("{rel}/truncated.apk");
    let mut tgz = tgz;
    tgz.path = format!("{rel}/truncated.tar.gz");
    vec![
        f(
            "AndroidManifest.xml",
            formats::android_manifest("com.hostile.app", &google_key(5301), true),
        ),
        f(
            "resources.arsc",
            formats::resources_arsc("com.hostile.app", &[("a", &long), ("k", &k(2))]),
        ),
        f("classes.dex", formats::dex(&[&long, &k(3), "Lcom/x/Y;"])),
        f("libhostile.so", formats::elf_so(&[&long, &k(4)])),
        f("Hostile", formats::macho(&[&long, &k(5)])),
        f(
            "HostileFat",
            formats::fat_macho(&[formats::macho(&[&long, &k(6)])]),
        ),
        f("Info.plist", formats::bplist(&[("a", &long), ("k", &k(7))])),
        f(
            "index.android.bundle",
            formats::hermes(96, &[&long, &k(8), "fetch"]),
        ),
        apk,
        tgz,
    ]
}
