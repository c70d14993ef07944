//! Replays every saved fuzz input through the same checks the fuzz targets
//! run (`nudge::fuzzing`), so CI re-checks the interesting inputs found
//! while fuzzing (`tests/fuzz/corpus/<target>/`) and every input that once
//! crashed (`tests/fuzz/regressions/<target>/`) without a fuzzer.

use std::path::Path;

#[test]
fn every_saved_fuzz_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz");
    let mut replayed = 0;
    for (name, target) in nudge::fuzzing::TARGETS {
        let mut inputs = 0;
        for kind in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(kind).join(name)) else {
                continue;
            };
            for entry in entries.flatten() {
                let data = std::fs::read(entry.path()).unwrap();
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(outcome.is_ok(), "{name}: {} fails", entry.path().display());
                inputs += 1;
            }
        }
        assert!(inputs > 0, "no saved inputs for the {name} target");
        replayed += inputs;
    }
    eprintln!("replayed {replayed} fuzz inputs");
}
