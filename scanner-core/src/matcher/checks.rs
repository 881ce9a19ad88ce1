//! Checks a regex candidate must pass: entropy, checksums, JWT structure and claims,
//! placeholder/example filters and the value filters of generic assignment rules.

use base64::Engine as _;
use std::collections::BTreeMap;

/// Shannon entropy of `bytes` in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f32 {
    if bytes.is_empty() {
        return 0.0;
    }
    entropy::shannon_entropy(bytes)
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Encodes `n` in base62 (alphabet `0-9A-Za-z`), left-padded with `0` to `width`.
pub fn base62(mut n: u64, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// GitHub classic / npm token checksum: in the part after the last `_`, the last six
/// characters are the base62 CRC32 of the characters before them.
pub fn crc32_base62_ok(secret: &[u8]) -> bool {
    let body = match secret.iter().rposition(|&b| b == b'_') {
        Some(i) => &secret[i + 1..],
        None => secret,
    };
    if body.len() < 7 {
        return false;
    }
    let (payload, check) = body.split_at(body.len() - 6);
    let crc = crc32fast::hash(payload);
    base62(u64::from(crc), 6).as_bytes() == check
}

fn b64url_decode(part: &[u8]) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = part.iter().copied().filter(|&b| b != b'=').collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&trimmed)
        .ok()
        .or_else(|| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(&trimmed)
                .ok()
        })
}

/// Decodes a JWT's header and payload; `None` unless both are JSON objects and the
/// header names an `alg`.
pub fn decode_jwt(token: &[u8]) -> Option<(serde_json::Value, serde_json::Value)> {
    let mut parts = token.split(|&b| b == b'.');
    let header = parts.next()?;
    let payload = parts.next()?;
    let header: serde_json::Value = serde_json::from_slice(&b64url_decode(header)?).ok()?;
    let payload: serde_json::Value = serde_json::from_slice(&b64url_decode(payload)?).ok()?;
    if !header.is_object() || !payload.is_object() || header.get("alg").is_none() {
        return None;
    }
    Some((header, payload))
}

/// True when the JWT's payload carries every listed claim with one of its allowed values.
pub fn jwt_claims_ok(token: &[u8], claims: &BTreeMap<String, Vec<String>>) -> bool {
    let Some((_, payload)) = decode_jwt(token) else {
        return false;
    };
    claims.iter().all(|(k, allowed)| match payload.get(k) {
        Some(serde_json::Value::String(v)) => allowed.iter().any(|a| a == v),
        Some(other) => allowed.contains(&other.to_string()),
        None => false,
    })
}

/// True for JWTs that are public by design: a Supabase `anon` key, or a token whose
/// `role` claim is `anon`.
pub fn is_public_jwt(token: &[u8]) -> bool {
    decode_jwt(token)
        .is_some_and(|(_, payload)| payload.get("role").and_then(|r| r.as_str()) == Some("anon"))
}

/// Keys published in provider documentation; never findings.
const DOCUMENTED_EXAMPLES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "ASIAIOSFODNN7EXAMPLE",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "rk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "whsec_1234567890abcdef",
    "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
    "xoxb-not-a-real-token-this-will-not-work",
    "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Words that mark a value as a placeholder rather than a credential.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "xxxx",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "placeholder",
    "changeme",
    "change_me",
    "redacted",
    "dummy",
    "sample",
    "insert",
    "replace_me",
    "replaceme",
    "notreal",
    "not_real",
    "not-a-real",
    "todo",
    "****",
    "...",
];

/// True when `secret` looks like a documented example or a placeholder.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let s = String::from_utf8_lossy(secret);
    if DOCUMENTED_EXAMPLES.iter().any(|d| s.contains(d)) {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if lower.contains('<') && lower.contains('>') || lower.contains("${") || lower.contains("{{") {
        return true;
    }
    if secret.len() > 100 {
        // Long blobs (PEM bodies, service-account JSON) are checked for the unmistakable
        // placeholders only: random base64 of that length holds short words by chance.
        return lower.contains("example") || lower.contains("xxxxx");
    }
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // A filler run: 8+ repeats anywhere, or 5+ making up a quarter of the value.
    // (Structured tokens such as Azure DevOps PATs carry short reserved `AAAAA` fields.)
    let run = longest_run(secret);
    run >= 8 || (run >= 5 && run * 4 >= secret.len()) || has_sequence(&lower, 6)
}

