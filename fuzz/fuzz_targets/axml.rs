//! Fuzz target `axml`: see `launchguard_fuzz::axml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::axml(data));
