//! The tool's own security: it never prints a secret's value in any output
//! (CLI formats, protocol messages, hovers, actions, the security check,
//! logs at the most verbose level), it works the same with no network, and
//! it writes nothing outside the workspace but its own temp report.

#[path = "lsp_client.rs"]
mod lsp_client;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lsp_client::{file_uri, nudge_lsp_command, spawn_server};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

/// Deterministic filler, so the corpus is the same every run and no value
/// in it was ever a real credential.
struct Rng(u64);

impl Rng {
    fn pick(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                chars[(self.0 % chars.len() as u64) as usize]
            })
            .collect()
    }
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

fn base64url(bytes: &[u8]) -> String {
    const TABLE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// One value per secret shape Nudge knows, realistic in form and entropy.
fn secrets_corpus() -> Vec<(&'static str, String)> {
    let mut r = Rng(0x5EC2_E75E_C2E7_5EC2);
    let jwt = |role: &str, r: &mut Rng| {
        let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = base64url(
            format!(
                r#"{{"iss":"supabase","ref":"{}","role":"{role}","iat":1700000000,"exp":2000000000}}"#,
                r.pick("abcdefghijklmnopqrst", 20)
            )
            .as_bytes(),
        );
        format!("{header}.{payload}.{}", r.pick(URLSAFE, 43))
    };
    vec![
        ("stripe", format!("sk_live_{}", r.pick(ALNUM, 32))),
        ("stripe-restricted", format!("rk_live_{}", r.pick(ALNUM, 40))),
        ("stripe-webhook", format!("whsec_{}", r.pick(ALNUM, 32))),
        (
            "openai",
            format!("sk-proj-{}T3BlbkFJ{}", r.pick(URLSAFE, 40), r.pick(URLSAFE, 40)),
        ),
        ("anthropic", format!("sk-ant-api03-{}AA", r.pick(URLSAFE, 93))),
        ("groq", format!("gsk_{}", r.pick(ALNUM, 52))),
        ("aws", format!("AKIA{}", r.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))),
        ("github", format!("ghp_{}", r.pick(ALNUM, 36))),
        ("gitlab", format!("glpat-{}", r.pick(URLSAFE, 20))),
        ("npm", format!("npm_{}", r.pick(ALNUM, 36))),
        (
            "slack",
            format!("xoxb-{}-{}", r.pick("0123456789", 12), r.pick(ALNUM, 24)),
        ),
        (
            "sendgrid",
            format!("SG.{}.{}", r.pick(URLSAFE, 22), r.pick(URLSAFE, 43)),
        ),
        ("resend", format!("re_{}_{}", r.pick(ALNUM, 10), r.pick(ALNUM, 20))),
        ("supabase-secret", format!("sb_secret_{}", r.pick(URLSAFE, 32))),
        (
            "huggingface",
            format!(
                "hf_{}",
                r.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)
            ),
        ),
        ("service-role-jwt", jwt("service_role", &mut r)),
        (
            "database-password",
            format!(
                "postgres://postgres:{}@db.example.supabase.co:5432/postgres",
                r.pick(ALNUM, 24)
            ),
        ),
    ]
}

