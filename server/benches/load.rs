//! Load: many open documents edited in typing bursts at a steady rate, then
//! checks that the server kept up without growing and ended right.
//!
//! `cargo bench --bench load` runs the full load (500 documents, 100 edits
//! per second for 60 s); `cargo test --benches` runs a short one (40
//! documents for 4 s) so CI exercises the same code. It prints the edits
//! sent, the diagnostics published (fewer than edits: work coalesces),
//! resident memory over time, and fails if memory keeps growing or if any
//! document's final diagnostics differ from a fresh analysis of its text.

#[path = "support/memory.rs"]
mod memory;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nudge::engine::RuleSet;
use nudge::engine::source::LineIndex;
use nudge::lsp::{ServerOptions, serve};
use nudge::project::{SourceFile, build_workspace};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// The last diagnostics published per URI, with their version.
type Published = Arc<Mutex<HashMap<String, (i64, Vec<Value>)>>>;

fn resident_mib() -> f64 {
    memory::resident_bytes() as f64 / 1_048_576.0
}

/// A small deterministic generator: the same load every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// A client component; every third one checks a plan in the browser.
fn component(i: usize) -> String {
    let check = if i.is_multiple_of(3) {
        "  if (user.plan === \"pro\") {\n    return <Pro />;\n  }\n"
    } else {
        ""
    };
    let mut text = format!(
        "\"use client\";\nimport {{ useState }} from \"react\";\n\nexport function Card{i}({{ user }}: {{ user: {{ plan: string; name: string }} }}) {{\n  const [open, setOpen] = useState(false);\n{check}  return <div onClick={{() => setOpen(!open)}}>{{user.name}}</div>;\n}}\n"
    );
    for line in 0..40 {
        text.push_str(&format!("export const value{line} = {line} * 2; // filler\n"));
    }
    text
}

async fn send(writer: &mut (impl AsyncWriteExt + Unpin), message: Value) {
    let body = message.to_string();
    writer
        .write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
        .await
        .unwrap();
}

