//! The thin CLI layer of launchguard, as a library so that other entry points (the
//! pre-commit wrapper package) can share it. `run` returns the process exit code:
//! 0 = nothing at or above `--fail-on`, 1 = findings, 2 = error.

mod cli;
mod cmd_baseline;
mod cmd_hook;
mod cmd_rules;
mod cmd_scan;
mod settings;

use clap::Parser;
use std::ffi::OsString;

pub use cli::{Cli, Command};

/// Exit code: no findings at or above the threshold.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: an error (bad arguments, nothing readable, `--strict` skips).
pub const EXIT_ERROR: i32 = 2;

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs the CLI with `args` (program name first) and returns the exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    let res = match cli.command {
        Command::Scan(args) => cmd_scan::run(&args),
        Command::Rules(args) => cmd_rules::run(&args),
        Command::Hook(args) => cmd_hook::run(&args),
        Command::Baseline(args) => cmd_baseline::run(&args),
    };
    match res {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => EXIT_CLEAN,
        Err(e) => {
            eprintln!("launchguard: error: {e:#}");
            EXIT_ERROR
        }
    }
}
