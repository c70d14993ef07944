//! Outside attacks on the real binary: a catalogue. Each test is one class
//! of attack a broken client or a hostile repository can mount, driven from
//! outside (raw frames over stdio; real FIFOs, links to `/dev/zero` and
//! planted files in a temp tree) with hard timeouts. The server must answer
//! or drop what it cannot read and keep serving; the CLI must finish with a
//! one-line note; memory must stay in proportion; nothing may leak.

#[path = "lsp_client.rs"]
mod lsp_client;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lsp_client::{ProcessClient, file_uri, nudge_lsp_command, spawn_server};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

/// Nothing here may take longer: a hang is a failure, not a slow test.
const HARD: Duration = Duration::from_secs(30);

const STRIPE: &str = "sk_live_u8jzPde0Qm3Rt6Yx9Bv2Nc5Lk8Hg1FdoO";

const KEY_COMPONENT: &str = "\"use client\";\nexport const key = \"sk_live_u8jzPde0Qm3Rt6Yx9Bv2Nc5Lk8Hg1FdoO\";\n";

/// A scratch tree, removed on drop.
struct Tree(tempfile::TempDir);

impl Tree {
    fn new() -> Tree {
        let tree = Tree(tempfile::Builder::new().prefix("nudge-attack-").tempdir().unwrap());
        std::fs::create_dir_all(tree.path(".git")).unwrap();
        tree
    }

