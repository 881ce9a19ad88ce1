//! Embeds every `rules/*.toml` file of the workspace into the library.
use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("..").join("rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// Built-in rule files: (file name, TOML text).\n");
    out.push_str("pub static EMBEDDED_RULES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("embedded_rules.rs");
    fs::write(dest, out).expect("write embedded_rules.rs");
}
