//! `nudge prove`: the text and JSON reports of [`crate::prove`].

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::{UsageError, stdout_write};
use crate::engine::Severity;
use crate::prove::outcome::{Action, Object, Verdict};
use crate::prove::{self, Actor, Proven, Report};

#[derive(clap::Args)]
pub struct ProveArgs {
    /// The project to prove (its Supabase migrations).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Use this database instead of a throwaway one (e.g. the local one
    /// `supabase start` runs); everything happens inside a transaction that
    /// is rolled back.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Allow a --db URL whose host is not this machine.
    #[arg(long)]
    pub allow_remote: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ProveFormat,
    /// Exit with status 1 when a proven problem reaches this severity
    /// (problems are warnings).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ProveFormat {
    /// Plain sentences, for people.
    Text,
    /// One JSON document, stable fields (see the README).
    Json,
}

/// How loudly a result speaks: a proven leak is a warning, what is allowed
/// by design a hint.
pub fn severity(proven: &Proven) -> Option<Severity> {
    match proven.outcome.verdict {
        Verdict::Leak => Some(Severity::Warning),
        Verdict::Allowed => Some(Severity::Hint),
        Verdict::Held => None,
    }
}

extern "C" fn on_interrupt(_: libc::c_int) {
    prove::INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Ctrl-C ends the attempt between steps, so the throwaway cluster is
/// stopped and deleted rather than left behind.
fn catch_interrupt() {
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_interrupt as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_interrupt as *const () as libc::sighandler_t);
    }
}

pub fn run(args: ProveArgs) -> Result<i32, UsageError> {
    let fail_on = args
        .fail_on
        .as_deref()
        .map(|s| s.parse::<Severity>().map_err(UsageError))
        .transpose()?;
    if !args.path.is_dir() {
        return Err(UsageError(format!("{}: not a directory", args.path.display())));
    }
    catch_interrupt();
    let options = prove::Options {
        db: args.db.clone(),
        allow_remote: args.allow_remote,
    };
    let report = match prove::prove(&args.path, &options) {
        Ok(report) => report,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "nudge: {error}");
            return Ok(2);
        }
    };
    match args.format {
        ProveFormat::Json => stdout_write(&to_json(&report)),
        ProveFormat::Text => stdout_write(&to_text(&report, args.db.is_some())),
    }
    let failed = fail_on.is_some_and(|threshold| {
        report
            .databases
            .iter()
            .flat_map(|d| &d.results)
            .filter_map(severity)
            .any(|s| s >= threshold)
    });
    Ok(if failed { 1 } else { 0 })
}

fn actor_name(actor: Actor) -> &'static str {
    match actor {
        Actor::Visitor => "visitor",
        Actor::OtherUser => "other-user",
    }
}

fn object_kind(object: &Object) -> &'static str {
    match object {
        Object::Table { .. } => "table",
        Object::Function { .. } => "function",
        Object::Bucket(_) => "bucket",
    }
}

fn sentence_with_evidence(proven: &Proven) -> String {
    let mut text = proven.outcome.sentence.clone();
    if let Some(evidence) = &proven.evidence {
        text.push_str(&format!(" ({}: {}:{})", evidence.what, evidence.path, evidence.line));
    }
    text
}

/// Joins `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// One line per object and actor: what they could do to it, the evidence
/// once (the first result that has some), and its fix.
fn grouped_leaks(leaks: &[&Proven]) -> Vec<(String, Option<String>)> {
    let mut order: Vec<(Object, Actor, bool)> = Vec::new();
    for proven in leaks {
        let key = (
            proven.outcome.object.clone(),
            proven.outcome.actor,
            proven.outcome.action == Action::SelfUpdate,
        );
        if !order.contains(&key) {
            order.push(key);
        }
    }
    let mut lines = Vec::new();
    for (object, actor, self_update) in order {
        let group: Vec<&&Proven> = leaks
            .iter()
            .filter(|p| {
                p.outcome.object == object
                    && p.outcome.actor == actor
                    && (p.outcome.action == Action::SelfUpdate) == self_update
            })
            .collect();
        let name = object.display();
        let sentence = if self_update {
            let columns: Vec<String> = group
                .iter()
                .filter_map(|p| p.outcome.column.clone())
                .map(|c| format!("`{name}.{c}`"))
                .collect();
            format!("Any signed-in user can set their own {}", and_list(&columns))
        } else if group.len() == 1 {
            group[0].outcome.sentence.clone()
        } else {
            let who = match actor {
                Actor::Visitor => "A visitor with your public key",
                Actor::OtherUser => "Another signed-in user",
            };
            let mut verbs: Vec<String> = Vec::new();
            for proven in &group {
                let o = &proven.outcome;
                let verb = match o.action {
                    Action::Read => format!(
                        "read {}{} rows",
                        o.rows,
                        o.total.map(|t| format!(" of {t}")).unwrap_or_default()
                    ),
                    Action::ReadOthersRow => "read user A's row".to_string(),
                    Action::Insert => "add rows".to_string(),
                    Action::InsertAsOther => "add rows in user A's name".to_string(),
                    Action::Update if o.owned_rows => "change user A's row".to_string(),
                    Action::Update => "change a row".to_string(),
                    Action::Delete if o.owned_rows => "delete user A's row".to_string(),
                    Action::Delete => "delete a row".to_string(),
                    Action::ListFiles => "list its files".to_string(),
                    Action::Upload => "upload into user A's folder".to_string(),
                    Action::DeleteFile => "delete user A's file".to_string(),
                    Action::Call | Action::CallForOther | Action::SelfUpdate => continue,
                };
                verbs.push(verb);
            }
            let place = match object {
                Object::Bucket(_) => format!("bucket `{name}`"),
                _ => format!("`{name}`"),
            };
            format!("{who} could {} in {place}", and_list(&verbs))
        };
        let evidence = group.iter().find_map(|p| p.evidence.as_ref());
        let mut line = sentence;
        if let Some(e) = evidence {
            line.push_str(&format!(" ({}: {}:{})", e.what, e.path, e.line));
        }
        lines.push((line, evidence.and_then(|e| e.fix.clone())));
    }
    lines
}

