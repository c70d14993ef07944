//! The language server in-process, driven over duplex streams as an editor
//! would drive it. Every test ends with `finish`, which fails if a
//! notification went unread.

#[path = "lsp_client.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_client::{TestClient, capabilities, file_uri};
use nudge::engine::source::{ColumnUnit, LineCol, LineIndex};
use nudge::lsp::{ServerOptions, serve};
use serde_json::{Value, json};
use tokio::io::{DuplexStream, ReadHalf, WriteHalf};

type Client = TestClient<ReadHalf<DuplexStream>, WriteHalf<DuplexStream>>;

struct Workspace(PathBuf);

impl Workspace {
    fn new(name: &str, files: &[(&str, &str)]) -> Workspace {
        let dir = std::env::temp_dir().join(format!("nudge-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        for (path, text) in files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        Workspace(dir.canonicalize().unwrap())
    }

    fn uri(&self, rel: &str) -> String {
        file_uri(&self.0.join(rel))
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn start_with(
    root: &Path,
    encodings: &[&str],
    pull: bool,
    debounce_ms: u64,
    init_options: Value,
) -> (Client, Value) {
    let (client_side, server_side) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server_side);
    tokio::spawn(serve(server_read, server_write, ServerOptions { debounce_ms }));
    let (client_read, client_write) = tokio::io::split(client_side);
    let mut client = TestClient::new(client_read, client_write);
    let result = client
        .request(
            "initialize",
            json!({
                "processId": null,
                "capabilities": capabilities(encodings, pull),
                "workspaceFolders": [{ "uri": file_uri(root), "name": "test" }],
                "initializationOptions": init_options,
            }),
        )
        .await;
    client.notify("initialized", json!({})).await;
    // Indexing reports progress; wait for its end so cross-file facts are in.
    client
        .notification_where("$/progress", |p| p["value"]["kind"] == "end")
        .await;
    client.discard("$/progress");
    (client, result)
}

async fn start(root: &Path) -> Client {
    start_with(root, &["utf-16"], false, 0, Value::Null).await.0
}

async fn open(client: &mut Client, uri: &str, language: &str, text: &str) {
    client
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        )
        .await;
}

async fn change(client: &mut Client, uri: &str, version: i64, changes: Value) {
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        )
        .await;
}

fn rules(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Applies LSP text edits to `text`.
fn apply_edits(text: &str, edits: &[Value], unit: ColumnUnit) -> String {
    let index = LineIndex::new(text);
    let offset = |p: &Value| {
        index.offset(
            text,
            LineCol {
                line: p["line"].as_u64().unwrap() as usize,
                column: p["character"].as_u64().unwrap() as usize,
            },
            unit,
        )
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|b| std::cmp::Reverse(b.0));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, &new_text);
    }
    out
}

const SECRET_COMPONENT: &str = "\"use client\";\nexport const key = \"sk_live_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\";\n";
const SIGNUP_PAGE: &str =
    "\"use client\";\nexport function SignUp() {\n  return supabase.auth.signUp({ email, password });\n}\n";

#[tokio::test]
async fn initialize_advertises_capabilities_and_negotiates_encoding() {
    let ws = Workspace::new("init", &[]);
    let (client, result) = start_with(&ws.0, &["utf-16"], false, 0, Value::Null).await;
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["codeActionProvider"]["resolveProvider"], true);
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["nudge.securityCheck", "nudge.prove"])
    );
    assert!(
        caps.get("diagnosticProvider").is_none() || caps["diagnosticProvider"].is_null(),
        "push mode without client pull support"
    );
    assert_eq!(result["serverInfo"]["name"], "nudge");
    client.finish().await;
    for (offered, expected) in [(vec!["utf-16", "utf-8"], "utf-8"), (vec!["utf-32", "utf-16"], "utf-32")] {
        let (client, result) = start_with(&ws.0, &offered, true, 0, Value::Null).await;
        assert_eq!(result["capabilities"]["positionEncoding"], expected);
        assert_eq!(
            result["capabilities"]["diagnosticProvider"]["interFileDependencies"],
            true
        );
        client.finish().await;
    }
}

#[tokio::test]
async fn open_publishes_masked_diagnostics_with_action_data() {
    let ws = Workspace::new("open", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("components/Key.tsx");
    open(&mut client, &uri, "typescriptreact", SECRET_COMPONENT).await;
    let diagnostics = client.diagnostics(&uri).await;
    assert_eq!(rules(&diagnostics), ["hardcoded-secret-in-client"]);
    let d = &diagnostics[0];
    assert_eq!(d["source"], "nudge");
    assert_eq!(d["severity"], 2, "a real-looking secret in browser code is a warning");
    assert_eq!(
        d["range"],
        json!({ "start": { "line": 1, "character": 20 }, "end": { "line": 1, "character": 60 } })
    );
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("sk_live_…oO") && !message.contains("u8jzPde0"),
        "{message}"
    );
    assert_eq!(d["data"]["rule"], "hardcoded-secret-in-client");
    assert_eq!(d["data"]["category"], "secret-in-client");
    // The "ignore here" edit is computed when actions are asked for (see
    // `ignore_here_uses_the_right_comment_syntax`), not carried per keystroke.
    assert!(d["data"].get("ignore").is_none(), "{d}");
    assert!(
        !d.to_string().contains("u8jzPde0"),
        "no part of the secret in the diagnostic"
    );
    client.finish().await;
}

