//! Fuzz target `tar_gzip`: see `launchguard_fuzz::tar_gzip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchguard_fuzz::tar_gzip(data));
