//! Fuzz target `zip`: see `launchguard_fuzz::zip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::zip(data));
