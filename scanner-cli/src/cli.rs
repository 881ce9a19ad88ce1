//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find leaked secrets and unsafe launch configuration before you ship.
#[derive(Debug, Parser)]
#[command(name = "launchguard", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once; boxing would only add noise
pub enum Command {
    /// Scan files, directories, stdin (`-`), git history or staged changes.
    Scan(ScanArgs),
    /// List or check rules.
    Rules(RulesArgs),
    /// Install the native git pre-commit hook.
    Hook(HookArgs),
    /// Record accepted findings in a baseline file.
    Baseline(BaselineArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// Severity threshold for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any finding.
    Info,
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
    /// Never fail on findings.
    Never,
}

/// Options shared by commands that load rules.
#[derive(Debug, Clone, Args)]
pub struct RuleOpts {
    /// Extra rule file or directory of `*.toml` rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rules.
    #[arg(long)]
    pub no_builtin: bool,
    /// Disable a rule by id (repeatable).
    #[arg(long = "disable-rule", value_name = "ID")]
    pub disable_rule: Vec<String>,
}

/// `launchguard scan`.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input. Default: `.`.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print full secrets in reports (off by default: reports are shared widely).
    #[arg(long)]
    pub show_secrets: bool,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    /// Exit 2 when anything was skipped (a complete scan was required).
    #[arg(long)]
    pub strict: bool,
    /// Scan files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links while walking directories.
    #[arg(long)]
    pub follow_links: bool,
    /// Per-file size cap in bytes; larger files are skipped and reported.
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Maximum nesting depth of archives and encodings.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Largest archive member (or decoded payload) read, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_member_size: Option<u64>,
    /// Largest expansion ratio (uncompressed / compressed) of an archive member.
    #[arg(long, value_name = "N")]
    pub max_ratio: Option<u64>,
    /// Most members read from one archive.
    #[arg(long, value_name = "N")]
    pub max_members: Option<usize>,
    /// Most bytes expanded out of one input file, all levels together.
    #[arg(long, value_name = "BYTES")]
    pub max_expanded_bytes: Option<u64>,
    /// Most nested encodings (base64, percent) decoded inside one another.
    #[arg(long, value_name = "N")]
    pub max_decode_depth: Option<usize>,
    /// Most encoded blocks decoded out of one file or member.
    #[arg(long, value_name = "N")]
    pub max_decoded_blocks: Option<usize>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// SARIF category (`runAutomationDetails.id`).
    #[arg(long, value_name = "ID", default_value = "launchguard/")]
    pub category: String,
    /// Never show progress on stderr.
    #[arg(long)]
    pub no_progress: bool,
    /// Colour text output: auto, always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: String,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleOpts,
    /// Git sources: history, staged changes.
    #[command(flatten)]
    pub source: SourceOpts,
    /// Config file and baseline.
    #[command(flatten)]
    pub ignores: IgnoreOpts,
}

/// Where `scan` and `baseline create` read from (default: the working tree).
#[derive(Debug, Clone, Default, Args)]
pub struct SourceOpts {
    /// Scan the git history of the repository at each PATH (default `.`): every blob
    /// reachable from any ref, each distinct blob once, reported with the commit that
    /// introduced it.
    #[arg(long)]
    pub history: bool,
    /// Scan the changes staged for the next commit in the repository at each PATH
    /// (default `.`): the staged bytes, not the working-tree files.
    #[arg(long, conflicts_with = "history")]
    pub staged: bool,
    /// With --history: only commits after REV (as in `REV..`), e.g. `origin/main`.
    #[arg(long, value_name = "REV", requires = "history")]
    pub since_commit: Option<String>,
    /// With --history: only the history of REF instead of every ref.
    #[arg(long, value_name = "REF", requires = "history")]
    pub branch: Option<String>,
    /// With --history: also scan blobs that no ref reaches (dangling objects).
    #[arg(long, requires = "history", conflicts_with_all = ["since_commit", "branch"])]
    pub all_objects: bool,
    /// With --history: also scan the working-tree files of each PATH; content that is
    /// also in history is matched once.
    #[arg(long, requires = "history")]
    pub worktree: bool,
}

/// Config file and baseline options.
#[derive(Debug, Clone, Default, Args)]
pub struct IgnoreOpts {
    /// Read this config file instead of looking for `.launchguard.toml` in the scanned
    /// directory, its repository root, then the current directory.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read no `.launchguard.toml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Suppress the findings recorded in this baseline file (`baseline create`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// `launchguard hook`.
#[derive(Debug, Clone, Args)]
pub struct HookArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: HookAction,
}

/// Hook subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum HookAction {
    /// Write `.git/hooks/pre-commit` (or under `core.hooksPath`) running
    /// `launchguard scan --staged`.
    Install {
        /// The repository (default: `.`).
        #[arg(value_name = "REPO")]
        repo: Option<PathBuf>,
        /// Replace an existing pre-commit hook that launchguard did not write.
        #[arg(long)]
        force: bool,
    },
}

/// `launchguard baseline`.
#[derive(Debug, Clone, Args)]
pub struct BaselineArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: BaselineAction,
}

/// Baseline subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum BaselineAction {
    /// Scan like `scan` (same sources and options) and write every finding's
    /// fingerprint to `--output FILE`; later scans given `--baseline FILE` do not
    /// report them again. The file never holds a full secret.
    #[command(
        mut_arg("output", |a| a.required(true).help("The baseline file to write")),
        mut_arg("format", |a| a.hide(true)),
        mut_arg("show_secrets", |a| a.hide(true)),
        mut_arg("fail_on", |a| a.hide(true)),
        mut_arg("category", |a| a.hide(true)),
        mut_arg("color", |a| a.hide(true))
    )]
    Create(ScanArgs),
}

/// `launchguard rules`.
#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// What to do with the rules.
    #[command(subcommand)]
    pub action: RulesAction,
}

/// Rule subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum RulesAction {
    /// List rules: id, provider, kind, severity, checks.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Rule options.
        #[command(flatten)]
        rules: RuleOpts,
    },
    /// Check every rule against its examples; exit 1 on any problem.
    Check {
        /// Rule options.
        #[command(flatten)]
        rules: RuleOpts,
    },
}