    fn root(&self) -> PathBuf {
        self.0.path().canonicalize().unwrap()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> &Tree {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    fn fifo(&self, rel: &str) -> &Tree {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(Command::new("mkfifo").arg(&path).status().unwrap().success());
        self
    }

    fn link(&self, rel: &str, target: &str) -> &Tree {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }

    fn uri(&self, rel: &str) -> String {
        file_uri(&self.root().join(rel))
    }
}

/// A finished CLI run: status, output, and the child's own peak memory.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    peak_kib: u64,
}

/// Runs `nudge ARGS` in `dir`, killed and failed if it outlives `HARD`.
fn nudge_cli(dir: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nudge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let mut peak_kib = 0;
    loop {
        // The child's own high-water mark, read while it runs: the kernel's
        // exit accounting (wait4's maxrss) also counts the test process it
        // was spawned from.
        if let Some(hwm) = vm_hwm_kib(child.id()) {
            peak_kib = peak_kib.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return Run {
                code: status.code(),
                stdout: out.join().unwrap(),
                stderr: err.join().unwrap(),
                peak_kib,
            };
        }
        if started.elapsed() > HARD {
            let _ = child.kill();
            panic!("`nudge {}` hung (killed after {HARD:?})", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `VmHWM` of a live process, in KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A server on `root` with its stderr collected, initialized and indexed.
async fn server_on(root: &Path, env: &[(&str, &str)]) -> (tokio::process::Child, ProcessClient, Logs) {
    let mut command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    for (key, value) in env {
        command.env(key, value);
    }
    let (mut child, mut client) = spawn_server(command, Stdio::piped());
    let logs = Logs::collect(&mut child);
    within(client.initialize_folder(root)).await;
    within(client.notification_where("$/progress", |p| p["value"]["kind"] == "end")).await;
    client.discard("$/progress");
    (child, client, logs)
}

/// A bare server, not yet initialized.
fn bare_server() -> (tokio::process::Child, ProcessClient, Logs) {
    let command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    let (mut child, client) = spawn_server(command, Stdio::piped());
    let logs = Logs::collect(&mut child);
    (child, client, logs)
}

struct Logs(tokio::task::JoinHandle<String>);

impl Logs {
    fn collect(child: &mut tokio::process::Child) -> Logs {
        let mut stderr = child.stderr.take().unwrap();
        Logs(tokio::spawn(async move {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text).await;
            text
        }))
    }

    async fn text(self) -> String {
        within(self.0).await.unwrap()
    }
}

async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(HARD, future)
        .await
        .expect("the server answers in time")
}

/// Exit status of a server that should be exiting by itself.
async fn exit_code(child: &mut tokio::process::Child) -> Option<i32> {
    within(child.wait()).await.unwrap().code()
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn request_frame(id: i64, method: &str, params: Value) -> Vec<u8> {
    frame(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string())
}

/// Peak resident memory of a live server, in KiB.
fn peak_kib(child: &tokio::process::Child) -> u64 {
    vm_hwm_kib(child.id().unwrap()).unwrap()
}

/// A request that every live, initialized server answers (with `null`).
async fn still_serving(client: &mut ProcessClient) {
    let answer = within(client.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere/x.ts" }, "position": { "line": 0, "character": 0 } }),
    ))
    .await;
    assert!(answer.get("result").is_some(), "a later request is answered: {answer}");
}

fn parse_errors(client: &ProcessClient) -> usize {
    client
        .stray_responses
        .iter()
        .filter(|r| r["id"].is_null() && r["error"]["code"] == -32700)
        .count()
}

// ---------------------------------------------------------------------------
// Frames

#[tokio::test]
async fn undecodable_frames_get_an_error_and_the_server_keeps_serving() {
    let tree = Tree::new();
    let (mut child, mut client, logs) = server_on(&tree.root(), &[]).await;
    let bad_frames: Vec<(&str, Vec<u8>)> = vec![
        ("bad JSON", frame("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ")),
        (
            "no Content-Length",
            b"Content-Type: application/json\r\n\r\n{}".to_vec(),
        ),
        (
            "a Content-Length that is not a number",
            b"Content-Length: lots\r\n\r\n{}".to_vec(),
        ),
        ("a negative Content-Length", b"Content-Length: -1\r\n\r\n".to_vec()),
        ("garbage between frames", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        (
            "a header block that never ends",
            [
                b"Content-Length: 5\r\nX: ".to_vec(),
                vec![b'y'; 10_000],
                b"\r\n\r\n".to_vec(),
            ]
            .concat(),
        ),
        (
            "bytes that are not UTF-8",
            frame("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"\u{0}\"}")
                .into_iter()
                .map(|b| if b == 0 { 0xff } else { b })
                .collect(),
        ),
        ("JSON nested 100,000 deep", frame(&"[".repeat(100_000))),
        ("JSON that is not JSON-RPC", frame("[1, 2, 3]")),
        (
            "an object without jsonrpc",
            frame("{\"id\": 7, \"method\": \"initialize\"}"),
        ),
        (
            "a reply to nothing",
            frame("{\"jsonrpc\":\"2.0\",\"id\":424242,\"result\":{}}"),
        ),
        (
            "an id that is an object",
            frame("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"shutdown\"}"),
        ),
    ];
    for (what, bytes) in &bad_frames {
        client.send_raw(bytes).await;
        still_serving(&mut client).await;
        assert!(child.try_wait().unwrap().is_none(), "alive after {what}");
    }
    assert!(
        parse_errors(&client) >= 5,
        "parse errors answered: {:?}",
        client.stray_responses
    );
    let invalid = client
        .stray_responses
        .iter()
        .filter(|r| r["error"]["code"] == -32600)
        .count();
    assert!(invalid >= 2, "invalid requests answered: {:?}", client.stray_responses);
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
    let logs = logs.text().await;
    assert!(logs.contains("dropped"), "bad frames are logged: {logs}");
    assert!(!logs.contains("yyyyyyyyyy"), "logs never quote what was sent");
}

#[tokio::test]
async fn wrong_content_lengths_resynchronise() {
    let tree = Tree::new();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    // Too large: the body ends where the next frame's header starts.
    let body = r#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}"#;
    client
        .send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 5000).as_bytes())
        .await;
    still_serving(&mut client).await;
    // Too small: the rest of the body is garbage until the next header.
    client
        .send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() / 2).as_bytes())
        .await;
    still_serving(&mut client).await;
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn an_empty_frame_does_not_hold_back_a_request_sent_with_it() {
    let tree = Tree::new();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    let hover = request_frame(
        99,
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere/x.ts" }, "position": { "line": 0, "character": 0 } }),
    );
    // One write, nothing after it: the answer must not wait for more bytes.
    client
        .send_raw(&[hover, b"Content-Length: 0\r\n\r\n".to_vec()].concat())
        .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        client.drain_for(Duration::from_millis(100)).await;
        if client.stray_responses.iter().any(|r| r["id"] == 99) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the request before an empty frame was answered"
        );
    }
    assert_eq!(parse_errors(&client), 1, "the empty frame is answered too");
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn exit_status_follows_the_protocol() {
    // `exit` without `shutdown`: 1.
    let (mut child, mut client, _logs) = bare_server();
    within(client.request("initialize", json!({ "processId": null, "capabilities": {} }))).await;
    client.notify("exit", Value::Null).await;
    assert_eq!(exit_code(&mut child).await, Some(1));
    // `shutdown`, then `exit`: 0.
    let (mut child, mut client, _logs) = bare_server();
    within(client.request("initialize", json!({ "processId": null, "capabilities": {} }))).await;
    within(client.request("shutdown", Value::Null)).await;
    client.notify("exit", Value::Null).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
    // Input that ends inside a frame: the server notices and exits, 1.
    let (mut child, mut client, _logs) = bare_server();
    client.send_raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":").await;
    drop(client);
    assert_eq!(exit_code(&mut child).await, Some(1));
}

