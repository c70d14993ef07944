//! Whole-workspace scan of a large real corpus versus a parse-only pass
//! (tree-sitter parse and full walk, no rules) over the same files, both on
//! one thread so wall time is CPU time; the ratio is what the target is about.
//! The corpus (real npm sources at pinned versions, ~70 MB) is fetched by
//! `benches/support/fetch_corpus.sh` into `~/.cache/nudge/corpus`; set
//! `NUDGE_CORPUS` to use another directory. Without a corpus the bench says so
//! and measures the fixture apps instead.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use nudge::engine::RuleSet;
use nudge::engine::analysis::parse_views;
use nudge::engine::language::file_kind;
use nudge::project::{SourceFile, build_workspace, read_tree};

fn corpus() -> PathBuf {
    let dir = std::env::var_os("NUDGE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/nudge/corpus"));
    if dir.join(".complete").exists() {
        return dir;
    }
    eprintln!(
        "no corpus at {} (run benches/support/fetch_corpus.sh); using tests/fixtures",
        dir.display()
    );
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Parse every file and visit every node: the floor any analysis pays
/// without a prefilter.
fn parse_only(files: &[SourceFile]) -> usize {
    let mut nodes = 0;
    for file in files {
        let Some(kind) = file_kind(std::path::Path::new(&file.path)) else {
            continue;
        };
        for view in parse_views(kind, &file.text) {
            let mut cursor = view.tree.walk();
            'walk: loop {
                nodes += 1;
                if cursor.goto_first_child() {
                    continue;
                }
                while !cursor.goto_next_sibling() {
                    if !cursor.goto_parent() {
                        break 'walk;
                    }
                }
            }
        }
    }
    nodes
}

fn scan(files: &[SourceFile], rules: &RuleSet) -> usize {
    let loaded = build_workspace(files.to_vec(), rules.clone(), None).expect("corpus has no config");
    loaded
        .workspace
        .paths()
        .map(|p| loaded.workspace.findings(p, &loaded.rules).len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let root = corpus();
    let files = read_tree(&root).files;
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    eprintln!("corpus: {} files, {:.1} MB", files.len(), bytes as f64 / 1e6);
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let rules = RuleSet::builtin();
    // Compile every query once, outside the measurement.
    one_thread.install(|| scan(&files, &rules));
    let mut group = c.benchmark_group("workspace");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("parse_only_one_thread", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                one_thread.install(|| std::hint::black_box(parse_only(&files)));
            }
            start.elapsed()
        })
    });
    group.bench_function("nudge_scan_all_rules_one_thread", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                one_thread.install(|| std::hint::black_box(scan(&files, &rules)));
            }
            start.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
