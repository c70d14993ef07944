//! `nudge prove`: try the unhappy paths for real. The project's migrations
//! go into a throwaway PostgreSQL (or a database the user names, inside a
//! transaction that is rolled back); two users and rows of theirs are
//! seeded; then a visitor with the anon key and a second signed-in user try
//! to read, add, change and delete what is not theirs, set their own
//! privileged columns, call the functions the API exposes, and list,
//! upload and delete files. The report says, in plain words, what worked
//! and what held, each with the statement to fix.
//!
//! Nothing persists: the throwaway cluster is deleted (also on Ctrl-C or an
//! error), and with `--db` every change is inside one transaction that is
//! rolled back. It connects to nothing but its own socket or the URL given.

pub mod editor;
pub mod outcome;
pub mod schema;
pub mod script;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::engine::Finding;
use crate::engine::catalog::checks;
use crate::engine::catalog::{Database, DatabaseKind, Key};
use crate::pg::{Binaries, Cluster, Psql, Target, compat};
use outcome::{Action, Attempt, Object, Outcome, Verdict};

pub use script::Actor;

/// Set by the Ctrl-C handler; checked between steps.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A database to use instead of a throwaway cluster (its migrations are
    /// taken as applied).
    pub db: Option<String>,
    /// Allow a `--db` URL whose host is not this machine.
    pub allow_remote: bool,
}

#[derive(Debug)]
pub enum ProveError {
    /// No PostgreSQL to use: what to install or give.
    NoPostgres(String),
    /// A `--db` URL that is refused, and why.
    Refused(String),
    /// The project or the database could not be read.
    Failed(String),
    Interrupted,
}

impl std::fmt::Display for ProveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProveError::NoPostgres(why) | ProveError::Refused(why) | ProveError::Failed(why) => f.write_str(why),
            ProveError::Interrupted => f.write_str("interrupted; the test database was removed"),
        }
    }
}

/// The statement to look at for a result, with the static nudge (and its
/// fix) that says the same, when there is one.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// What makes it possible, in a few words (`no row-level security`,
    /// `policy "Anyone can update"`).
    pub what: String,
    pub rule: Option<String>,
    pub fix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Proven {
    pub outcome: Outcome,
    pub evidence: Option<Evidence>,
}

/// A migration statement PostgreSQL rejected here (then skipped).
#[derive(Clone, Debug)]
pub struct Skipped {
    pub path: String,
    pub line: usize,
    pub error: String,
}

/// One project's proof.
#[derive(Clone, Debug)]
pub struct DatabaseReport {
    /// Project directory, relative to the path given (`""` for itself).
    pub root: String,
    pub migrations: usize,
    pub skipped: Vec<Skipped>,
    pub results: Vec<Proven>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Report {
    /// "a throwaway PostgreSQL 15.18" or "the database at postgresql://…".
    pub postgres: String,
    pub databases: Vec<DatabaseReport>,
    pub elapsed: Duration,
}

impl Report {
    pub fn leaks(&self) -> impl Iterator<Item = &Proven> {
        self.databases
            .iter()
            .flat_map(|d| d.results.iter())
            .filter(|r| r.outcome.verdict == Verdict::Leak)
    }
}

fn interrupted() -> Result<(), ProveError> {
    if INTERRUPTED.load(Ordering::Relaxed) {
        Err(ProveError::Interrupted)
    } else {
        Ok(())
    }
}

/// Whether a `--db` URL points at this machine: a socket path, localhost
/// or a loopback address.
pub fn is_local(url: &str) -> bool {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (authority, query) = match without_scheme.split_once('?') {
        Some((a, q)) => (a, q),
        None => (without_scheme, ""),
    };
    if query
        .split('&')
        .any(|kv| kv.starts_with("host=/") || kv.starts_with("host=%2F"))
    {
        return true;
    }
    let authority = authority.split('/').next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    matches!(host, "" | "localhost" | "127.0.0.1" | "::1") || host.starts_with("127.") || host.starts_with('/')
}

/// The URL with its password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:…@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// `psql:<path>:<line>: ERROR:  <message>` lines of a migration run.
fn skipped_statements(stderr: &str) -> Vec<Skipped> {
    stderr
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("psql:")?;
            let (location, message) = rest.split_once(": ERROR:")?;
            let (path, number) = location.rsplit_once(':')?;
            Some(Skipped {
                path: path.to_string(),
                line: number.trim().parse().unwrap_or(0),
                error: message.trim().to_string(),
            })
        })
        .collect()
}