/// The part of a secret that must never be printed: its middle half, so
/// the masked form (a short prefix and the last two characters) cannot
/// match by accident. For a database URL, the password.
fn sensitive_part(name: &str, value: &str) -> String {
    if name == "database-password" {
        let password = value.split(':').nth(2).unwrap().split('@').next().unwrap();
        return password.to_string();
    }
    value[value.len() / 4..value.len() * 3 / 4].to_string()
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A Next.js + Supabase app holding every secret in every place one ends
/// up: browser code, a server route, `.env.local`, a public env var.
fn secrets_app(name: &str, corpus: &[(&'static str, String)]) -> Scratch {
    let dir = std::env::temp_dir().join(format!("nudge-security-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(".git/HEAD", "ref: refs/heads/main\n");
    write(
        "package.json",
        r#"{ "dependencies": { "next": "14.2.0", "react": "18.3.0", "@supabase/supabase-js": "2.45.0" } }"#,
    );
    write(".gitignore", ".env.local\n");
    let mut env_local = String::new();
    let mut env_public = String::new();
    for (i, (name, value)) in corpus.iter().enumerate() {
        write(
            &format!("components/Key{i}.tsx"),
            &format!("\"use client\";\n// {name}\nexport const key = \"{value}\";\nconsole.log(\"key\", key);\n"),
        );
        write(
            &format!("app/api/r{i}/route.ts"),
            &format!(
                "const key = \"{value}\";\nexport async function GET() {{\n  console.log(key);\n  return Response.json({{ ok: true }});\n}}\n"
            ),
        );
        env_local.push_str(&format!("SECRET_{i}={value}\n"));
        env_public.push_str(&format!("NEXT_PUBLIC_SECRET_{i}={value}\n"));
    }
    write(".env.local", &env_local);
    write(".env", &env_public);
    Scratch(dir.canonicalize().unwrap())
}

fn nudge_in(dir: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nudge"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("NUDGE_LOG", "trace");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().expect("nudge runs")
}

/// Counts outputs checked; panics naming the output and the secret's kind.
struct LeakCheck<'a> {
    corpus: &'a [(&'static str, String)],
    checked: BTreeMap<&'static str, usize>,
}

impl LeakCheck<'_> {
    fn check(&mut self, what: &'static str, output: &str) {
        for (name, value) in self.corpus {
            let part = sensitive_part(name, value);
            assert!(!output.contains(&part), "{what} prints part of the {name} secret");
        }
        *self.checked.entry(what).or_default() += 1;
    }
}

#[tokio::test]
async fn no_output_ever_holds_a_secret_value() {
    let corpus = secrets_corpus();
    for (name, value) in &corpus {
        let found = nudge::engine::secrets::find_secret(value, Some("SECRET_KEY"))
            .or_else(|| nudge::engine::secrets::find_secret(&format!("const k = \"{value}\""), Some("key")));
        assert!(
            found.is_some() || *name == "service-role-jwt" || *name == "database-password",
            "the corpus's {name} value must look like one"
        );
    }
    let app = secrets_app("mask", &corpus);
    let mut leaks = LeakCheck {
        corpus: &corpus,
        checked: BTreeMap::new(),
    };
    let mut reported = 0;
    for format in ["text", "json", "sarif"] {
        let output = nudge_in(&app.0, &["check", "--format", format, "--verbose"], &[]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        if format == "json" {
            reported = serde_json::from_str::<Value>(&stdout)
                .unwrap()
                .as_array()
                .unwrap()
                .len();
        }
        leaks.check("nudge check stdout", &stdout);
        leaks.check("nudge check logs (trace)", &String::from_utf8_lossy(&output.stderr));
    }
    assert!(
        reported >= corpus.len() * 2,
        "the corpus is reported, not just quiet: {reported} findings"
    );

    // The language server, as an editor drives it, logging at trace.
    let mut command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    command.env("NUDGE_LOG", "trace");
    let (mut child, mut client) = spawn_server(command, Stdio::piped());
    let mut stderr = child.stderr.take().unwrap();
    let logs = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let init = client.initialize_folder(&app.0).await;
    leaks.check("initialize result", &init.to_string());
    let mut files: Vec<(String, &str)> = vec![(".env".into(), "dotenv"), (".env.local".into(), "dotenv")];
    for i in 0..corpus.len() {
        files.push((format!("components/Key{i}.tsx"), "typescriptreact"));
        files.push((format!("app/api/r{i}/route.ts"), "typescript"));
    }
    let mut diagnosed = 0;
    for (rel, language) in &files {
        let uri = file_uri(&app.0.join(rel));
        let text = std::fs::read_to_string(app.0.join(rel)).unwrap();
        client.open(&uri, language, &text).await;
        let diagnostics = client.diagnostics(&uri).await;
        leaks.check("publishDiagnostics", &Value::from(diagnostics.clone()).to_string());
        for diagnostic in &diagnostics {
            diagnosed += 1;
            let hover = client
                .request(
                    "textDocument/hover",
                    json!({ "textDocument": { "uri": uri }, "position": diagnostic["range"]["start"] }),
                )
                .await;
            leaks.check("hover", &hover.to_string());
            let actions = client
                .request(
                    "textDocument/codeAction",
                    json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
                )
                .await;
            // Offered actions carry no value; "Move this key" computes its
            // edit (which must write the value into .env.local) only when
            // the user picks it, through codeAction/resolve.
            leaks.check("code actions", &actions.to_string());
        }
    }
    assert!(diagnosed >= corpus.len() * 2, "diagnostics: {diagnosed}");
    let report = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "nudge.securityCheck", "arguments": [] }),
        )
        .await;
    leaks.check("security check report", &report.to_string());
    for request in &client.server_requests {
        leaks.check("server requests", &request.to_string());
    }
    client.drain_for(std::time::Duration::from_millis(300)).await;
    for message in client.unread() {
        leaks.check("other notifications", &message.to_string());
    }
    client.discard("textDocument/publishDiagnostics");
    client.discard("$/progress");
    client.finish().await;
    let _ = child.wait().await;
    leaks.check("language server logs (trace)", &logs.await.unwrap());
    let total: usize = leaks.checked.values().sum();
    eprintln!(
        "outputs checked for {} secrets: {total} {:?}",
        corpus.len(),
        leaks.checked
    );
    assert!(total > 100, "{total}");
}

/// The `unshare` arguments that give a new network namespace with no
/// interfaces here: as root directly, otherwise inside a user namespace.
fn unshare_args() -> &'static [&'static str] {
    for args in [&["--net"][..], &["--user", "--map-root-user", "--net"][..]] {
        let works = Command::new("unshare")
            .args(args)
            .arg("true")
            .status()
            .expect("unshare (util-linux) is installed")
            .success();
        if works {
            return args;
        }
    }
    panic!("cannot make a network namespace here (unshare failed both as root and in a user namespace)");
}

