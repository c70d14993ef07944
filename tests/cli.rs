//! `nudge` as CI pipelines run it: the JSON contract, SARIF, exit codes,
//! configuration and rule errors, and that no secret is ever printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

fn nudge(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nudge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("nudge runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn json_findings(dir: &Path, args: &[&str]) -> (Vec<Value>, Output) {
    let output = nudge(dir, args);
    let parsed: Value =
        serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("JSON output ({e}): {}", stdout(&output)));
    (parsed.as_array().expect("a JSON array").clone(), output)
}

const CONTRACT_CATEGORIES: &[&str] = &[
    "secret-in-client",
    "secret-hardcoded",
    "client-side-entitlement",
    "client-side-auth",
    "unauthenticated-cost",
    "idor",
    "webhook-unverified",
    "signup-flow",
    "user-data",
    "rls-missing",
    "rls-permissive",
    "rls-no-policy",
    "public-bucket",
    "security-definer",
    "sql-injection",
    "xss-sink",
    "code-eval",
    "jwt-misuse",
    "insecure-cookie",
    "cors-wildcard",
    "weak-random",
    "open-redirect",
    "log-sensitive",
    "other",
];

const CONTRACT_FIELDS: &[&str] = &[
    "rule",
    "category",
    "severity",
    "message",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
];

/// A scratch directory with the given files, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, &[u8])]) -> Scratch {
        let dir = std::env::temp_dir().join(format!("nudge-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, content) in files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, content).unwrap();
        }
        // A `.git` marker keeps configuration discovery inside the scratch dir.
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn json_on_the_demo_app_follows_the_contract() {
    let (findings, output) = json_findings(&repo_root(), &["check", "tests/demo-app", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(findings.len() >= 5, "{findings:#?}");
    for finding in &findings {
        let object = finding.as_object().expect("objects");
        for field in CONTRACT_FIELDS {
            assert!(object.contains_key(*field), "missing `{field}` in {finding}");
        }
        assert!(
            CONTRACT_CATEGORIES.contains(&object["category"].as_str().unwrap()),
            "{finding}"
        );
        assert!(["hint", "info", "warning", "error"].contains(&object["severity"].as_str().unwrap()));
        let path = object["path"].as_str().unwrap();
        assert!(path.starts_with("tests/demo-app/") && !path.contains('\\'), "{path}");
        for number in ["line", "column", "end_line", "end_column"] {
            assert!(
                object[number].as_u64().unwrap() >= 1,
                "{number} is 1-based in {finding}"
            );
        }
        assert!(!object["message"].as_str().unwrap().contains('\n'));
    }
    let keys: Vec<(String, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by path, line, column");
    let categories: Vec<&str> = findings.iter().map(|f| f["category"].as_str().unwrap()).collect();
    for required in [
        "secret-in-client",
        "client-side-entitlement",
        "signup-flow",
        "rls-missing",
        "rls-permissive",
    ] {
        assert!(
            categories.contains(&required),
            "demo app shows {required}: {categories:?}"
        );
    }
}

#[test]
fn paths_are_relative_to_the_current_directory() {
    let demo = repo_root().join("tests/demo-app");
    let (findings, _) = json_findings(&demo, &["check", "--format", "json"]);
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == "supabase/migrations/20240501120000_init.sql"),
        "{findings:#?}"
    );
    let (from_migrations, _) = json_findings(&demo.join("supabase"), &["check", "..", "--format", "json"]);
    assert!(
        from_migrations
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("../")),
        "{from_migrations:#?}"
    );
}

#[test]
fn columns_count_unicode_scalar_values() {
    let dir = Scratch::new(
        "columns",
        &[(
            "app/Widget.tsx",
            "\"use client\";\nconst s = \"😀é\"; const k = \"sk_live_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\";\n".as_bytes(),
        )],
    );
    let (findings, _) = json_findings(&dir.0, &["check", "--format", "json"]);
    let finding = findings
        .iter()
        .find(|f| f["rule"] == "hardcoded-secret-in-client")
        .expect("secret found");
    // `const s = "😀é"; const k = "` is 27 characters before the key.
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(2), Some(28))
    );
    assert_eq!(finding["end_column"].as_u64(), Some(28 + 40));
}

