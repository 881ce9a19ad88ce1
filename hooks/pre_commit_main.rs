//! `launchguard-pre-commit`: the binary the pre-commit framework installs from the
//! repository root (`language: rust`). It is the launchguard CLI under another name,
//! so `.pre-commit-hooks.yaml` can run `launchguard-pre-commit scan --staged`.

fn main() {
    std::process::exit(scanner_cli::run(std::env::args_os()));
}
