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

/// One kind of secret: its value and a line of code that holds it the way
/// real code does (for provider formats, a plain constant; for secrets that
/// no prefix gives away, the name or call that makes them secret).
struct Kind {
    name: &'static str,
    value: String,
    code: String,
}

/// Thirty-five kinds of secrets, realistic in form and entropy: every
/// provider shape Nudge knows, and secrets without a provider prefix (JWT
/// signing secrets, AWS secret keys, passwords in URLs and headers, values
/// of secret-named variables).
fn secrets_corpus() -> Vec<Kind> {
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
    let constant = |name: &'static str, value: String| Kind {
        name,
        code: format!("export const key = \"{value}\";"),
        value,
    };
    let within = |name: &'static str, value: String, code: &str| Kind {
        name,
        code: code.replace("{v}", &value),
        value,
    };
    const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const HEX: &str = "0123456789abcdef";
    vec![
        constant("stripe", format!("sk_live_{}", r.pick(ALNUM, 32))),
        constant("stripe-test", format!("sk_test_{}", r.pick(ALNUM, 32))),
        constant("stripe-restricted", format!("rk_live_{}", r.pick(ALNUM, 40))),
        constant("stripe-webhook", format!("whsec_{}", r.pick(ALNUM, 32))),
        constant(
            "openai",
            format!("sk-proj-{}T3BlbkFJ{}", r.pick(URLSAFE, 40), r.pick(URLSAFE, 40)),
        ),
        constant(
            "openai-legacy",
            format!("sk-{}T3BlbkFJ{}", r.pick(ALNUM, 20), r.pick(ALNUM, 20)),
        ),
        constant("anthropic", format!("sk-ant-api03-{}AA", r.pick(URLSAFE, 93))),
        constant("anthropic-admin", format!("sk-ant-admin01-{}AA", r.pick(URLSAFE, 93))),
        constant("groq", format!("gsk_{}", r.pick(ALNUM, 52))),
        constant("perplexity", format!("pplx-{}", r.pick(ALNUM, 48))),
        constant("replicate", format!("r8_{}", r.pick(ALNUM, 37))),
        constant("aws", format!("AKIA{}", r.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))),
        within(
            "google",
            format!("AIza{}", r.pick(URLSAFE, 35)),
            "export const GEOCODER_KEY = \"{v}\";",
        ),
        constant("github", format!("ghp_{}", r.pick(ALNUM, 36))),
        constant(
            "github-fine-grained",
            format!(
                "github_pat_{}",
                r.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", 82)
            ),
        ),
        constant("gitlab", format!("glpat-{}", r.pick(URLSAFE, 20))),
        constant("npm", format!("npm_{}", r.pick(ALNUM, 36))),
        constant(
            "slack",
            format!("xoxb-{}-{}", r.pick("0123456789", 12), r.pick(ALNUM, 24)),
        ),
        constant(
            "slack-app",
            format!("xapp-1-{}-{}", r.pick("ABCDEFGHIJ0123456789", 11), r.pick(ALNUM, 24)),
        ),
        constant(
            "slack-webhook",
            format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                r.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8),
                r.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10),
                r.pick(ALNUM, 24)
            ),
        ),
        constant(
            "sendgrid",
            format!("SG.{}.{}", r.pick(URLSAFE, 22), r.pick(URLSAFE, 43)),
        ),
        constant("twilio", format!("SK{}", r.pick(HEX, 32))),
        constant("resend", format!("re_{}_{}", r.pick(ALNUM, 10), r.pick(ALNUM, 20))),
        constant("supabase-secret", format!("sb_secret_{}", r.pick(URLSAFE, 32))),
        constant(
            "huggingface",
            format!(
                "hf_{}",
                r.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)
            ),
        ),
        constant("service-role-jwt", jwt("service_role", &mut r)),
        constant(
            "database-password",
            format!(
                "postgres://postgres:{}@db.example.supabase.co:5432/postgres",
                r.pick(ALNUM, 24)
            ),
        ),
        // No provider prefix: secret because of where they stand.
        within(
            "jwt-signing-secret",
            r.pick(ALNUM, 24),
            "export const token = (id) => jwt.sign({ sub: id }, \"{v}\");",
        ),
        within(
            "aws-secret-access-key",
            r.pick(B64, 40),
            "export const aws_secret_access_key = \"{v}\";",
        ),
        within(
            "password-in-url",
            format!("https://admin:{}@api.example.com/v1", r.pick(ALNUM, 18)),
            "export const endpoint = \"{v}\";",
        ),
        within(
            "session-secret",
            r.pick(ALNUM, 20),
            "app.use(session({ secret: \"{v}\", resave: false }));",
        ),
        within(
            "bearer-header",
            r.pick(URLSAFE, 32),
            "fetch(url, { headers: { Authorization: \"Bearer {v}\" } });",
        ),
        within(
            "hmac-key",
            r.pick(ALNUM, 28),
            "export const sign = (b) => crypto.createHmac(\"sha256\", \"{v}\").update(b).digest(\"hex\");",
        ),
        within(
            "password-variable",
            r.pick(ALNUM, 16),
            "export const dbPassword = \"{v}\";",
        ),
        within(
            "private-key",
            format!(
                "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----",
                r.pick(B64, 128)
            ),
            "export const pem = \"{v}\";",
        ),
    ]
}