#[tokio::test]
async fn incremental_edits_in_one_batch_and_across_batches() {
    let ws = Workspace::new("edits", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("components/Key.tsx");
    open(
        &mut client,
        &uri,
        "typescriptreact",
        "\"use client\";\nexport const key = \"\";\n",
    )
    .await;
    assert!(client.diagnostics(&uri).await.is_empty());
    // One batch, two changes: the second change's range refers to the text
    // after the first.
    change(
        &mut client,
        &uri,
        2,
        json!([
            { "range": { "start": { "line": 1, "character": 20 }, "end": { "line": 1, "character": 20 } }, "text": "sk_live_u8jzPde0IgxL" },
            { "range": { "start": { "line": 1, "character": 40 }, "end": { "line": 1, "character": 40 } }, "text": "d6GncfBAepfJBd0Kh8oO" }
        ]),
    )
    .await;
    let (version, diagnostics) = client.diagnostics_with_version(&uri).await;
    assert_eq!(version, Some(2));
    assert_eq!(rules(&diagnostics), ["hardcoded-secret-in-client"]);
    // Across batches: delete part of the key, then add a plan check.
    change(&mut client, &uri, 3, json!([{ "range": { "start": { "line": 1, "character": 28 }, "end": { "line": 1, "character": 50 } }, "text": "" }])).await;
    assert!(client.diagnostics(&uri).await.is_empty());
    change(&mut client, &uri, 4, json!([{ "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 0 } }, "text": "export const pro = (user) => user.plan === \"pro\";\n" }])).await;
    let diagnostics = client.diagnostics(&uri).await;
    assert_eq!(rules(&diagnostics), ["plan-check-in-client"]);
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 2, "character": 29 }));
    client.finish().await;
}

#[tokio::test]
async fn columns_are_exact_after_emoji_and_crlf_in_both_encodings() {
    let ws = Workspace::new("columns", &[]);
    let text =
        "\"use client\";\r\n\tconst s = \"😀 日本\"; const k = \"sk_live_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\";\r\n";
    for (encoding, start, end) in [("utf-16", 31, 71), ("utf-8", 37, 77), ("utf-32", 30, 70)] {
        let (mut client, _) = start_with(&ws.0, &[encoding], false, 0, Value::Null).await;
        let uri = ws.uri(&format!("c/{encoding}.tsx"));
        open(&mut client, &uri, "typescriptreact", text).await;
        let diagnostics = client.diagnostics(&uri).await;
        assert_eq!(rules(&diagnostics), ["hardcoded-secret-in-client"], "{encoding}");
        let range = &diagnostics[0]["range"];
        assert_eq!(
            (range["start"]["line"].as_u64(), range["start"]["character"].as_u64()),
            (Some(1), Some(start)),
            "{encoding}"
        );
        assert_eq!(range["end"]["character"].as_u64(), Some(end), "{encoding}");
        // An edit after the emoji lands where the client means it.
        let unit = match encoding {
            "utf-8" => ColumnUnit::Utf8,
            "utf-32" => ColumnUnit::Utf32,
            _ => ColumnUnit::Utf16,
        };
        let edit = json!({ "range": { "start": range["start"], "end": range["end"] }, "newText": "process.env.KEY" });
        let expected = apply_edits(text, &[edit], unit);
        assert!(expected.contains("const k = \"process.env.KEY\""), "{expected}");
        change(
            &mut client,
            &uri,
            2,
            json!([{ "range": range, "text": "process.env.KEY" }]),
        )
        .await;
        assert!(
            client.diagnostics(&uri).await.is_empty(),
            "{encoding}: the secret was replaced exactly"
        );
        client.finish().await;
    }
}

#[tokio::test]
async fn stale_results_are_never_published() {
    let ws = Workspace::new("stale", &[]);
    let (mut client, _) = start_with(&ws.0, &["utf-16"], false, 150, Value::Null).await;
    let uri = ws.uri("components/Key.tsx");
    open(
        &mut client,
        &uri,
        "typescriptreact",
        "\"use client\";\nexport const a = 1;\n",
    )
    .await;
    assert!(client.diagnostics(&uri).await.is_empty());
    for version in 2..=5 {
        let text = if version == 5 {
            SECRET_COMPONENT.to_string()
        } else {
            format!("\"use client\";\nexport const a = {version};\n")
        };
        change(&mut client, &uri, version, json!([{ "text": text }])).await;
    }
    let (version, diagnostics) = client.diagnostics_with_version(&uri).await;
    assert_eq!(version, Some(5), "only the newest version is published");
    assert_eq!(rules(&diagnostics), ["hardcoded-secret-in-client"]);
    client.drain_for(Duration::from_millis(400)).await;
    client.finish().await;
}