/// The catalog table a result is about.
fn table_of<'a>(db: &'a Database, object: &Object) -> Option<&'a crate::engine::catalog::model::Table> {
    match object {
        Object::Table { schema, name } => db.catalog.table(&Key {
            schema: schema.clone(),
            name: name.clone(),
        }),
        _ => None,
    }
}

/// Links each result to the static nudge about the same object (the rules
/// that say it), or to the statement the catalog says caused it.
fn evidence_for(outcome: &Outcome, db: &Database, findings: &[(String, usize, Finding)]) -> Option<Evidence> {
    let name = outcome.object.display();
    let var = |f: &Finding, key: &str| f.vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let wanted_rules: &[&str] = match (outcome.action, &outcome.object) {
        (Action::SelfUpdate, _) => &[
            "users-write-own-entitlement",
            "users-write-own-role",
            "policy-allows-everyone",
            "table-without-rls",
            "sensitive-table-without-rls",
            "policy-without-rls",
            "grant-write-to-anon",
        ],
        (Action::Call | Action::CallForOther, _) => &["definer-callable-by-anyone"],
        (Action::ListFiles | Action::Upload | Action::DeleteFile, _) => {
            &["storage-objects-open-policy", "public-bucket"]
        }
        (Action::Read | Action::ReadOthersRow, _) => &[
            "view-exposes-auth-users",
            "view-without-security-invoker",
            "table-without-rls",
            "sensitive-table-without-rls",
            "policy-without-rls",
            "select-everyone-on-user-rows",
            "policy-any-authenticated-user",
            "grant-write-to-anon",
        ],
        _ => &[
            "table-without-rls",
            "sensitive-table-without-rls",
            "policy-without-rls",
            "policy-allows-everyone",
            "policy-anon-writes",
            "policy-any-authenticated-user",
            "grant-write-to-anon",
            "users-write-own-entitlement",
            "users-write-own-role",
        ],
    };
    let matches = |f: &Finding| {
        let about = var(f, "table")
            .or_else(|| var(f, "view"))
            .or_else(|| var(f, "function"))
            .or_else(|| var(f, "bucket"));
        let same_column = match (&outcome.column, var(f, "column")) {
            (Some(wanted), Some(found)) => *wanted == found,
            _ => true,
        };
        about.as_deref() == Some(name.as_str()) && same_column
    };
    for rule in wanted_rules {
        if let Some((path, line, finding)) = findings.iter().find(|(_, _, f)| f.rule_id == *rule && matches(f)) {
            let what = match (var(finding, "policy"), finding.rule_id.as_str()) {
                (Some(policy), _) => format!("policy \"{policy}\""),
                (None, "table-without-rls" | "sensitive-table-without-rls" | "policy-without-rls") => {
                    "no row-level security".to_string()
                }
                (None, "grant-write-to-anon") => "granted to anon, no row-level security".to_string(),
                (None, "definer-callable-by-anyone") => "runs as its owner and checks no caller".to_string(),
                (None, "view-exposes-auth-users") => "a view over auth.users".to_string(),
                (None, "view-without-security-invoker") => "a view that runs with its creator's rights".to_string(),
                (None, "public-bucket") => "a public bucket".to_string(),
                _ => finding.rule_id.clone(),
            };
            return Some(Evidence {
                path: path.clone(),
                line: *line,
                what,
                rule: Some(finding.rule_id.clone()),
                fix: finding.fix.as_ref().map(|f| f.title.clone()),
            });
        }
    }
    // No static nudge: the catalog still knows the statement.
    let site = match &outcome.object {
        Object::Table { .. } => table_of(db, &outcome.object).map(|t| {
            if t.rls {
                t.policies
                    .values()
                    .filter(|p| p.permissive && !p.site.is_builtin())
                    .map(|p| (p.site.clone(), format!("policy \"{}\"", p.name)))
                    .next()
                    .unwrap_or((t.created.clone(), "the table".to_string()))
            } else {
                (
                    t.rls_site.clone().unwrap_or(t.created.clone()),
                    "no row-level security".to_string(),
                )
            }
        }),
        Object::Function { schema, name, .. } => db
            .catalog
            .functions_named(&Key {
                schema: schema.clone(),
                name: name.clone(),
            })
            .next()
            .map(|f| (f.site.clone(), "the function".to_string())),
        Object::Bucket(id) => db
            .catalog
            .buckets
            .get(id)
            .map(|b| (b.site.clone(), "the bucket".to_string())),
    }?;
    let (site, what) = site;
    if site.is_builtin() {
        return None;
    }
    Some(Evidence {
        path: site.path.clone(),
        line: site.line + 1,
        what,
        rule: None,
        fix: None,
    })
}

