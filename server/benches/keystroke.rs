//! Keystroke to diagnostics, in-process, debounce off: a one-character
//! edit in the middle of a 4,000-line TSX file, until the server publishes
//! diagnostics for that version. Also the same edit's engine work alone
//! (incremental re-parse plus analysis) next to a fresh parse plus
//! analysis, so the ratio comes from one run.

#[path = "../../tests/lsp_client.rs"]
mod lsp_client;
#[path = "support/memory.rs"]
mod memory;
#[path = "support/tsx.rs"]
mod tsx;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_client::{TestClient, capabilities, file_uri};
use memory::resident_bytes;
use nudge::engine::analysis::{ParsedView, analyze_file, analyze_parsed_in_context, parse, reanalyze_incremental};
use nudge::engine::context::ContextKind;
use nudge::engine::language::{FileKind, Language};
use nudge::engine::{Config, FileInput, RuleSet};
use nudge::lsp::{ServerOptions, serve};
use serde_json::json;
use tsx::big_tsx;

type Client = TestClient<tokio::io::ReadHalf<tokio::io::DuplexStream>, tokio::io::WriteHalf<tokio::io::DuplexStream>>;

/// An in-process server, initialised with `root` as its workspace folder.
async fn connected_client(root: &std::path::Path) -> Client {
    let (client_side, server_side) = tokio::io::duplex(1 << 22);
    let (server_read, server_write) = tokio::io::split(server_side);
    tokio::spawn(serve(server_read, server_write, ServerOptions { debounce_ms: 0 }));
    let (r, w) = tokio::io::split(client_side);
    let mut client = TestClient::new(r, w);
    client
        .request(
            "initialize",
            json!({ "capabilities": capabilities(&["utf-16"], false), "workspaceFolders": [{ "uri": file_uri(root), "name": "bench" }] }),
        )
        .await;
    client.notify("initialized", json!({})).await;
    client
}

