//! The project config file, `.launchguard.toml`: allowlisted paths, values and
//! regexes, disabled rules, extra rule files and limits. It is data only: the caller
//! decides where to look for it ([`Config::discover`]) and applies it to a
//! [`ScannerBuilder`](crate::ScannerBuilder) through [`Config::allowlist_into`],
//! [`Config::limits_into`], [`Config::rule_paths`] and [`Config::disabled_rules`].
//!
//! ```toml
//! disabled_rules = ["generic-password"]
//! rules = ["ci/launchguard-rules.toml"]      # relative to this file
//! baseline = ".launchguard-baseline.json"    # relative to this file
//!
//! [allowlist]
//! paths = ["testdata/**", "docs/*.md"]
//! values = ["sk_test_not_a_real_key_1234"]
//! regexes = ['^AKIA[0-9A-Z]{12}TEST$']
//!
//! [limits]
//! max_file_size = 10485760
//! max_depth = 4
//! ```

use crate::error::{Error, Result};
use crate::scan::{Allowlist, Limits};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File name looked for in the scanned directory, the repository root and the
/// current directory.
pub const CONFIG_FILE_NAME: &str = ".launchguard.toml";

/// `[allowlist]` of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistConfig {
    /// Path globs (relative to the repository or scanned directory) never reported.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Exact secret values never reported.
    #[serde(default)]
    pub values: Vec<String>,
    /// Regexes matched against secret values; a match is never reported.
    #[serde(default)]
    pub regexes: Vec<String>,
}

/// `[limits]` of the config file; every field overrides the default of the same
/// name in [`Limits`](crate::Limits). Command-line flags override these in turn.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Per-file size cap (bytes).
    pub max_file_size: Option<u64>,
    /// Maximum expansion depth.
    pub max_depth: Option<usize>,
    /// Total bytes expanded from one input blob.
    pub max_expanded_bytes: Option<u64>,
    /// Largest single expanded member (bytes).
    pub max_member_size: Option<u64>,
    /// Largest expansion ratio of a member.
    pub max_ratio: Option<u64>,
    /// Most members read from one archive.
    pub max_members: Option<usize>,
    /// Time budget for expanding one input blob, in seconds.
    pub max_expand_time_secs: Option<u64>,
}

/// A parsed `.launchguard.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Values and paths never reported.
    #[serde(default)]
    pub allowlist: AllowlistConfig,
    /// Rule ids turned off.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    /// Extra rule files or directories, relative to the config file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Limit overrides.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// A baseline file applied to every scan (relative to the config file), so the
    /// pre-commit hook honours the team's accepted findings too.
    #[serde(default)]
    pub baseline: Option<PathBuf>,
    /// The file this config was read from (empty when built in code).
    #[serde(skip)]
    pub source: PathBuf,
}

impl Config {
    /// Parses config text; `source` names it in errors and anchors relative paths.
    pub fn parse(source: &Path, text: &str) -> Result<Config> {
        let mut c: Config = toml::from_str(text).map_err(|e| Error::Config {
            path: source.to_path_buf(),
            message: e.to_string(),
        })?;
        c.source = source.to_path_buf();
        // Validate now so that a typo fails before any scan starts.
        let mut probe = Allowlist::default();
        c.allowlist_into(&mut probe, &[])?;
        Ok(c)
    }

    /// Reads and parses the config file at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Config::parse(path, &text)
    }

    /// The first [`CONFIG_FILE_NAME`] found in `dirs`, in order.
    pub fn discover<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Option<PathBuf> {
        dirs.into_iter()
            .map(|d| d.join(CONFIG_FILE_NAME))
            .find(|p| p.is_file())
    }

    /// The directory relative paths in this config are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.source.parent().unwrap_or(Path::new(""))
    }

    /// Extra rule paths, resolved against the config file's directory.
    pub fn rule_paths(&self) -> Vec<PathBuf> {
        self.rules
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    self.base_dir().join(p)
                }
            })
            .collect()
    }

    /// The baseline file named by the config, resolved against its directory.
    pub fn baseline_path(&self) -> Option<PathBuf> {
        self.baseline.as_ref().map(|p| {
            if p.is_absolute() {
                p.clone()
            } else {
                self.base_dir().join(p)
            }
        })
    }

    /// Rule ids to disable.
    pub fn disabled_rules(&self) -> Vec<String> {
        self.disabled_rules.clone()
    }

    /// Adds the allowlist entries to `allow`. Path globs are relative to the
    /// repository (history and staged paths) or the scanned directory; each is also
    /// added under every prefix in `roots` (the scanned paths as displayed), so that
    /// `testdata/**` also matches `myrepo/testdata/x` when `myrepo` was scanned.
    pub fn allowlist_into(&self, allow: &mut Allowlist, roots: &[String]) -> Result<()> {
        let err = |e: Error| match e {
            Error::Config { message, .. } => Error::Config {
                path: self.source.clone(),
                message,
            },
            other => other,
        };
        for g in &self.allowlist.paths {
            let g = g.trim_start_matches("./");
            allow.add_path_glob(g).map_err(err)?;
            for root in roots {
                let root = root.trim_end_matches('/');
                if root.is_empty() || root == "." {
                    continue;
                }
                allow.add_path_glob(&format!("{root}/{g}")).map_err(err)?;
            }
        }
        for v in &self.allowlist.values {
            allow.add_value(v);
        }
        for r in &self.allowlist.regexes {
            allow.add_regex(r).map_err(err)?;
        }
        Ok(())
    }

    /// Applies the `[limits]` overrides to `limits`.
    pub fn limits_into(&self, limits: &mut Limits) {
        let l = &self.limits;
        if let Some(v) = l.max_file_size {
            limits.max_file_size = v;
        }
        if let Some(v) = l.max_depth {
            limits.max_depth = v;
        }
        if let Some(v) = l.max_expanded_bytes {
            limits.max_expanded_bytes = v;
        }
        if let Some(v) = l.max_member_size {
            limits.max_member_size = v;
        }
        if let Some(v) = l.max_ratio {
            limits.max_ratio = v;
        }
        if let Some(v) = l.max_members {
            limits.max_members = v;
        }
        if let Some(v) = l.max_expand_time_secs {
            limits.max_expand_time = Duration::from_secs(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_resolves() {
        let c = Config::parse(
            Path::new("/repo/.launchguard.toml"),
            r#"
disabled_rules = ["a"]
rules = ["r/extra.toml"]
[allowlist]
paths = ["testdata/**"]
values = ["v"]
regexes = ["^x+$"]
[limits]
max_file_size = 10
"#,
        )
        .expect("valid config");
        assert_eq!(c.rule_paths(), vec![PathBuf::from("/repo/r/extra.toml")]);
        let mut l = Limits::default();
        c.limits_into(&mut l);
        assert_eq!(l.max_file_size, 10);
    }

    #[test]
    fn rejects_unknown_fields_and_bad_regexes() {
        let p = Path::new(".launchguard.toml");
        assert!(Config::parse(p, "nope = 1").is_err());
        let e = Config::parse(p, "[allowlist]\nregexes = ['(']").unwrap_err();
        assert!(e.to_string().contains(".launchguard.toml"), "{e}");
    }
}
