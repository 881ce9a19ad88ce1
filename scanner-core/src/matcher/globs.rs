//! The path globs of path-scoped rules, matched against every blob's path.
//!
//! `globset` matches literal, extension and base-name globs (`*.js`, `**/app.json`)
//! by table lookups, but every other glob (`**/dist/assets/*.js`, `webpack.prod*.js`,
//! `*rules*.json`) by a regex, run on every path with the glob's extension or, without
//! one, in a regex set on every path. With the built-in rules that was about 6,000
//! instructions a path, 3% of a scan of the README's JavaScript corpus. So those
//! globs are matched one by one, each only on paths that contain its longest literal
//! run (`dist/assets`, `webpack.prod`, `rules`), found for all of them by one
//! Aho-Corasick pass over the path; the cheap ones stay in a `GlobSet`.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use globset::{Candidate, Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use std::sync::OnceLock;

/// Distinct globs, each with the rules that use it.
#[derive(Debug)]
pub(crate) struct Globs {
    /// The globs `globset` matches by lookup, and the index of each in `rules`.
    cheap: GlobSet,
    cheap_ids: Vec<usize>,
    /// The others, each with its index in `rules`, compiled on first use (most
    /// never meet a path with their literal run, and start-up stays short).
    costly: Vec<(Glob, OnceLock<GlobMatcher>, usize)>,
    /// The longest literal run of each costly glob that has one (pattern `k` is that
    /// of `costly[with_literal[k]]`).
    literals: AhoCorasick,
    with_literal: Vec<usize>,
    /// Costly globs with no literal run, tried on every path.
    always: Vec<usize>,
    /// The rules of each distinct glob.
    rules: Vec<Vec<usize>>,
}

impl Globs {
    /// Globs `(glob, rules)`.
    pub(crate) fn new(globs: Vec<(Glob, Vec<usize>)>) -> Result<Globs, String> {
        let mut cheap = GlobSetBuilder::new();
        let (mut cheap_ids, mut costly, mut lits, mut with_literal, mut always) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut rules = Vec::with_capacity(globs.len());
        for (i, (g, r)) in globs.into_iter().enumerate() {
            rules.push(r);
            if is_cheap(g.glob()) {
                cheap.add(g);
                cheap_ids.push(i);
                continue;
            }
            match literal_run(g.glob()) {
                Some(l) => {
                    with_literal.push(costly.len());
                    lits.push(l);
                }
                None => always.push(costly.len()),
            }
            costly.push((g, OnceLock::new(), i));
        }
        Ok(Globs {
            cheap: cheap.build().map_err(|e| e.to_string())?,
            cheap_ids,
            costly,
            // A DFA: a few dozen short patterns, and the overlapping search is a table
            // step per byte.
            literals: AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .build(&lits)
                .map_err(|e| e.to_string())?,
            with_literal,
            always,
            rules,
        })
    }

    /// Appends the rules of the globs matching `path` (as given: lower case, `/`
    /// separators), possibly more than once; `scratch` is reused between calls.
    pub(crate) fn matches_into(&self, path: &str, scratch: &mut Vec<usize>, out: &mut Vec<usize>) {
        // One candidate (the path split into name and extension) for every test.
        let c = Candidate::new(path);
        scratch.clear();
        self.cheap.matches_candidate_into(&c, scratch);
        for &k in scratch.iter() {
            out.extend_from_slice(&self.rules[self.cheap_ids[k]]);
        }
        scratch.clear();
        scratch.extend(
            self.literals
                .find_overlapping_iter(path)
                .map(|m| self.with_literal[m.pattern().as_usize()]),
        );
        scratch.sort_unstable();
        scratch.dedup();
        scratch.extend_from_slice(&self.always);
        for &k in scratch.iter() {
            let (g, m, i) = &self.costly[k];
            if m.get_or_init(|| g.compile_matcher()).is_match_candidate(&c) {
                out.extend_from_slice(&self.rules[*i]);
            }
        }
    }
}

/// Whether `globset` matches `glob` without a regex: a literal, `*.ext`, or
/// `**/name`, with no other special character.
fn is_cheap(glob: &str) -> bool {
    let plain = |s: &str| !s.contains(['*', '?', '[', ']', '{', '}', '\\']);
    plain(glob)
        || glob
            .strip_prefix("*.")
            .is_some_and(|e| plain(e) && !e.contains(['/', '.']))
        || glob
            .strip_prefix("**/")
            .is_some_and(|n| plain(n) && !n.contains('/'))
}

