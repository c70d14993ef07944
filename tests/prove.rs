//! `nudge prove` against a real PostgreSQL: the demo app's report, the JSON
//! fields, `--fail-on`, a database the user names (everything rolled back),
//! the refusals, Ctrl-C, and the agreement between the static nudges and
//! what the attempt proved on every fixture and scenario project.
//!
//! Needs PostgreSQL's programs (`.ci/run` installs Debian's `postgresql`);
//! `NUDGE_SKIP_PG=1` skips the tests that need them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use nudge::pg::{Binaries, Cluster, compat};
use nudge::prove::outcome::Verdict;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

/// PostgreSQL's programs, or `None` when the run says to skip.
fn binaries() -> Option<Binaries> {
    match Binaries::find() {
        Ok(b) => Some(b),
        Err(why) if std::env::var_os("NUDGE_SKIP_PG").is_some() => {
            eprintln!("skipped: {why}");
            None
        }
        Err(why) => panic!("{why} (set NUDGE_SKIP_PG=1 to skip)"),
    }
}

fn nudge(args: &[&str], tmp: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nudge"))
        .args(args)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .output()
        .expect("nudge runs")
}

/// Entries under `dir` whose name starts with `prefix`.
fn leftovers(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

#[test]
fn the_demo_app_shows_what_a_visitor_and_another_user_could_do_and_what_held() {
    if binaries().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("tests/demo-app");
    let out = nudge(&["prove", demo.to_str().unwrap()], tmp.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let leaks: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with('✗')).collect();
    // invoices has no row-level security: a visitor reads both users' rows.
    assert!(
        leaks
            .iter()
            .any(|l| l.contains("A visitor with your public key could read 2 of 2 rows")
                && l.contains("`invoices`")
                && l.contains("no row-level security: supabase/migrations/20240501120000_init.sql:13")),
        "{text}"
    );
    // profiles: `update using (true)` lets anyone change A's row and one's own plan.
    assert!(
        leaks.iter().any(|l| l.contains("Another signed-in user could")
            && l.contains("change user A's row")
            && l.contains("`profiles`")),
        "{text}"
    );
    assert!(
        leaks
            .iter()
            .any(|l| l.contains("Any signed-in user can set their own `profiles.plan`")),
        "{text}"
    );
    // notes is protected by its owner policy (a later migration).
    let held = text.split("What held:").nth(1).expect("a What held section");
    assert!(held.contains("Visitors could not read `notes`"), "{text}");
    assert!(!leaks.iter().any(|l| l.contains("`notes`")), "{text}");
    assert!(text.contains("fix: Enable row level security on invoices"), "{text}");
    assert!(text.contains("Nothing was kept"), "{text}");
    assert!(
        leftovers(tmp.path(), "nudge-").is_empty(),
        "the throwaway cluster is deleted"
    );
}

#[test]
fn the_json_report_has_stable_fields_and_fail_on_decides_the_exit_status() {
    if binaries().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("tests/demo-app");
    let demo = demo.to_str().unwrap();
    let out = nudge(&["prove", demo, "--format", "json", "--fail-on", "warning"], tmp.path());
    assert_eq!(out.status.code(), Some(1), "proven leaks are warnings");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert!(
        report["postgres"]
            .as_str()
            .unwrap()
            .starts_with("a throwaway PostgreSQL")
    );
    assert!(report["seconds"].as_f64().unwrap() > 0.0);
    let db = &report["databases"][0];
    assert_eq!(db["project"], "");
    assert_eq!(db["migrations"]["applied"], 2);
    let results = db["results"].as_array().unwrap();
    for result in results {
        for field in [
            "verdict",
            "severity",
            "actor",
            "action",
            "object",
            "object_kind",
            "column",
            "rows",
            "total_rows",
            "rows_written",
            "message",
            "path",
            "line",
            "rule",
            "fix",
        ] {
            assert!(result.get(field).is_some(), "{field} missing in {result}");
        }
    }
    let read_invoices = results
        .iter()
        .find(|r| r["object"] == "invoices" && r["actor"] == "visitor" && r["action"] == "read")
        .expect("the visitor's read of invoices");
    assert_eq!(read_invoices["verdict"], "leak");
    assert_eq!(read_invoices["severity"], "warning");
    assert_eq!(read_invoices["rows"], 2);
    assert_eq!(read_invoices["total_rows"], 2);
    assert_eq!(read_invoices["rule"], "table-without-rls");
    assert_eq!(read_invoices["path"], "supabase/migrations/20240501120000_init.sql");
    assert_eq!(read_invoices["line"], 13);
    let plan = results
        .iter()
        .find(|r| r["action"] == "update-own-column" && r["column"] == "plan")
        .expect("B sets their own plan");
    assert_eq!(plan["verdict"], "leak");
    assert_eq!(plan["object"], "profiles");
    let notes_read = results
        .iter()
        .find(|r| r["object"] == "notes" && r["actor"] == "visitor" && r["action"] == "read")
        .expect("the visitor's read of notes");
    assert_eq!(notes_read["verdict"], "held");
    assert_eq!(notes_read["severity"], serde_json::Value::Null);

    let out = nudge(&["prove", demo, "--format", "json", "--fail-on", "error"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "nothing proven reaches error");
    let out = nudge(&["prove", demo, "--fail-on", "loud"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let careful = repo().join("tests/fixtures/careful-app");
    let out = nudge(&["prove", careful.to_str().unwrap(), "--fail-on", "hint"], tmp.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "the careful app holds everywhere: {text}");
    assert!(
        text.contains("Nothing a visitor or another user tried got through"),
        "{text}"
    );
}

#[test]
fn a_named_database_is_proven_inside_a_transaction_that_is_rolled_back() {
    let Some(binaries) = binaries() else {
        return;
    };
    let cluster = Cluster::start(&binaries).unwrap();
    compat::install(&cluster).unwrap();
    let psql = compat::create_database(&cluster, "named").unwrap();
    let demo = repo().join("tests/demo-app");
    let files: Vec<(String, String)> = ["20240501120000_init.sql", "20240502090000_notes_rls.sql"]
        .iter()
        .map(|f| {
            let rel = format!("supabase/migrations/{f}");
            (rel.clone(), std::fs::read_to_string(demo.join(&rel)).unwrap())
        })
        .collect();
    psql.files(&files).unwrap();
    let census = "select (select count(*) from auth.users) || '/' || (select count(*) from public.invoices) || '/' || (select count(*) from public.profiles) || '/' || (select count(*) from pg_namespace where nspname = 'nudge_prove')";
    let before = psql.rows(census).unwrap();
    assert_eq!(before, vec![vec!["0/0/0/0".to_string()]]);
    let socket = leftovers(&std::env::temp_dir(), "nudge-pg-");
    assert!(!socket.is_empty());
    // The URL of our own cluster, by its socket directory.
    let dir = cluster_socket_dir(&psql);
    let url = format!("postgresql:///named?host={}&port=5432&user=postgres", dir.display());
    let tmp = tempfile::tempdir().unwrap();
    let out = nudge(&["prove", demo.to_str().unwrap(), "--db", &url], tmp.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("the database at postgresql:///named"), "{text}");
    assert!(
        text.contains("A visitor with your public key could read 2 of 2 rows") && text.contains("`invoices`"),
        "{text}"
    );
    assert!(
        text.contains("every change was inside one transaction, rolled back"),
        "{text}"
    );
    assert_eq!(psql.rows(census).unwrap(), before, "nothing the attempt made was kept");
    cluster.stop();
}

/// The socket directory a cluster's client connects through.
fn cluster_socket_dir(psql: &nudge::pg::Psql) -> PathBuf {
    match psql.target() {
        nudge::pg::Target::Socket { dir, .. } => dir.clone(),
        nudge::pg::Target::Url(_) => unreachable!("a cluster's own client uses its socket"),
    }
}

#[test]
fn a_database_on_another_machine_is_refused_before_anything_connects() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("tests/demo-app");
    let started = Instant::now();
    let out = nudge(
        &[
            "prove",
            demo.to_str().unwrap(),
            "--db",
            "postgresql://admin:hunter2-very-secret@db.example.com:5432/prod",
        ],
        tmp.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("is not on this machine"), "{stderr}");
    assert!(stderr.contains("--allow-remote"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the password is never printed: {stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused without trying to connect"
    );
}

#[test]
fn without_postgresql_one_line_says_how_to_get_one() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("tests/demo-app");
    let out = Command::new(env!("CARGO_BIN_EXE_nudge"))
        .args(["prove", demo.to_str().unwrap()])
        .env("TMPDIR", tmp.path())
        .env("NUDGE_PG_BINDIR", tmp.path().join("no-postgres-here"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("NUDGE_PG_BINDIR"), "{stderr}");
    assert!(stderr.contains("apt install postgresql"), "what to install: {stderr}");
    assert!(stderr.contains("--db"), "or a database to use: {stderr}");
    assert!(out.stdout.is_empty());
    // A project without a Supabase database has nothing to try, and needs no PostgreSQL.
    let express = repo().join("tests/fixtures/express-api");
    let out = Command::new(env!("CARGO_BIN_EXE_nudge"))
        .args(["prove", express.to_str().unwrap()])
        .env("TMPDIR", tmp.path())
        .env("NUDGE_PG_BINDIR", tmp.path().join("no-postgres-here"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to try"));
}

#[test]
fn ctrl_c_stops_and_deletes_the_throwaway_cluster() {
    if binaries().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("tests/fixtures/supabase-backend");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nudge"))
        .args(["prove", demo.to_str().unwrap()])
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the server runs (its pid file is written), then interrupt.
    let started = Instant::now();
    let pid_file = loop {
        let found = leftovers(tmp.path(), "nudge-pg-")
            .into_iter()
            .map(|d| tmp.path().join(d).join("data/postmaster.pid"))
            .find(|p| p.exists());
        if let Some(p) = found {
            break p;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the cluster never started");
        std::thread::sleep(Duration::from_millis(10));
    };
    let postmaster: i32 = std::fs::read_to_string(&pid_file)
        .unwrap_or_default()
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    // Interrupted before the end (exit 2), or done already (exit 0): either way nothing is left.
    assert!(matches!(status.code(), Some(0 | 2)), "{status:?} {stderr}");
    if status.code() == Some(2) {
        assert!(stderr.contains("interrupted"), "{stderr}");
    }
    assert!(
        leftovers(tmp.path(), "nudge-").is_empty(),
        "{:?}",
        leftovers(tmp.path(), "nudge-")
    );
    if postmaster > 0 {
        let deadline = Instant::now() + Duration::from_secs(10);
        // SAFETY: signal 0 only asks whether the process exists.
        while unsafe { libc::kill(postmaster, 0) } == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_ne!(unsafe { libc::kill(postmaster, 0) }, 0, "postgres still runs");
    }
}

/// Projects with migrations, below `root`.
fn migration_sets(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("supabase/migrations").is_dir())
        .collect();
    out.sort();
    out
}

/// Static rules whose claim the attempt can check.
const CHECKABLE_RULES: &[&str] = &[
    "table-without-rls",
    "sensitive-table-without-rls",
    "policy-without-rls",
    "policy-allows-everyone",
    "policy-anon-writes",
    "policy-any-authenticated-user",
    "policy-trusts-user-metadata",
    "select-everyone-on-user-rows",
    "grant-write-to-anon",
    "users-write-own-entitlement",
    "users-write-own-role",
    "definer-callable-by-anyone",
    "view-exposes-auth-users",
    "view-without-security-invoker",
    "storage-objects-open-policy",
    "public-bucket",
];

/// Static nudges the attempt cannot confirm, each with the reason. A
/// disagreement not listed here fails the test.
const EXPLAINED: &[(&str, &str, &str, &str)] = &[(
    "supabase-backend",
    "policy-anon-writes",
    "feedback",
    "visitors may change published feedback; user A's test row is a draft (every flag off), which they cannot see",
)];

#[test]
fn static_nudges_and_proven_results_agree_on_every_fixture_and_scenario() {
    let Some(binaries) = binaries() else {
        return;
    };
    let cluster = Cluster::start(&binaries).unwrap();
    compat::install(&cluster).unwrap();
    let root = repo();
    let mut sets = migration_sets(&root.join("tests/sql-scenarios"));
    sets.extend(migration_sets(&root.join("tests/fixtures")));
    sets.push(root.join("tests/demo-app"));
    let mut table: Vec<String> = Vec::new();
    let mut unexplained: Vec<String> = Vec::new();
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut timings: BTreeMap<String, f64> = BTreeMap::new();
    for dir in &sets {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let started = Instant::now();
        let report = nudge::prove::prove_in(dir, &cluster).unwrap_or_else(|e| panic!("{name}: {e}"));
        timings.insert(name.clone(), started.elapsed().as_secs_f64());
        let loaded = nudge::project::load_dir(dir).unwrap();
        // Objects the attempt got through to (a leak or something allowed by design).
        let mut got_through: BTreeSet<String> = BTreeSet::new();
        let mut leaks = 0;
        let mut proven_without_nudge = Vec::new();
        for db in &report.databases {
            for result in &db.results {
                if result.outcome.verdict == Verdict::Held {
                    continue;
                }
                got_through.insert(result.outcome.object.display());
                if result.outcome.verdict == Verdict::Leak {
                    leaks += 1;
                    if result.evidence.as_ref().and_then(|e| e.rule.as_ref()).is_none() {
                        proven_without_nudge.push(format!(
                            "{} {:?}",
                            result.outcome.object.display(),
                            result.outcome.action
                        ));
                    }
                }
            }
        }
        let mut nudges = 0;
        let mut unproven = Vec::new();
        for db in loaded.workspace.databases() {
            for path in &db.files {
                for finding in loaded.workspace.findings(path, &loaded.rules) {
                    if !CHECKABLE_RULES.contains(&finding.rule_id.as_str()) {
                        continue;
                    }
                    nudges += 1;
                    let var = |key: &str| finding.vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                    let object = var("table")
                        .or_else(|| var("view"))
                        .or_else(|| var("function"))
                        .or_else(|| var("bucket"))
                        .unwrap_or_default();
                    if !got_through.contains(&object) {
                        unproven.push((finding.rule_id.clone(), object));
                    }
                }
            }
        }
        for what in &proven_without_nudge {
            unexplained.push(format!("{name}: proven but no static nudge: {what}"));
        }
        for (rule, object) in &unproven {
            match EXPLAINED
                .iter()
                .position(|(set, r, o, _)| *set == name && r == rule && o == object)
            {
                Some(index) => {
                    used.insert(index);
                }
                None => unexplained.push(format!("{name}: static nudge not proven: {rule} on `{object}`")),
            }
        }
        table.push(format!(
            "{name:<40} {nudges:>3} nudges {leaks:>3} leaks {:>3} unproven {:>3} unnudged {:>5.2} s",
            unproven.len(),
            proven_without_nudge.len(),
            started.elapsed().as_secs_f64()
        ));
    }
    cluster.stop();
    eprintln!("{}", table.join("\n"));
    let stale: Vec<&str> = EXPLAINED
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, e)| e.0)
        .collect();
    assert!(stale.is_empty(), "explanations that no longer apply: {stale:?}");
    assert!(unexplained.is_empty(), "disagreements:\n{}", unexplained.join("\n"));
}