#[tokio::test]
async fn close_clears_diagnostics() {
    let ws = Workspace::new("close", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("components/Key.tsx");
    open(&mut client, &uri, "typescriptreact", SECRET_COMPONENT).await;
    assert_eq!(client.diagnostics(&uri).await.len(), 1);
    client
        .notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }))
        .await;
    assert!(client.diagnostics(&uri).await.is_empty());
    client.finish().await;
}

#[tokio::test]
async fn hover_explains_the_rule_and_the_reason_here() {
    let ws = Workspace::new("hover", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("app/signup/page.tsx");
    let text = format!("// nudge-ignore plan-check-in-client: nothing to check yet\n{SIGNUP_PAGE}");
    open(&mut client, &uri, "typescriptreact", &text).await;
    let diagnostics = client.diagnostics(&uri).await;
    assert_eq!(
        rules(&diagnostics),
        ["unused-suppression", "signup-call"],
        "sorted by position"
    );
    let signup = diagnostics.iter().find(|d| d["code"] == "signup-call").unwrap();
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": signup["range"]["start"] }),
        )
        .await;
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(markdown.contains("it starts with \"use client\""), "{markdown}");
    assert!(markdown.contains("How to check"), "{markdown}");
    // The rule id inside the suppression comment shows that rule's docs.
    let on_id = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 20 } }),
        )
        .await;
    assert!(
        on_id["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("A paid plan checked only in the browser"),
        "{on_id}"
    );
    let nothing = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 1 } }),
        )
        .await;
    assert!(nothing.is_null());
    client.finish().await;
}

/// Requests code actions for the single diagnostic of `uri` and returns them.
async fn code_actions(client: &mut Client, uri: &str, diagnostic: &Value) -> Vec<Value> {
    let result = client
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
        )
        .await;
    result.as_array().cloned().unwrap_or_default()
}

fn action<'a>(actions: &'a [Value], title_start: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(title_start))
        .unwrap_or_else(|| panic!("no action `{title_start}` in {actions:#?}"))
}

