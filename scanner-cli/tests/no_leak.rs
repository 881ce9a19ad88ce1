//! launchguard never prints a complete secret unless `--show-secrets` is given.
//!
//! The corpus: fake secrets generated here in the real formats of the built-in rules
//! (right alphabets, lengths and checksums: OpenAI `sk-proj-…T3BlbkFJ…`, Anthropic
//! `sk-ant-api03-…AA`, GitHub `ghp_` with its base62 CRC32, npm, Stripe, AWS key id and
//! secret, Slack, GitLab, SendGrid, Google, PEM private keys, JWTs, database URLs with
//! passwords, config findings next to keys, several secrets on one line), plus every
//! positive example of every built-in secret rule. Each file is placed three ways: as a
//! plain file, inside a zip, and base64-encoded in a text file. Hostile extras make the
//! scanner warn about secret-bearing inputs (a malformed source map whose
//! `sourcesContent` is a string, a truncated zip).
//!
//! The secrets checked: every generated one, and every value the scanner itself reports
//! as a secret on this corpus (found in-process with `--show-secrets` semantics). None
//! may appear in text, JSON or SARIF output, in warnings or errors on stderr, or in the
//! library's `Debug` of the report; with `--show-secrets` they do appear.

use launchguard_testdata as td;
use scanner_core::{Input, RuleSet, ScannerBuilder};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const DIGITS: &[u8] = b"0123456789";

/// Random strings that no placeholder filter would drop (no filler runs, no ascending
/// sequences, no placeholder words).
struct Gen(td::Rng);

impl Gen {
    fn s(&mut self, alphabet: &[u8], n: usize) -> String {
        loop {
            let v = self.0.string(alphabet, n);
            let b = v.as_bytes();
            let lower = v.to_ascii_lowercase();
            let run = b.windows(4).any(|w| w.iter().all(|&c| c == w[0]));
            let seq = b
                .windows(4)
                .any(|w| w.windows(2).all(|p| p[1] == p[0].wrapping_add(1)));
            let words = [
                "example", "xxxx", "your", "todo", "test", "dummy", "sample", "insert", "fake",
                "change", "place", "redact", "replace", "notreal",
            ];
            if !run && !seq && !words.iter().any(|w| lower.contains(w)) {
                return v;
            }
        }
    }
}

/// CRC32 (IEEE), bit by bit: the test computes GitHub/npm checksums on its own.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn base62(mut n: u64, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// A GitHub-classic / npm style token: prefix, 30 random base62, 6-char base62 CRC32.
fn checksummed(g: &mut Gen, prefix: &str) -> String {
    let body = g.s(BASE62, 30);
    format!(
        "{prefix}{body}{}",
        base62(u64::from(crc32(body.as_bytes())), 6)
    )
}

