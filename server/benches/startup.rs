//! Start-up, measured on fresh processes (compiled queries are shared
//! within a process, so an in-process loop would only time a warm start):
//!
//! - `nudge lsp --stdio` from spawn to `initialize`'s answer plus the end of
//!   indexing ("ready"), and to the first diagnostics of an opened file,
//!   on the demo app;
//! - `nudge check` of one 120 KB TSX file, process start included, next to a
//!   bare tree-sitter parse of the same file, in one run.

#[path = "../../tests/lsp_client.rs"]
mod lsp_client;
#[path = "support/tsx.rs"]
mod tsx;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_client::{file_uri, nudge_lsp_command, spawn_server};
use nudge::engine::analysis::parse;
use nudge::engine::language::Language;

fn demo_app() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/demo-app")
        .canonicalize()
        .unwrap()
}

/// Times from spawning the server to "ready" (initialize answered, indexing
/// done) and to the first diagnostics of `file`.
async fn one_session(root: &Path, file: &Path, text: &str) -> (Duration, Duration) {
    let started = Instant::now();
    let command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    let (mut child, mut client) = spawn_server(command, Stdio::null());
    client.initialize_folder(root).await;
    let uri = file_uri(file);
    client.open(&uri, "typescriptreact", text).await;
    client
        .notification_where("$/progress", |p| p["value"]["kind"] == "end")
        .await;
    let ready = started.elapsed();
    client.diagnostics(&uri).await;
    let first = started.elapsed();
    client.discard("$/progress");
    drop(client);
    let _ = child.kill().await;
    (ready, first)
}

fn lsp_startup(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root = demo_app();
    let file = root.join("components/PlanGate.tsx");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut group = c.benchmark_group("startup");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    group.bench_function("spawn_to_ready_demo_app", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += one_session(&root, &file, &text).await.0;
                }
                total
            })
        })
    });
    group.bench_function("spawn_to_first_diagnostics_demo_app", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += one_session(&root, &file, &text).await.1;
                }
                total
            })
        })
    });
    group.finish();
}

fn single_file(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("nudge-bench-one-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let mut text = tsx::big_tsx(5_000);
    let cut = text[..120 * 1024].rfind("\n\n").unwrap() + 2;
    text.truncate(cut);
    let file = dir.join("Big.tsx");
    std::fs::write(&file, &text).unwrap();
    eprintln!("single file: {:.1} KB", text.len() as f64 / 1024.0);
    let mut group = c.benchmark_group("single_file");
    group.sample_size(20).measurement_time(Duration::from_secs(6));
    group.bench_function("bare_parse_120kb_tsx", |b| {
        b.iter(|| parse(Language::Tsx, &text, None).expect("parses"))
    });
    group.bench_function("nudge_check_120kb_tsx_process", |b| {
        b.iter(|| {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_nudge"))
                .args(["check", "--format", "json"])
                .arg(&file)
                .output()
                .expect("nudge check runs");
            assert!(output.status.success() || output.status.code() == Some(1));
            output.stdout.len()
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, lsp_startup, single_file);
criterion_main!(benches);