#[tokio::test]
async fn rule_fix_applies_and_clears_the_nudge() {
    let ws = Workspace::new("fix", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("supabase/migrations/1_init.sql");
    let text = "create table public.invoices (id uuid primary key, user_id uuid);\ncreate table public.posts (id int);\nalter table public.posts enable row level security;\ncreate policy \"read\" on public.posts for select using (true);\n";
    open(&mut client, &uri, "sql", text).await;
    let diagnostics = client.diagnostics(&uri).await;
    assert_eq!(rules(&diagnostics), ["table-without-rls"]);
    assert_eq!(diagnostics[0]["severity"], 3, "risks are information");
    let actions = code_actions(&mut client, &uri, &diagnostics[0]).await;
    let fix = action(&actions, "Enable row level security");
    assert_eq!(fix["isPreferred"], true);
    let edits = fix["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply_edits(text, edits, ColumnUnit::Utf16);
    assert!(fixed.starts_with("create table public.invoices (id uuid primary key, user_id uuid);\nalter table invoices enable row level security;\n"), "{fixed}");
    change(&mut client, &uri, 2, json!([{ "text": fixed }])).await;
    // The nudge is gone; the next step (a policy) gets its own gentle hint.
    assert_eq!(rules(&client.diagnostics(&uri).await), ["rls-enabled-without-policy"]);
    client.finish().await;
}

#[tokio::test]
async fn ignore_here_uses_the_right_comment_syntax() {
    let ws = Workspace::new("ignore", &[]);
    let mut client = start(&ws.0).await;
    let cases = [
        (
            "app/a.tsx",
            "\"use client\";\nexport const A = () => (\n  <div>\n    {user.plan === \"pro\" && <Pro />}\n  </div>\n);\n",
            "    {/* nudge-ignore plan-check-in-client: ",
        ),
        (
            "app/b.tsx",
            "\"use client\";\nexport function B() {\n  if (user.plan === \"pro\") return 1;\n}\n",
            "  // nudge-ignore plan-check-in-client: ",
        ),
        (
            "supabase/migrations/2.sql",
            "create table t (id int);\n",
            "-- nudge-ignore table-without-rls: ",
        ),
        (
            ".env.local",
            "NEXT_PUBLIC_OPENAI_API_KEY=abc\n",
            "# nudge-ignore public-env-secret: ",
        ),
    ];
    for (rel, text, expected_prefix) in cases {
        let uri = ws.uri(rel);
        open(&mut client, &uri, "plaintext", text).await;
        let diagnostics = client.diagnostics(&uri).await;
        assert_eq!(diagnostics.len(), 1, "{rel}: {diagnostics:#?}");
        let actions = code_actions(&mut client, &uri, &diagnostics[0]).await;
        let ignore = action(&actions, "Ignore");
        let edits = ignore["edit"]["changes"][&uri].as_array().unwrap();
        let ignored = apply_edits(text, edits, ColumnUnit::Utf16);
        assert!(ignored.contains(expected_prefix), "{rel}: {ignored}");
        change(&mut client, &uri, 2, json!([{ "text": ignored }])).await;
        let after = client.diagnostics(&uri).await;
        assert!(
            after.is_empty(),
            "{rel}: the suppression silences the nudge and counts as used: {after:#?}"
        );
    }
    client.finish().await;
}

#[tokio::test]
async fn turn_off_for_project_keeps_config_comments() {
    let config = "# team settings: keep this comment\n[categories]\n\"rls-permissive\" = \"warning\"  # reviewed\n";
    let ws = Workspace::new("turnoff", &[(".nudge.toml", config)]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("app/signup/page.tsx");
    open(&mut client, &uri, "typescriptreact", SIGNUP_PAGE).await;
    let diagnostics = client.diagnostics(&uri).await;
    assert_eq!(rules(&diagnostics), ["signup-call"]);
    assert_eq!(diagnostics[0]["severity"], 4, "awareness nudges are hints");
    let actions = code_actions(&mut client, &uri, &diagnostics[0]).await;
    let turn_off = action(&actions, "Turn off `signup-call`");
    let config_uri = ws.uri(".nudge.toml");
    let edits = turn_off["edit"]["changes"][&config_uri].as_array().unwrap();
    let new_config = apply_edits(config, edits, ColumnUnit::Utf16);
    assert!(
        new_config.contains("# team settings: keep this comment") && new_config.contains("# reviewed"),
        "{new_config}"
    );
    assert!(new_config.contains("[rules]\nsignup-call = \"off\""), "{new_config}");
    std::fs::write(ws.path(".nudge.toml"), &new_config).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": config_uri, "type": 2 }] }),
        )
        .await;
    assert!(
        client.diagnostics(&uri).await.is_empty(),
        "config reload applies without restart"
    );
    client.finish().await;
}

#[tokio::test]
async fn turn_off_creates_the_config_when_missing() {
    let ws = Workspace::new("turnoffnew", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("app/signup/page.tsx");
    open(&mut client, &uri, "typescriptreact", SIGNUP_PAGE).await;
    let diagnostics = client.diagnostics(&uri).await;
    let actions = code_actions(&mut client, &uri, &diagnostics[0]).await;
    let turn_off = action(&actions, "Turn off");
    let ops = turn_off["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["uri"], ws.uri(".nudge.toml"));
    let text = ops[1]["edits"][0]["newText"].as_str().unwrap();
    nudge::engine::Config::parse(Path::new(".nudge.toml"), text).expect("the created config parses");
    client.finish().await;
}

#[tokio::test]
async fn move_secret_edits_code_env_file_and_gitignore() {
    let ws = Workspace::new(
        "move",
        &[
            ("package.json", "{\"dependencies\":{\"next\":\"15.0.0\"}}"),
            (".gitignore", "node_modules\n"),
        ],
    );
    let mut client = start(&ws.0).await;
    let uri = ws.uri("app/api/pay/route.ts");
    let text =
        "import Stripe from \"stripe\";\nconst stripe = new Stripe(\"sk_live_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\");\n";
    open(&mut client, &uri, "typescript", text).await;
    let diagnostics = client.diagnostics(&uri).await;
    assert_eq!(rules(&diagnostics), ["hardcoded-secret"]);
    let actions = code_actions(&mut client, &uri, &diagnostics[0]).await;
    let unresolved = action(&actions, "Move this key to a server env var");
    assert!(
        unresolved.get("edit").is_none() || unresolved["edit"].is_null(),
        "the edit (with the value) is only made on resolve"
    );
    assert!(!unresolved.to_string().contains("u8jzPde0"));
    let resolved = client.request("codeAction/resolve", unresolved.clone()).await;
    let ops = resolved["edit"]["documentChanges"].as_array().unwrap();
    let edits_for = |target: &str| -> Vec<Value> {
        ops.iter()
            .filter(|op| op["textDocument"]["uri"] == target)
            .flat_map(|op| op["edits"].as_array().unwrap().clone())
            .collect()
    };
    let new_code = apply_edits(text, &edits_for(&uri), ColumnUnit::Utf16);
    assert!(
        new_code.contains("new Stripe(process.env.STRIPE_SECRET_KEY)"),
        "{new_code}"
    );
    assert!(
        ops.iter()
            .any(|op| op["kind"] == "create" && op["uri"] == ws.uri(".env.local"))
    );
    let env = apply_edits("", &edits_for(&ws.uri(".env.local")), ColumnUnit::Utf16);
    assert_eq!(env, "STRIPE_SECRET_KEY=sk_live_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\n");
    let gitignore = apply_edits("node_modules\n", &edits_for(&ws.uri(".gitignore")), ColumnUnit::Utf16);
    assert_eq!(gitignore, "node_modules\n.env.local\n");
    change(&mut client, &uri, 2, json!([{ "text": new_code }])).await;
    assert!(client.diagnostics(&uri).await.is_empty());
    client.finish().await;
}

#[tokio::test]
async fn security_check_action_and_command_return_the_report() {
    let ws = Workspace::new(
        "check",
        &[(
            "supabase/migrations/1.sql",
            "create table public.invoices (id uuid, user_id uuid);\n",
        )],
    );
    let mut client = start(&ws.0).await;
    let uri = ws.uri("app/signup/page.tsx");
    open(&mut client, &uri, "typescriptreact", SIGNUP_PAGE).await;
    let diagnostics = client.diagnostics(&uri).await;
    let actions = code_actions(&mut client, &uri, &diagnostics[0]).await;
    let check = action(&actions, "Run a quick security check?");
    assert_eq!(check["command"]["command"], "nudge.securityCheck");
    let started = std::time::Instant::now();
    let result = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "nudge.securityCheck", "arguments": [] }),
        )
        .await;
    let elapsed = started.elapsed();
    let markdown = result["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("## Sign-up and login") && markdown.contains("## Data access"),
        "{markdown}"
    );
    assert!(
        markdown.contains("app/signup/page.tsx:3") && markdown.contains("- [ ] "),
        "{markdown}"
    );
    // The migration was never opened: the index holds only its facts, so
    // the check analyses closed files itself.
    assert!(markdown.contains("supabase/migrations/1.sql:1"), "{markdown}");
    // The report the editor opens is a fresh owner-only file in a private
    // directory, never a fixed name in the shared temp directory.
    let opened = result["opened"].as_str().unwrap();
    let report_path = std::path::PathBuf::from(opened.strip_prefix("file://").unwrap());
    assert!(report_path.extension().is_some_and(|e| e == "md"), "{opened}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| p.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&report_path), 0o600, "{opened}");
        assert_eq!(mode(report_path.parent().unwrap()), 0o700, "{opened}");
        assert_eq!(std::fs::read_to_string(&report_path).unwrap(), markdown);
    }
    assert!(
        client
            .server_requests
            .iter()
            .any(|r| r["method"] == "window/showDocument")
    );
    // Not a benchmark: a sanity bound far above the real cost.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    client.finish().await;
}

#[tokio::test]
async fn cross_file_rls_clears_without_restart() {
    let ws = Workspace::new("rls", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("supabase/migrations/1_init.sql");
    open(
        &mut client,
        &uri,
        "sql",
        "create table public.invoices (id uuid, user_id uuid);\n",
    )
    .await;
    assert_eq!(rules(&client.diagnostics(&uri).await), ["table-without-rls"]);
    std::fs::create_dir_all(ws.path("supabase/migrations")).unwrap();
    std::fs::write(
        ws.path("supabase/migrations/2_rls.sql"),
        "alter table public.invoices enable row level security;\n",
    )
    .unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": ws.uri("supabase/migrations/2_rls.sql"), "type": 1 }] }),
        )
        .await;
    assert!(
        client.diagnostics(&uri).await.is_empty(),
        "RLS enabled in a new migration clears the nudge"
    );
    // And an open buffer that creates a table feeds another open file's
    // findings as the user types.
    let browser = ws.uri("components/List.tsx");
    open(
        &mut client,
        &browser,
        "typescriptreact",
        "\"use client\";\nexport const f = () => 1;\n",
    )
    .await;
    assert!(client.diagnostics(&browser).await.is_empty());
    client.finish().await;
}

#[tokio::test]
async fn config_and_rule_reload_and_broken_config() {
    let ws = Workspace::new("reload", &[]);
    let mut client = start(&ws.0).await;
    let uri = ws.uri("lib/net.ts");
    open(
        &mut client,
        &uri,
        "typescript",
        "export const load = () => fetch('http://api.internal/data');\n",
    )
    .await;
    assert!(client.diagnostics(&uri).await.is_empty());
    let rule = "id = \"plain-http\"\ncategory = \"other\"\nseverity = \"info\"\nlanguages = [\"js\"]\nquery = '''\n(string (string_fragment) @url (#match? @url \"^http://\")) @match\n'''\nmessage = \"`{{url}}` is plain http.\"\ndocs = \"Use https.\"\n";
    std::fs::create_dir_all(ws.path(".nudge/rules")).unwrap();
    std::fs::write(ws.path(".nudge/rules/plain-http.toml"), rule).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": ws.uri(".nudge/rules/plain-http.toml"), "type": 1 }] }),
        )
        .await;
    assert_eq!(rules(&client.diagnostics(&uri).await), ["plain-http"]);
    // A broken config: one message, a diagnostic on the file, last good settings kept.
    std::fs::write(ws.path(".nudge.toml"), "[rules]\n\"plain-http\" = \"loud\"\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": ws.uri(".nudge.toml"), "type": 1 }] }),
        )
        .await;
    let message = client.notification("window/showMessage").await;
    assert!(
        message["message"].as_str().unwrap().contains(".nudge.toml:2:"),
        "{message}"
    );
    let config_diagnostics = client.diagnostics(&ws.uri(".nudge.toml")).await;
    assert_eq!(config_diagnostics[0]["range"]["start"]["line"], 1);
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 40 } }),
        )
        .await;
    assert!(
        hover["contents"]["value"].as_str().unwrap().contains("plain-http"),
        "the last good settings stay: {hover}"
    );
    std::fs::write(ws.path(".nudge.toml"), "[rules]\n\"plain-http\" = \"off\"\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": ws.uri(".nudge.toml"), "type": 2 }] }),
        )
        .await;
    assert!(
        client.diagnostics(&ws.uri(".nudge.toml")).await.is_empty(),
        "the config diagnostic clears"
    );
    assert!(client.diagnostics(&uri).await.is_empty());
    client.finish().await;
}

