//! Embeds `queries/*.toml` into the binary and generates one test per rule
//! that runs the rule's flagged and clean examples.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let queries = manifest_dir.join("..").join("queries");
    println!("cargo:rerun-if-changed={}", queries.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&queries)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut embedded = String::from(
        "/// `(file name, contents)` of every built-in rule.\npub static BUILTIN_RULES: &[(&str, &str)] = &[\n",
    );
    let mut tests = String::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let file_name = path.file_name().and_then(|n| n.to_str()).expect("utf-8 rule file name");
        let stem = file_name.trim_end_matches(".toml");
        let absolute = path.canonicalize().expect("rule file exists");
        writeln!(
            embedded,
            "    ({file_name:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .unwrap();
        let test_name: String = stem
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        writeln!(
            tests,
            "#[test]\nfn rule_{test_name}() {{\n    crate::examples::assert_builtin_rule_examples({stem:?});\n}}\n"
        )
        .unwrap();
    }
    embedded.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("builtin_rules.rs"), embedded).expect("write builtin_rules.rs");
    std::fs::write(out.join("rule_tests.rs"), tests).expect("write rule_tests.rs");
}
