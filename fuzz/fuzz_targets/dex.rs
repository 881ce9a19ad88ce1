//! Fuzz target `dex`: see `launchguard_fuzz::dex`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::dex(data));