#[tokio::test]
async fn client_settings_layer_over_project_config() {
    let ws = Workspace::new("settings", &[]);
    let (mut client, _) = start_with(
        &ws.0,
        &["utf-16"],
        false,
        0,
        json!({ "severity": { "signup-call": "warning" } }),
    )
    .await;
    let uri = ws.uri("app/signup/page.tsx");
    open(&mut client, &uri, "typescriptreact", SIGNUP_PAGE).await;
    assert_eq!(client.diagnostics(&uri).await[0]["severity"], 2);
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "nudge": { "severity": { "signup-flow": "off", "signup-call": "off" } } } }),
        )
        .await;
    assert!(client.diagnostics(&uri).await.is_empty());
    client.finish().await;
}

#[tokio::test]
async fn pull_diagnostics_when_the_client_asks() {
    let ws = Workspace::new("pull", &[]);
    let (mut client, _) = start_with(&ws.0, &["utf-16"], true, 0, Value::Null).await;
    let uri = ws.uri("components/Key.tsx");
    open(&mut client, &uri, "typescriptreact", SECRET_COMPONENT).await;
    let report = client
        .request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }))
        .await;
    assert_eq!(report["kind"], "full");
    assert_eq!(
        rules(report["items"].as_array().unwrap()),
        ["hardcoded-secret-in-client"]
    );
    change(&mut client, &uri, 2, json!([{ "text": "\"use client\";\n" }])).await;
    let report = client
        .request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }))
        .await;
    assert!(report["items"].as_array().unwrap().is_empty());
    client.drain_for(Duration::from_millis(200)).await;
    client.finish().await;
}

