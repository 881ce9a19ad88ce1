//! # launchguard-testdata
//!
//! Builds, in code, the artifacts launchguard must read — an APK-like zip (binary XML
//! manifest, DEX, `resources.arsc`, ELF `.so`, Hermes bundle), an IPA-like zip (binary
//! plists, thin and fat Mach-O, a JS bundle), a Hermes bundle, a minified bundle with
//! its source map, nested archives, encoded blocks — and hostile ones (zip bomb, path
//! traversal, truncation, 50-level nesting), and hostile file-system inputs (a 2 GB
//! sparse file, a 100 MB line, link loops, FIFOs, unreadable and non-UTF-8 entries, a
//! corrupt `.git`: see [`hostile_fs`]).
//!
//! Every key in them is fake: generated from a seed in one of two made-up formats that
//! the test rules in [`RULES_TOML`] describe (a Stripe-like `sk_live_` key and a
//! Google-like `AIza` key). Nothing here is a real credential.

pub mod formats;
pub mod fuzz_seeds;
pub mod hostile_fs;

use formats::*;
use std::io;
use std::path::Path;

/// Rules for the fake key formats of the fixtures (tests load these instead of the
/// built-in rules).
pub const RULES_TOML: &str = r#"
[[rule]]
id = "fixture-stripe-like"
name = "Fixture Stripe-like secret key"
provider = "FixtureStripe"
keywords = ["sk_live_"]
pattern = '''(?:^|[^A-Za-z0-9_])(?P<secret>sk_live_[A-Za-z0-9]{32})(?:[^A-Za-z0-9]|$)'''
severity = "critical"
confidence = "high"

[[rule]]
id = "fixture-google-like"
name = "Fixture Google-like API key"
provider = "FixtureGoogle"
keywords = ["AIza"]
pattern = '''(?:^|[^A-Za-z0-9_-])(?P<secret>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)'''
severity = "high"
confidence = "high"

[[rule]]
id = "fixture-android-debuggable"
name = "Debuggable Android app"
provider = "Android"
kind = "config"
keywords = ["debuggable"]
pattern = '''android:debuggable="true"'''
paths = ["AndroidManifest.xml"]
severity = "medium"
"#;

/// A tiny deterministic generator (xorshift64*), so fixtures are reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A string of `n` characters from `alphabet`.
    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// True when `s` would trip a placeholder filter (runs, sequences, filler words).
fn looks_placeholder(s: &str) -> bool {
    let b = s.as_bytes();
    let repeated = b.windows(4).any(|w| w.iter().all(|&c| c == w[0]));
    let ascending = b
        .windows(4)
        .any(|w| w.windows(2).all(|p| p[1] == p[0].wrapping_add(1)));
    let lower = s.to_ascii_lowercase();
    let words = [
        "example", "xxxx", "test", "dummy", "sample", "fake", "your", "insert", "redact", "change",
        "place",
    ];
    repeated || ascending || words.iter().any(|w| lower.contains(w))
}

fn key(seed: u64, prefix: &str, alphabet: &[u8], n: usize) -> String {
    let mut r = Rng::new(seed);
    loop {
        let body = r.string(alphabet, n);
        if !looks_placeholder(&body) {
            return format!("{prefix}{body}");
        }
    }
}

/// A fake Stripe-like secret key: `sk_live_` + 32 base62 characters.
pub fn stripe_key(seed: u64) -> String {
    key(seed, "sk_live_", BASE62, 32)
}

/// A fake Google-like API key: `AIza` + 35 URL-safe characters.
pub fn google_key(seed: u64) -> String {
    key(seed ^ 0xA5A5_0000, "AIza", URLSAFE, 35)
}

/// A key planted in a fixture and where it must be reported.
#[derive(Debug, Clone)]
pub struct Planted {
    /// The fake secret.
    pub secret: String,
    /// A substring of the origin display of one expected location
    /// (`app.apk!/classes.dex`).
    pub origin: String,
    /// For bundles with a source map: the original (path, line) expected as well.
    pub original: Option<(String, usize)>,
}

/// One generated file.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Relative path to write it to.
    pub path: String,
    /// Kind of artifact (`apk`, `ipa`, `hermes`, ...), for per-kind recall.
    pub kind: &'static str,
    /// Content.
    pub bytes: Vec<u8>,
    /// Keys planted and where they must be found.
    pub planted: Vec<Planted>,
    /// For hostile fixtures: a substring expected in a skip (path or message).
    pub expect_skip: Option<&'static str>,
}

fn planted(secret: &str, origin: &str) -> Planted {
    Planted {
        secret: secret.to_string(),
        origin: origin.to_string(),
        original: None,
    }
}

