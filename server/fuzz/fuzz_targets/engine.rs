#![no_main]
//! See `nudge::fuzzing::engine`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nudge::fuzzing::engine(data));
