//! Rules: the model of `rules/*.toml`, loading (built-in and user files), and validation.
//! Compilation into a matcher lives in [`crate::matcher`].

mod check;
mod model;

pub use check::{check_rules, RuleProblem};
pub use model::{Checksum, Confidence, Rotation, RuleFile, RuleKind, RuleSpec, Severity};

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A rule together with the file it was loaded from.
#[derive(Debug, Clone)]
pub struct LoadedRule {
    /// The rule.
    pub spec: RuleSpec,
    /// Rule file name (built-in) or path (user file).
    pub file: String,
    /// True for rules embedded in the binary (verified by the test suite).
    pub builtin: bool,
}

/// An ordered collection of rules, not yet compiled.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<LoadedRule>,
}

impl RuleSet {
    /// An empty rule set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rules embedded in the binary (`rules/*.toml`).
    pub fn builtin() -> Result<Self> {
        use rayon::prelude::*;
        // The files parse independently; in parallel start-up pays about half.
        let parsed: Vec<Result<Self>> = EMBEDDED_RULES
            .par_iter()
            .map(|(name, text, is_json)| {
                let mut one = Self::new();
                if *is_json {
                    let parsed: RuleFile =
                        serde_json::from_str(text).map_err(|e| Error::RuleFileParse {
                            file: name.to_string(),
                            message: e.to_string(),
                        })?;
                    one.rules
                        .extend(parsed.rule.into_iter().map(|spec| LoadedRule {
                            spec,
                            file: name.to_string(),
                            builtin: false,
                        }));
                } else {
                    one.add_toml(name, text)?;
                }
                Ok(one)
            })
            .collect();
        let mut set = Self::new();
        for one in parsed {
            set.rules.extend(one?.rules);
        }
        for r in &mut set.rules {
            r.builtin = true;
        }
        Ok(set)
    }

    /// Names of the built-in rule files.
    pub fn builtin_files() -> impl Iterator<Item = &'static str> {
        EMBEDDED_RULES.iter().map(|(n, _, _)| *n)
    }

    /// Adds the rules of one TOML text; `file` names it in errors.
    pub fn add_toml(&mut self, file: &str, text: &str) -> Result<()> {
        let parsed: RuleFile = toml::from_str(text).map_err(|e| Error::RuleFileParse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        self.rules
            .extend(parsed.rule.into_iter().map(|spec| LoadedRule {
                spec,
                file: file.to_string(),
                builtin: false,
            }));
        Ok(())
    }

    /// Adds a rule file, or every `*.toml` file of a directory (sorted by name).
    pub fn add_path(&mut self, path: &Path) -> Result<()> {
        let files: Vec<PathBuf> = if path.is_dir() {
            let rd = std::fs::read_dir(path).map_err(|source| Error::RuleFileIo {
                path: path.to_path_buf(),
                source,
            })?;
            let mut v: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            v.sort();
            v
        } else {
            vec![path.to_path_buf()]
        };
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|source| Error::RuleFileIo {
                path: f.clone(),
                source,
            })?;
            self.add_toml(&f.display().to_string(), &text)?;
        }
        Ok(())
    }

    /// Adds one rule.
    pub fn push(&mut self, spec: RuleSpec, file: &str) {
        self.rules.push(LoadedRule {
            spec,
            file: file.to_string(),
            builtin: false,
        });
    }

    /// Removes rules whose id is in `ids`.
    pub fn disable(&mut self, ids: &[String]) {
        self.rules.retain(|r| !ids.iter().any(|d| d == &r.spec.id));
    }

    /// The rules, in load order.
    pub fn rules(&self) -> &[LoadedRule] {
        &self.rules
    }

    /// The distinct keywords of all rules, lower-cased and sorted.
    pub fn keywords(&self) -> Vec<String> {
        let mut kws: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| r.spec.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        kws.sort();
        kws.dedup();
        kws
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
