//! Fuzz target `matcher`: see `launchguard_fuzz::matcher`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::matcher(data));