#[test]
fn fail_on_category_and_rule_filters() {
    let root = repo_root();
    let warning = nudge(
        &root,
        &["check", "tests/demo-app", "--format", "json", "--fail-on", "warning"],
    );
    assert_eq!(warning.status.code(), Some(1), "the demo app has warnings");
    let error = nudge(
        &root,
        &["check", "tests/demo-app", "--format", "json", "--fail-on", "error"],
    );
    assert_eq!(error.status.code(), Some(0), "nothing reaches error by default");
    let (rls, _) = json_findings(
        &root,
        &[
            "check",
            "tests/demo-app",
            "--format",
            "json",
            "--category",
            "rls-missing",
        ],
    );
    assert!(!rls.is_empty() && rls.iter().all(|f| f["category"] == "rls-missing"));
    let (one_rule, _) = json_findings(
        &root,
        &["check", "tests/demo-app", "--format", "json", "--rule", "signup-call"],
    );
    assert_eq!(one_rule.len(), 1);
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let root = repo_root();
    for args in [
        &["check", "tests/demo-app", "--category", "secrets"][..],
        &["check", "tests/demo-app", "--fail-on", "loud"],
        &["check", "tests/demo-app", "--rule", "no-such-rule"],
        &["check", "does/not/exist"],
        &["explain", "no-such-rule"],
    ] {
        let output = nudge(&root, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr(&output);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("nudge: "), "{err}");
        assert!(stdout(&output).is_empty());
    }
}

#[test]
fn broken_config_is_a_one_line_error_naming_file_and_line() {
    let dir = Scratch::new(
        "badconfig",
        &[
            (".nudge.toml", b"[rules]\n\"signup-call\" = \"off\"\n[colours]\nx = 1\n"),
            ("a.ts", b"x"),
        ],
    );
    let output = nudge(&dir.0, &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(".nudge.toml:3:"), "{err}");
    let dir = Scratch::new(
        "badlevel",
        &[
            (".nudge.toml", b"[rules]\n\"signup-call\" = \"loud\"\n"),
            ("a.ts", b"x"),
        ],
    );
    let err = stderr(&nudge(&dir.0, &["check"]));
    assert!(err.contains(".nudge.toml:2:") && err.contains("loud"), "{err}");
    let dir = Scratch::new(
        "unknownrule",
        &[(".nudge.toml", b"[rules]\n\"sign-up\" = \"off\"\n"), ("a.ts", b"x")],
    );
    let output = nudge(&dir.0, &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown rule `sign-up`"));
}

const SIGNUP: &[u8] = b"\"use client\";\nexport const go = () => supabase.auth.signUp({ email, password });\n";

#[test]
fn config_overrides_severity_turns_rules_off_and_excludes_paths() {
    let dir = Scratch::new(
        "config",
        &[
            (".nudge.toml", b"[rules]\n\"signup-call\" = \"warning\"\n[categories]\n\"rls-missing\" = \"off\"\n[paths]\nexclude = [\"legacy/**\"]\n"),
            ("app/signup.tsx", SIGNUP),
            ("legacy/old.tsx", SIGNUP),
            ("supabase/migrations/1.sql", b"create table t (id int);\n"),
        ],
    );
    let (findings, _) = json_findings(&dir.0, &["check", "--format", "json"]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["path"], "app/signup.tsx");
    assert_eq!(findings[0]["severity"], "warning");
}

#[test]
fn config_adds_public_prefixes_and_exposed_schemas() {
    let files: &[(&str, &[u8])] = &[
        (".env", b"MY_PUBLIC_OPENAI_API_KEY=abc\nOPENAI_API_KEY=abc\n"),
        (
            "supabase/migrations/1.sql",
            b"create schema api;\ngrant usage on schema api to anon, authenticated;\ncreate table api.orders (id int);\ngrant select on all tables in schema api to anon, authenticated;\ncreate table public.posts (id int);\n",
        ),
    ];
    let bare = Scratch::new("noconfig", files);
    let (findings, _) = json_findings(&bare.0, &["check", "--format", "json"]);
    let rules: Vec<(&str, u64)> = findings
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [("table-without-rls", 5)],
        "defaults: only `public` is exposed, MY_PUBLIC_ is not a public prefix"
    );
    let mut with_config = files.to_vec();
    with_config.push((
        ".nudge.toml",
        b"[env]\npublic_prefixes = [\"MY_PUBLIC_\"]\n[sql]\nexposed_schemas = [\"api\"]\n",
    ));
    let configured = Scratch::new("withconfig", &with_config);
    let (findings, _) = json_findings(&configured.0, &["check", "--format", "json"]);
    let rules: Vec<(&str, &str, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            (".env", "public-env-secret", 1),
            ("supabase/migrations/1.sql", "table-without-rls", 3)
        ]
    );
}