/// The longest run of ordinary characters of `glob` outside classes and
/// alternations, without the separators at its ends (`**/x/**` also matches `x/` at
/// the start of a path), if it has two characters or more: every path the glob
/// matches contains it. None for globs with an escape.
fn literal_run(glob: &str) -> Option<String> {
    if glob.contains('\\') {
        return None;
    }
    let mut best = String::new();
    let mut run = String::new();
    let mut keep = |run: &mut String| {
        let t = run.trim_matches('/');
        if t.len() > best.len() {
            best = t.to_string();
        }
        run.clear();
    };
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => keep(&mut run),
            '[' | '{' => {
                keep(&mut run);
                let close = if c == '[' { ']' } else { '}' };
                // Skip to the closing bracket (a class may open with `]` or `!]`).
                let mut first = true;
                for d in chars.by_ref() {
                    if d == close && !(first && close == ']') {
                        break;
                    }
                    first = first && d == '!';
                }
            }
            _ => run.push(c),
        }
    }
    keep(&mut run);
    (best.len() >= 2).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(g: &str) -> Glob {
        globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .unwrap()
    }

    #[test]
    fn literal_runs() {
        assert_eq!(
            literal_run("**/dist/assets/*.js").as_deref(),
            Some("dist/assets")
        );
        assert_eq!(
            literal_run("**/components/**").as_deref(),
            Some("components")
        );
        assert_eq!(
            literal_run("webpack.prod*.js").as_deref(),
            Some("webpack.prod")
        );
        assert_eq!(literal_run("*rules*.json").as_deref(), Some("rules"));
        assert_eq!(
            literal_run("**/de[!b]*/androidmanifest.xml").as_deref(),
            Some("androidmanifest.xml")
        );
        assert_eq!(literal_run("{a.json,/b.json}").as_deref(), None);
        assert_eq!(literal_run("x[]ab]yz*").as_deref(), Some("yz"));
        assert_eq!(literal_run("*.?s"), None);
        assert_eq!(literal_run("[\\]]abc"), None);
    }

    #[test]
    fn cheap_globs() {
        for g in ["*.js", "app.json", "**/gradle.properties", ".env"] {
            assert!(is_cheap(g), "{g}");
        }
        for g in [
            "*.gradle.kts",
            "app.*.json",
            "**/src/hooks/**",
            "**/a/b.x",
            "*rules*.json",
        ] {
            assert!(!is_cheap(g), "{g}");
        }
    }

    /// The split set agrees with one `GlobSet` of all the globs on paths made of
    /// the globs' own pieces.
    #[test]
    fn agrees_with_one_glob_set() {
        let set = crate::RuleSet::builtin().unwrap();
        let mut all: Vec<String> = set
            .rules()
            .iter()
            .flat_map(|r| r.spec.paths.iter().map(|p| p.to_lowercase()))
            .collect();
        all.sort();
        all.dedup();
        let globs: Vec<(Glob, Vec<usize>)> = all
            .iter()
            .enumerate()
            .map(|(i, g)| (glob(g), vec![i]))
            .collect();
        let split = Globs::new(globs.clone()).unwrap();
        let mut one = GlobSetBuilder::new();
        for (g, _) in &globs {
            one.add(g.clone());
        }
        let one = one.build().unwrap();
        let names = [
            "app.json",
            "app.prod.json",
            "firestore.rules",
            "my-rules.json",
            "info.plist",
            "webpack.prod.config.js",
            "next.config.mjs",
            "x.js",
            "settings.py",
            "prod_settings_x.py",
            ".env",
            ".env.local",
            "dockerfile",
            "dockerfile.dev",
            "androidmanifest.xml",
            "network_security_config.xml",
            "build.gradle.kts",
            "nginx.conf.bak",
            "main.rs",
            "readme.md",
        ];
        let dirs = [
            "",
            "src/",
            "android/app/src/main/",
            "app/debug/",
            "deb/",
            "dx/",
            "res/xml/",
            "a/src/main/res/xml/",
            "dist/assets/",
            "x/build/static/js/",
            ".next/static/c/",
            "web/_next/static/chunks/",
            "www/js/",
            "src/components/ui/",
            "src/hooks/",
            "etc/nginx/sites-available/",
            "conf.d/",
            "settings/",
            "p/settings/",
            "components/",
            "screens/x/",
            "nginx/",
            "src/main/res/xml/",
        ];
        let (mut scratch, mut got) = (Vec::new(), Vec::new());
        let mut n = 0;
        for d in dirs {
            for f in names {
                let p = format!("{d}{f}");
                got.clear();
                split.matches_into(&p, &mut scratch, &mut got);
                got.sort_unstable();
                got.dedup();
                let want = one.matches(&p);
                assert_eq!(got, want, "{p}");
                n += want.len();
            }
        }
        assert!(n > 100, "{n} matches");
    }
}
