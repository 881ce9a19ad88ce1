//! Seed inputs for the cargo-fuzz targets in `fuzz/` (one small, valid input or a few
//! per target, built by the writers in [`formats`]), so fuzzing starts from
//! well-formed files rather than having to discover magic numbers and chunk layouts.
//! `launchguard-testdata --fuzz-seeds DIR` writes them to `DIR/<target>/seed-N`.

use crate::formats;
use crate::{base64, google_key, stripe_key};

/// Names the `matcher` and `scan` targets choose by their first byte (must stay in
/// step with `fuzz/src/lib.rs`).
const NAME_INDEX_ENV: u8 = 1;
const NAME_INDEX_MANIFEST: u8 = 4;
const NAME_INDEX_BUNDLE: u8 = 9;
const NAME_INDEX_APK: u8 = 11;

/// `(target, seed)` pairs for every fuzz target.
pub fn fuzz_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let (s, g) = (stripe_key(9001), google_key(9001));
    let manifest = formats::android_manifest("com.fuzz.app", &g, true);
    let arsc = formats::resources_arsc("com.fuzz.app", &[("app_name", "Fuzz"), ("k", &g)]);
    let dex = formats::dex(&["Lcom/fuzz/A;", &s, "https://api.fuzz.invalid"]);
    let elf = formats::elf_so(&["JNI_OnLoad", &s]);
    let macho = formats::macho(&["%s failed", &s]);
    let fat = formats::fat_macho(&[formats::macho(&["a", &s]), formats::macho(&["b"])]);
    let plist = formats::bplist(&[("API_KEY", &g), ("BUNDLE_ID", "com.fuzz.app")]);
    let hbc = formats::hermes(96, &["use strict", &s, "clé"]);
    let env = format!("STRIPE_KEY={s}\nNEXT_PUBLIC_OPENAI_API_KEY={s}\n");
    let apk = formats::zip(&[
        ("AndroidManifest.xml", &manifest),
        ("classes.dex", &dex),
        ("assets/.env", env.as_bytes()),
    ]);
    let tgz = formats::tar_gz(&[("pkg/.env", env.as_bytes()), ("pkg/inner.zip", &apk)]);
    let tar = formats::tar_raw_names(&[("../x.env", env.as_bytes())]);
    let map = format!(
        "{{\"version\":3,\"sources\":[\"webpack:///./src/a.ts\"],\"names\":[],\"mappings\":{},\"sourcesContent\":[{}]}}",
        formats::json_str(&formats::mappings_one_line(&[(0, 0, 0, 0), (10, 0, 2, 4)])),
        formats::json_str(&env)
    );
    let bundle = format!(
        "var a=\"{s}\";\n//# sourceMappingURL=data:application/json;base64,{}\n",
        base64(map.as_bytes())
    );
    let encoded = format!(
        "window.c=\"{}\";u=\"https%3A%2F%2Fx.invalid%3Fkey%3D{g}\";\n",
        base64(format!("{{\"secret\":\"{s}\"}}").as_bytes())
    );
    let with_name = |i: u8, d: &[u8]| {
        let mut v = vec![i];
        v.extend_from_slice(d);
        v
    };
    vec![
        ("axml", manifest.clone()),
        ("arsc", arsc),
        ("dex", dex),
        ("plist", plist),
        ("native", elf),
        ("native", macho),
        ("native", fat),
        ("hermes", hbc),
        ("zip", apk.clone()),
        ("tar_gzip", tgz),
        ("tar_gzip", tar),
        ("sourcemap", map.clone().into_bytes()),
        ("sourcemap", bundle.clone().into_bytes()),
        ("encoded", encoded.clone().into_bytes()),
        ("matcher", with_name(NAME_INDEX_ENV, env.as_bytes())),
        ("matcher", with_name(0, encoded.as_bytes())),
        ("scan", with_name(NAME_INDEX_APK, &apk)),
        ("scan", with_name(NAME_INDEX_MANIFEST, &manifest)),
        ("scan", with_name(NAME_INDEX_BUNDLE, bundle.as_bytes())),
        ("scan", with_name(NAME_INDEX_ENV, env.as_bytes())),
    ]
}

/// Writes [`fuzz_seeds`] under `dir/<target>/seed-N`.
pub fn write_fuzz_seeds(dir: &std::path::Path) -> std::io::Result<usize> {
    let seeds = fuzz_seeds();
    for (i, (target, bytes)) in seeds.iter().enumerate() {
        let d = dir.join(target);
        std::fs::create_dir_all(&d)?;
        std::fs::write(d.join(format!("seed-{i}")), bytes)?;
    }
    Ok(seeds.len())
}