/// Rules from a cloned repository's `.nudge/rules/` are data: a rule that
/// matches every node of a large file, regexes that would backtrack or
/// explode elsewhere, an oversized query and one asking to run a command
/// cost bounded time, and the built-in findings still arrive.
#[test]
fn hostile_user_rules_cost_bounded_time_and_run_nothing() {
    let rule = |id: &str, body: &str| {
        format!(
            "id = \"{id}\"\ncategory = \"other\"\nseverity = \"info\"\nlanguages = [\"js\"]\n{body}\nmessage = \"m\"\ndocs = \"d\"\n"
        )
    };
    let everything = rule("everything", "query = '(_) @match'");
    let backtracking = rule(
        "backtracking",
        "query = '(string) @match'\nwhere = [\"matches(@match, '^(a+)+$')\", \"file-matches('(x+x+)+y')\"]",
    );
    let huge_regex = rule(
        "huge-regex",
        "query = '(string) @match'\nwhere = [\"matches(@match, 'a{1000}{1000}')\"]",
    );
    let oversized = rule(
        "oversized",
        &format!(
            "query = \"\"\"\n{}(string) @match\n\"\"\"",
            "[(identifier) (string)] @a\n".repeat(1_000)
        ),
    );
    let command = rule(
        "command",
        "query = '(string) @match'\ncommand = \"touch /tmp/nudge-pwned\"",
    );
    let big = format!(
        "\"use client\";\n{}",
        "export const a = [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\", b, c, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"];\n"
            .repeat(8_000)
    );
    let dir = Scratch::new(
        "hostile",
        &[
            (".nudge/rules/everything.toml", everything.as_bytes()),
            (".nudge/rules/backtracking.toml", backtracking.as_bytes()),
            (".nudge/rules/huge-regex.toml", huge_regex.as_bytes()),
            (".nudge/rules/oversized.toml", oversized.as_bytes()),
            (".nudge/rules/command.toml", command.as_bytes()),
            ("lib/big.ts", big.as_bytes()),
            ("app/signup.tsx", SIGNUP),
        ],
    );
    let _ = std::fs::remove_file("/tmp/nudge-pwned");
    let started = std::time::Instant::now();
    let (findings, output) = json_findings(&dir.0, &["check", "--format", "json"]);
    let elapsed = started.elapsed();
    let err = stderr(&output);
    for (file, reason) in [
        ("huge-regex.toml", "bad regex"),
        ("oversized.toml", "query is longer than 16 KiB"),
        ("command.toml", "unknown field `command`"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file}: {err}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(!Path::new("/tmp/nudge-pwned").exists());
    let everything_hits = findings
        .iter()
        .filter(|f| f["rule"] == "everything" && f["path"] == "lib/big.ts")
        .count();
    assert!(
        everything_hits > 0 && everything_hits <= 2_000,
        "matches are capped per rule and file: {everything_hits}"
    );
    assert!(
        findings.iter().any(|f| f["rule"] == "signup-call"),
        "built-in rules still run"
    );
    // Not a benchmark: a bound far above the real cost, against a stall.
    assert!(elapsed < std::time::Duration::from_secs(30), "{elapsed:?}");
}