fn offline(program: &Path) -> Command {
    let mut command = Command::new("unshare");
    command.args(unshare_args()).arg(program);
    command
}

/// Diagnostics of two demo files from one language server session.
async fn lsp_session(command: tokio::process::Command, root: &Path) -> Vec<Value> {
    let (mut child, mut client) = spawn_server(command, Stdio::null());
    client.initialize_folder(root).await;
    let mut all = Vec::new();
    for (rel, language) in [
        ("components/PlanGate.tsx", "typescriptreact"),
        ("lib/ai.ts", "typescript"),
    ] {
        let uri = file_uri(&root.join(rel));
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        client.open(&uri, language, &text).await;
        all.extend(client.diagnostics(&uri).await);
    }
    client.drain_for(std::time::Duration::from_millis(200)).await;
    client.discard("textDocument/publishDiagnostics");
    client.discard("$/progress");
    client.finish().await;
    assert!(child.wait().await.unwrap().success());
    all
}

#[tokio::test]
async fn works_the_same_without_any_network() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_nudge"));
    // Proof the namespace has no way out: only a loopback device (down).
    let probe = offline(Path::new("cat")).arg("/proc/net/dev").output().unwrap();
    let interfaces: Vec<String> = String::from_utf8_lossy(&probe.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next().map(|n| n.trim().to_string()))
        .collect();
    assert_eq!(interfaces, ["lo"]);
    for format in ["json", "sarif", "text"] {
        let args = ["check", "tests/demo-app", "--format", format];
        let online = Command::new(bin)
            .args(args)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let without = offline(bin)
            .args(args)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(without.status.code(), online.status.code());
        assert_eq!(without.stdout, online.stdout, "{format} output differs without network");
        assert!(!online.stdout.is_empty());
    }
    let demo = root.join("tests/demo-app");
    let online = nudge_lsp_command(bin);
    let mut without = tokio::process::Command::new("unshare");
    without.args(unshare_args()).arg(bin).args(["lsp", "--stdio"]);
    let (a, b) = (lsp_session(online, &demo).await, lsp_session(without, &demo).await);
    assert!(a.len() >= 3, "{a:?}");
    assert_eq!(a, b, "the language server answers the same without network");
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

#[tokio::test]
async fn writes_nothing_but_its_own_report() {
    let corpus = secrets_corpus();
    let app = secrets_app("writes", &corpus[..3]);
    let home = Scratch(app.0.with_extension("home"));
    let tmp = Scratch(app.0.with_extension("tmp"));
    std::fs::create_dir_all(&home.0).unwrap();
    std::fs::create_dir_all(&tmp.0).unwrap();
    let before = snapshot(&app.0);
    let envs = [
        ("HOME", home.0.as_path()),
        ("TMPDIR", tmp.0.as_path()),
        ("XDG_CACHE_HOME", home.0.as_path()),
        ("XDG_CONFIG_HOME", home.0.as_path()),
        ("XDG_DATA_HOME", home.0.as_path()),
    ];
    for format in ["text", "json", "sarif"] {
        nudge_in(&app.0, &["check", "--format", format], &envs);
    }
    nudge_in(&app.0, &["rules", "--verify"], &envs);
    let mut command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    for (key, value) in &envs {
        command.env(key, value);
    }
    let (mut child, mut client) = spawn_server(command, Stdio::null());
    client.initialize_folder(&app.0).await;
    let uri = file_uri(&app.0.join("components/Key0.tsx"));
    let text = std::fs::read_to_string(app.0.join("components/Key0.tsx")).unwrap();
    client.open(&uri, "typescriptreact", &text).await;
    let diagnostics = client.diagnostics(&uri).await;
    for diagnostic in &diagnostics {
        let actions = client
            .request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
            )
            .await;
        for action in actions.as_array().unwrap() {
            // Resolving computes edits; the editor, not the server, applies them.
            client.request("codeAction/resolve", action.clone()).await;
        }
    }
    let report = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "nudge.securityCheck", "arguments": [] }),
        )
        .await;
    let opened = PathBuf::from(report["opened"].as_str().unwrap().strip_prefix("file://").unwrap());
    assert!(opened.starts_with(&tmp.0) && opened.exists(), "{opened:?}");
    client.drain_for(std::time::Duration::from_millis(300)).await;
    client.discard("textDocument/publishDiagnostics");
    client.discard("$/progress");
    client.finish().await;
    let _ = child.wait().await;
    assert_eq!(snapshot(&app.0), before, "the workspace is unchanged");
    assert!(
        snapshot(&home.0).is_empty(),
        "nothing in HOME: {:?}",
        snapshot(&home.0).keys()
    );
    let temp: Vec<PathBuf> = snapshot(&tmp.0).into_keys().collect();
    assert!(
        temp.is_empty() && std::fs::read_dir(&tmp.0).unwrap().next().is_none(),
        "its report (in a private directory) is removed when the server exits: {temp:?}"
    );
}
