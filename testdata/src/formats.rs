//! Writers for the binary formats launchguard reads, just complete enough to be valid
//! for the parsers that matter (ours, and the platform tools where noted).

use std::io::{Cursor, Write};

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u64le(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}
fn put_u32(v: &mut [u8], at: usize, x: u32) {
    v[at..at + 4].copy_from_slice(&x.to_le_bytes());
}

// ---------------------------------------------------------------- zip, tar, gzip

/// A zip archive of `(name, bytes)` members, deflated.
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(members, zip::CompressionMethod::Deflated)
}

/// A zip archive of `(name, bytes)` members with the given method.
pub fn zip_with(members: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false);
    for (name, data) in members {
        w.start_file(*name, opts).expect("zip member");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// A gzipped tar of `(name, bytes)` members.
pub fn tar_gz(members: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).expect("tar member");
    }
    b.into_inner()
        .expect("tar finish")
        .finish()
        .expect("gzip finish")
}

/// A plain tar whose member names are written raw (so `../` survives).
pub fn tar_raw_names(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in members {
        let mut h = [0u8; 512];
        let n = name.as_bytes();
        h[..n.len().min(100)].copy_from_slice(&n[..n.len().min(100)]);
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        let size = format!("{:011o}\0", data.len());
        h[124..136].copy_from_slice(size.as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        while !out.len().is_multiple_of(512) {
            out.push(0);
        }
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

// ---------------------------------------------------------------- Android binary XML

/// One element of a binary XML document.
#[derive(Debug, Clone)]
pub struct XmlElement {
    /// Tag name.
    pub name: String,
    /// Attributes: (name, in the android namespace?, value).
    pub attrs: Vec<(String, bool, AttrValue)>,
    /// Children.
    pub children: Vec<XmlElement>,
}

/// An attribute value.
#[derive(Debug, Clone)]
pub enum AttrValue {
    /// A string (stored in the pool).
    Str(String),
    /// A typed boolean.
    Bool(bool),
    /// A typed decimal integer.
    Int(i32),
}

/// Well-known framework attribute resource ids (written to the resource map).
fn attr_id(name: &str) -> Option<u32> {
    Some(match name {
        "name" => 0x0101_0003,
        "debuggable" => 0x0101_000f,
        "exported" => 0x0101_0010,
        "value" => 0x0101_0024,
        "allowBackup" => 0x0101_0280,
        "versionCode" => 0x0101_021b,
        "usesCleartextTraffic" => 0x0101_04ec,
        _ => return None,
    })
}

struct Pool {
    strings: Vec<String>,
}

impl Pool {
    fn idx(&mut self, s: &str) -> u32 {
        if let Some(i) = self.strings.iter().position(|x| x == s) {
            return i as u32;
        }
        self.strings.push(s.to_string());
        (self.strings.len() - 1) as u32
    }
}

/// A string pool chunk (UTF-16).
pub fn string_pool(strings: &[String]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(data.len() as u32);
        let units: Vec<u16> = s.encode_utf16().collect();
        if units.len() > 0x7fff {
            u16le(&mut data, 0x8000 | (units.len() >> 16) as u16);
            u16le(&mut data, (units.len() & 0xffff) as u16);
        } else {
            u16le(&mut data, units.len() as u16);
        }
        for u in units {
            u16le(&mut data, u);
        }
        u16le(&mut data, 0);
    }
    pad4(&mut data);
    let header = 28u32;
    let strings_start = header + 4 * strings.len() as u32;
    let mut c = Vec::new();
    u16le(&mut c, 0x0001);
    u16le(&mut c, header as u16);
    u32le(&mut c, strings_start + data.len() as u32);
    u32le(&mut c, strings.len() as u32);
    u32le(&mut c, 0);
    u32le(&mut c, 0);
    u32le(&mut c, strings_start);
    u32le(&mut c, 0);
    for o in offsets {
        u32le(&mut c, o);
    }
    c.extend_from_slice(&data);
    c
}

const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

/// Android binary XML for `root` (the `android` namespace declared on it).
pub fn axml(root: &XmlElement) -> Vec<u8> {
    // Attribute names with resource ids come first, matching the resource map.
    let mut pool = Pool {
        strings: Vec::new(),
    };
    let mut ids = Vec::new();
    fn collect(e: &XmlElement, names: &mut Vec<String>) {
        for (n, android, _) in &e.attrs {
            if *android && attr_id(n).is_some() && !names.contains(n) {
                names.push(n.clone());
            }
        }
        for c in &e.children {
            collect(c, names);
        }
    }
    let mut mapped = Vec::new();
    collect(root, &mut mapped);
    for n in &mapped {
        pool.idx(n);
        ids.push(attr_id(n).unwrap_or(0));
    }
    let prefix = pool.idx("android");
    let uri = pool.idx(ANDROID_NS);
    let mut body = Vec::new();
    let ns_chunk = |ty: u16, body: &mut Vec<u8>| {
        u16le(body, ty);
        u16le(body, 16);
        u32le(body, 24);
        u32le(body, 1);
        u32le(body, 0xffff_ffff);
        u32le(body, prefix);
        u32le(body, uri);
    };
    ns_chunk(0x0100, &mut body);
    fn element(e: &XmlElement, pool: &mut Pool, uri: u32, body: &mut Vec<u8>) {
        let name = pool.idx(&e.name);
        let mut attrs = Vec::new();
        for (n, android, v) in &e.attrs {
            let an = pool.idx(n);
            let ns = if *android { uri } else { 0xffff_ffff };
            let (raw, ty, data) = match v {
                AttrValue::Str(s) => {
                    let i = pool.idx(s);
                    (i, 0x03u8, i)
                }
                AttrValue::Bool(b) => (0xffff_ffff, 0x12, if *b { 0xffff_ffff } else { 0 }),
                AttrValue::Int(i) => (0xffff_ffff, 0x10, *i as u32),
            };
            u32le(&mut attrs, ns);
            u32le(&mut attrs, an);
            u32le(&mut attrs, raw);
            u16le(&mut attrs, 8);
            attrs.push(0);
            attrs.push(ty);
            u32le(&mut attrs, data);
        }
        u16le(body, 0x0102);
        u16le(body, 16);
        u32le(body, 36 + attrs.len() as u32);
        u32le(body, 1);
        u32le(body, 0xffff_ffff);
        u32le(body, 0xffff_ffff);
        u32le(body, name);
        u16le(body, 20);
        u16le(body, 20);
        u16le(body, e.attrs.len() as u16);
        u16le(body, 0);
        u16le(body, 0);
        u16le(body, 0);
        body.extend_from_slice(&attrs);
        for c in &e.children {
            element(c, pool, uri, body);
        }
        u16le(body, 0x0103);
        u16le(body, 16);
        u32le(body, 24);
        u32le(body, 1);
        u32le(body, 0xffff_ffff);
        u32le(body, 0xffff_ffff);
        u32le(body, name);
    }
    element(root, &mut pool, uri, &mut body);
    ns_chunk(0x0101, &mut body);
    let sp = string_pool(&pool.strings);
    let mut rm = Vec::new();
    u16le(&mut rm, 0x0180);
    u16le(&mut rm, 8);
    u32le(&mut rm, 8 + 4 * ids.len() as u32);
    for id in ids {
        u32le(&mut rm, id);
    }
    let mut out = Vec::new();
    u16le(&mut out, 0x0003);
    u16le(&mut out, 8);
    u32le(&mut out, (8 + sp.len() + rm.len() + body.len()) as u32);
    out.extend_from_slice(&sp);
    out.extend_from_slice(&rm);
    out.extend_from_slice(&body);
    out
}

/// An `AndroidManifest.xml` in binary XML with a Maps API key in `<meta-data>` and
/// the given `debuggable` flag.
pub fn android_manifest(package: &str, maps_key: &str, debuggable: bool) -> Vec<u8> {
    let s = |x: &str| AttrValue::Str(x.to_string());
    axml(&XmlElement {
        name: "manifest".into(),
        attrs: vec![
            ("versionCode".into(), true, AttrValue::Int(42)),
            ("package".into(), false, s(package)),
        ],
        children: vec![XmlElement {
            name: "application".into(),
            attrs: vec![
                ("debuggable".into(), true, AttrValue::Bool(debuggable)),
                ("allowBackup".into(), true, AttrValue::Bool(true)),
                ("name".into(), true, s(".MainApplication")),
            ],
            children: vec![XmlElement {
                name: "meta-data".into(),
                attrs: vec![
                    ("name".into(), true, s("com.google.android.geo.API_KEY")),
                    ("value".into(), true, s(maps_key)),
                ],
                children: vec![],
            }],
        }],
    })
}

/// A `resources.arsc` with one package whose `string` type holds `(key, value)`.
pub fn resources_arsc(package: &str, strings: &[(&str, &str)]) -> Vec<u8> {
    let values: Vec<String> = strings.iter().map(|(_, v)| v.to_string()).collect();
    let keys: Vec<String> = strings.iter().map(|(k, _)| k.to_string()).collect();
    let global = string_pool(&values);
    let type_pool = string_pool(&["string".to_string()]);
    let key_pool = string_pool(&keys);
    // Type chunk: header 20 + config (size 64), offsets, entries.
    let n = strings.len();
    let header_size = 20 + 64;
    let entries_start = header_size + 4 * n;
    let mut t = Vec::new();
    u16le(&mut t, 0x0201);
    u16le(&mut t, header_size as u16);
    u32le(&mut t, 0); // size, patched below
    t.push(1); // type id: "string"
    t.push(0);
    u16le(&mut t, 0);
    u32le(&mut t, n as u32);
    u32le(&mut t, entries_start as u32);
    let mut config = vec![0u8; 64];
    put_u32(&mut config, 0, 64);
    t.extend_from_slice(&config);
    for i in 0..n {
        u32le(&mut t, (i * 16) as u32);
    }
    for i in 0..n {
        u16le(&mut t, 8);
        u16le(&mut t, 0);
        u32le(&mut t, i as u32);
        u16le(&mut t, 8);
        t.push(0);
        t.push(0x03);
        u32le(&mut t, i as u32);
    }
    let tl = t.len() as u32;
    put_u32(&mut t, 4, tl);
    // Package chunk.
    let pkg_header = 288u32;
    let mut p = Vec::new();
    u16le(&mut p, 0x0200);
    u16le(&mut p, pkg_header as u16);
    u32le(&mut p, 0);
    u32le(&mut p, 0x7f);
    let mut name = [0u8; 256];
    for (i, u) in package.encode_utf16().take(127).enumerate() {
        name[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    p.extend_from_slice(&name);
    u32le(&mut p, pkg_header);
    u32le(&mut p, 1);
    u32le(&mut p, pkg_header + type_pool.len() as u32);
    u32le(&mut p, n as u32);
    u32le(&mut p, 0);
    p.extend_from_slice(&type_pool);
    p.extend_from_slice(&key_pool);
    p.extend_from_slice(&t);
    let pl = p.len() as u32;
    put_u32(&mut p, 4, pl);
    let mut out = Vec::new();
    u16le(&mut out, 0x0002);
    u16le(&mut out, 12);
    u32le(&mut out, (12 + global.len() + p.len()) as u32);
    u32le(&mut out, 1);
    out.extend_from_slice(&global);
    out.extend_from_slice(&p);
    out
}

// ---------------------------------------------------------------- DEX

fn uleb128(v: &mut Vec<u8>, mut x: u32) {
    loop {
        let b = (x & 0x7f) as u8;
        x >>= 7;
        if x == 0 {
            v.push(b);
            return;
        }
        v.push(b | 0x80);
    }
}

fn adler32(d: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in d {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// A minimal valid DEX file whose string table holds `strings` (sorted, with a map
/// list and a correct checksum; the SHA-1 signature is left zero).
pub fn dex(strings: &[&str]) -> Vec<u8> {
    let mut strs: Vec<&str> = strings.to_vec();
    strs.sort();
    strs.dedup();
    let n = strs.len() as u32;
    let ids_off = 0x70u32;
    let data_off = ids_off + 4 * n;
    let mut data = Vec::new();
    let mut offs = Vec::new();
    for s in &strs {
        offs.push(data_off + data.len() as u32);
        uleb128(&mut data, s.encode_utf16().count() as u32);
        data.extend_from_slice(s.as_bytes());
        data.push(0);
    }
    pad4(&mut data);
    let map_off = data_off + data.len() as u32;
    let mut map = Vec::new();
    let items: [(u16, u32, u32); 4] = [
        (0x0000, 1, 0),
        (0x0001, n, ids_off),
        (0x2002, n, data_off),
        (0x1000, 1, map_off),
    ];
    u32le(&mut map, items.len() as u32);
    for (ty, size, off) in items {
        u16le(&mut map, ty);
        u16le(&mut map, 0);
        u32le(&mut map, size);
        u32le(&mut map, off);
    }
    let file_size = map_off + map.len() as u32;
    let mut h = vec![0u8; 0x70];
    h[..8].copy_from_slice(b"dex\n035\0");
    put_u32(&mut h, 0x20, file_size);
    put_u32(&mut h, 0x24, 0x70);
    put_u32(&mut h, 0x28, 0x1234_5678);
    put_u32(&mut h, 0x34, map_off);
    put_u32(&mut h, 0x38, n);
    put_u32(&mut h, 0x3C, ids_off);
    put_u32(&mut h, 0x68, file_size - data_off);
    put_u32(&mut h, 0x6C, data_off);
    let mut out = h;
    for o in offs {
        u32le(&mut out, o);
    }
    out.extend_from_slice(&data);
    out.extend_from_slice(&map);
    let sum = adler32(&out[12..]);
    put_u32(&mut out, 8, sum);
    out
}

// ---------------------------------------------------------------- ELF, Mach-O

/// A minimal ELF64 shared object (AArch64) with `strings` NUL-separated in `.rodata`.
pub fn elf_so(strings: &[&str]) -> Vec<u8> {
    let mut rodata = Vec::new();
    for s in strings {
        rodata.extend_from_slice(s.as_bytes());
        rodata.push(0);
    }
    let shstrtab = b"\0.rodata\0.shstrtab\0".to_vec();
    let rodata_off = 64u64;
    let shstr_off = rodata_off + rodata.len() as u64;
    let mut sh_off = shstr_off + shstrtab.len() as u64;
    sh_off = sh_off.div_ceil(8) * 8;
    let mut out = Vec::new();
    out.extend_from_slice(b"\x7fELF");
    out.extend_from_slice(&[2, 1, 1, 0]);
    out.extend_from_slice(&[0u8; 8]);
    u16le(&mut out, 3); // ET_DYN
    u16le(&mut out, 183); // EM_AARCH64
    u32le(&mut out, 1);
    u64le(&mut out, 0); // entry
    u64le(&mut out, 0); // phoff
    u64le(&mut out, sh_off);
    u32le(&mut out, 0);
    u16le(&mut out, 64);
    u16le(&mut out, 56);
    u16le(&mut out, 0);
    u16le(&mut out, 64);
    u16le(&mut out, 3);
    u16le(&mut out, 2);
    out.extend_from_slice(&rodata);
    out.extend_from_slice(&shstrtab);
    while (out.len() as u64) < sh_off {
        out.push(0);
    }
    let sh = |out: &mut Vec<u8>, name: u32, ty: u32, flags: u64, off: u64, size: u64| {
        u32le(out, name);
        u32le(out, ty);
        u64le(out, flags);
        u64le(out, 0);
        u64le(out, off);
        u64le(out, size);
        u32le(out, 0);
        u32le(out, 0);
        u64le(out, 1);
        u64le(out, 0);
    };
    sh(&mut out, 0, 0, 0, 0, 0);
    sh(&mut out, 1, 1, 2, rodata_off, rodata.len() as u64);
    sh(&mut out, 9, 3, 0, shstr_off, shstrtab.len() as u64);
    out
}

fn name16(s: &str) -> [u8; 16] {
    let mut n = [0u8; 16];
    n[..s.len().min(16)].copy_from_slice(&s.as_bytes()[..s.len().min(16)]);
    n
}

/// A thin 64-bit Mach-O executable (arm64) with `strings` in `__TEXT,__cstring`.
pub fn macho(strings: &[&str]) -> Vec<u8> {
    let mut cstr = Vec::new();
    for s in strings {
        cstr.extend_from_slice(s.as_bytes());
        cstr.push(0);
    }
    let cmdsize = 72 + 80;
    let data_off = (32 + cmdsize) as u64;
    let mut out = Vec::new();
    u32le(&mut out, 0xfeed_facf);
    u32le(&mut out, 0x0100_000c);
    u32le(&mut out, 0);
    u32le(&mut out, 2);
    u32le(&mut out, 1);
    u32le(&mut out, cmdsize);
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    u32le(&mut out, 0x19);
    u32le(&mut out, cmdsize);
    out.extend_from_slice(&name16("__TEXT"));
    u64le(&mut out, 0x1_0000_0000);
    u64le(&mut out, data_off + cstr.len() as u64);
    u64le(&mut out, 0);
    u64le(&mut out, data_off + cstr.len() as u64);
    u32le(&mut out, 5);
    u32le(&mut out, 5);
    u32le(&mut out, 1);
    u32le(&mut out, 0);
    out.extend_from_slice(&name16("__cstring"));
    out.extend_from_slice(&name16("__TEXT"));
    u64le(&mut out, 0x1_0000_0000 + data_off);
    u64le(&mut out, cstr.len() as u64);
    u32le(&mut out, data_off as u32);
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    u32le(&mut out, 0x2);
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    out.extend_from_slice(&cstr);
    out
}

/// A fat (universal) Mach-O holding `slices` (each a thin Mach-O).
pub fn fat_macho(slices: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xcafe_babe_u32.to_be_bytes());
    out.extend_from_slice(&(slices.len() as u32).to_be_bytes());
    let mut off = 4096u32;
    let mut offs = Vec::new();
    for (i, s) in slices.iter().enumerate() {
        let cpu: u32 = if i == 0 { 0x0100_000c } else { 0x0100_0007 };
        out.extend_from_slice(&cpu.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&off.to_be_bytes());
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(&12u32.to_be_bytes());
        offs.push(off);
        off += (s.len() as u32).div_ceil(4096) * 4096;
    }
    for (s, o) in slices.iter().zip(offs) {
        out.resize(o as usize, 0);
        out.extend_from_slice(s);
    }
    out
}

// ---------------------------------------------------------------- plist

/// A binary plist of a string dictionary.
pub fn bplist(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut d = plist::Dictionary::new();
    for (k, v) in entries {
        d.insert(k.to_string(), plist::Value::String(v.to_string()));
    }
    let mut out = Vec::new();
    plist::Value::Dictionary(d)
        .to_writer_binary(&mut out)
        .expect("binary plist");
    out
}

// ---------------------------------------------------------------- Hermes

/// The Hermes bytecode magic.
pub const HERMES_MAGIC: u64 = 0x1F19_03C1_03BC_1FC6;

/// Hermes bytecode (version `version`, 16-byte function headers) whose string table
/// holds `strings`: ASCII ones as one-byte strings, others as UTF-16; strings of 255
/// or more units go through the overflow table.
pub fn hermes(version: u32, strings: &[&str]) -> Vec<u8> {
    let mut storage = Vec::new();
    let mut small = Vec::new();
    let mut overflow: Vec<(u32, u32)> = Vec::new();
    for s in strings {
        let utf16 = !s.is_ascii();
        let off = storage.len() as u32;
        let len = if utf16 {
            let units: Vec<u16> = s.encode_utf16().collect();
            for u in &units {
                storage.extend_from_slice(&u.to_le_bytes());
            }
            units.len() as u32
        } else {
            storage.extend_from_slice(s.as_bytes());
            s.len() as u32
        };
        let (o, l) = if len >= 255 || off >= (1 << 23) {
            overflow.push((off, len));
            ((overflow.len() - 1) as u32, 255)
        } else {
            (off, len)
        };
        small.push((utf16 as u32) | (o << 1) | (l << 24));
    }
    pad4(&mut storage);
    let functions = 1u32;
    let mut body = Vec::new();
    body.extend_from_slice(&[0u8; 16]); // one (empty) function header
    u32le(&mut body, strings.len() as u32); // one string kind run: all strings
    for w in &small {
        u32le(&mut body, *w);
    }
    for (o, l) in &overflow {
        u32le(&mut body, *o);
        u32le(&mut body, *l);
    }
    body.extend_from_slice(&storage);
    let mut h = Vec::new();
    u64le(&mut h, HERMES_MAGIC);
    u32le(&mut h, version);
    h.extend_from_slice(&[0u8; 20]);
    let file_len = 128 + body.len() as u32 + 20;
    u32le(&mut h, file_len);
    u32le(&mut h, 0);
    u32le(&mut h, functions);
    u32le(&mut h, 1);
    u32le(&mut h, 0);
    u32le(&mut h, strings.len() as u32);
    u32le(&mut h, overflow.len() as u32);
    u32le(&mut h, storage.len() as u32);
    h.resize(128, 0);
    h.extend_from_slice(&body);
    h.extend_from_slice(&[0u8; 20]);
    h
}

// ---------------------------------------------------------------- source maps

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn vlq(out: &mut String, v: i64) {
    let mut x = if v < 0 { ((-v) << 1) | 1 } else { v << 1 } as u64;
    loop {
        let mut d = (x & 31) as u8;
        x >>= 5;
        if x > 0 {
            d |= 32;
        }
        out.push(B64[d as usize] as char);
        if x == 0 {
            return;
        }
    }
}

/// Encodes `mappings` for a one-line bundle: segments `(gen_col, src, line, col)`,
/// all 0-based, sorted by generated column.
pub fn mappings_one_line(segs: &[(u32, u32, u32, u32)]) -> String {
    let mut s = String::new();
    let (mut pg, mut ps, mut pl, mut pc) = (0i64, 0i64, 0i64, 0i64);
    for (i, &(g, src, l, c)) in segs.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        vlq(&mut s, g as i64 - pg);
        vlq(&mut s, src as i64 - ps);
        vlq(&mut s, l as i64 - pl);
        vlq(&mut s, c as i64 - pc);
        (pg, ps, pl, pc) = (g as i64, src as i64, l as i64, c as i64);
    }
    s
}

/// JSON string literal of `s`.
pub fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}
