//! Fuzz target `native`: see `launchguard_fuzz::native`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::native(data));
