//! The `launchguard` binary: argument parsing, progress, printing, exit codes.
//! Everything else lives in `scanner-core`.

fn main() {
    std::process::exit(scanner_cli::run(std::env::args_os()));
}
