//! Fuzz target `plist`: see `launchguard_fuzz::plist`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::plist(data));
