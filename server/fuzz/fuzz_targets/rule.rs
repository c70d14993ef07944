#![no_main]
//! See `nudge::fuzzing::rule`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nudge::fuzzing::rule(data));
