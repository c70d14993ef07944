#![no_main]
//! See `nudge::fuzzing::edits`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nudge::fuzzing::edits(data));
