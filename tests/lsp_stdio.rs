//! `nudge lsp --stdio` as a separate process, driven as an editor drives it:
//! diagnostics after open and after each edit, exact columns after emoji
//! under UTF-16, hovers, code actions, the quick security check, and
//! survival of unknown methods and out-of-range positions.

#[path = "lsp_client.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use lsp_client::{file_uri, nudge_lsp_command, spawn_server};
use serde_json::{Value, json};

fn demo_app() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/demo-app")
        .canonicalize()
        .unwrap()
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn an_editor_session_over_stdio() {
    let mut command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    command.env("NUDGE_LOG", "debug");
    let (child, mut client) = spawn_server(command, Stdio::piped());
    let root = demo_app();
    let init = client.initialize_folder(&root).await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    client
        .notification_where("$/progress", |p| p["value"]["kind"] == "end")
        .await;
    client.discard("$/progress");

    // Open a demo file: its nudge depends on the import graph (lib/ai.ts is
    // browser code because a "use client" component imports it).
    let ai_uri = file_uri(&root.join("lib/ai.ts"));
    let ai_text = std::fs::read_to_string(root.join("lib/ai.ts")).unwrap();
    client
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": ai_uri, "languageId": "typescript", "version": 1, "text": ai_text } }),
        )
        .await;
    let diagnostics = client.diagnostics(&ai_uri).await;
    assert_eq!(
        codes(&diagnostics),
        ["hardcoded-secret-in-client", "llm-sdk-in-browser"]
    );
    let before = diagnostics[0]["range"]["start"].clone();
    assert_eq!(before, json!({ "line": 4, "character": 11 }));

    // Type an emoji comment before the key on the same line: UTF-16 columns
    // move by the emoji's two code units plus the rest.
    client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": ai_uri, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 4, "character": 2 }, "end": { "line": 4, "character": 2 } }, "text": "/* 🔑 */ " }]
            }),
        )
        .await;
    let diagnostics = client.diagnostics(&ai_uri).await;
    assert_eq!(
        codes(&diagnostics),
        ["hardcoded-secret-in-client", "llm-sdk-in-browser"]
    );
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 4, "character": 20 }),
        "11 + 9 UTF-16 units (the emoji counts 2)"
    );

    // Hover explains, with the reason for this file.
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": ai_uri }, "position": { "line": 4, "character": 30 } }),
        )
        .await;
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("components/PlanGate.tsx") && markdown.contains("How to fix"),
        "{markdown}"
    );

    // A migration's quick fix applies and the nudge goes away.
    let sql_uri = file_uri(&root.join("supabase/migrations/20240501120000_init.sql"));
    let sql = std::fs::read_to_string(root.join("supabase/migrations/20240501120000_init.sql")).unwrap();
    client
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": sql_uri, "languageId": "sql", "version": 1, "text": sql } }),
        )
        .await;
    let diagnostics = client.diagnostics(&sql_uri).await;
    let missing = diagnostics
        .iter()
        .find(|d| d["code"] == "table-without-rls")
        .expect("invoices has no RLS")
        .clone();
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": sql_uri }, "range": missing["range"], "context": { "diagnostics": [missing] } }),
        )
        .await;
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("a preferred fix")
        .clone();
    let edit = fix["edit"]["changes"][&sql_uri][0].clone();
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": sql_uri, "version": 2 }, "contentChanges": [{ "range": edit["range"], "text": edit["newText"] }] }),
        )
        .await;
    let after = client.diagnostics(&sql_uri).await;
    assert!(!codes(&after).contains(&"table-without-rls"), "{after:#?}");

    // The quick security check returns its report.
    let report = client
        .request("workspace/executeCommand", json!({ "command": "nudge.securityCheck" }))
        .await;
    let markdown = report["markdown"].as_str().unwrap();
    assert!(
        markdown.starts_with("# Quick security check") && markdown.contains("Keys and secrets"),
        "{markdown}"
    );

    // Unknown methods and out-of-range positions do not hurt it.
    let unknown = client.request_raw("custom/unknownMethod", json!({})).await;
    assert!(unknown.get("error").is_some());
    let far = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": ai_uri }, "position": { "line": 4_000_000, "character": 7 } }),
        )
        .await;
    assert!(far.is_null());
    client.finish().await;

    let output = child.wait_with_output().await.unwrap();
    assert!(output.status.success(), "exits cleanly after `exit`");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("workspace indexed"), "logs go to stderr: {log}");
    assert!(!log.contains("c9QeWJKY40uvSwMF"), "the key never appears in the logs");
}

/// The editor crashes or is killed: stdin closes with no `shutdown`. The
/// server notices and exits on its own, cleanly and soon.
#[tokio::test]
async fn exits_when_the_client_vanishes() {
    let command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    let (mut child, mut client) = spawn_server(command, Stdio::null());
    let root = demo_app();
    client.initialize_folder(&root).await;
    let uri = file_uri(&root.join("lib/ai.ts"));
    let text = std::fs::read_to_string(root.join("lib/ai.ts")).unwrap();
    client.open(&uri, "typescript", &text).await;
    assert!(!client.diagnostics(&uri).await.is_empty());
    // The client goes away mid-session: both pipes close.
    drop(client);
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("the server exits by itself when its client is gone")
        .unwrap();
    assert!(status.code().is_some(), "exited, not killed by a signal: {status:?}");
}