#[tokio::test]
async fn survives_unknown_methods_bad_positions_and_a_panicking_analysis() {
    // Safety: set once, before any server in this test reads it; other tests
    // never open a document containing the marker.
    unsafe { std::env::set_var("NUDGE_TEST_PANIC_MARKER", "__nudge_test_panic__") };
    let ws = Workspace::new("survive", &[]);
    let mut client = start(&ws.0).await;
    let unknown = client.request_raw("nudge/doesNotExist", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601);
    let uri = ws.uri("components/Key.tsx");
    open(&mut client, &uri, "typescriptreact", SECRET_COMPONENT).await;
    assert_eq!(client.diagnostics(&uri).await.len(), 1);
    let far = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 99999, "character": 99999 } }),
        )
        .await;
    assert!(far.is_null());
    change(&mut client, &uri, 2, json!([{ "range": { "start": { "line": 500, "character": 9 }, "end": { "line": 400, "character": 0 } }, "text": "// tail\n" }])).await;
    assert_eq!(
        client.diagnostics(&uri).await.len(),
        1,
        "clamped edit appended at the end"
    );
    let bad = ws.uri("components/Bad.tsx");
    open(
        &mut client,
        &bad,
        "typescriptreact",
        "\"use client\";\n// __nudge_test_panic__\n",
    )
    .await;
    assert!(
        client.diagnostics(&bad).await.is_empty(),
        "a panicking analysis yields no nudges for that document"
    );
    change(&mut client, &uri, 3, json!([{ "text": SIGNUP_PAGE }])).await;
    assert_eq!(
        rules(&client.diagnostics(&uri).await),
        ["signup-call"],
        "the server keeps serving"
    );
    client.finish().await;
}