/// Where to try: a throwaway cluster of our own, or the database named.
enum Place {
    Throwaway(Cluster),
    Named(Psql),
}

fn connect(options: &Options) -> Result<(Place, String), ProveError> {
    if let Some(url) = &options.db {
        if !is_local(url) && !options.allow_remote {
            return Err(ProveError::Refused(format!(
                "{} is not on this machine: `nudge prove` tries to change and delete data (inside a transaction it rolls back), so it runs against a local database only; add --allow-remote if this one is a disposable copy",
                redact_url(url)
            )));
        }
        let binaries = Binaries::find().map_err(|_| {
            ProveError::NoPostgres(
                "`psql` was not found: install PostgreSQL's client (Debian/Ubuntu: `apt install postgresql-client`; macOS: `brew install libpq`)"
                    .to_string(),
            )
        })
        .or_else(|e| Binaries::psql_only().ok_or(e))?;
        let psql = Psql::new(&binaries, Target::Url(url.clone()), "");
        psql.rows("select 1").map_err(|e| {
            ProveError::Failed(format!(
                "cannot connect to {}: {}",
                redact_url(url),
                e.lines().next().unwrap_or("")
            ))
        })?;
        return Ok((Place::Named(psql), format!("the database at {}", redact_url(url))));
    }
    let binaries = Binaries::find().map_err(ProveError::NoPostgres)?;
    let cluster = Cluster::start(&binaries)
        .map_err(|e| ProveError::Failed(format!("cannot start a throwaway PostgreSQL: {e}")))?;
    compat::install(&cluster).map_err(ProveError::Failed)?;
    let version = cluster
        .psql("postgres")
        .rows("show server_version")
        .ok()
        .and_then(|r| r.first().and_then(|r| r.first()).cloned())
        .unwrap_or_default();
    let version = version.split_whitespace().next().unwrap_or("").to_string();
    Ok((Place::Throwaway(cluster), format!("a throwaway PostgreSQL {version}")))
}

/// Proves every Supabase project under `root`.
pub fn prove(root: &Path, options: &Options) -> Result<Report, ProveError> {
    prove_at(root, None, options)
}

/// The same in a cluster that is already running (tests and benchmarks
/// prove many projects in one); each project gets a fresh database there.
pub fn prove_in(root: &Path, cluster: &Cluster) -> Result<Report, ProveError> {
    prove_at(root, Some(cluster), &Options::default())
}

