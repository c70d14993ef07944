#![no_main]
//! See `nudge::fuzzing::env_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nudge::fuzzing::env_file(data));