/// Faults around an editor session: the file of an open document deleted,
/// renamed or replaced by something unreadable on disk, a FIFO, a symlink
/// loop and a dangling link in the tree, binary content and a huge line in
/// a buffer, versions going backwards. None of them stops the server or
/// loses the findings of another document.
#[tokio::test]
async fn faults_leave_the_server_and_other_findings_intact() {
    let ws = Workspace::new(
        "faults",
        &[
            ("components/Key.tsx", SECRET_COMPONENT),
            ("app/signup/page.tsx", SIGNUP_PAGE),
        ],
    );
    // Traps for anything that walks or reads the tree: a directory symlink
    // loop, a link to nowhere, and a FIFO (reading one blocks forever).
    std::os::unix::fs::symlink(&ws.0, ws.path("components/loop")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/nudge", ws.path("components/Gone.tsx")).unwrap();
    let fifo = ws.path("components/Pipe.tsx");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut client = start(&ws.0).await;
    let key = ws.uri("components/Key.tsx");
    let signup = ws.uri("app/signup/page.tsx");
    open(&mut client, &signup, "typescriptreact", SIGNUP_PAGE).await;
    assert_eq!(rules(&client.diagnostics(&signup).await), ["signup-call"]);
    open(&mut client, &key, "typescriptreact", SECRET_COMPONENT).await;
    assert_eq!(rules(&client.diagnostics(&key).await), ["hardcoded-secret-in-client"]);

    // Deleted on disk while open: the buffer is still what counts.
    std::fs::remove_file(ws.path("components/Key.tsx")).unwrap();
    let changed = |uri: &str, kind: u8| json!({ "changes": [{ "uri": uri, "type": kind }] });
    client.notify("workspace/didChangeWatchedFiles", changed(&key, 3)).await;
    change(
        &mut client,
        &key,
        2,
        json!([{ "text": format!("{SECRET_COMPONENT}// edited\n") }]),
    )
    .await;
    assert_eq!(rules(&client.diagnostics(&key).await), ["hardcoded-secret-in-client"]);

    // Renamed: editors close the old URI and open the new one.
    std::fs::write(ws.path("components/Renamed.tsx"), SECRET_COMPONENT).unwrap();
    client
        .notify("textDocument/didClose", json!({ "textDocument": { "uri": key } }))
        .await;
    assert!(client.diagnostics(&key).await.is_empty());
    let renamed = ws.uri("components/Renamed.tsx");
    client
        .notify("workspace/didChangeWatchedFiles", changed(&renamed, 1))
        .await;
    open(&mut client, &renamed, "typescriptreact", SECRET_COMPONENT).await;
    assert_eq!(
        rules(&client.diagnostics(&renamed).await),
        ["hardcoded-secret-in-client"]
    );

    // Watched-file events for the traps are read without hanging.
    for trap in ["components/Pipe.tsx", "components/Gone.tsx", "components/loop"] {
        client
            .notify("workspace/didChangeWatchedFiles", changed(&ws.uri(trap), 2))
            .await;
    }

    // Binary content and a minified line in buffers: one quiet notice each.
    let binary = ws.uri("components/Blob.tsx");
    open(&mut client, &binary, "typescriptreact", "\u{0}\u{1}\u{2}PNG\u{0}").await;
    let notice = client.diagnostics(&binary).await;
    assert_eq!(rules(&notice), ["nudge-skipped"]);
    assert_eq!(notice[0]["severity"], 4, "a hint, not a warning");
    assert!(notice[0]["message"].as_str().unwrap().contains("binary"), "{notice:?}");
    let bundle = ws.uri("components/bundle.js");
    let minified = format!("var a={};", "x".repeat(100 * 1024));
    open(&mut client, &bundle, "javascript", &minified).await;
    assert_eq!(rules(&client.diagnostics(&bundle).await), ["nudge-skipped"]);

    // Versions going backwards: the latest message wins, never a panic.
    change(&mut client, &renamed, 9, json!([{ "text": SIGNUP_PAGE }])).await;
    assert_eq!(rules(&client.diagnostics(&renamed).await), ["signup-call"]);
    change(&mut client, &renamed, 3, json!([{ "text": SECRET_COMPONENT }])).await;
    let (version, diagnostics) = client.diagnostics_with_version(&renamed).await;
    assert_eq!(version, Some(3));
    assert_eq!(rules(&diagnostics), ["hardcoded-secret-in-client"]);

    // And the document that never saw a fault still has its finding.
    change(&mut client, &signup, 2, json!([{ "text": format!("{SIGNUP_PAGE}\n") }])).await;
    assert_eq!(rules(&client.diagnostics(&signup).await), ["signup-call"]);
    client.finish().await;
}

/// A document that takes longer than its budget to parse gets one hint
/// saying so, and the server stays responsive for the others.
#[tokio::test]
async fn a_document_over_its_time_budget_gets_one_hint() {
    let ws = Workspace::new(
        "budget",
        &[(
            "gen/.nudge.toml",
            "[limits]\nmax_ms_per_file = 1\nmax_line_kib = 1024\n",
        )],
    );
    let mut client = start(&ws.0).await;
    let slow = ws.uri("gen/literals.tsx");
    let text = format!(
        "\"use client\";\nconst plans = [\n{}];\n",
        "  \"tier\", \"premium\", \"quota\", \"credit\", \"paid\",\n".repeat(20_000)
    );
    open(&mut client, &slow, "typescriptreact", &text).await;
    let notice = client.diagnostics(&slow).await;
    assert_eq!(rules(&notice), ["nudge-skipped"], "{notice:?}");
    let message = notice[0]["message"].as_str().unwrap();
    assert!(message.contains("took longer than 1 ms to parse"), "{message}");
    let key = ws.uri("components/Key.tsx");
    open(&mut client, &key, "typescriptreact", SECRET_COMPONENT).await;
    assert_eq!(rules(&client.diagnostics(&key).await), ["hardcoded-secret-in-client"]);
    client.finish().await;
}

#[tokio::test]
async fn try_it_for_real_proves_the_migrations_and_the_nudges_say_what_was_proven() {
    if nudge::pg::Binaries::find().is_err() {
        assert!(
            std::env::var_os("NUDGE_SKIP_PG").is_some(),
            "PostgreSQL is needed (NUDGE_SKIP_PG=1 skips)"
        );
        return;
    }
    let migration = "create table public.invoices (id uuid primary key default gen_random_uuid(), user_id uuid not null references auth.users, amount_cents int);\n\
create table public.notes (id uuid primary key default gen_random_uuid(), user_id uuid not null references auth.users, body text);\n\
alter table public.notes enable row level security;\n\
create policy \"own notes\" on public.notes for all using (auth.uid() = user_id) with check (auth.uid() = user_id);\n";
    let ws = Workspace::new(
        "prove",
        &[
            (
                "package.json",
                r#"{ "dependencies": { "@supabase/supabase-js": "^2.45.0" } }"#,
            ),
            ("supabase/migrations/20240101000000_init.sql", migration),
        ],
    );
    let mut client = start(&ws.0).await;
    let uri = ws.uri("supabase/migrations/20240101000000_init.sql");
    open(&mut client, &uri, "sql", migration).await;
    let before = client.diagnostics(&uri).await;
    let no_rls = before
        .iter()
        .find(|d| d["code"] == "table-without-rls")
        .expect("invoices has no row-level security");
    assert!(!no_rls["message"].as_str().unwrap().contains("Proven"));
    let actions = code_actions(&mut client, &uri, no_rls).await;
    let try_it = action(&actions, "Try it for real (a throwaway database)");
    assert_eq!(try_it["command"]["command"], "nudge.prove");
    let result = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "nudge.prove", "arguments": [{ "open": false }] }),
        )
        .await;
    let markdown = result["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("A visitor with your public key could read 2 of 2 rows"),
        "{markdown}"
    );
    assert!(markdown.contains("Visitors could not read `notes`"), "{markdown}");
    let after = client.diagnostics(&uri).await;
    let upgraded = after
        .iter()
        .find(|d| d["code"] == "table-without-rls")
        .expect("still nudged");
    assert!(
        upgraded["message"]
            .as_str()
            .unwrap()
            .contains("Proven: a visitor with your public key read 2 of 2 rows of `invoices`."),
        "{upgraded}"
    );
    // A comment changes nothing PostgreSQL would hold: the proof stands.
    change(
        &mut client,
        &uri,
        2,
        json!([{ "text": format!("{migration}-- reviewed\n") }]),
    )
    .await;
    let commented = client.diagnostics(&uri).await;
    let still = commented.iter().find(|d| d["code"] == "table-without-rls").unwrap();
    assert!(still["message"].as_str().unwrap().contains("Proven"), "{still}");
    // Changing the schema makes it stale: the message goes back.
    let changed = format!("{migration}create table public.tags (id int primary key, name text);\n");
    change(&mut client, &uri, 3, json!([{ "text": changed }])).await;
    let edited = client.diagnostics(&uri).await;
    let plain = edited
        .iter()
        .find(|d| d["code"] == "table-without-rls" && d["message"].as_str().unwrap().contains("`invoices`"))
        .unwrap();
    assert!(!plain["message"].as_str().unwrap().contains("Proven"), "{plain}");
    client.finish().await;
}
