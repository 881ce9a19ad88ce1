//! Bodies of launchguard's fuzz targets, one function per target, shared by the
//! `fuzz_targets/*.rs` entry points. Each drives `scanner-core`'s public API only: a
//! decoder through its [`Expander`] on a blob named so that dispatch would pick it, the
//! matcher with the built-in rules, and the whole pipeline through [`Scanner::scan`] on
//! in-memory [`Input::Bytes`] with every report format written.
//!
//! Besides "no panic", the targets check invariants that must hold on any input: a
//! child's origin extends its parent's, match spans lie inside the data, and a report
//! printed without `--show-secrets` never holds a complete secret.

use scanner_core::expand::{
    self, arsc::ArscExpander, axml::AxmlExpander, dex::DexExpander, encoded::EncodedExpander,
    gzip::GzipExpander, hermes::HermesExpander, native::NativeExpander, plist::PlistExpander,
    sourcemap::SourceMapExpander, tar::TarExpander, zip::ZipExpander, ExpandCtx, Expander,
};
use scanner_core::matcher::{Matcher, RawMatch, Scratch};
use scanner_core::{
    write_report, Blob, Format, Input, Limits, Origin, ReportOptions, RuleKind, RuleSet, Scanner,
    ScannerBuilder,
};
use std::sync::OnceLock;
use std::time::Duration;

/// Limits for fuzzing: the defaults, with caps small enough that a legitimate
/// expansion never trips libFuzzer's memory limit (a decoder that allocates by a
/// claimed size still does).
pub fn limits() -> Limits {
    Limits {
        max_file_size: 16 << 20,
        max_member_size: 16 << 20,
        max_expanded_bytes: 64 << 20,
        max_expand_time: Duration::from_secs(10),
        ..Limits::default()
    }
}

/// Runs `e` on `data` named `name` (if it accepts the blob) and checks its children.
pub fn expand_one(e: &dyn Expander, name: &str, data: &[u8]) {
    let blob = Blob::new(Origin::file(name), data.to_vec());
    if !e.accepts(&blob) {
        return;
    }
    let limits = limits();
    let ctx = ExpandCtx {
        limits: &limits,
        depth: 0,
        budget_left: limits.max_expanded_bytes,
    };
    let mut left = limits.max_expanded_bytes;
    let out = e.expand(&blob, ctx, &mut |child: Blob| {
        check_child(&blob, &child);
        let n = child.data.len() as u64;
        if n > left {
            return false;
        }
        left -= n;
        true
    });
    for c in &out.children {
        check_child(&blob, c);
    }
    for s in &out.skips {
        assert!(!s.path.is_empty(), "a skip names what it is about");
    }
}

fn check_child(parent: &Blob, child: &Blob) {
    let (p, c) = (parent.origin.parts(), child.origin.parts());
    assert!(
        c.len() > p.len() && c.starts_with(p),
        "a child's origin extends its parent's"
    );
}

/// Android binary XML (`AndroidManifest.xml`).
pub fn axml(data: &[u8]) {
    expand_one(&AxmlExpander, "AndroidManifest.xml", data);
}

/// Android resource table (`resources.arsc`).
pub fn arsc(data: &[u8]) {
    expand_one(&ArscExpander, "resources.arsc", data);
}

/// DEX string tables (`classes.dex`).
pub fn dex(data: &[u8]) {
    expand_one(&DexExpander, "classes.dex", data);
}

/// Binary plists (`Info.plist`).
pub fn plist(data: &[u8]) {
    expand_one(&PlistExpander, "Info.plist", data);
}

/// Mach-O (thin and fat) and ELF string sections.
pub fn native(data: &[u8]) {
    expand_one(&NativeExpander, "Frameworks/App", data);
}

/// Hermes bytecode string tables (`index.android.bundle`).
pub fn hermes(data: &[u8]) {
    expand_one(&HermesExpander, "index.android.bundle", data);
}

/// Zip walking (`app.apk`): central directory, local-header recovery, members.
pub fn zip(data: &[u8]) {
    expand_one(&ZipExpander, "app.apk", data);
}

/// Tar and gzip.
pub fn tar_gzip(data: &[u8]) {
    expand_one(&GzipExpander, "pkg.tar.gz", data);
    expand_one(&TarExpander, "pkg.tar", data);
}