fn b64url(d: &[u8]) -> String {
    td::base64(d)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// One generated secret: the value, and the file text that holds it.
struct Planted {
    what: &'static str,
    secret: String,
}

/// Files holding generated secrets, and the secrets.
fn generated() -> (Vec<(String, String)>, Vec<Planted>) {
    let mut g = Gen(td::Rng::new(0x1eaf));
    let mut files: Vec<(String, String)> = Vec::new();
    let mut planted = Vec::new();
    let mut plant = |what, s: &str| {
        planted.push(Planted {
            what,
            secret: s.to_string(),
        });
    };
    let openai = format!("sk-proj-{}T3BlbkFJ{}", g.s(URLSAFE, 74), g.s(URLSAFE, 74));
    let anthropic = format!("sk-ant-api03-{}AA", g.s(URLSAFE, 93));
    let ghp = checksummed(&mut g, "ghp_");
    let npm = checksummed(&mut g, "npm_");
    let stripe = format!("sk_live_{}", g.s(BASE62, 99));
    let akia = format!("AKIA{}", g.s(B32, 16));
    let aws_secret = g.s(B64, 40);
    let slack = format!(
        "xoxb-{}-{}-{}",
        g.s(DIGITS, 12),
        g.s(DIGITS, 13),
        g.s(BASE62, 24)
    );
    let glpat = format!("glpat-{}", g.s(BASE62, 20));
    let sendgrid = format!("SG.{}.{}", g.s(URLSAFE, 22), g.s(URLSAFE, 43));
    let google = format!("AIza{}", g.s(URLSAFE, 35));
    let pg_pw = format!("{}!{}", g.s(BASE62, 10), g.s(BASE62, 6));
    let mongo_pw = g.s(BASE62, 20);
    let redis_pw = g.s(BASE62, 32);
    let mysql_pw = format!("{}#{}", g.s(BASE62, 8), g.s(BASE62, 8));
    let jwt = format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(
            format!(
                r#"{{"sub":"{}","role":"service_role","iss":"acme-auth","iat":1718000000,"exp":1893456000}}"#,
                g.s(DIGITS, 9)
            )
            .as_bytes()
        ),
        g.s(URLSAFE, 43)
    );
    let pem_body: Vec<String> = (0..20).map(|_| g.s(B64, 64)).collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}==\n-----END RSA PRIVATE KEY-----",
        pem_body.join("\n"),
        g.s(B64, 30)
    );
    let next_public = format!("sk-proj-{}T3BlbkFJ{}", g.s(URLSAFE, 74), g.s(URLSAFE, 74));
    let expo_key = format!("sk-ant-api03-{}AA", g.s(URLSAFE, 93));
    plant("OpenAI project key", &openai);
    plant("Anthropic API key", &anthropic);
    plant("GitHub classic PAT (CRC32)", &ghp);
    plant("npm token (CRC32)", &npm);
    plant("Stripe live key", &stripe);
    plant("AWS access key id", &akia);
    plant("AWS secret access key", &aws_secret);
    plant("Slack bot token", &slack);
    plant("GitLab PAT", &glpat);
    plant("SendGrid key", &sendgrid);
    plant("Google API key", &google);
    plant("Postgres password", &pg_pw);
    plant("MongoDB password", &mongo_pw);
    plant("Redis password", &redis_pw);
    plant("MySQL password", &mysql_pw);
    plant("JWT", &jwt);
    plant("RSA private key", &pem);
    plant("OpenAI key in NEXT_PUBLIC_ variable", &next_public);
    plant("Anthropic key in Expo extra", &expo_key);
    files.push((
        "server/.env".into(),
        format!(
            "OPENAI_API_KEY={openai}\nANTHROPIC_API_KEY={anthropic}\nSTRIPE_SECRET_KEY={stripe}\nSENDGRID_API_KEY={sendgrid}\n\
             DATABASE_URL=postgresql://app_user:{pg_pw}@db.prod.acme-corp.net:5432/app?sslmode=require\n\
             MONGO_URL=mongodb+srv://svc:{mongo_pw}@cluster0.ab1cd.mongodb.net/prod\n\
             REDIS_URL=redis://default:{redis_pw}@cache.acme-corp.net:6379/0\n"
        ),
    ));
    files.push((
        "ci/.npmrc".into(),
        format!("//registry.npmjs.org/:_authToken={npm}\n"),
    ));
    files.push((
        "ci/deploy.sh".into(),
        format!(
            "#!/bin/sh\nexport GITHUB_TOKEN={ghp}\ngit clone https://oauth2:{glpat}@gitlab.com/acme/app.git\n"
        ),
    ));
    files.push((
        "infra/aws.tf".into(),
        format!(
            "provider \"aws\" {{\n  region     = \"eu-west-1\"\n  access_key = \"{akia}\"\n  secret_key = \"{aws_secret}\"\n}}\n"
        ),
    ));
    // Several secrets on one line: one finding's context must not show another.
    files.push((
        "src/oneline.ts".into(),
        format!(
            "const cfg = {{ slack: \"{slack}\", google: \"{google}\", jwt: \"{jwt}\", mysql: \"mysql://root:{mysql_pw}@10.1.2.3:3306/shop\" }};\n"
        ),
    ));
    files.push(("keys/id_rsa".into(), format!("{pem}\n")));
    files.push((
        "web/.env.local".into(),
        format!("NEXT_PUBLIC_OPENAI_API_KEY={next_public}\nNEXT_PUBLIC_SUPABASE_URL=https://abc.supabase.co\n"),
    ));
    files.push((
        "mobile/app.json".into(),
        format!(
            "{{\n  \"expo\": {{\n    \"name\": \"Acme\",\n    \"extra\": {{\n      \"anthropicApiKey\": \"{expo_key}\",\n      \"apiBase\": \"https://api.acme-corp.net\"\n    }}\n  }}\n}}\n"
        ),
    ));
    (files, planted)
}