pub fn to_text(report: &Report, named_database: bool) -> String {
    let mut out = String::new();
    if report.databases.is_empty() {
        out.push_str("Nudge found no Supabase project with migrations here, so there is nothing to try.\n");
        return out;
    }
    for db in &report.databases {
        let project = if db.root.is_empty() {
            "this project".to_string()
        } else {
            format!("`{}`", db.root)
        };
        out.push_str(&format!(
            "Nudge tried the unhappy paths of {project} against {}",
            report.postgres
        ));
        if named_database {
            out.push_str(" (its own migrations, as applied there)");
        } else {
            out.push_str(&format!(
                " ({} migration file{}",
                db.migrations,
                if db.migrations == 1 { "" } else { "s" }
            ));
            match db.skipped.len() {
                0 => out.push(')'),
                n => out.push_str(&format!(
                    ", {n} statement{} skipped: {})",
                    if n == 1 { "" } else { "s" },
                    skipped_summary(db)
                )),
            }
        }
        out.push_str(":\n\n");
        let leaks: Vec<&Proven> = db
            .results
            .iter()
            .filter(|r| r.outcome.verdict == Verdict::Leak)
            .collect();
        let allowed: Vec<&Proven> = db
            .results
            .iter()
            .filter(|r| r.outcome.verdict == Verdict::Allowed)
            .collect();
        let held: Vec<&Proven> = db
            .results
            .iter()
            .filter(|r| r.outcome.verdict == Verdict::Held)
            .collect();
        if leaks.is_empty() {
            out.push_str("Nothing a visitor or another user tried got through.\n");
        } else {
            out.push_str("What a visitor or another user could do:\n");
            for (line, fix) in grouped_leaks(&leaks) {
                out.push_str(&format!("  ✗ {line}.\n"));
                if let Some(fix) = fix {
                    out.push_str(&format!("      fix: {fix}\n"));
                }
            }
        }
        if !allowed.is_empty() {
            out.push_str("\nAllowed, and public by design as far as Nudge can tell:\n");
            for proven in &allowed {
                out.push_str(&format!("  · {}.\n", proven.outcome.sentence));
            }
        }
        if !held.is_empty() {
            out.push_str("\nWhat held:\n");
            // One line per object and actor: the first thing that held.
            let mut seen = std::collections::BTreeSet::new();
            for proven in &held {
                if seen.insert((
                    proven.outcome.object.clone(),
                    proven.outcome.actor,
                    proven.outcome.action == Action::SelfUpdate,
                )) {
                    out.push_str(&format!("  ✓ {}.\n", proven.outcome.sentence));
                }
            }
        }
        for note in &db.notes {
            out.push_str(&format!("\nnote: {note}\n"));
        }
        out.push('\n');
    }
    out.push_str(if named_database {
        "Nothing was kept: every change was inside one transaction, rolled back.\n"
    } else {
        "Nothing was kept: the throwaway database is deleted.\n"
    });
    out
}

fn skipped_summary(db: &prove::DatabaseReport) -> String {
    let first = &db.skipped[0];
    let more = db.skipped.len() - 1;
    let mut text = format!("{} at {}:{}", first.error, first.path, first.line);
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// The JSON report: stable fields, documented in the README.
pub fn to_json(report: &Report) -> String {
    let databases: Vec<serde_json::Value> = report
        .databases
        .iter()
        .map(|db| {
            let results: Vec<serde_json::Value> = db
                .results
                .iter()
                .map(|r| {
                    let o = &r.outcome;
                    json!({
                        "verdict": match o.verdict { Verdict::Leak => "leak", Verdict::Allowed => "allowed", Verdict::Held => "held" },
                        "severity": severity(r).map(|s| s.as_str()),
                        "actor": actor_name(o.actor),
                        "action": o.action.as_str(),
                        "object": o.object.display(),
                        "object_kind": object_kind(&o.object),
                        "column": o.column,
                        "rows": o.rows,
                        "total_rows": o.total,
                        "rows_written": o.writes,
                        "message": sentence_with_evidence(r),
                        "path": r.evidence.as_ref().map(|e| e.path.clone()),
                        "line": r.evidence.as_ref().map(|e| e.line),
                        "rule": r.evidence.as_ref().and_then(|e| e.rule.clone()),
                        "fix": r.evidence.as_ref().and_then(|e| e.fix.clone()),
                    })
                })
                .collect();
            json!({
                "project": db.root,
                "migrations": { "applied": db.migrations, "skipped": db.skipped.iter().map(|s| json!({ "path": s.path, "line": s.line, "error": s.error })).collect::<Vec<_>>() },
                "results": results,
                "notes": db.notes,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({
        "postgres": report.postgres,
        "seconds": (report.elapsed.as_secs_f64() * 100.0).round() / 100.0,
        "databases": databases,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}