/// Length of the longest run of one repeated alphanumeric byte.
fn longest_run(s: &[u8]) -> usize {
    let (mut run, mut best) = (1, if s.is_empty() { 0 } else { 1 });
    for w in s.windows(2) {
        if w[0] == w[1] && w[0].is_ascii_alphanumeric() {
            run += 1;
            best = best.max(run);
        } else {
            run = 1;
        }
    }
    best
}

/// True when `s` holds an ascending run (`123456`, `abcdef`) of `n` or more.
fn has_sequence(s: &str, n: usize) -> bool {
    let b = s.as_bytes();
    let mut run = 1;
    for w in b.windows(2) {
        if w[0].is_ascii_alphanumeric() && w[1] == w[0].wrapping_add(1) {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Prefixes of provider token formats. A value that starts with one belongs to the
/// provider's rule, which verifies it (a wrong-checksum `ghp_` token must not come
/// back as a generic finding).
pub const PROVIDER_PREFIXES: &[&str] = &[
    "eyJ",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "glptt-",
    "gldt-",
    "glrt",
    "glft-",
    "gloas-",
    "glcbt-",
    "glagent-",
    "GR1348941",
    "xox",
    "sk-",
    "sk_",
    "rk_",
    "pk_",
    "whsec_",
    "AKIA",
    "ASIA",
    "AIza",
    "ya29.",
    "npm_",
    "pypi-",
    "dckr_",
    "shp",
    "dop_v1_",
    "doo_v1_",
    "dor_v1_",
    "SG.",
    "hvs.",
    "hvb.",
    "hvr.",
    "dp.",
    "sb_",
    "sbp_",
    "glc_",
    "glsa_",
    "lin_",
    "rnd_",
    "vcp_",
    "vck_",
    "vci_",
    "vca_",
    "vcr_",
    "nfp_",
    "nfc_",
    "nfo_",
    "HRKU-",
    "NRAK-",
    "NRII-",
    "NRRA-",
    "NRIQ-",
    "NRAA-",
    "PMAK-",
    "sntry",
    "cfut_",
    "cfat_",
    "cfk_",
    "ATATT3",
    "ATBB",
    "ATCTT3",
    "CCIPAT_",
    "CCIPRJ_",
    "os_v2_",
    "pscale_",
    "npg_",
    "django-insecure-",
    "px-",
    "secret_live_",
    "key-",
    "hf_",
    "gsk_",
    "xai-",
    "rubygems_",
    "oy2",
    "pul-",
    "bkua_",
    "squ_",
    "sqp_",
    "sqa_",
    "fo1_",
    "fm2_",
    "FlyV1",
    "mdb_sa_sk_",
    "sk.eyJ",
    "tk.eyJ",
    "GOCSPX-",
    "1//",
    "SK",
    "re_",
    "xkeysib-",
    "mlsn.",
    "lsv2_",
    "dapi",
    "pcsk_",
    "r8_",
];

/// Whether an assigned name `key` passes a rule's `exclude_key_words`: the name is a
/// keyword alone, or ends in a keyword (after an optional `_`, `.` or `-`) whose
/// preceding word (the letters and digits after the last `_`, `.` or `-`) does not
/// end in an excluded word. All ASCII case-insensitive; a name that ends in several
/// keywords passes when any split does.
pub fn key_words_ok(key: &[u8], keywords: &[String], excluded: &[String]) -> bool {
    let sep = |b: u8| matches!(b, b'_' | b'.' | b'-');
    let ends =
        |s: &[u8], w: &[u8]| s.len() >= w.len() && s[s.len() - w.len()..].eq_ignore_ascii_case(w);
    keywords.iter().map(String::as_bytes).any(|k| {
        if !ends(key, k) {
            return false;
        }
        let mut rest = &key[..key.len() - k.len()];
        if let [head @ .., last] = rest {
            if sep(*last) {
                rest = head;
            }
        }
        let word = match rest.iter().rposition(|&b| sep(b)) {
            Some(i) => &rest[i + 1..],
            None => rest,
        };
        rest.is_empty() || !excluded.iter().any(|x| ends(word, x.as_bytes()))
    })
}

/// Value filters for generic `password=` / `secret=` assignment rules: false when the
/// value is evidently not a literal credential.
pub fn generic_value_ok(value: &[u8]) -> bool {
    let Ok(v) = std::str::from_utf8(value) else {
        return false;
    };
    let v = v.trim();
    if v.len() < 8 || v.len() > 200 {
        return false;
    }
    if is_uuid(v.as_bytes()) || PROVIDER_PREFIXES.iter().any(|p| v.starts_with(p)) {
        return false;
    }
    // A `#word` is a YAML comment or an anchor, not a value.
    if v.starts_with('#')
        && v[1..]
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
    {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    // References, calls, templates, numbers.
    const REFS: &[&str] = &[
        "process.env",
        "os.environ",
        "getenv",
        "env(",
        "env.",
        "config.",
        "settings.",
        "secrets.",
        "vault:",
        "ssm:",
        "arn:aws",
        "function",
        "return",
        "null",
        "undefined",
        "true",
        "false",
        "none",
        "password",
        "passwd",
        "secret",
        "token",
        "sha512-",
        "sha256-",
        "sha1-",
        "http://",
        "https://",
        "file://",
        "/dev/",
        "/etc/",
        "/usr/",
        "/var/",
        "c:\\",
    ];
    if REFS.iter().any(|r| lower.contains(r)) {
        return false;
    }
    let first = v.as_bytes()[0];
    if matches!(first, b'$' | b'@' | b'*' | b'(' | b'[' | b'{') {
        return false;
    }
    // Format specifiers and Windows-style `%VAR%` references.
    if first == b'%'
        && (matches!(v.as_bytes()[1], b's' | b'd' | b'(' | b'{' | b'v')
            || (v.ends_with('%')
                && v[1..v.len() - 1]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')))
    {
        return false;
    }
    if lower.starts_with("0x") && v[2..].bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    if v.contains("()") || v.ends_with(')') || v.contains("::") || v.contains("->") {
        return false;
    }
    if v.contains(' ') {
        return false;
    }
    // Negations and references in code (`!result.pass`, `!!actual`, `&config`) are
    // judged by what follows the operator.
    let v = v.trim_start_matches(['!', '&', '*']);
    if v.is_empty() {
        return false;
    }
    // Identifiers and dotted paths (`user.password`, `DB_PASSWORD`, `camelCase`).
    let identifier_like = v
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'.' || b == b'-');
    if identifier_like {
        return false;
    }
    // Dotted member access like `this.config.apiKey2` or `_step$value.pass` (JavaScript
    // identifiers may start with `_` or `$` and contain `$`).
    if v.contains('.')
        && v.split('.').all(|p| {
            !p.is_empty()
                && matches!(p.as_bytes()[0], b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$')
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        })
    {
        return false;
    }
    // Expressions of minified code: identifiers and member paths joined by `||`,
    // `&&`, `??`, or a conditional with a member path in a branch
    // (`i.pass??o.opaquePass`, `O||!X?Le.OPAQUE:Le.TRANSLUCENT` assigned to `.pass`).
    if is_code_expression(v) {
        return false;
    }
    // Pure numbers are not secrets in practice (ports, ids, sizes).
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Character variety: need at least two classes, and some letters and digits or symbols.
    let lower_c = v.bytes().any(|b| b.is_ascii_lowercase());
    let upper_c = v.bytes().any(|b| b.is_ascii_uppercase());
    let digit_c = v.bytes().any(|b| b.is_ascii_digit());
    let sym_c = v.bytes().any(|b| !b.is_ascii_alphanumeric());
    let classes = [lower_c, upper_c, digit_c, sym_c]
        .iter()
        .filter(|x| **x)
        .count();
    if classes < 2 {
        return false;
    }
    !is_placeholder(v.as_bytes())
}

/// Whether `v` is identifiers and member paths joined by JavaScript operators: `||`,
/// `&&` or `??` anywhere, or `? :` with a dotted path in a part.
fn is_code_expression(v: &str) -> bool {
    let logical = v.contains("||") || v.contains("&&") || v.contains("??");
    let conditional = v.contains('?') && v.contains(':');
    if !logical && !conditional {
        return false;
    }
    let parts: Vec<&str> = v
        .split(['?', ':', '|', '&', '!'])
        .filter(|p| !p.is_empty())
        .collect();
    let path = |p: &str| {
        p.split('.').all(|q| {
            !q.is_empty()
                && matches!(q.as_bytes()[0], b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$')
                && q.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        })
    };
    parts.len() >= 2
        && parts.iter().all(|p| path(p))
        && (logical || parts.iter().any(|p| p.contains('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_expressions_are_not_values() {
        for v in [
            "i.pass??o.opaquePass",
            "O||!X?Le.OPAQUE:Le.TRANSLUCENT",
            "s?Le.TRANSLUCENT:this._opaquePass",
            "D?Le.TRANSLUCENT:Le.OPAQUE",
            "a&&b.secretValue",
        ] {
            assert!(!generic_value_ok(v.as_bytes()), "{v}");
        }
        for v in [
            "Tr0ub4dor&3xKq",
            "p@ss?w0rd:123",
            "Sunny?Day:Blue9",
            "a1b2||c3d4!X9#",
        ] {
            assert!(generic_value_ok(v.as_bytes()), "{v}");
        }
    }

    fn make_github(prefix: &str, payload: &str) -> String {
        let crc = crc32fast::hash(payload.as_bytes());
        format!("{prefix}{payload}{}", base62(u64::from(crc), 6))
    }

    #[test]
    fn crc32_checksum_roundtrip() {
        let t = make_github("ghp_", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1");
        assert!(crc32_base62_ok(t.as_bytes()));
        let mut bad = t.into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(!crc32_base62_ok(&bad));
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(b"AKIAIOSFODNN7EXAMPLE"));
        assert!(is_placeholder(b"sk-proj-xxxxxxxxxxxxxxxx"));
        assert!(is_placeholder(b"<YOUR_KEY>"));
        assert!(is_placeholder(b"${OPENAI_API_KEY}"));
        assert!(is_placeholder(b"abc1234567def"));
        assert!(!is_placeholder(b"sk-proj-Q7fZk2LmP9xR4tW8vB1nC6yH3jD5gS0a"));
        assert!(is_placeholder(b"ghp_000000000000000000000000000000000000"));
        assert!(is_placeholder(b"tok_aaaaa123"));
        // A short reserved run inside a long structured token is not filler.
        assert!(!is_placeholder(
            b"q7fzk2lmp9xr4tw8vb1nc6yh3jd5gs0aJQQJ99BFACAAAAAQ7fZk2LmP9xR4tW8vB1nC6yAZDO3jD5gS0aWq"
        ));
    }

    #[test]
    fn generic_values() {
        assert!(!generic_value_ok(b"password"));
        let kws: Vec<String> = ["password", "pwd", "pass"].map(String::from).to_vec();
        let ex: Vec<String> = ["store", "key", "smtp", "p12"].map(String::from).to_vec();
        for (key, ok) in [
            ("password", true),
            ("PASS", true),
            ("db_password", true),
            ("DB.Admin-Pwd", true),
            ("storePassword", false),
            ("key_store_pass", false),
            ("x_store.password", false),
            ("monkeyPassword", false),
            ("smtp-pass", false),
            ("cert_p12_password", false),
            ("p12x_password", true),
            ("restore_tokens", false),
            ("store_", false),
        ] {
            assert_eq!(key_words_ok(key.as_bytes(), &kws, &ex), ok, "{key}");
        }
        assert!(!generic_value_ok(b"0x0002000"));
        assert!(!generic_value_ok(b"process.env.DB_PASSWORD"));
        assert!(!generic_value_ok(b"_step$value.pass"));
        assert!(!generic_value_ok(b"_this2.options.pass"));
        assert!(!generic_value_ok(b"getPassword()"));
        assert!(!generic_value_ok(b"this.config.dbPass"));
        assert!(!generic_value_ok(b"123e4567-e89b-12d3-a456-426614174000"));
        assert!(generic_value_ok(b"Tr0ub4dor&3xKq"));
        assert!(generic_value_ok(b"hR7#kq2LmZ9pW4vX"));
        assert!(generic_value_ok(b"%bTpAm3EqkC6FI4b&c"));
        assert!(!generic_value_ok(b"%(db_password)s"));
        assert!(!generic_value_ok(b"%DB_PASSWORD%"));
        assert!(!generic_value_ok(
            b"ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"
        ));
        assert!(!generic_value_ok(b"#comment"));
        assert!(generic_value_ok(b"#ZvdLaKw8EwgrlJWuN"));
        assert!(!generic_value_ok(b"!result.pass"));
        assert!(!generic_value_ok(b"!!actual"));
        assert!(generic_value_ok(b"!Qw3rtyZx9#Lm"));
    }

    #[test]
    fn jwt_decoding() {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let tok = format!(
            "{}.{}.{}",
            e(r#"{"alg":"HS256","typ":"JWT"}"#),
            e(r#"{"role":"service_role","iss":"supabase"}"#),
            "c2lnbmF0dXJlc2lnbmF0dXJl"
        );
        assert!(decode_jwt(tok.as_bytes()).is_some());
        let mut claims = BTreeMap::new();
        claims.insert("role".to_string(), vec!["service_role".to_string()]);
        assert!(jwt_claims_ok(tok.as_bytes(), &claims));
        claims.insert("role".to_string(), vec!["anon".to_string()]);
        assert!(!jwt_claims_ok(tok.as_bytes(), &claims));
    }
}
