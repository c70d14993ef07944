//! A small LSP client for tests: frames JSON-RPC over any byte streams,
//! answers the server's requests, and keeps every notification until a test
//! reads it. `finish` fails if any notification was left unread.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestClient<R, W> {
    reader: BufReader<R>,
    writer: W,
    next_id: i64,
    /// Notifications and server requests not yet read by the test.
    pending: VecDeque<Value>,
    /// Requests the server sent us (answered with `null`).
    pub server_requests: Vec<Value>,
    /// Responses that answer no request of ours (replies to bad frames).
    pub stray_responses: Vec<Value>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> TestClient<R, W> {
    pub fn new(reader: R, writer: W) -> Self {
        TestClient {
            reader: BufReader::new(reader),
            writer,
            next_id: 1,
            pending: VecDeque::new(),
            server_requests: Vec::new(),
            stray_responses: Vec::new(),
        }
    }

    pub async fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.writer.write_all(header.as_bytes()).await.unwrap();
        self.writer.write_all(&body).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    /// Sends raw bytes (for malformed-input tests).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    async fn read_raw(&mut self) -> Value {
        let mut length = None;
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(TIMEOUT, self.reader.read_line(&mut line))
                .await
                .expect("timed out waiting for the server")
                .expect("read from server");
            assert!(read > 0, "server closed the stream");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = Some(value.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.expect("Content-Length header")];
        self.reader.read_exact(&mut body).await.unwrap();
        let value: Value = serde_json::from_slice(&body).unwrap();
        if std::env::var_os("LSP_TRACE").is_some() {
            eprintln!("<- {value}");
        }
        value
    }

    /// Reads one message; server requests are answered and also queued.
    async fn read_message(&mut self) -> Value {
        let message = self.read_raw().await;
        if message.get("method").is_some() && message.get("id").is_some() {
            self.answer(&message).await;
        }
        message
    }

    /// Answers a server request the way a willing editor would.
    async fn answer(&mut self, request: &Value) {
        self.server_requests.push(request.clone());
        let result = match request["method"].as_str() {
            Some("window/showDocument") => json!({ "success": true }),
            Some("workspace/applyEdit") => json!({ "applied": true }),
            _ => Value::Null,
        };
        self.send(json!({ "jsonrpc": "2.0", "id": request["id"].clone(), "result": result }))
            .await;
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .await;
    }

    /// Sends a request and returns its response (result or error object).
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        loop {
            let message = self.read_message().await;
            if message.get("method").is_none() && message["id"] == json!(id) {
                return message;
            }
            if message.get("method").is_some() && message.get("id").is_none() {
                self.pending.push_back(message);
            } else if message.get("method").is_none() {
                self.stray_responses.push(message);
            }
        }
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The next notification with this method (others stay queued).
    pub async fn notification(&mut self, method: &str) -> Value {
        self.notification_where(method, |_| true).await
    }

    pub async fn notification_where(&mut self, method: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self
            .pending
            .iter()
            .position(|m| m["method"] == method && matches(&m["params"]))
        {
            return self.pending.remove(index).unwrap()["params"].clone();
        }
        loop {
            let message = self.read_message().await;
            if message.get("id").is_some() {
                continue;
            }
            if message["method"] == method && matches(&message["params"]) {
                return message["params"].clone();
            }
            self.pending.push_back(message);
        }
    }

    /// The next `publishDiagnostics` for `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let params = self
            .notification_where("textDocument/publishDiagnostics", |p| p["uri"] == uri)
            .await;
        params["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// The next `publishDiagnostics` for `uri`, with its version.
    pub async fn diagnostics_with_version(&mut self, uri: &str) -> (Option<i64>, Vec<Value>) {
        let params = self
            .notification_where("textDocument/publishDiagnostics", |p| p["uri"] == uri)
            .await;
        (
            params["version"].as_i64(),
            params["diagnostics"].as_array().cloned().unwrap_or_default(),
        )
    }

    /// Drops queued notifications of one method (progress, log lines).
    pub fn discard(&mut self, method: &str) {
        self.pending.retain(|m| m["method"] != method);
    }

    /// Reads whatever arrives within `wait` into the queue.
    pub async fn drain_for(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            if remaining.is_zero() {
                return;
            }
            // Only the wait for a frame to begin may time out: cancelling
            // `read_raw` halfway through a frame would lose its header.
            let ready = match tokio::time::timeout(remaining, self.reader.fill_buf()).await {
                Ok(Ok(buffered)) => !buffered.is_empty(),
                _ => false,
            };
            if !ready {
                return;
            }
            let message = self.read_raw().await;
            if message.get("method").is_some() && message.get("id").is_some() {
                self.answer(&message).await;
            } else if message.get("method").is_some() {
                self.pending.push_back(message);
            } else {
                self.stray_responses.push(message);
            }
        }
    }

    pub fn unread(&self) -> Vec<Value> {
        self.pending.iter().cloned().collect()
    }

    /// Shuts the server down; fails if a notification went unread.
    pub async fn finish(mut self) {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
        self.discard("$/progress");
        self.discard("window/logMessage");
        let unread = self.unread();
        assert!(unread.is_empty(), "notifications left unread: {unread:#?}");
    }
}

/// A client of a server running as a child process.
pub type ProcessClient = TestClient<tokio::process::ChildStdout, tokio::process::ChildStdin>;

/// Spawns `command` (a `nudge lsp --stdio`, possibly wrapped) with piped
/// stdio, killed on drop, and a client on its pipes. Stderr goes where
/// `stderr` says; a piped one is left on the child for the caller.
pub fn spawn_server(
    mut command: tokio::process::Command,
    stderr: std::process::Stdio,
) -> (tokio::process::Child, ProcessClient) {
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .expect("the language server starts");
    let client = TestClient::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    (child, client)
}

/// `nudge lsp --stdio` of this build.
pub fn nudge_lsp_command(program: &std::path::Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    command.args(["lsp", "--stdio"]);
    command
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> TestClient<R, W> {
    /// `initialize` with one workspace folder (UTF-16, push diagnostics),
    /// then `initialized`; returns the initialize result.
    pub async fn initialize_folder(&mut self, root: &std::path::Path) -> Value {
        let result = self
            .request(
                "initialize",
                json!({ "processId": null, "capabilities": capabilities(&["utf-16"], false), "workspaceFolders": [{ "uri": file_uri(root), "name": "test" }] }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    /// Opens a document with its text, version 1.
    pub async fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        )
        .await;
    }
}

/// Client capabilities for tests; `encodings` as offered.
pub fn capabilities(encodings: &[&str], pull: bool) -> Value {
    let mut caps = json!({
        "general": { "positionEncodings": encodings },
        "window": { "workDoneProgress": true, "showDocument": { "support": true } },
        "workspace": {
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] },
            "configuration": true
        },
        "textDocument": { "hover": { "contentFormat": ["markdown"] }, "codeAction": {} }
    });
    if pull {
        caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    }
    caps
}

/// `file://` URI of a path.
pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display()).replace(' ', "%20")
}
