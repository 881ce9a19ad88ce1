//! Fuzz target `encoded`: see `launchguard_fuzz::encoded`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::encoded(data));