/// A path that a rule's globs accept (as `rules check` derives it).
fn example_path(paths: &[String]) -> String {
    match paths.first() {
        None => "example.txt".into(),
        Some(g) => g
            .replace("**/", "")
            .replace("**", "x")
            .replace('*', "example")
            .replace(['{', '}'], "")
            .split(',')
            .next()
            .unwrap_or("x")
            .to_string(),
    }
}

/// Every positive example of every built-in rule with a pattern, one file each (config
/// rules' examples too: several hold a key beside the setting they report, and the
/// text a config finding shows must not include it).
fn rule_examples() -> Vec<(String, String)> {
    let set = RuleSet::builtin().expect("built-in rules");
    let mut out = Vec::new();
    for r in set.rules() {
        if r.spec.pattern.is_none() {
            continue;
        }
        for (i, ex) in r.spec.examples.iter().enumerate() {
            let name = example_path(&r.spec.paths);
            out.push((format!("rules/{}-{i}/{name}", r.spec.id), format!("{ex}\n")));
        }
    }
    out
}

/// Writes the corpus under `root/corpus` and returns the generated secrets.
fn build_corpus(root: &Path) -> Vec<Planted> {
    let (mut files, planted) = generated();
    files.extend(rule_examples());
    let corpus = root.join("corpus");
    let write = |rel: &str, bytes: &[u8]| {
        let p = corpus.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    };
    for (rel, text) in &files {
        write(&format!("plain/{rel}"), text.as_bytes());
        write(
            &format!("b64/{rel}"),
            format!("BLOB=\"{}\"\n", td::base64(text.as_bytes())).as_bytes(),
        );
    }
    let members: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(rel, text)| (rel.as_str(), text.as_bytes()))
        .collect();
    write("archive/release.zip", &td::formats::zip(&members));
    // Hostile extras that make the scanner warn about secret-bearing inputs.
    let (_, server_env) = &files[0];
    write(
        "hostile/app.js.map",
        format!(
            "{{\"version\":3,\"sources\":[\"a.js\"],\"sourcesContent\":{},\"mappings\":\"AAAA\"}}",
            td::formats::json_str(server_env)
        )
        .as_bytes(),
    );
    let z = td::formats::zip(&[
        ("config/.env", server_env.as_bytes()),
        ("assets/pad.bin", &[7u8; 4096]),
    ]);
    write("hostile/truncated.apk", &z[..z.len() * 7 / 10]);
    planted
}

/// The library's `Debug` of a report on the generated files (in-process).
fn debug_of_report(root: &Path) -> String {
    let scanner = ScannerBuilder::new().build().expect("scanner");
    let inputs: Vec<Input> = ["server", "ci", "infra", "src", "keys", "web", "mobile"]
        .iter()
        .map(|d| Input::Path(root.join("corpus/plain").join(d)))
        .chain([Input::Path(root.join("corpus/hostile"))])
        .collect();
    let report = scanner.scan(&inputs);
    assert!(report.findings.len() >= 15, "{}", report.findings.len());
    format!("{report:?}")
}

fn launchguard(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_launchguard"))
        .current_dir(root)
        .args(["scan", "--no-progress"])
        .args(args)
        .output()
        .expect("run launchguard");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The forms a secret can take in an output: as is, and JSON-escaped (a PEM key's
/// newlines become `\n` in JSON and SARIF).
fn forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).expect("json string");
    let json = json[1..json.len() - 1].to_string();
    if json == secret {
        vec![secret.to_string()]
    } else {
        vec![secret.to_string(), json]
    }
}

/// Every form of every secret, indexed by its first two bytes, so each output is
/// searched in one pass (not once per secret: hundreds of secrets times megabytes of
/// report).
struct Needles {
    by_prefix: Vec<Vec<(String, String)>>,
}

impl Needles {
    fn new(secrets: &BTreeMap<String, String>) -> Self {
        let mut by_prefix = vec![Vec::new(); 1 << 16];
        for (s, what) in secrets {
            for f in forms(s) {
                let b = f.as_bytes();
                by_prefix[usize::from(b[0]) << 8 | usize::from(b[1])].push((f, what.clone()));
            }
        }
        Needles { by_prefix }
    }