/// Reads every message the server sends, recording diagnostics.
async fn read_all(reader: impl tokio::io::AsyncRead + Unpin, published: Published, count: Arc<Mutex<usize>>) {
    let mut reader = BufReader::new(reader);
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await.unwrap();
        let message: Value = serde_json::from_slice(&body).unwrap();
        if message["id"] == 1 && message.get("result").is_some() {
            // The initialize response: the client may go on.
            *count.lock().unwrap() += 1;
        }
        if message["method"] == "textDocument/publishDiagnostics" {
            let params = &message["params"];
            let uri = params["uri"].as_str().unwrap().to_string();
            let version = params["version"].as_i64().unwrap_or(-1);
            let diagnostics = params["diagnostics"].as_array().cloned().unwrap_or_default();
            published.lock().unwrap().insert(uri, (version, diagnostics));
            *count.lock().unwrap() += 1;
        }
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (documents, seconds, edits_per_second) = if full { (500, 60, 100) } else { (40, 4, 100) };
    let dir = std::env::temp_dir().join(format!("nudge-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("components")).unwrap();
    let manifest = "{ \"dependencies\": { \"next\": \"14.2.0\", \"react\": \"18.3.0\" } }\n";
    std::fs::write(dir.join("package.json"), manifest).unwrap();
    let mut texts: Vec<Vec<String>> = Vec::new();
    let mut uris = Vec::new();
    for i in 0..documents {
        let text = component(i);
        let path = dir.join(format!("components/Card{i}.tsx"));
        std::fs::write(&path, &text).unwrap();
        uris.push(format!("file://{}", path.display()));
        texts.push(text.lines().map(str::to_string).collect());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let published: Published = Arc::default();
    let count = Arc::new(Mutex::new(0usize));
    let (samples, edits_sent) = runtime.block_on(async {
        let (client_side, server_side) = tokio::io::duplex(1 << 22);
        let (server_read, server_write) = tokio::io::split(server_side);
        // The editor default: analyses wait 200 ms for typing to pause.
        tokio::spawn(serve(server_read, server_write, ServerOptions { debounce_ms: 200 }));
        let (client_read, mut writer) = tokio::io::split(client_side);
        tokio::spawn(read_all(client_read, published.clone(), count.clone()));
        let root = format!("file://{}", dir.display());
        send(&mut writer, json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "processId": null, "capabilities": {}, "workspaceFolders": [{ "uri": root, "name": "load" }] } })).await;
        // As the protocol asks, nothing more until initialize is answered.
        while *count.lock().unwrap() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        *count.lock().unwrap() = 0;
        send(&mut writer, json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} })).await;
        for (uri, lines) in uris.iter().zip(&texts) {
            let text = lines.join("\n") + "\n";
            send(&mut writer, json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri, "languageId": "typescriptreact", "version": 1, "text": text } } })).await;
        }
        let opened = Instant::now();
        while published.lock().unwrap().len() < documents {
            assert!(opened.elapsed() < Duration::from_secs(120), "documents never all analysed: {} of {documents}", published.lock().unwrap().len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut samples = vec![(0.0, resident_mib())];
        let mut versions = vec![1i64; documents];
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let started = Instant::now();
        let interval = Duration::from_secs(1) / edits_per_second;
        let mut sent = 0usize;
        let mut next_sample = 1.0;
        // Typing bursts: a few characters into one line of one document,
        // sometimes erased again, then on to another document.
        while started.elapsed() < Duration::from_secs(seconds) {
            let doc = rng.below(documents);
            let line = 6 + rng.below(texts[doc].len() - 6);
            for _ in 0..1 + rng.below(8) {
                let column = texts[doc][line].len();
                let erase = column > 0 && rng.below(3) == 0 && texts[doc][line].ends_with('x');
                let (range, inserted) = if erase {
                    texts[doc][line].pop();
                    (json!({ "start": { "line": line, "character": column - 1 }, "end": { "line": line, "character": column } }), "")
                } else {
                    texts[doc][line].push('x');
                    (json!({ "start": { "line": line, "character": column }, "end": { "line": line, "character": column } }), "x")
                };
                versions[doc] += 1;
                send(&mut writer, json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": uris[doc], "version": versions[doc] }, "contentChanges": [{ "range": range, "text": inserted }] } })).await;
                sent += 1;
                let due = interval * sent as u32;
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
                let now = started.elapsed().as_secs_f64();
                if now >= next_sample {
                    samples.push((now, resident_mib()));
                    next_sample += 1.0;
                }
            }
        }
        // Quiet: every document's last version gets its diagnostics.
        let quiet = Instant::now();
        loop {
            let behind = {
                let map = published.lock().unwrap();
                uris.iter()
                    .zip(&versions)
                    .filter(|(uri, v)| map.get(*uri).map(|(p, _)| p) != Some(v))
                    .count()
            };
            if behind == 0 {
                break;
            }
            assert!(quiet.elapsed() < Duration::from_secs(60), "{behind} documents never caught up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        samples.push((started.elapsed().as_secs_f64(), resident_mib()));
        (samples, sent)
    });
    // A fresh analysis of every final text, as `nudge check` would do it.
    let mut files = vec![SourceFile {
        path: "package.json".to_string(),
        text: manifest.to_string(),
    }];
    for (i, lines) in texts.iter().enumerate() {
        files.push(SourceFile {
            path: format!("components/Card{i}.tsx"),
            text: lines.join("\n") + "\n",
        });
    }
    let fresh = build_workspace(files.clone(), RuleSet::builtin(), None).unwrap();
    let map = published.lock().unwrap();
    let mut compared = 0;
    for (i, uri) in uris.iter().enumerate() {
        let path = format!("components/Card{i}.tsx");
        let text = &files[i + 1].text;
        let index = LineIndex::new(text);
        let mut expected: Vec<(String, usize)> = fresh
            .workspace
            .findings(&path, &fresh.rules)
            .iter()
            .map(|f| (f.rule_id.clone(), index.line_of(f.span.start)))
            .collect();
        let mut got: Vec<(String, usize)> = map[uri]
            .1
            .iter()
            .map(|d| {
                let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
                (d["code"].as_str().unwrap().to_string(), line)
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{path}: final diagnostics differ from a fresh analysis");
        compared += expected.len();
    }
    let publishes = *count.lock().unwrap();
    let baseline = samples[0].1;
    let early_peak = samples
        .iter()
        .filter(|(t, _)| *t <= seconds as f64 * 0.25)
        .map(|s| s.1)
        .fold(baseline, f64::max);
    let peak = samples.iter().map(|s| s.1).fold(0.0, f64::max);
    let last = samples.last().unwrap().1;
    eprintln!(
        "load: {documents} documents, {edits_sent} edits in {seconds} s, {publishes} diagnostics published \
         ({:.2} per edit); resident {baseline:.0} MiB after opening, {early_peak:.0} MiB peak in the first quarter, \
         {peak:.0} MiB peak, {last:.0} MiB at the end; {compared} final diagnostics match a fresh analysis",
        publishes as f64 / edits_sent as f64
    );
    let series: Vec<String> = samples.iter().map(|(t, m)| format!("{t:.0}s:{m:.0}")).collect();
    eprintln!("load: resident MiB over time: {}", series.join(" "));
    assert!(compared > documents / 4, "too few findings compared: {compared}");
    assert!(
        peak <= early_peak * 1.25 + 16.0,
        "memory kept growing: {early_peak:.0} MiB early, {peak:.0} MiB peak"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
