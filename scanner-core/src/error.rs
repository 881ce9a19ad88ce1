//! Errors of the library: each names the rule, file, member or commit that failed.

use std::path::PathBuf;

/// Everything that can go wrong in `scanner-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rule file could not be read.
    #[error("cannot read rule file {path}: {source}")]
    RuleFileIo {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A rule file is not valid TOML or does not fit the schema.
    #[error("invalid rule file {file}: {message}")]
    RuleFileParse {
        /// The file (name or path).
        file: String,
        /// What the parser said.
        message: String,
    },
    /// A rule is invalid (bad pattern, duplicate id, ...).
    #[error("rule {rule} (in {file}): {message}")]
    Rule {
        /// The rule id.
        rule: String,
        /// The file it came from.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A config file is invalid.
    #[error("invalid config {path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A baseline file is invalid.
    #[error("invalid baseline {path}: {message}")]
    Baseline {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A git repository could not be opened or read.
    #[error("git repository {path}: {message}")]
    Git {
        /// The repository.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing a report failed.
    #[error("cannot write report: {0}")]
    Report(String),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
