//! Ground truth for the schema catalog: every migration set of the fixtures,
//! the demo app and the SQL scenarios (`tests/sql-scenarios/`) is applied to
//! a real PostgreSQL with the Supabase compatibility layer, and what the
//! server's own catalog holds (`pg_class.relrowsecurity`, `pg_policies`,
//! table and column ACLs, `pg_proc` security, config and EXECUTE, view
//! options, triggers, buckets) must equal what Nudge's catalog says, line by
//! line. Where they differ, Nudge is wrong.
//!
//! Needs PostgreSQL's programs (`initdb`, `postgres`, `psql`; `.ci/run`
//! installs Debian's `postgresql`). `NUDGE_REAL_APPS=dir` adds every
//! project under `dir` to a report (not an assertion: real migration
//! histories often need objects made outside them).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nudge::pg::{Binaries, Cluster, compat, inspect};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

/// Directories holding a `supabase/migrations` folder, below `root`.
fn migration_sets(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join("supabase/migrations").is_dir() {
            out.push(dir.clone());
        }
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() && name != "node_modules" && name != ".git" && name != "supabase" {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

struct Comparison {
    name: String,
    statements_failed: Vec<String>,
    only_in_postgres: Vec<String>,
    only_in_nudge: Vec<String>,
    lines: usize,
}

fn compare(cluster: &Cluster, index: usize, dir: &Path) -> Comparison {
    let loaded = nudge::project::load_dir(dir).expect("the project loads");
    let databases = loaded.workspace.databases();
    let database = databases
        .iter()
        .filter(|db| !db.files.is_empty())
        .max_by_key(|db| db.files.len())
        .expect("a database with migrations");
    let files: Vec<(String, String)> = database
        .files
        .iter()
        .map(|rel| {
            let text = String::from_utf8_lossy(&std::fs::read(dir.join(rel)).unwrap()).into_owned();
            (rel.clone(), text)
        })
        .collect();
    let psql = compat::create_database(cluster, &format!("set{index}")).expect("a fresh database");
    let run = psql.files(&files).expect("psql runs");
    let real = inspect::fingerprint_of_database(&psql).expect("the catalog reads");
    let ours = inspect::fingerprint_of_catalog(&database.catalog);
    let difference = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.difference(b).cloned().collect::<Vec<_>>();
    Comparison {
        name: dir.strip_prefix(repo()).unwrap_or(dir).display().to_string(),
        statements_failed: run
            .stderr
            .lines()
            .filter(|l| l.contains("ERROR"))
            .map(str::to_string)
            .collect(),
        only_in_postgres: difference(&real, &ours),
        only_in_nudge: difference(&ours, &real),
        lines: real.len(),
    }
}

#[test]
fn the_catalog_equals_postgresql_on_every_migration_set() {
    let binaries = match Binaries::find() {
        Ok(b) => b,
        Err(why) if std::env::var_os("NUDGE_SKIP_PG").is_some() => {
            eprintln!("skipped: {why}");
            return;
        }
        Err(why) => panic!("{why} (set NUDGE_SKIP_PG=1 to skip)"),
    };
    let cluster = Cluster::start(&binaries).expect("a throwaway cluster starts");
    compat::install(&cluster).expect("the compatibility layer installs");
    let root = repo();
    let mut sets = migration_sets(&root.join("tests/sql-scenarios"));
    sets.extend(migration_sets(&root.join("tests/fixtures")));
    sets.push(root.join("tests/demo-app"));
    let scenarios = sets
        .iter()
        .filter(|s| s.starts_with(root.join("tests/sql-scenarios")))
        .count();
    assert!(scenarios >= 30, "{scenarios} scenario projects");
    let mut failures = Vec::new();
    let mut compared = 0;
    for (index, dir) in sets.iter().enumerate() {
        let result = compare(&cluster, index, dir);
        compared += result.lines;
        // The sets are written to run cleanly; a statement PostgreSQL
        // rejects means the set (or the compatibility layer) is wrong.
        let unexpected: Vec<&String> = result
            .statements_failed
            .iter()
            .filter(|l| !l.contains("does not exist, skipping"))
            .collect();
        if !result.only_in_postgres.is_empty() || !result.only_in_nudge.is_empty() || !unexpected.is_empty() {
            failures.push(format!(
                "{}:\n  statements PostgreSQL rejected: {unexpected:?}\n  only in PostgreSQL: {:#?}\n  only in Nudge: {:#?}",
                result.name, result.only_in_postgres, result.only_in_nudge
            ));
        }
    }
    eprintln!("{} migration sets, {compared} catalog facts compared", sets.len());
    assert!(failures.is_empty(), "the catalogs differ:\n{}", failures.join("\n"));

    if let Some(real_apps) = std::env::var_os("NUDGE_REAL_APPS") {
        for (index, dir) in migration_sets(Path::new(&real_apps)).iter().enumerate() {
            let result = compare(&cluster, 1000 + index, dir);
            eprintln!(
                "{}: {} facts, {} statements rejected by PostgreSQL, {} only in PostgreSQL, {} only in Nudge",
                result.name,
                result.lines,
                result.statements_failed.len(),
                result.only_in_postgres.len(),
                result.only_in_nudge.len()
            );
        }
    }
    cluster.stop();
}
