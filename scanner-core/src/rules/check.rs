//! Rule validation: ids unique, patterns compile within the size limit, every positive
//! example yields a finding through the full matcher (prefilter included), no negative
//! example does, and every regex match contains one of the rule's keywords.

use super::{RuleKind, RuleSet};
use crate::matcher::{CompiledRule, Matcher, RawMatch, Scratch};
use std::collections::HashMap;
use std::fmt;

/// One thing wrong with one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// The rule id.
    pub rule: String,
    /// The file it came from.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.rule, self.file, self.message)
    }
}

fn example_path(spec_paths: &[String]) -> Option<String> {
    // A path-scoped rule's examples are tried at a path its globs accept.
    spec_paths.first().map(|g| {
        g.replace("**/", "")
            .replace("**", "x")
            .replace('*', "example")
            .replace(['{', '}'], "")
            .split(',')
            .next()
            .unwrap_or("x")
            .to_string()
    })
}

/// Checks every rule of `set`; an empty result means all is well.
pub fn check_rules(set: &RuleSet) -> Vec<RuleProblem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for r in set.rules() {
        let spec = &r.spec;
        let problem = |message: String| RuleProblem {
            rule: spec.id.clone(),
            file: r.file.clone(),
            message,
        };
        if let Some(prev) = seen.insert(&spec.id, &r.file) {
            problems.push(problem(format!("duplicate rule id (also in {prev})")));
        }
        if spec.id.is_empty()
            || !spec
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            problems.push(problem("id must be lowercase kebab-case".into()));
        }
        if spec.rotation.steps.is_empty() {
            problems.push(problem(
                "rotation.steps is empty: say how to rotate or fix".into(),
            ));
        }
        if spec.examples.is_empty() {
            problems.push(problem("no positive examples".into()));
        }
        if spec.pattern.is_some() && spec.negative_examples.is_empty() {
            problems.push(problem("no negative examples".into()));
        }
        let compiled = match CompiledRule::compile_eager(spec, &r.file) {
            Ok(c) => c,
            Err(e) => {
                problems.push(problem(e.to_string()));
                continue;
            }
        };
        let path = example_path(&spec.paths);
        let path = path.as_deref();
        if !spec.paths.is_empty() && !compiled.applies_to(path) {
            problems.push(problem(format!(
                "cannot derive an example path its globs accept (tried {path:?})"
            )));
            continue;
        }
        let is_path_only = compiled.is_path_only();
        let raw_regex = spec.pattern.as_deref().and_then(|p| {
            regex::bytes::RegexBuilder::new(p)
                .unicode(false)
                .build()
                .ok()
        });
        let matcher = match Matcher::from_compiled(vec![compiled]) {
            Ok(m) => m,
            Err(e) => {
                problems.push(problem(e.to_string()));
                continue;
            }
        };
        let mut scratch = Scratch::default();
        let run = |text: &str, scratch: &mut Scratch| -> Vec<RawMatch> {
            let mut out = Vec::new();
            matcher.scan(path, text.as_bytes(), scratch, &mut out);
            out
        };
        for ex in &spec.examples {
            if is_path_only {
                continue;
            }
            if run(ex, &mut scratch).is_empty() {
                problems.push(problem(format!(
                    "positive example gives no finding: {ex:?}"
                )));
            }
        }
        for ex in &spec.negative_examples {
            if !run(ex, &mut scratch).is_empty() {
                problems.push(problem(format!("negative example gives a finding: {ex:?}")));
            }
        }
        let requires = spec.requires.as_deref().and_then(|p| {
            regex::bytes::RegexBuilder::new(p)
                .unicode(false)
                .build()
                .ok()
        });
        if let (Some(re), Some(req)) = (&raw_regex, &requires) {
            for ex in spec.examples.iter().chain(&spec.negative_examples) {
                for m in re.find_iter(ex.as_bytes()) {
                    if !req.is_match(m.as_bytes()) {
                        problems.push(problem(format!(
                            "`requires` does not match inside a match of `pattern`, so it would hide it: {:?}",
                            String::from_utf8_lossy(m.as_bytes())
                        )));
                    }
                }
            }
        }
        if let Some(re) = raw_regex {
            let kws: Vec<String> = spec
                .keywords
                .iter()
                .map(|k| k.to_ascii_lowercase())
                .collect();
            for ex in spec.examples.iter().chain(&spec.negative_examples) {
                for m in re.find_iter(ex.as_bytes()) {
                    let text = String::from_utf8_lossy(m.as_bytes()).to_ascii_lowercase();
                    if !kws.iter().any(|k| text.contains(k.as_str())) {
                        problems.push(problem(format!(
                            "a match holds none of the keywords, so the prefilter would hide it: {:?}",
                            String::from_utf8_lossy(m.as_bytes())
                        )));
                    }
                    let exact = String::from_utf8_lossy(m.as_bytes());
                    if spec.exact_keywords && !spec.keywords.iter().any(|k| exact.contains(k)) {
                        problems.push(problem(format!(
                            "exact_keywords is set but a match holds no keyword as written: {exact:?}"
                        )));
                    }
                }
            }
        }
        if spec.kind == RuleKind::Config
            && spec.rotation.url.is_none()
            && spec.rotation.steps.len() < 2
        {
            problems.push(problem("config rules need fix steps".into()));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_pass_their_own_checks() {
        let set = RuleSet::builtin().expect("built-in rules load");
        let problems = check_rules(&set);
        assert!(
            problems.is_empty(),
            "{} problem(s):\n{}",
            problems.len(),
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn a_broken_rule_is_reported() {
        let mut set = RuleSet::new();
        set.add_toml(
            "t.toml",
            r#"
[[rule]]
id = "t-bad"
name = "bad"
keywords = ["zzz"]
pattern = '''abc[0-9]{4}'''
severity = "high"
examples = ["abc1234"]
negative_examples = ["abc12"]
[rule.rotation]
steps = ["x"]
"#,
        )
        .unwrap();
        let p = check_rules(&set);
        assert!(p.iter().any(|p| p.message.contains("positive example")));
        assert!(p.iter().any(|p| p.message.contains("none of the keywords")));
    }

    #[test]
    fn requires_must_be_implied_by_the_pattern() {
        let rule = |requires: &str| {
            format!(
                r#"
[[rule]]
id = "t-req"
name = "req"
keywords = ["tok"]
pattern = '''tok[=:]([0-9a-z]{{6}})'''
requires = '''{requires}'''
severity = "high"
examples = ["tok=8f3k2q", "tok:q7w2e9"]
negative_examples = ["tok 8f3k2q"]
[rule.rotation]
steps = ["x"]
"#
            )
        };
        let mut ok = RuleSet::new();
        ok.add_toml("t.toml", &rule("tok[:=]")).unwrap();
        let p = check_rules(&ok);
        assert!(p.is_empty(), "{p:?}");
        let mut bad = RuleSet::new();
        bad.add_toml("t.toml", &rule("tok=")).unwrap();
        let p = check_rules(&bad);
        assert!(p
            .iter()
            .any(|p| p.message.contains("`requires` does not match")));
        assert!(p.iter().any(|p| p.message.contains("positive example")));
    }

    #[test]
    fn exact_keywords_must_appear_as_written() {
        let rule = |pattern: &str, examples: &str| {
            format!(
                r#"
[[rule]]
id = "t-exact"
name = "exact"
keywords = ["AKX"]
exact_keywords = true
pattern = '''{pattern}'''
severity = "high"
examples = [{examples}]
negative_examples = ["AKX93"]
[rule.rotation]
steps = ["x"]
"#
            )
        };
        // The case-insensitive pattern matches `akx…`, which holds no `AKX`: flagged,
        // and that example finds nothing, since a lower-case hit opens no window.
        let mut bad = RuleSet::new();
        bad.add_toml(
            "t.toml",
            &rule("(?i)akx[0-9a-z]{9}", r#""AKX93KD82JD7", "akx93kd82jd7""#),
        )
        .unwrap();
        let p = check_rules(&bad);
        assert!(
            p.iter()
                .any(|p| p.message.contains("no keyword as written")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|p| p
                .message
                .contains("positive example gives no finding: \"akx93kd82jd7\"")),
            "{p:?}"
        );
        let mut ok = RuleSet::new();
        ok.add_toml("t.toml", &rule("AKX[0-9A-Z]{9}", r#""AKX93KD82JD7""#))
            .unwrap();
        let p = check_rules(&ok);
        assert!(p.is_empty(), "{p:?}");
    }
}