/// The part of a secret that must never be printed: its middle half, so
/// the masked form (a short prefix and the last two characters) cannot
/// match by accident. For a URL with a password, the password.
fn sensitive_part(kind: &Kind) -> String {
    let value = &kind.value;
    if kind.name == "database-password" || kind.name == "password-in-url" {
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
/// up: browser code, a server route, `.env.local`, a public env var. Two
/// more files put secrets where a rule's fix would quote them (a string
/// timer, cookie options), so fix edits are checked too.
fn secrets_app(name: &str, corpus: &[Kind]) -> Scratch {
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
        r#"{ "dependencies": { "next": "14.2.0", "react": "18.3.0", "@supabase/supabase-js": "2.45.0", "express": "4.19.0" } }"#,
    );
    write(".gitignore", ".env.local\n");
    let mut env_local = String::new();
    let mut env_public = String::new();
    let mut in_fixes = String::from("\"use client\";\n");
    for (i, kind) in corpus.iter().enumerate() {
        write(
            &format!("components/Key{i}.tsx"),
            &format!(
                "\"use client\";\n// {}\n{}\nconsole.log(\"key\", key);\n",
                kind.name, kind.code
            ),
        );
        write(
            &format!("app/api/r{i}/route.ts"),
            &format!(
                "{}\nexport async function GET() {{\n  console.log(key);\n  return Response.json({{ ok: true }});\n}}\n",
                kind.code
            ),
        );
        let one_line = kind.value.replace("\\n", "");
        env_local.push_str(&format!("SECRET_{i}={one_line}\n"));
        env_public.push_str(&format!("NEXT_PUBLIC_SECRET_{i}={one_line}\n"));
        if i < 5 {
            in_fixes.push_str(&format!("setTimeout(\"fetch('/api?k={}')\", 10);\n", kind.value));
            in_fixes.push_str(&format!(
                "document.cookie; res.cookie(\"session\", t, {{ domain: \"{}\" }});\n",
                kind.value
            ));
        }
    }
    write(".env.local", &env_local);
    write(".env", &env_public);
    write("components/InFixes.tsx", &in_fixes);
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
    corpus: &'a [Kind],
    checked: BTreeMap<&'static str, usize>,
}

impl LeakCheck<'_> {
    fn check(&mut self, what: &'static str, output: &str) {
        for kind in self.corpus {
            let part = sensitive_part(kind);
            assert!(
                !output.contains(&part),
                "{what} prints part of the {} secret",
                kind.name
            );
        }
        *self.checked.entry(what).or_default() += 1;
    }
}