    /// The forms (with what they are) that occur in `text`.
    fn leaks(&self, text: &str) -> Vec<(String, String)> {
        let t = text.as_bytes();
        let mut out: Vec<(String, String)> = Vec::new();
        for i in 0..t.len().saturating_sub(1) {
            for (f, what) in &self.by_prefix[usize::from(t[i]) << 8 | usize::from(t[i + 1])] {
                if t[i..].starts_with(f.as_bytes()) && !out.iter().any(|(o, _)| o == f) {
                    out.push((f.clone(), what.clone()));
                }
            }
        }
        out
    }
}

fn context(text: &str, needle: &str) -> String {
    let i = text.find(needle).unwrap_or(0);
    let mut lo = i.saturating_sub(120);
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (i + needle.len() + 40).min(text.len());
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    text[lo..hi].to_string()
}

/// The hostile extras were warned about (so warnings were part of what was checked).
fn warned(args: &[&str], stdout: &str, stderr: &str) {
    for w in ["corpus/hostile/app.js.map", "corpus/hostile/truncated.apk"] {
        assert!(
            stderr.contains(w) || stdout.contains(&format!("warning: {w}")),
            "{args:?}: no warning about {w}: {stderr}"
        );
    }
}

#[test]
fn no_complete_secret_in_any_output_unless_show_secrets() {
    let t = tempfile::tempdir().expect("tempdir");
    let root = t.path();
    let planted = build_corpus(root);

    // With --show-secrets every secret is printed: collect them, with their rules.
    let (code, stdout, stderr) =
        launchguard(root, &["--format", "json", "--show-secrets", "corpus"]);
    assert_eq!(code, Some(1), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let mut secrets: BTreeMap<String, String> = BTreeMap::new();
    for f in v["findings"].as_array().expect("findings") {
        if f["kind"] == "secret" {
            let s = f["secret"].as_str().expect("secret").to_string();
            secrets.insert(s, f["rule_id"].as_str().unwrap_or_default().to_string());
        }
    }
    let missing: Vec<&str> = planted
        .iter()
        .filter(|p| !secrets.contains_key(&p.secret))
        .map(|p| p.what)
        .collect();
    assert!(
        missing.is_empty(),
        "generated secrets not found (or not shown with --show-secrets): {missing:?}"
    );
    for p in &planted {
        secrets.insert(p.secret.clone(), p.what.to_string());
    }
    // Shorter values could occur by chance in a path or a rule name.
    secrets.retain(|s, _| s.len() >= 8);
    assert!(
        secrets.len() > 300,
        "only {} distinct secrets in the corpus",
        secrets.len()
    );
    eprintln!("checking {} distinct secrets", secrets.len());

    let needles = Needles::new(&secrets);
    let mut failures = Vec::new();
    let mut check = |what: String, text: &str| {
        for (form, rule) in needles.leaks(text) {
            failures.push(format!(
                "{what}: {rule} printed in full: …{}…",
                context(text, &form)
            ));
        }
    };
    // Text report (warnings in it), JSON with --strict (warnings and the error on
    // stderr), SARIF written to a file (warnings then on stderr).
    let runs: [&[&str]; 3] = [
        &["--format", "text", "--color", "never", "corpus"],
        &["--format", "json", "--strict", "corpus"],
        &["--format", "sarif", "-o", "out.sarif", "corpus"],
    ];
    for args in runs {
        let (code, stdout, stderr) = launchguard(root, args);
        assert!(
            matches!(code, Some(1) | Some(2)),
            "{args:?}: exit {code:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        warned(args, &stdout, &stderr);
        check(format!("{args:?} stdout"), &stdout);
        check(format!("{args:?} stderr"), &stderr);
    }
    let sarif = std::fs::read_to_string(root.join("out.sarif")).expect("report file");
    assert!(sarif.contains("\"results\""));
    check("SARIF file".into(), &sarif);
    // An error exit (nothing readable) names inputs, never their content.
    let (code, stdout, stderr) =
        launchguard(root, &["--max-file-size", "10", "corpus/plain/server/.env"]);
    assert_eq!(code, Some(2), "{stderr}");
    check("error exit".into(), &(stdout + &stderr));
    // The library's Debug of a report (what an embedder might log).
    check("Debug of the report".into(), &debug_of_report(root));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