/// The APK-like package: binary XML manifest (Maps key in `<meta-data>`,
/// `debuggable="true"`), DEX, `resources.arsc`, an ELF `.so`, a Hermes bundle.
pub fn apk() -> Fixture {
    let (g1, g2, g3) = (google_key(101), google_key(102), google_key(103));
    let (s1, s2, s3) = (stripe_key(101), stripe_key(102), stripe_key(103));
    let manifest = android_manifest("com.launchguard.demo", &g1, true);
    let dex_bytes = dex(&[
        "Lcom/launchguard/demo/Api;",
        "Ljava/lang/String;",
        "https://api.demo.invalid/v1/charges",
        &s1,
        "Authorization",
    ]);
    let so = elf_so(&["JNI_OnLoad helper", &format!("Bearer {s2}"), "libc.so"]);
    let arsc = resources_arsc(
        "com.launchguard.demo",
        &[("app_name", "Demo"), ("google_api_key", &g2)],
    );
    let utf16 = format!("clé d'accès: {g3}");
    let hbc = hermes(96, &["apiBase", "https://api.demo.invalid", &s3, &utf16]);
    let bytes = zip(&[
        ("AndroidManifest.xml", &manifest),
        ("classes.dex", &dex_bytes),
        ("resources.arsc", &arsc),
        ("lib/arm64-v8a/libdemo.so", &so),
        ("assets/index.android.bundle", &hbc),
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
    ]);
    Fixture {
        path: "release/app.apk".into(),
        kind: "apk",
        bytes,
        planted: vec![
            planted(&g1, "app.apk!/AndroidManifest.xml"),
            planted(&s1, "app.apk!/classes.dex"),
            planted(&s2, "app.apk!/lib/arm64-v8a/libdemo.so"),
            planted(&g2, "app.apk!/resources.arsc"),
            planted(&s3, "app.apk!/assets/index.android.bundle"),
            planted(&g3, "app.apk!/assets/index.android.bundle"),
        ],
        expect_skip: None,
    }
}

/// The IPA-like package: binary `Info.plist` and `GoogleService-Info.plist`, a thin
/// Mach-O executable, a fat framework binary, a plain JS bundle.
pub fn ipa() -> Fixture {
    let (g4, g5) = (google_key(201), google_key(202));
    let (s4, s5, s6) = (stripe_key(201), stripe_key(202), stripe_key(203));
    let info = bplist(&[
        ("CFBundleIdentifier", "com.launchguard.demo"),
        ("GMSApiKey", &g4),
    ]);
    let gsi = bplist(&[
        ("API_KEY", &g5),
        ("BUNDLE_ID", "com.launchguard.demo"),
        ("PROJECT_ID", "demo-project"),
    ]);
    let exe = macho(&["%s: request failed", &s4, "application/json"]);
    let fat = fat_macho(&[
        macho(&["PaymentsKit v2", &s5]),
        macho(&["PaymentsKit v2", &s5]),
    ]);
    let js = format!("var c={{stripeKey:\"{s6}\"}};module.exports=c;\n");
    let bytes = zip(&[
        ("Payload/Demo.app/Info.plist", &info),
        ("Payload/Demo.app/GoogleService-Info.plist", &gsi),
        ("Payload/Demo.app/Demo", &exe),
        ("Payload/Demo.app/Frameworks/Pay.framework/Pay", &fat),
        ("Payload/Demo.app/main.jsbundle", js.as_bytes()),
    ]);
    Fixture {
        path: "release/Demo.ipa".into(),
        kind: "ipa",
        bytes,
        planted: vec![
            planted(&g4, "Demo.ipa!/Payload/Demo.app/Info.plist"),
            planted(&g5, "Demo.ipa!/Payload/Demo.app/GoogleService-Info.plist"),
            planted(&s4, "Demo.ipa!/Payload/Demo.app/Demo"),
            planted(
                &s5,
                "Demo.ipa!/Payload/Demo.app/Frameworks/Pay.framework/Pay",
            ),
            planted(&s6, "Demo.ipa!/Payload/Demo.app/main.jsbundle"),
        ],
        expect_skip: None,
    }
}

/// A Hermes bundle on its own, with an overflowed (long) string.
pub fn hermes_bundle() -> Fixture {
    let s7 = stripe_key(301);
    let g6 = google_key(301);
    let long = format!("{}{g6}", "lorem ipsum dolor sit amet ".repeat(12));
    let bytes = hermes(96, &["use strict", &s7, &long, "fetch"]);
    Fixture {
        path: "rn/index.android.bundle".into(),
        kind: "hermes",
        bytes,
        planted: vec![
            planted(&s7, "rn/index.android.bundle"),
            planted(&g6, "rn/index.android.bundle"),
        ],
        expect_skip: None,
    }
}