#[test]
fn user_rules_load_and_a_broken_one_does_not_stop_the_others() {
    let user_rule = br#"id = "no-todo-fetch"
category = "other"
severity = "info"
languages = ["js"]
query = '''
(call_expression function: (identifier) @f (#eq? @f "fetch") arguments: (arguments (string (string_fragment) @url))) @match
'''
where = ["matches(@url, '^http://')"]
message = "`{{url}}` is fetched over plain http."
docs = "Use https."

[[flagged]]
path = "a.ts"
code = "fetch('http://example.com');"

[[clean]]
path = "a.ts"
code = "fetch('https://example.com');"
"#;
    let broken = b"id = \"broken\"\ncategory = \"other\"\nseverity = \"info\"\nlanguages = [\"js\"]\nquery = '''\n(call_expression (no_such_node))\n'''\nmessage = \"m\"\ndocs = \"d\"\n";
    let dir = Scratch::new(
        "userrules",
        &[
            (".nudge/rules/no-todo-fetch.toml", user_rule),
            (".nudge/rules/broken.toml", broken),
            ("app/signup.tsx", SIGNUP),
            (
                "lib/net.ts",
                b"export const load = () => fetch('http://api.internal/data');\n",
            ),
        ],
    );
    let (findings, output) = json_findings(&dir.0, &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert!(
        err.contains("broken.toml:6:"),
        "names the file and the query's line: {err}"
    );
    assert_eq!(err.lines().filter(|l| l.contains("broken.toml")).count(), 1, "{err}");
    let rules: Vec<&str> = findings.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(
        rules.contains(&"no-todo-fetch") && rules.contains(&"signup-call"),
        "{rules:?}"
    );
    let verify = nudge(&dir.0, &["rules", "--verify"]);
    assert!(stdout(&verify).contains("no-todo-fetch"));
    assert_eq!(verify.status.code(), Some(1), "the broken rule fails verification");
}

#[test]
fn size_limits_are_configurable_and_many_skips_are_summarised() {
    let ordinary = "export const a = 1;\n".repeat(200);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (".nudge.toml".to_string(), b"[limits]\nmax_file_kib = 2\n".to_vec()),
        ("app/signup.tsx".to_string(), SIGNUP.to_vec()),
    ];
    for i in 0..6 {
        files.push((format!("gen/big{i}.ts"), ordinary.clone().into_bytes()));
    }
    let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (p.as_str(), t.as_slice())).collect();
    let dir = Scratch::new("limits", &borrowed);
    let (findings, output) = json_findings(&dir.0, &["check", "--format", "json"]);
    let err = stderr(&output);
    assert!(
        err.contains("skipped, it is larger than 2 KiB (limits.max_file_kib)"),
        "{err}"
    );
    assert!(
        err.contains("and 3 more files skipped") && err.lines().count() == 4,
        "three named, the rest counted: {err}"
    );
    assert!(findings.iter().any(|f| f["path"] == "app/signup.tsx"), "{findings:?}");
    let verbose = nudge(&dir.0, &["check", "--verbose"]);
    assert_eq!(
        stderr(&verbose).lines().filter(|l| l.contains("skipped")).count(),
        6,
        "{}",
        stderr(&verbose)
    );
}

