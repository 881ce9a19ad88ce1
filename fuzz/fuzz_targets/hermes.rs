//! Fuzz target `hermes`: see `launchguard_fuzz::hermes`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::hermes(data));
