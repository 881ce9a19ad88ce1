//! `launchguard-testdata DIR`: writes every fixture (artifacts and hostile ones) under
//! DIR, and prints each planted key's expected origin, redacted.
//! `launchguard-testdata --fuzz-seeds DIR`: writes seed corpora for `fuzz/` targets.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir] = args.as_slice() {
        if flag == "--fuzz-seeds" {
            match launchguard_testdata::fuzz_seeds::write_fuzz_seeds(dir.as_ref()) {
                Ok(n) => println!("{n} seeds written under {dir}"),
                Err(e) => {
                    eprintln!("launchguard-testdata: {e}");
                    std::process::exit(1);
                }
            }
            return;
        }
    }
    let Some(dir) = args.first().cloned() else {
        eprintln!("usage: launchguard-testdata DIR | --fuzz-seeds DIR");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    let mut all = launchguard_testdata::artifacts();
    all.extend(launchguard_testdata::hostile());
    if let Err(e) = launchguard_testdata::write(&dir, &all) {
        eprintln!("launchguard-testdata: {e}");
        std::process::exit(1);
    }
    let rules = dir.join("fixture-rules.toml");
    if let Err(e) = std::fs::write(&rules, launchguard_testdata::RULES_TOML) {
        eprintln!("launchguard-testdata: {e}");
        std::process::exit(1);
    }
    for f in &all {
        println!("{} ({}, {} bytes)", f.path, f.kind, f.bytes.len());
        for p in &f.planted {
            println!("  {}… at {}", &p.secret[..8.min(p.secret.len())], p.origin);
        }
    }
}