/// A minified one-line bundle and its source map (`sourcesContent` included): the key
/// in the bundle maps back to `src/config.ts` line 3; a second key exists only in an
/// embedded source.
pub fn bundle_with_map() -> (Fixture, Fixture) {
    let s8 = stripe_key(401);
    let s9 = stripe_key(402);
    let config_ts = format!(
        "// Payment configuration\nexport const config = {{\n  stripeKey: \"{s8}\",\n  currency: \"eur\",\n}};\n"
    );
    let server_ts = format!("// never shipped to the client\nexport const admin = \"{s9}\";\n");
    let prefix = "!function(){var e={};e.config={stripeKey:\"";
    let gen_col = prefix.len() as u32;
    let js = format!(
        "{prefix}{s8}\",currency:\"eur\"}},window.app=e}}();\n//# sourceMappingURL=main.js.map\n"
    );
    // Original: line 3 (0-based 2), column 14 (0-based) is where the key starts.
    let col = config_ts
        .lines()
        .nth(2)
        .and_then(|l| l.find("sk_"))
        .unwrap_or(0) as u32;
    let mappings = mappings_one_line(&[
        (0, 0, 0, 0),
        (gen_col - 1, 0, 2, col - 1),
        (gen_col, 0, 2, col),
    ]);
    let map = format!(
        "{{\"version\":3,\"file\":\"main.js\",\"sources\":[\"webpack:///./src/config.ts\",\"webpack:///./src/server/admin.ts\"],\"names\":[],\"mappings\":{},\"sourcesContent\":[{},{}]}}",
        json_str(&mappings),
        json_str(&config_ts),
        json_str(&server_ts)
    );
    let bundle = Fixture {
        path: "web/dist/main.js".into(),
        kind: "sourcemap",
        bytes: js.into_bytes(),
        planted: vec![Planted {
            secret: s8.clone(),
            origin: "web/dist/main.js".into(),
            original: Some(("src/config.ts".into(), 3)),
        }],
        expect_skip: None,
    };
    let mapf = Fixture {
        path: "web/dist/main.js.map".into(),
        kind: "sourcemap",
        bytes: map.into_bytes(),
        planted: vec![
            planted(&s8, "main.js.map!/src/config.ts"),
            planted(&s9, "main.js.map!/src/server/admin.ts"),
        ],
        expect_skip: None,
    };
    (bundle, mapf)
}

/// A zip in a tar.gz in a zip.
pub fn nested() -> Fixture {
    let s10 = stripe_key(501);
    let env = format!("STRIPE_SECRET_KEY={s10}\n");
    let inner = zip(&[("config/.env", env.as_bytes())]);
    let tgz = tar_gz(&[("pkg/inner.zip", &inner), ("pkg/README", b"vendored\n")]);
    let bytes = zip(&[("vendor/pkg.tar.gz", &tgz)]);
    Fixture {
        path: "nested/nested.zip".into(),
        kind: "nested",
        bytes,
        planted: vec![planted(
            &s10,
            "nested.zip!/vendor/pkg.tar.gz!/pkg/inner.zip!/config/.env",
        )],
        expect_skip: None,
    }
}

/// Standard base64 (with padding) of `d`.
pub fn base64(d: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::new();
    for c in d.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        o.push(T[(n >> 18) as usize & 63] as char);
        o.push(T[(n >> 12) as usize & 63] as char);
        o.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        o.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    o
}

/// A web config with a base64-encoded JSON blob and a percent-encoded URL, each
/// hiding a key.
pub fn encoded() -> Fixture {
    let s11 = stripe_key(601);
    let g7 = google_key(601);
    let blob = base64(format!("{{\"payments\":{{\"secret\":\"{s11}\"}}}}").as_bytes());
    let pct: String = format!("https://maps.demo.invalid/embed?key={g7}&z=3")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let js = format!(
        "window.__CFG__=\"{blob}\";var img=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\";\nvar frame=\"https://proxy.demo.invalid/r?u={pct}\";\n"
    );
    Fixture {
        path: "web/public/config.js".into(),
        kind: "encoded",
        bytes: js.into_bytes(),
        planted: vec![
            planted(&s11, "config.js [decoded base64]"),
            planted(&g7, "config.js [decoded percent]"),
        ],
        expect_skip: None,
    }
}

/// Every well-formed artifact fixture.
pub fn artifacts() -> Vec<Fixture> {
    let (b, m) = bundle_with_map();
    vec![apk(), ipa(), hermes_bundle(), b, m, nested(), encoded()]
}

/// Uncompressed size of the zip bomb's member.
pub const BOMB_SIZE: usize = 64 * 1024 * 1024;