/// Names the databases of one process's proofs apart.
static DATABASES_MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn prove_at(root: &Path, running: Option<&Cluster>, options: &Options) -> Result<Report, ProveError> {
    let started = Instant::now();
    let loaded = crate::project::load_dir(root).map_err(|e| ProveError::Failed(e.to_string()))?;
    let databases: Vec<&Database> = loaded
        .workspace
        .databases()
        .iter()
        .filter(|db| db.kind == DatabaseKind::Supabase && !db.files.is_empty())
        .collect();
    if databases.is_empty() {
        return Ok(Report {
            postgres: String::new(),
            databases: Vec::new(),
            elapsed: started.elapsed(),
        });
    }
    interrupted()?;
    let (owned, postgres) = match running {
        Some(_) => (None, "a throwaway PostgreSQL".to_string()),
        None => {
            let (place, postgres) = connect(options)?;
            (Some(place), postgres)
        }
    };
    let cluster = match (&owned, running) {
        (_, Some(cluster)) | (Some(Place::Throwaway(cluster)), None) => Some(cluster),
        _ => None,
    };
    let mut reports = Vec::new();
    for db in &databases {
        interrupted()?;
        let (psql, migrations, skipped) = match (cluster, &owned) {
            (Some(cluster), _) => {
                let index = DATABASES_MADE.fetch_add(1, Ordering::Relaxed);
                let psql = compat::create_database(cluster, &format!("prove{index}")).map_err(ProveError::Failed)?;
                let files: Vec<(String, String)> = db
                    .files
                    .iter()
                    .map(|rel| {
                        let text = crate::files::read_text(&root.join(rel), 64 << 20).unwrap_or_default();
                        (rel.clone(), text)
                    })
                    .collect();
                let run = psql.files(&files).map_err(ProveError::Failed)?;
                (psql, files.len(), skipped_statements(&run.stderr))
            }
            // Its migrations are the database's own business (`supabase start` applied them).
            (None, Some(Place::Named(psql))) => (psql.clone(), 0, Vec::new()),
            (None, _) => unreachable!("a place to prove in is always found or refused above"),
        };
        interrupted()?;
        let exposed = db.exposed_schemas.clone();
        let schema = schema::read(&psql, &exposed).map_err(ProveError::Failed)?;
        let sql = script::build(&schema, true);
        let run = psql
            .script("nudge-prove.sql", &sql, false)
            .map_err(ProveError::Failed)?;
        interrupted()?;
        let attempts: Vec<Attempt> = run
            .stdout
            .trim_end_matches('\n')
            .split('\u{1e}')
            .map(|row| {
                row.trim_start_matches('\n')
                    .split('\u{1f}')
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter_map(|row| Attempt::parse(&row))
            .collect();
        // No rows is a fine answer (nothing exposed to try); an error is not.
        if attempts.is_empty()
            && let Some(error) = run.stderr.lines().find(|l| l.contains("ERROR"))
        {
            return Err(ProveError::Failed(format!("the attempt did not run: {error}")));
        }
        let private = |schema: &str, name: &str| {
            let key = Key {
                schema: schema.to_string(),
                name: name.to_string(),
            };
            if let Some(table) = db.catalog.table(&key) {
                return checks::private_rows(table);
            }
            // A view's rows are as private as what it reads.
            db.catalog.views.get(&key).is_some_and(|view| {
                view.reads.iter().any(|source| {
                    (source.schema == "auth" && source.name == "users")
                        || db.catalog.table(source).is_some_and(checks::private_rows)
                })
            })
        };
        let submission = |schema: &str, name: &str| {
            db.catalog
                .table(&Key {
                    schema: schema.to_string(),
                    name: name.to_string(),
                })
                .is_some_and(checks::submission_table)
        };
        let (outcomes, notes) = outcome::interpret(&attempts, &schema, &private, &submission);
        let findings: Vec<(String, usize, Finding)> = db
            .files
            .iter()
            .flat_map(|path| {
                let line_of = |f: &Finding| {
                    loaded
                        .workspace
                        .analysis(path)
                        .map_or(0, |a| a.line_index.line_of(f.span.start) + 1)
                };
                loaded
                    .workspace
                    .findings(path, &loaded.rules)
                    .into_iter()
                    .map(|f| (path.clone(), line_of(&f), f))
                    .collect::<Vec<_>>()
            })
            .collect();
        let results = outcomes
            .into_iter()
            .map(|outcome| {
                let evidence = (outcome.verdict != Verdict::Held)
                    .then(|| evidence_for(&outcome, db, &findings))
                    .flatten();
                Proven { outcome, evidence }
            })
            .collect();
        reports.push(DatabaseReport {
            root: db.root.clone(),
            migrations,
            skipped,
            results,
            notes,
        });
    }
    drop(owned);
    Ok(Report {
        postgres,
        databases: reports,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::{is_local, redact_url};

    #[test]
    fn only_this_machine_counts_as_local() {
        for local in [
            "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
            "postgresql://postgres@localhost/postgres",
            "postgres://u@[::1]:5432/db",
            "postgresql:///db?host=/var/run/postgresql",
            "postgresql:///db",
            "postgresql://127.0.0.2/db",
        ] {
            assert!(is_local(local), "{local}");
        }
        for remote in [
            "postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres",
            "postgresql://u@10.0.0.5/db",
            "postgresql://u@localhost.example.com/db",
            "postgresql://u@[2001:db8::1]/db",
        ] {
            assert!(!is_local(remote), "{remote}");
        }
    }

    #[test]
    fn messages_never_show_the_password() {
        let shown = redact_url("postgresql://admin:hunter2@db.example.com/prod");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("admin") && shown.contains("db.example.com"), "{shown}");
    }
}