#[tokio::test]
async fn lone_surrogates_in_document_text_are_replaced_not_fatal() {
    let tree = Tree::new();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    let uri = tree.uri("components/Key.tsx");
    // Raw JSON: serde would never write a lone surrogate itself.
    let text = KEY_COMPONENT.replace("export", "// HIGH half an emoji, LOW the other half\nexport");
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"typescriptreact","version":1,"text":{}}}}}}}"#,
        serde_json::to_string(&text)
            .unwrap()
            .replace("HIGH", "\\ud83d")
            .replace("LOW", "\\udc00")
    );
    assert!(body.contains(r"\ud83d half"), "{body}");
    client.send_raw(&frame(&body)).await;
    let diagnostics = within(client.diagnostics(&uri)).await;
    assert_eq!(diagnostics[0]["code"], "hardcoded-secret-in-client", "{diagnostics:?}");
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn oversized_frames_are_skipped_in_bounded_memory() {
    let tree = Tree::new();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    let before = peak_kib(&child);
    let size = 40 << 20;
    client
        .send_raw(format!("Content-Length: {size}\r\n\r\n").as_bytes())
        .await;
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..40 {
        client.send_raw(&chunk).await;
    }
    still_serving(&mut client).await;
    assert_eq!(parse_errors(&client), 1, "{:?}", client.stray_responses);
    let grown = peak_kib(&child).saturating_sub(before);
    eprintln!("a refused 40 MiB frame: peak memory grew {grown} KiB");
    assert!(grown < 16 << 10, "a refused 40 MiB frame is not held: grew {grown} KiB");
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn a_hundred_thousand_changes_cost_bounded_memory_and_time() {
    let tree = Tree::new();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    let uri = tree.uri("components/Key.tsx");
    client.open(&uri, "typescriptreact", KEY_COMPONENT).await;
    within(client.diagnostics(&uri)).await;
    let before = peak_kib(&child);
    let insert = json!({ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "/" });
    let changes: Vec<Value> = (0..100_000).map(|_| insert.clone()).collect();
    let message = json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": { "textDocument": { "uri": uri, "version": 2 }, "contentChanges": changes },
    })
    .to_string();
    let size_kib = message.len() as u64 / 1024;
    let started = Instant::now();
    client.send_raw(&frame(&message)).await;
    // 100,000 slashes before `"use client"` make the first line a comment:
    // the key is now in universal code, and the nudge says so.
    let (version, _) = within(client.diagnostics_with_version(&uri)).await;
    assert_eq!(version, Some(2));
    still_serving(&mut client).await;
    let elapsed = started.elapsed();
    let grown = peak_kib(&child).saturating_sub(before);
    eprintln!(
        "100,000 changes in one didChange ({size_kib} KiB): peak memory grew {grown} KiB, answered in {elapsed:?}"
    );
    assert!(
        grown < 12 * size_kib + (32 << 10),
        "a {size_kib} KiB change list grew memory by {grown} KiB"
    );
    // A hang check, not a benchmark: a release build answers in under a
    // second; this debug build on a loaded CI machine in a few.
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn a_request_flood_is_answered_or_turned_away_never_fatal() {
    let tree = Tree::new();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    let hover = json!({ "textDocument": { "uri": "file:///nowhere/x.ts" }, "position": { "line": 0, "character": 0 } });
    let mut burst = Vec::new();
    for id in 1000..3000 {
        burst.extend(request_frame(id, "textDocument/hover", hover.clone()));
        // Cancelling what is not running, and replies to requests never made.
        burst.extend(frame(
            &json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": id + 50_000 } }).to_string(),
        ));
    }
    client.send_raw(&burst).await;
    let deadline = Instant::now() + HARD;
    while client
        .stray_responses
        .iter()
        .filter(|r| r["id"].as_i64().is_some_and(|id| id >= 1000))
        .count()
        < 2000
    {
        assert!(Instant::now() < deadline, "every request of the flood gets an answer");
        client.drain_for(Duration::from_millis(200)).await;
    }
    still_serving(&mut client).await;
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

// ---------------------------------------------------------------------------
// Forged and surprising requests

#[tokio::test]
async fn uris_with_brackets_and_spaces_are_analysed() {
    let tree = Tree::new();
    tree.write("package.json", r#"{ "dependencies": { "next": "15.0.0" } }"#);
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    for rel in [
        "app/[id]/page.tsx",
        "app/my page/page.tsx",
        "app/(group)/[...slug]/page.tsx",
    ] {
        tree.write(rel, KEY_COMPONENT);
        // As clients send them: unencoded.
        let raw = format!("file://{}", tree.root().join(rel).display());
        client.open(&raw, "typescriptreact", KEY_COMPONENT).await;
        let published = within(client.notification("textDocument/publishDiagnostics")).await;
        let codes: Vec<&str> = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["hardcoded-secret-in-client"], "{rel}");
        let shown = published["uri"].as_str().unwrap();
        let path = shown.strip_prefix("file://").unwrap();
        let decoded = path
            .replace("%5B", "[")
            .replace("%5D", "]")
            .replace("%20", " ")
            .replace("%28", "(")
            .replace("%29", ")");
        assert_eq!(
            decoded,
            tree.root().join(rel).display().to_string(),
            "names the same file"
        );
        let hover = within(client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": raw }, "position": { "line": 1, "character": 25 } }),
        ))
        .await;
        assert!(
            hover["contents"]["value"]
                .as_str()
                .is_some_and(|m| m.contains("Stripe")),
            "{hover}"
        );
    }
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn forged_fixes_and_diagnostics_are_never_echoed() {
    let tree = Tree::new();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    let uri = tree.uri("supabase/migrations/1_init.sql");
    client
        .open(&uri, "sql", "create table public.invoices (id uuid, user_id uuid);\n")
        .await;
    let diagnostics = within(client.diagnostics(&uri)).await;
    let mut forged = diagnostics[0].clone();
    forged["data"]["fix"] = json!({ "title": "Fix it", "edits": [{ "range": forged["range"], "newText": "drop table invoices; -- FORGED" }] });
    let invented = json!({
        "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 5 } },
        "source": "nudge", "code": "table-without-rls", "message": "x",
        "data": { "rule": "table-without-rls", "category": "rls-missing", "fix": { "title": "Fix", "edits": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "newText": "FORGED" }] } }
    });
    let actions = within(client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": forged["range"], "context": { "diagnostics": [forged, invented] } }),
    ))
    .await;
    let text = actions.to_string();
    assert!(!text.contains("FORGED"), "{text}");
    assert!(
        text.contains("enable row level security"),
        "the real fix is offered: {text}"
    );
    // Resolving a forged action for a range with no finding edits nothing.
    let resolved = within(client.request(
        "codeAction/resolve",
        json!({ "title": "Move", "data": { "action": "move-secret", "uri": uri, "rule": "table-without-rls", "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 6 } } } }),
    ))
    .await;
    assert!(resolved.get("edit").is_none_or(Value::is_null), "{resolved}");
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn file_events_outside_the_folders_are_not_followed() {
    let tree = Tree::new();
    let outside = Tree::new();
    // Were the server to follow the event, this would surface as a warning.
    outside.write(".nudge.toml", "[rules]\nbroken = = =\n");
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    for uri in [
        outside.uri(".nudge.toml"),
        "file:///.nudge.toml".to_string(),
        outside.uri("x.sql"),
    ] {
        client
            .notify(
                "workspace/didChangeWatchedFiles",
                json!({ "changes": [{ "uri": uri, "type": 2 }] }),
            )
            .await;
    }
    client.drain_for(Duration::from_millis(800)).await;
    assert!(
        client.unread().is_empty(),
        "nothing outside the folders was read: {:?}",
        client.unread()
    );
    still_serving(&mut client).await;
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn each_folder_hovers_with_its_own_rules() {
    let (first, second) = (Tree::new(), Tree::new());
    let rule = |id: &str, word: &str| {
        format!(
            "id = \"{id}\"\ncategory = \"other\"\nseverity = \"info\"\nlanguages = [\"js\"]\nquery = '(identifier) @match (#eq? @match \"{word}\")'\nmessage = \"{id} matched\"\ndocs = \"Docs of {id}.\"\n[[flagged]]\npath = \"a.ts\"\ncode = \"{word}\"\n[[clean]]\npath = \"a.ts\"\ncode = \"other\"\n"
        )
    };
    first.write(".nudge/rules/first-rule.toml", &rule("first-rule", "alpha"));
    second.write(".nudge/rules/second-rule.toml", &rule("second-rule", "beta"));
    let (mut child, mut client) =
        spawn_server(nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge"))), Stdio::null());
    within(client.request(
        "initialize",
        json!({ "processId": null, "capabilities": lsp_client::capabilities(&["utf-16"], false), "workspaceFolders": [
            { "uri": first.uri(""), "name": "first" }, { "uri": second.uri(""), "name": "second" } ] }),
    ))
    .await;
    client.notify("initialized", json!({})).await;
    within(client.notification_where("$/progress", |p| p["value"]["kind"] == "end")).await;
    client.discard("$/progress");
    let uri = second.uri("src/b.ts");
    client.open(&uri, "typescript", "const beta = 1;\n").await;
    let diagnostics = within(client.diagnostics(&uri)).await;
    assert_eq!(diagnostics[0]["code"], "second-rule");
    let hover = within(client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 7 } }),
    ))
    .await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|m| m.contains("Docs of second-rule")),
        "{hover}"
    );
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn moving_a_key_never_overwrites_one_already_there() {
    let tree = Tree::new();
    tree.write("package.json", r#"{ "dependencies": { "next": "15.0.0" } }"#)
        .write(
            ".env.local",
            "# keep me\nSTRIPE_SECRET_KEY=sk_live_theOtherOneAlreadyHere0123456789\n",
        )
        .write(".gitignore", ".env.local\n");
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
    let uri = tree.uri("components/Key.tsx");
    client.open(&uri, "typescriptreact", KEY_COMPONENT).await;
    let diagnostics = within(client.diagnostics(&uri)).await;
    let actions = within(client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diagnostics[0]["range"], "context": { "diagnostics": [diagnostics[0]] } }),
    ))
    .await;
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Move this key to a server env var")
        .unwrap()
        .clone();
    let resolved = within(client.request("codeAction/resolve", action)).await;
    let edits = resolved["edit"]["documentChanges"].to_string();
    assert!(edits.contains("process.env.STRIPE_SECRET_KEY_2"), "{edits}");
    assert!(edits.contains(&format!("STRIPE_SECRET_KEY_2={STRIPE}")), "{edits}");
    assert!(
        !edits.contains("theOtherOne"),
        "the existing line is left alone: {edits}"
    );
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