/// A pathological file (100,000 string literals, deeply nested brackets)
/// stops at its time budget with a note; the rest of the tree is analysed.
#[test]
fn one_pathological_file_stops_at_its_budget_and_the_rest_is_analysed() {
    let literals = format!(
        "\"use client\";\nconst plans = [\n{}];\nif (user.plan === \"pro\") {{}}\n",
        "  \"tier\", \"premium\", \"quota\", \"credit\", \"paid\",\n".repeat(20_000)
    );
    let nesting = format!("const deep = {}1{};\n", "[".repeat(50_000), "]".repeat(50_000));
    let dir = Scratch::new(
        "budget",
        &[
            (
                "gen/.nudge.toml",
                b"[limits]\nmax_ms_per_file = 1\nmax_line_kib = 1024\n",
            ),
            ("gen/literals.tsx", literals.as_bytes()),
            ("gen/deep.ts", nesting.as_bytes()),
            ("app/signup.tsx", SIGNUP),
        ],
    );
    let started = std::time::Instant::now();
    let (findings, output) = json_findings(&dir.0, &["check", "--format", "json"]);
    let err = stderr(&output);
    assert!(
        err.contains("gen/literals.tsx: analysis stopped after 1 ms (limits.max_ms_per_file)"),
        "{err}"
    );
    assert!(findings.iter().any(|f| f["path"] == "app/signup.tsx"), "{findings:?}");
    // Not a benchmark: a bound far above the real cost, against a hang.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn bad_files_are_noted_and_the_rest_is_analysed() {
    let mut huge = b"// big\n".to_vec();
    huge.resize(3 * 1024 * 1024, b' ');
    let mut invalid =
        b"\"use client\";\nconst k = \"sk_live_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\"; // \xff\xfe\n".to_vec();
    invalid.extend_from_slice(b"\n");
    // Ordinary lines first, so only the line check (not the minified
    // sample) can catch the inlined data.
    let long_line = format!(
        "{}const data = \"{}\";\n",
        "export const a = 1;\n".repeat(2000),
        "A".repeat(100 * 1024)
    );
    let dir = Scratch::new(
        "badfiles",
        &[
            ("binary.js", b"\x00\x01\x02 const a = 1;"),
            ("huge.ts", &huge),
            ("long.ts", long_line.as_bytes()),
            ("app/invalid.tsx", &invalid),
            ("app/signup.tsx", SIGNUP),
        ],
    );
    let (findings, output) = json_findings(&dir.0, &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert!(err.contains("binary.js: skipped, it looks like a binary file"), "{err}");
    assert!(err.contains("huge.ts: skipped, it is larger than 1024 KiB"), "{err}");
    assert!(
        err.contains("long.ts: skipped, it has a line longer than 64 KiB"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 3, "one line per skipped file: {err}");
    let paths: Vec<&str> = findings.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(
        paths.contains(&"app/invalid.tsx") && paths.contains(&"app/signup.tsx"),
        "{paths:?}"
    );
}

#[test]
fn explain_context_rules_and_explain() {
    let root = repo_root();
    let output = nudge(&root, &["check", "--explain-context", "tests/demo-app/lib/ai.ts"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains(": client") && text.contains("components/PlanGate.tsx"),
        "{text}"
    );
    let output = nudge(
        &root,
        &["check", "--explain-context", "tests/demo-app/app/api/generate/route.ts"],
    );
    assert!(stdout(&output).contains(": server") && stdout(&output).contains("route handlers"));
    let rules = stdout(&nudge(&root, &["rules"]));
    for entry in std::fs::read_dir(root.join("queries")).unwrap() {
        let stem = entry
            .unwrap()
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(rules.contains(&stem), "`nudge rules` lists {stem}");
    }
    let explain = stdout(&nudge(&root, &["explain", "table-without-rls"]));
    assert!(
        explain.contains("row-level security") && explain.contains("How to fix"),
        "{explain}"
    );
}

/// Every secret-shaped value in the files under `dir`.
fn secrets_under(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            secrets_under(&path, out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.extend(
                nudge::engine::secrets::all_secrets(&text)
                    .into_iter()
                    .map(|(value, _)| value),
            );
        }
    }
}

#[test]
fn no_secret_value_appears_in_any_output() {
    let root = repo_root();
    let mut secrets = Vec::new();
    secrets_under(&root.join("tests/demo-app"), &mut secrets);
    secrets_under(&root.join("tests/fixtures"), &mut secrets);
    // Long enough that a quarter-to-three-quarters slice is no ordinary word.
    secrets.retain(|s| s.len() >= 16);
    assert!(secrets.len() >= 8, "the corpus holds secrets: {}", secrets.len());
    let mut checked = 0;
    for target in [
        "tests/demo-app",
        "tests/fixtures/next-supabase",
        "tests/fixtures/sveltekit",
        "tests/fixtures/vite-spa",
    ] {
        for format in ["text", "json", "sarif"] {
            let output = nudge(&root, &["check", target, "--format", format]);
            let all = format!("{}{}", stdout(&output), stderr(&output));
            assert!(all.len() > 100, "{target} {format} printed something");
            for secret in &secrets {
                // Long enough that a masked prefix cannot match by accident.
                let middle = &secret[secret.len() / 4..secret.len() * 3 / 4];
                assert!(
                    !all.contains(middle),
                    "{target} --format {format} leaks part of a secret: {middle}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}

fn sarif_validator() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(path));
    }
    let local = repo_root().join(".ci/node_modules/.bin/sarif-multitool");
    local.exists().then_some(local)
}

#[test]
fn sarif_has_rules_categories_and_locations_and_validates() {
    let root = repo_root();
    let output = nudge(&root, &["check", "tests/demo-app", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(0));
    let sarif: Value = serde_json::from_str(&stdout(&output)).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let (json, _) = json_findings(&root, &["check", "tests/demo-app", "--format", "json"]);
    assert_eq!(results.len(), json.len());
    for (result, finding) in results.iter().zip(&json) {
        assert_eq!(result["ruleId"], finding["rule"]);
        assert_eq!(result["properties"]["category"], finding["category"]);
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], finding["rule"]);
        assert_eq!(rules[index]["properties"]["category"], finding["category"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], finding["line"]);
        assert_eq!(region["startColumn"], finding["column"]);
        assert_eq!(region["endColumn"], finding["end_column"]);
    }
    let Some(validator) = sarif_validator() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the SARIF validator (.ci/run)"
        );
        eprintln!("SKIPPED: SARIF schema validation (no sarif-multitool; .ci/run installs it)");
        return;
    };
    let dir = Scratch::new("sarif", &[]);
    let input = dir.0.join("nudge.sarif");
    let report = dir.0.join("validation.sarif");
    std::fs::write(&input, &output.stdout).unwrap();
    let status = Command::new(&validator)
        .arg("validate")
        .arg(&input)
        .arg("-o")
        .arg(&report)
        .output()
        .expect("validator runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stdout));
    let validation: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let problems: Vec<&Value> = validation["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error" || r["level"].is_null() || r["level"] == "warning")
        .collect();
    assert!(problems.is_empty(), "SARIF validation problems: {problems:#?}");
}