/// A zip bomb: one member of [`BOMB_SIZE`] zeros (ratio over 1000) next to a normal
/// member holding a key (which must still be found).
pub fn zip_bomb() -> Fixture {
    let s12 = stripe_key(701);
    let zeros = vec![0u8; BOMB_SIZE];
    let readme = format!("key={s12}\n");
    let bytes = zip(&[
        ("payload/zeros.bin", &zeros),
        ("readme.txt", readme.as_bytes()),
    ]);
    Fixture {
        path: "hostile/bomb.zip".into(),
        kind: "hostile",
        bytes,
        planted: vec![planted(&s12, "bomb.zip!/readme.txt")],
        expect_skip: Some("bomb.zip!/payload/zeros.bin"),
    }
}

/// Zip and tar with path-traversal and absolute member names (each holding a key).
pub fn traversal() -> (Fixture, Fixture) {
    let s13 = stripe_key(801);
    let s14 = stripe_key(802);
    let s15 = stripe_key(803);
    let a = format!("K={s13}\n");
    let b = format!("K={s14}\n");
    let c = format!("K={s15}\n");
    let z = zip(&[
        ("../../../../tmp/evil/.env", a.as_bytes()),
        ("/etc/absolute.env", b.as_bytes()),
    ]);
    let t = tar_raw_names(&[("../../outside.env", c.as_bytes())]);
    (
        Fixture {
            path: "hostile/traversal.zip".into(),
            kind: "hostile",
            bytes: z,
            planted: vec![
                planted(&s13, "traversal.zip!/tmp/evil/.env"),
                planted(&s14, "traversal.zip!/etc/absolute.env"),
            ],
            expect_skip: Some("traversal"),
        },
        Fixture {
            path: "hostile/traversal.tar".into(),
            kind: "hostile",
            bytes: t,
            planted: vec![planted(&s15, "traversal.tar!/outside.env")],
            expect_skip: Some("traversal"),
        },
    )
}

/// A zip cut short (central directory lost; the first member intact) and a tar.gz cut
/// in the middle of its second member.
pub fn truncated() -> (Fixture, Fixture) {
    let s16 = stripe_key(901);
    let s17 = stripe_key(902);
    let first = format!("first={s16}\n");
    let mut r = Rng::new(5);
    let noise: Vec<u8> = (0..200_000).map(|_| r.next_u64() as u8).collect();
    let z = zip_with(
        &[
            ("assets/first.txt", first.as_bytes()),
            ("assets/noise.bin", &noise),
        ],
        zip::CompressionMethod::Stored,
    );
    let cut = z.len() * 6 / 10;
    let f2 = format!("first={s17}\n");
    let tg = tar_gz(&[("a/first.txt", f2.as_bytes()), ("a/noise.bin", &noise)]);
    let cut2 = tg.len() * 6 / 10;
    (
        Fixture {
            path: "hostile/truncated.apk".into(),
            kind: "hostile",
            bytes: z[..cut].to_vec(),
            planted: vec![planted(&s16, "truncated.apk!/assets/first.txt")],
            expect_skip: Some("truncated.apk"),
        },
        Fixture {
            path: "hostile/truncated.tar.gz".into(),
            kind: "hostile",
            bytes: tg[..cut2].to_vec(),
            planted: vec![planted(&s17, "truncated.tar.gz!/a/first.txt")],
            expect_skip: Some("truncated.tar.gz"),
        },
    )
}

/// A key inside `levels` zips nested in one another.
pub fn deep_nesting(levels: usize) -> Fixture {
    let s18 = stripe_key(1001);
    let mut data = format!("K={s18}\n").into_bytes();
    let mut name = "secret.txt".to_string();
    for i in 0..levels {
        data = zip(&[(&name, &data)]);
        name = format!("level{}.zip", levels - 1 - i);
    }
    Fixture {
        path: format!("hostile/deep{levels}.zip"),
        kind: "hostile",
        bytes: data,
        planted: vec![],
        expect_skip: Some("depth limit"),
    }
}

/// A file named like an APK that is random bytes.
pub fn garbage_apk() -> Fixture {
    let mut r = Rng::new(77);
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend((0..4096).map(|_| r.next_u64() as u8));
    Fixture {
        path: "hostile/garbage.apk".into(),
        kind: "hostile",
        bytes,
        planted: vec![],
        expect_skip: Some("garbage.apk"),
    }
}

/// Every hostile fixture.
pub fn hostile() -> Vec<Fixture> {
    let (t1, t2) = traversal();
    let (c1, c2) = truncated();
    vec![zip_bomb(), t1, t2, c1, c2, deep_nesting(50), garbage_apk()]
}

/// Writes `fixtures` under `dir` (creating directories).
pub fn write(dir: &Path, fixtures: &[Fixture]) -> io::Result<()> {
    for f in fixtures {
        let p = dir.join(&f.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, &f.bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_well_formed_and_distinct() {
        let a = stripe_key(1);
        assert!(a.starts_with("sk_live_") && a.len() == 40);
        let g = google_key(1);
        assert!(g.starts_with("AIza") && g.len() == 39);
        assert_ne!(stripe_key(1), stripe_key(2));
    }
}