/// Source maps: `sourcesContent` expansion, the bundle → map lookup (inline `data:`
/// URLs) and the VLQ `mappings` decoder.
pub fn sourcemap(data: &[u8]) {
    expand_one(&SourceMapExpander, "app.js.map", data);
    let origin = Origin::file("dist/app.js");
    let _ = expand::sourcemap::map_for_bundle(&origin, data, 16 << 20);
    let positions: Vec<(usize, usize)> = data
        .chunks(2)
        .take(64)
        .map(|c| {
            (
                usize::from(c[0] % 8) + 1,
                usize::from(*c.get(1).unwrap_or(&0)) + 1,
            )
        })
        .collect();
    let r = expand::sourcemap::original_positions(data, &positions);
    assert_eq!(r.len(), positions.len());
}

/// Base64 and percent-encoded blocks in text.
pub fn encoded(data: &[u8]) {
    expand_one(&EncodedExpander, "web/config.js", data);
    let mut last = 0;
    expand::encoded::base64_runs(data, |s, e| {
        assert!(
            last <= s && s < e && e <= data.len(),
            "runs are ordered and inside"
        );
        last = e;
        true
    });
}

/// Paths the matcher and scan targets choose from (first input byte): path-scoped
/// rules need one their globs accept.
const NAMES: &[&str] = &[
    "src/config.ts",
    ".env",
    "web/.env.local",
    "app.json",
    "AndroidManifest.xml",
    "res/values/strings.xml",
    "Info.plist",
    "firebase.json",
    "database.rules.json",
    "dist/main.js",
    "app.js.map",
    "app.apk",
    "Demo.ipa",
    "classes.dex",
    "index.android.bundle",
    "pkg.tar.gz",
    "settings.py",
    "server/nginx.conf",
    "build.gradle",
    "config.yml",
];

fn split(data: &[u8]) -> (&'static str, &[u8]) {
    match data.split_first() {
        Some((b, rest)) => (NAMES[usize::from(*b) % NAMES.len()], rest),
        None => (NAMES[0], data),
    }
}

fn builtin_matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let set = RuleSet::builtin().expect("built-in rules load");
        Matcher::new(&set).expect("built-in rules compile")
    })
}

/// The matcher with every built-in rule: spans inside the data, secret inside match.
pub fn matcher(data: &[u8]) {
    let (name, data) = split(data);
    let m = builtin_matcher();
    let mut out: Vec<RawMatch> = Vec::new();
    m.scan(Some(name), data, &mut Scratch::default(), &mut out);
    for r in &out {
        assert!(r.rule < m.rules().len());
        assert!(r.start <= r.secret_start && r.secret_start <= r.secret_end);
        assert!(r.secret_end <= r.end && r.end <= data.len());
    }
}

fn builtin_scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        ScannerBuilder::new()
            .limits(limits())
            .build()
            .expect("built-in rules compile")
    })
}

/// The whole pipeline on one in-memory input (dispatch, nested expansion, matching,
/// findings), every report format written; no report holds a complete secret.
pub fn scan(data: &[u8]) {
    let (name, data) = split(data);
    let report = builtin_scanner().scan(&[Input::Bytes {
        name: name.to_string(),
        data: data.to_vec(),
    }]);
    for f in &report.findings {
        for l in &f.locations {
            assert!(l.line >= 1 && l.column >= 1);
            assert!((l.end_line, l.end_column) >= (l.line, l.column));
        }
    }
    let opts = ReportOptions::default();
    for format in [Format::Text, Format::Json, Format::Sarif] {
        let mut out = Vec::new();
        write_report(&report, format, &opts, &mut out).expect("report to memory");
        let text = String::from_utf8_lossy(&out);
        for f in &report.findings {
            let secret = f.secret.expose();
            if f.kind != RuleKind::Secret || secret.len() < 16 {
                continue;
            }
            let json = serde_json_escape(&secret);
            assert!(
                !text.contains(&secret) && !text.contains(&json),
                "{format:?} report prints a complete secret of rule {}",
                f.rule_id
            );
        }
    }
}

/// `s` escaped as inside a JSON string (what a JSON/SARIF report would hold).
fn serde_json_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o
}
