//! Fuzz target `scan`: see `launchguard_fuzz::scan`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::scan(data));
