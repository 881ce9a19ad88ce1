//! Embeds every `rules/*.toml` file of the workspace into the library. Each file is
//! converted to JSON here, at build time, because parsing JSON at start-up costs a
//! fraction of parsing TOML (start-up is on the pre-commit hook's critical path). A
//! file that is not valid TOML is embedded as written, so that loading it reports the
//! error with the TOML parser's message, as for a user's rule file.
use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("..").join("rules");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// Built-in rule files: (file name, text, whether the text is JSON converted from\n/// the TOML file rather than the TOML itself).\n",
    );
    out.push_str("pub static EMBEDDED_RULES: &[(&str, &str, bool)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(f).expect("read rule file");
        let json = toml::from_str::<toml::Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_string(&v).ok());
        let (path, is_json) = match json {
            Some(j) => {
                let p = out_dir.join(format!("{name}.json"));
                fs::write(&p, j).expect("write converted rule file");
                (p, true)
            }
            None => (f.canonicalize().unwrap_or_else(|_| f.clone()), false),
        };
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?}), {is_json}),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(out_dir.join("embedded_rules.rs"), out).expect("write embedded_rules.rs");
}
