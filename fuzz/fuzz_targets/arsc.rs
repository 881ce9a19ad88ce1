//! Fuzz target `arsc`: see `launchguard_fuzz::arsc`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::arsc(data));