fn keystroke(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("nudge-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let mut group = c.benchmark_group("keystroke");
    group.sample_size(30).measurement_time(Duration::from_secs(8));
    // The same 4,000 lines twice: once with a plan check in every component
    // (~250 nudges, a stress case), once as an app would usually be (none).
    let nudgy = big_tsx(4_000);
    let quiet = nudgy.replace("user.plan", "user.theme");
    for (name, text) in [("many_nudges", &nudgy), ("few_nudges", &quiet)] {
        let uri = file_uri(&dir.join(format!("components/{name}.tsx")));
        let middle = (text.lines().count() / 2) as u32;
        let mut client = runtime.block_on(async {
            let mut client = connected_client(&dir).await;
            client
                .notification_where("$/progress", |p| p["value"]["kind"] == "end")
                .await;
            client.discard("$/progress");
            client
                .notify(
                    "textDocument/didOpen",
                    json!({ "textDocument": { "uri": uri, "languageId": "typescriptreact", "version": 1, "text": text } }),
                )
                .await;
            let diagnostics = client.diagnostics(&uri).await;
            eprintln!("{name}: {} diagnostics", diagnostics.len());
            client
        });
        let mut version = 1;
        group.bench_function(format!("lsp_didChange_to_publishDiagnostics_4000_lines_{name}"), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..iters {
                        version += 1;
                        // Alternate typing and deleting one character so the file stays the same size.
                        let change = if version % 2 == 0 {
                            json!({ "range": { "start": { "line": middle, "character": 2 }, "end": { "line": middle, "character": 2 } }, "text": "x" })
                        } else {
                            json!({ "range": { "start": { "line": middle, "character": 2 }, "end": { "line": middle, "character": 3 } }, "text": "" })
                        };
                        client
                            .notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }))
                            .await;
                        loop {
                            let (published, _) = client.diagnostics_with_version(&uri).await;
                            if published == Some(version) {
                                break;
                            }
                        }
                    }
                    started.elapsed()
                })
            })
        });
    }

    let rules = RuleSet::builtin();
    let config = Config::default();
    for lines in [2_000usize, 4_000, 20_000] {
        let text = big_tsx(lines);
        let middle = text.lines().count() / 2;
        let at = text.lines().take(middle).map(|l| l.len() + 1).sum::<usize>() + 2;
        let mut new_text = text.clone();
        new_text.insert(at, 'x');
        let old_tree = parse(Language::Tsx, &text, None).unwrap();
        let kind = Some(FileKind::Plain(Language::Tsx));
        let previous = {
            let input = FileInput {
                path: "components/Big.tsx",
                text: &text,
                config: &config,
            };
            let view = ParsedView {
                language: Language::Tsx,
                tree: old_tree.clone(),
                text: std::sync::Arc::from(text.as_str()),
            };
            analyze_parsed_in_context(&input, kind, &[view], &rules, ContextKind::Client)
        };
        let point = tree_sitter::Point::new(middle, 2);
        let edit = tree_sitter::InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + 1,
            start_position: point,
            old_end_position: point,
            new_end_position: tree_sitter::Point::new(middle, 3),
        };
        group.bench_function(format!("engine_incremental_reparse_and_analysis_{lines}_lines"), |b| {
            b.iter(|| {
                let mut edited = old_tree.clone();
                edited.edit(&edit);
                let tree = parse(Language::Tsx, &new_text, Some(&edited)).unwrap();
                let input = FileInput {
                    path: "components/Big.tsx",
                    text: &new_text,
                    config: &config,
                };
                let view = ParsedView {
                    language: Language::Tsx,
                    tree,
                    text: std::sync::Arc::from(new_text.as_str()),
                };
                reanalyze_incremental(&previous, &[edit], &edited, &input, &view, &rules, ContextKind::Client)
                    .expect("statement-level re-analysis applies")
            })
        });
        group.bench_function(format!("engine_fresh_parse_and_analysis_{lines}_lines"), |b| {
            b.iter(|| {
                let input = FileInput {
                    path: "components/Big.tsx",
                    text: &new_text,
                    config: &config,
                };
                analyze_file(&input, &rules)
            })
        });
    }
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/demo-app");
    let loaded = nudge::project::load_dir(&demo).expect("demo app loads");
    group.bench_function("security_check_report_demo_app", |b| {
        b.iter(|| nudge::report::workspace_security_check(&loaded.workspace, &loaded.rules))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
    memory_per_document();
}

/// Memory held per open 4,000-line document, beyond its text: resident size
/// before and after opening 20 of them (printed, not a criterion figure).
fn memory_per_document() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("nudge-bench-mem-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let text = big_tsx(4_000);
    let documents = 20;
    let (before, after) = runtime.block_on(async {
        let mut client = connected_client(&dir).await;
        client.notification_where("$/progress", |p| p["value"]["kind"] == "end").await;
        // Warm up: one document first, so one-time costs (compiled queries) are not counted.
        let warm = file_uri(&dir.join("components/Warm.tsx"));
        client.notify("textDocument/didOpen", json!({ "textDocument": { "uri": warm, "languageId": "typescriptreact", "version": 1, "text": text } })).await;
        client.diagnostics(&warm).await;
        let before = resident_bytes();
        for i in 0..documents {
            let uri = file_uri(&dir.join(format!("components/Big{i}.tsx")));
            client.notify("textDocument/didOpen", json!({ "textDocument": { "uri": uri, "languageId": "typescriptreact", "version": 1, "text": text } })).await;
            client.diagnostics(&uri).await;
        }
        let after = resident_bytes();
        (before, after)
    });
    // The floor: the tree-sitter tree an incremental re-parse needs.
    let _warm = parse(Language::Tsx, &text, None);
    let trees_before = resident_bytes();
    let trees: Vec<_> = (0..documents).map(|_| parse(Language::Tsx, &text, None)).collect();
    let per_tree = resident_bytes().saturating_sub(trees_before) as f64 / documents as f64;
    drop(trees);
    let per_document = after.saturating_sub(before) as f64 / documents as f64;
    let beyond_text = per_document - text.len() as f64;
    eprintln!(
        "memory per open 4,000-line document: {:.2} MiB resident ({:.2} MiB beyond its {:.2} MiB of text; its tree-sitter tree alone: {:.2} MiB)",
        per_document / 1048576.0,
        beyond_text / 1048576.0,
        text.len() as f64 / 1048576.0,
        per_tree / 1048576.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, keystroke);
criterion_main!(benches);
