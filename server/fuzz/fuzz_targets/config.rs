#![no_main]
//! See `nudge::fuzzing::config`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nudge::fuzzing::config(data));
