//! Fuzz target `sourcemap`: see `launchguard_fuzz::sourcemap`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::sourcemap(data));