#[tokio::test]
async fn planted_report_paths_are_never_followed() {
    let tree = Tree::new();
    let tmp = Tree::new();
    let victim = tmp.path("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    // The names an attacker would plant for the old fixed report path.
    tmp.link("nudge-security-check.md", victim.to_str().unwrap());
    tmp.fifo("nudge-reports-fifo");
    let tmp_dir = tmp.root();
    let (mut child, mut client, _logs) = server_on(&tree.root(), &[("TMPDIR", tmp_dir.to_str().unwrap())]).await;
    let uri = tree.uri("components/Key.tsx");
    client.open(&uri, "typescriptreact", KEY_COMPONENT).await;
    within(client.diagnostics(&uri)).await;
    for _ in 0..2 {
        let report = within(client.request(
            "workspace/executeCommand",
            json!({ "command": "nudge.securityCheck", "arguments": [] }),
        ))
        .await;
        let opened = PathBuf::from(report["opened"].as_str().unwrap().strip_prefix("file://").unwrap());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(opened.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(
            opened.parent().unwrap().metadata().unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
}

// ---------------------------------------------------------------------------
// Odd files in a repository

/// Every file Nudge reads, each as a FIFO (which blocks an ordinary read
/// forever) and as a link to `/dev/zero` (which never ends).
const ODD_PLACES: &[&str] = &[
    ".nudge/rules/x.toml",
    ".gitignore",
    ".env.local",
    "web/package.json",
    "src/odd.ts",
];

fn tree_with_odd_files(kind: &str) -> Tree {
    let tree = Tree::new();
    tree.write("package.json", r#"{ "dependencies": { "next": "15.0.0" } }"#)
        .write("components/Key.tsx", KEY_COMPONENT)
        .write("web/src/a.ts", "export const a = 1;\n");
    for place in ODD_PLACES {
        match kind {
            "fifo" => tree.fifo(place),
            _ => tree.link(place, "/dev/zero"),
        };
    }
    tree
}

#[test]
fn fifos_and_endless_files_never_hang_the_cli() {
    for kind in ["fifo", "/dev/zero"] {
        let tree = tree_with_odd_files(kind);
        let run = nudge_cli(&tree.root(), &["check", "--format", "json", "--verbose"]);
        assert_eq!(run.code, Some(0), "{kind}: {}", run.stderr);
        let findings: Value = serde_json::from_str(&run.stdout).unwrap();
        assert!(
            findings
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "hardcoded-secret-in-client"),
            "{kind}: the rest is analysed"
        );
        for place in ODD_PLACES {
            assert!(
                run.stderr
                    .lines()
                    .any(|l| l.contains(place) && l.contains("not a regular file")),
                "{kind}: {place} gets a one-line note: {}",
                run.stderr
            );
        }
        assert!(run.peak_kib < 200 << 10, "{kind}: {} KiB", run.peak_kib);
    }
}

#[test]
fn an_unreadable_configuration_is_a_clear_error_never_a_hang() {
    for kind in ["fifo", "/dev/zero"] {
        // In the project, and in a directory above the one scanned.
        for (config_at, scan) in [(".nudge.toml", "."), (".nudge.toml", "sub")] {
            let tree = Tree::new();
            tree.write("sub/a.ts", "export const a = 1;\n");
            match kind {
                "fifo" => tree.fifo(config_at),
                _ => tree.link(config_at, "/dev/zero"),
            };
            let run = nudge_cli(&tree.root(), &["check", scan]);
            assert_eq!(run.code, Some(2), "{kind} {scan}: {}", run.stderr);
            let lines: Vec<&str> = run.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{kind}: one line: {}", run.stderr);
            assert!(
                lines[0].contains(".nudge.toml") && lines[0].contains("not a regular file"),
                "{}",
                lines[0]
            );
        }
    }
}

#[test]
fn a_hostile_rule_of_nested_wildcards_stays_bounded() {
    let tree = Tree::new();
    let mut big = String::new();
    let mut i = 0;
    while big.len() < 930 * 1024 {
        big.push_str(&format!("export const v{i} = f(g(h({i}, [a, b, {{ c: d({i}) }}])));\n"));
        i += 1;
    }
    tree.write("src/big.ts", &big).write(
        ".nudge/rules/wild.toml",
        "id = \"wild\"\ncategory = \"other\"\nseverity = \"info\"\nlanguages = [\"js\"]\nquery = '(_ (_ (_ (_ (_ (_) @f) @e) @d) @c) @b) @match'\nmessage = \"wild {{match}}\"\ndocs = \"x\"\n[[flagged]]\npath = \"a.ts\"\ncode = \"f(g(h(1)))\"\n[[clean]]\npath = \"a.ts\"\ncode = \"1\"\n",
    );
    for format in ["text", "json"] {
        let run = nudge_cli(&tree.root(), &["check", "--format", format]);
        eprintln!(
            "nested-wildcard rule on 930 KB, {format}: peak {} KiB, output {} bytes",
            run.peak_kib,
            run.stdout.len()
        );
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        // The parse of a 930 KB file alone is about 115 MiB.
        assert!(run.peak_kib < 300 << 10, "{format}: {} KiB", run.peak_kib);
        assert!(
            run.stdout.len() < 4 << 20,
            "{format}: output {} bytes",
            run.stdout.len()
        );
    }
}

#[tokio::test]
async fn an_unreadable_configuration_in_the_editor_is_one_message_and_defaults() {
    for kind in ["fifo", "/dev/zero"] {
        let tree = Tree::new();
        match kind {
            "fifo" => tree.fifo(".nudge.toml"),
            _ => tree.link(".nudge.toml", "/dev/zero"),
        };
        let (mut child, mut client) =
            spawn_server(nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge"))), Stdio::null());
        within(client.initialize_folder(&tree.root())).await;
        let message = within(client.notification("window/showMessage")).await;
        let text = message["message"].as_str().unwrap();
        assert!(
            text.contains(".nudge.toml") && text.contains("not a regular file"),
            "{kind}: {text}"
        );
        within(client.notification_where("$/progress", |p| p["value"]["kind"] == "end")).await;
        client.discard("$/progress");
        let uri = tree.uri("components/Key.tsx");
        client.open(&uri, "typescriptreact", KEY_COMPONENT).await;
        let published = loop {
            let next = within(client.notification("textDocument/publishDiagnostics")).await;
            if next["uri"] == uri {
                break next;
            }
        };
        assert_eq!(
            published["diagnostics"][0]["code"], "hardcoded-secret-in-client",
            "{kind}"
        );
        within(client.finish()).await;
        assert_eq!(exit_code(&mut child).await, Some(0));
    }
}

#[tokio::test]
async fn odd_files_never_freeze_the_server() {
    for kind in ["fifo", "/dev/zero"] {
        let tree = tree_with_odd_files(kind);
        let (mut child, mut client, _logs) = server_on(&tree.root(), &[]).await;
        let uri = tree.uri("components/Key.tsx");
        client.open(&uri, "typescriptreact", KEY_COMPONENT).await;
        let diagnostics = within(client.diagnostics(&uri)).await;
        assert_eq!(diagnostics[0]["code"], "hardcoded-secret-in-client");
        // Actions read `.env.local` and `.gitignore`: both are odd here.
        let actions = within(client.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": diagnostics[0]["range"], "context": { "diagnostics": [diagnostics[0]] } }),
        ))
        .await;
        for action in actions.as_array().unwrap() {
            let resolved = within(client.request("codeAction/resolve", action.clone())).await;
            if action["title"] == "Move this key to a server env var" {
                assert!(
                    resolved.get("edit").is_none_or(Value::is_null),
                    "{kind}: no edit into an odd .env.local"
                );
            }
        }
        within(client.request(
            "workspace/executeCommand",
            json!({ "command": "nudge.securityCheck", "arguments": [{ "open": false }] }),
        ))
        .await;
        for place in ODD_PLACES {
            client
                .notify(
                    "workspace/didChangeWatchedFiles",
                    json!({ "changes": [{ "uri": tree.uri(place), "type": 2 }] }),
                )
                .await;
        }
        still_serving(&mut client).await;
        assert!(peak_kib(&child) < 300 << 10, "{kind}");
        client.drain_for(Duration::from_millis(300)).await;
        client.discard("textDocument/publishDiagnostics");
        client.discard("window/showMessage");
        within(client.finish()).await;
        assert_eq!(exit_code(&mut child).await, Some(0));
    }
}

// ---------------------------------------------------------------------------
// Leaks through error paths

#[tokio::test]
async fn a_panic_report_never_quotes_the_document() {
    let tree = Tree::new();
    let (mut child, mut client, logs) = server_on(&tree.root(), &[("NUDGE_TEST_PANIC_MARKER", "PANIC-HERE")]).await;
    let uri = tree.uri("components/Key.tsx");
    client
        .open(&uri, "typescriptreact", &format!("// PANIC-HERE\n{KEY_COMPONENT}"))
        .await;
    let diagnostics = within(client.diagnostics(&uri)).await;
    assert!(diagnostics.is_empty(), "the panicking document gets no nudges");
    still_serving(&mut client).await;
    within(client.finish()).await;
    assert_eq!(exit_code(&mut child).await, Some(0));
    let logs = logs.text().await;
    assert!(logs.contains("internal error"), "{logs}");
    assert!(
        !logs.contains("u8jzPde0Qm3Rt6"),
        "no part of the key in the panic report: {logs}"
    );
    assert!(!logs.contains("use client"), "no document text at all: {logs}");
}

#[test]
fn configuration_errors_never_quote_a_pasted_key() {
    let tree = Tree::new();
    for config in [
        format!("[rules]\n\"{STRIPE}\" = \"off\"\n"),
        format!("[rules]\n\"signup-call\" = \"{STRIPE}\"\n"),
        format!("[env]\npublic_prefixes = {STRIPE}\n"),
        format!("{STRIPE} = 1\n"),
    ] {
        tree.write(".nudge.toml", &config)
            .write("a.ts", "export const a = 1;\n");
        let run = nudge_cli(&tree.root(), &["check"]);
        assert_eq!(run.code, Some(2), "{config}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(!run.stderr.contains("u8jzPde0"), "{config} -> {}", run.stderr);
    }
}

/// For the record: the write side. `nudge check` writes nothing at all, so
/// a planted link in the project cannot be used to overwrite a file.
#[test]
fn the_cli_writes_nothing_a_planted_link_could_redirect() {
    let tree = Tree::new();
    let victim = tree.path("victim.txt");
    std::fs::File::create(&victim).unwrap().write_all(b"precious").unwrap();
    tree.link(".nudge-cache", victim.to_str().unwrap())
        .write("components/Key.tsx", KEY_COMPONENT);
    for format in ["text", "json", "sarif"] {
        assert_eq!(nudge_cli(&tree.root(), &["check", "--format", format]).code, Some(0));
    }
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
}