#[tokio::test]
async fn no_output_ever_holds_a_secret_value() {
    let corpus = secrets_corpus();
    assert!(corpus.len() >= 30, "{} kinds", corpus.len());
    for kind in &corpus {
        // Every value is one that output must hide where it stands.
        let hidden = nudge::engine::secrets::sensitive_spans(&kind.code);
        assert!(
            hidden
                .iter()
                .any(|s| kind.code[s.start..s.end].contains(&sensitive_part(kind))),
            "the corpus's {} value is recognised in `{}`",
            kind.name,
            kind.code
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

    // The language server, as an editor drives it, logging at trace. One
    // document makes its analysis panic: the panic report goes to the log.
    let mut command = nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge")));
    command
        .env("NUDGE_LOG", "trace")
        .env("NUDGE_TEST_PANIC_MARKER", "PANIC-MARKER");
    let all_code: String = corpus.iter().map(|k| format!("{}\n", k.code)).collect();
    std::fs::write(
        app.0.join("components/Panic.tsx"),
        format!("// PANIC-MARKER\n{all_code}"),
    )
    .unwrap();
    let (mut child, mut client) = spawn_server(command, Stdio::piped());
    let mut stderr = child.stderr.take().unwrap();
    let logs = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let init = client.initialize_folder(&app.0).await;
    leaks.check("initialize result", &init.to_string());
    let mut files: Vec<(String, &str)> = vec![
        (".env".into(), "dotenv"),
        (".env.local".into(), "dotenv"),
        ("components/InFixes.tsx".into(), "typescriptreact"),
        ("components/Panic.tsx".into(), "typescriptreact"),
    ];
    let mut fixes_resolved = 0;
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
            // Offered actions carry no value: a fix whose edit would quote
            // a secret, and "Move this key" (which must write the value into
            // .env.local), are computed only when the user picks them,
            // through codeAction/resolve.
            leaks.check("code actions and their fix edits", &actions.to_string());
            for action in actions.as_array().into_iter().flatten() {
                if action["data"]["action"] == "rule-fix" {
                    let resolved = client.request("codeAction/resolve", action.clone()).await;
                    assert!(
                        resolved["edit"].is_object(),
                        "a withheld fix still resolves: {}",
                        action["title"]
                    );
                    fixes_resolved += 1;
                }
            }
        }
    }
    assert!(
        fixes_resolved >= 5,
        "fixes that would quote a secret are offered on resolve: {fixes_resolved}"
    );
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
    let logs = logs.await.unwrap();
    assert!(logs.contains("internal error"), "the injected panic was reported");
    leaks.check("language server logs and panic reports (trace)", &logs);

    // Configuration errors, in the CLI and in the editor, with the secret
    // pasted where a rule id, a level or a key belongs.
    for kind in &corpus {
        let value = kind.value.replace('\\', "\\\\").replace('"', "\\\"");
        for config in [
            format!("[rules]\n\"{value}\" = \"off\"\n"),
            format!("[rules]\n\"signup-call\" = \"{value}\"\n"),
            format!("key = \"{value}\"\n"),
        ] {
            std::fs::write(app.0.join(".nudge.toml"), &config).unwrap();
            let output = nudge_in(&app.0, &["check"], &[]);
            assert_eq!(output.status.code(), Some(2), "{config}");
            leaks.check("configuration errors (CLI)", &String::from_utf8_lossy(&output.stderr));
        }
    }
    let (mut child, mut client) =
        spawn_server(nudge_lsp_command(Path::new(env!("CARGO_BIN_EXE_nudge"))), Stdio::null());
    client.initialize_folder(&app.0).await;
    let warning = client.notification("window/showMessage").await;
    leaks.check("configuration errors (editor message)", &warning.to_string());
    let on_file = client.notification("textDocument/publishDiagnostics").await;
    assert!(on_file["uri"].as_str().unwrap().ends_with(".nudge.toml"), "{on_file}");
    leaks.check("configuration errors (editor diagnostic)", &on_file.to_string());
    client.drain_for(std::time::Duration::from_millis(200)).await;
    client.discard("$/progress");
    client.finish().await;
    let _ = child.wait().await;
    std::fs::remove_file(app.0.join(".nudge.toml")).unwrap();
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
    // `nudge prove` needs no network either: its cluster listens only on a
    // unix socket in its own directory.
    if nudge::pg::Binaries::find().is_ok() {
        let proof = |mut command: Command| {
            let out = command
                .args(["prove", "tests/demo-app", "--format", "json"])
                .current_dir(&root)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            let mut report: Value = serde_json::from_slice(&out.stdout).unwrap();
            report.as_object_mut().unwrap().remove("seconds");
            report
        };
        let online = proof(Command::new(bin));
        let without = proof(offline(bin));
        assert!(online["databases"][0]["results"].as_array().unwrap().len() > 10);
        assert_eq!(online, without, "nudge prove proves the same without network");
    }
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
