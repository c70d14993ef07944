//! The command line: `nudge check`, `nudge rules`, `nudge explain`.
//!
//! Exit status follows the outside contract: 0 when the scan ran, 1 when
//! `--fail-on` was given and reached, 2 for usage or configuration errors
//! (with a one-line reason on stderr).

mod output;
pub mod prove;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::source::{ColumnUnit, LineIndex};
use crate::engine::{Category, RuleSet, Severity};
use crate::project::{LoadedWorkspace, load_dir, relative_slash_path};

pub use output::{OutputFinding, to_json, to_sarif};

#[derive(Parser)]
#[command(name = "nudge", version, about = "Gentle, contextual security nudges for web apps")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan files and print nudges.
    Check(CheckArgs),
    /// List the rules in force (built-in and `.nudge/rules/`).
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain {
        /// Rule id, as shown by `nudge rules`.
        rule: String,
    },
    /// Try the unhappy paths for real: apply the migrations to a throwaway
    /// PostgreSQL and see what a visitor and another user can read and change.
    Prove(prove::ProveArgs),
    /// Run the language server on stdin/stdout.
    Lsp {
        /// Accepted for clients that append it (vscode-languageclient); stdio
        /// is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Exit with status 1 when a finding reaches this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Only report these categories (repeatable).
    #[arg(long)]
    pub category: Vec<String>,
    /// Only report these rules (repeatable).
    #[arg(long)]
    pub rule: Vec<String>,
    /// Print where FILE's code runs and why, then exit.
    #[arg(long, value_name = "FILE")]
    pub explain_context: Option<PathBuf>,
    /// Never colour the text output.
    #[arg(long)]
    pub no_color: bool,
    /// List every skipped file, not just the first few.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(clap::Args)]
pub struct RulesArgs {
    /// Also run every rule's flagged and clean examples and report failures.
    #[arg(long)]
    pub verify: bool,
}

/// A usage or configuration error: one line, exit status 2.
pub struct UsageError(pub String);

/// Panics are caught where one file's analysis must not stop the rest, and
/// the default report would print the panic's message, which can quote the
/// file being analysed, a key included. Only the place is printed.
fn install_panic_report() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "nudge: internal error{place}; its message is not shown because it can quote file contents"
        );
    }));
}

/// Runs the CLI and returns the process exit status.
pub fn run(cli: Cli) -> i32 {
    install_panic_report();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules(args) => rules(args),
        Command::Explain { rule } => explain(&rule),
        Command::Prove(args) => prove::run(args),
        Command::Lsp { stdio: _ } => Ok(crate::lsp::run_stdio()),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            let _ = writeln!(io::stderr(), "nudge: {message}");
            2
        }
    }
}

pub(crate) fn stdout_write(text: &str) {
    // A closed pipe (`nudge check | head`) is not an error worth a panic.
    let _ = io::stdout().lock().write_all(text.as_bytes());
}

fn rules_for_cwd() -> RuleSet {
    let mut rules = RuleSet::builtin();
    crate::project::add_rule_dir(&mut rules, Path::new(".nudge/rules"));
    rules
}

fn report_rule_errors(rules: &RuleSet) {
    for error in &rules.errors {
        let _ = writeln!(io::stderr(), "nudge: rule not loaded: {error}");
    }
}

fn rules(args: RulesArgs) -> Result<i32, UsageError> {
    let rules = rules_for_cwd();
    report_rule_errors(&rules);
    let mut out = String::new();
    for rule in rules.rules() {
        let languages: Vec<&str> = rule.languages.iter().map(|l| l.as_str()).collect();
        out.push_str(&format!(
            "{:<34} {:<24} {:<8} {}\n",
            rule.id,
            rule.category.as_str(),
            rule.severity.as_str(),
            languages.join(",")
        ));
    }
    stdout_write(&out);
    if args.verify {
        let failures: Vec<String> = rules
            .rules()
            .iter()
            .flat_map(|r| crate::examples::verify_rule(&rules, r))
            .collect();
        for failure in &failures {
            let _ = writeln!(io::stderr(), "nudge: {failure}");
        }
        if !failures.is_empty() {
            return Ok(1);
        }
    }
    Ok(if rules.errors.is_empty() { 0 } else { 1 })
}

fn explain(id: &str) -> Result<i32, UsageError> {
    let rules = rules_for_cwd();
    let Some(rule) = rules.get(id) else {
        return Err(UsageError(format!("unknown rule `{id}` (see `nudge rules`)")));
    };
    let mut out = format!(
        "# {}\n\ncategory: {} · default severity: {}\n\n",
        rule.id, rule.category, rule.severity
    );
    out.push_str(rule.docs.trim());
    out.push('\n');
    if !rule.references.is_empty() {
        out.push_str(&format!("\nReferences: {}\n", rule.references.join(", ")));
    }
    stdout_write(&out);
    Ok(0)
}

/// A scan root and how its paths are shown.
struct Scan {
    loaded: LoadedWorkspace,
    /// Prefix that makes workspace paths relative to the current directory.
    display_prefix: String,
    /// When the user named a file, only its findings are shown.
    only: Option<String>,
}

fn display_prefix(root: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel = relative_path(&cwd, &root);
    if rel.is_empty() { rel } else { format!("{rel}/") }
}

/// `to` relative to the directory `from`, with `..` where needed and `/`
/// separators; both should be absolute and canonical.
fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let ups = std::iter::repeat_n("..".to_string(), from.len() - common);
    let downs = to[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}

/// For a file argument, the directory to load so that cross-file facts are
/// known: the nearest ancestor with `.nudge.toml`, `.git` or `package.json`.
fn root_for_file(file: &Path) -> PathBuf {
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut fallback = None;
    for dir in parent.ancestors() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if dir.join(".nudge.toml").exists() || dir.join(".git").exists() {
            return dir.to_path_buf();
        }
        if fallback.is_none() && dir.join("package.json").exists() {
            fallback = Some(dir.to_path_buf());
        }
    }
    fallback.unwrap_or_else(|| parent.to_path_buf())
}

fn load_scan(path: &Path) -> Result<Scan, UsageError> {
    if !path.exists() {
        return Err(UsageError(format!("{}: no such file or directory", path.display())));
    }
    let (root, only) = if path.is_file() {
        let root = root_for_file(path);
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        let canonical_file = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        (root, Some(relative_slash_path(&canonical_root, &canonical_file)))
    } else {
        (path.to_path_buf(), None)
    };
    let loaded = load_dir(&root).map_err(|e| UsageError(e.to_string()))?;
    Ok(Scan {
        display_prefix: display_prefix(&root),
        loaded,
        only,
    })
}

/// How many skipped files are named before the rest are only counted: a
/// tree full of bundles should not bury the findings under notes.
const SKIPPED_NOTES_SHOWN: usize = 3;

fn print_notes(notes: &[String], prefix: &str, verbose: bool) {
    let mut skipped = 0;
    for note in notes {
        let is_skip = note.contains(": skipped, ");
        if is_skip {
            skipped += 1;
        }
        if !is_skip || verbose || skipped <= SKIPPED_NOTES_SHOWN {
            let _ = writeln!(io::stderr(), "nudge: {prefix}{note}");
        }
    }
    if !verbose && skipped > SKIPPED_NOTES_SHOWN {
        let _ = writeln!(
            io::stderr(),
            "nudge: and {} more files skipped (generated, minified or large; --verbose lists them)",
            skipped - SKIPPED_NOTES_SHOWN
        );
    }
}

fn check(args: CheckArgs) -> Result<i32, UsageError> {
    let fail_on = args
        .fail_on
        .as_deref()
        .map(|s| s.parse::<Severity>().map_err(UsageError))
        .transpose()?;
    let categories = args
        .category
        .iter()
        .map(|c| c.parse::<Category>().map_err(UsageError))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(file) = &args.explain_context {
        return explain_context(file);
    }
    let mut scans = Vec::new();
    for path in &args.paths {
        scans.push(load_scan(path)?);
    }
    let first_rules = &scans
        .first()
        .map(|s| s.loaded.rules.clone())
        .unwrap_or_else(RuleSet::builtin);
    for rule in &args.rule {
        if first_rules.get(rule).is_none() {
            return Err(UsageError(format!("unknown rule `{rule}` (see `nudge rules`)")));
        }
    }
    let mut reported_errors = Vec::new();
    let mut findings: Vec<OutputFinding> = Vec::new();
    let mut file_count = 0;
    for scan in &scans {
        for error in &scan.loaded.rules.errors {
            let line = error.to_string();
            if !reported_errors.contains(&line) {
                let _ = writeln!(io::stderr(), "nudge: rule not loaded: {line}");
                reported_errors.push(line);
            }
        }
        print_notes(&scan.loaded.notes, &scan.display_prefix, args.verbose);
        let workspace = &scan.loaded.workspace;
        for path in workspace.paths() {
            if scan.only.as_deref().is_some_and(|only| only != path) {
                continue;
            }
            file_count += 1;
            let analysis = workspace.analysis(path).expect("path from workspace");
            let mut redacted: Option<String> = None;
            for finding in workspace.findings(path, &scan.loaded.rules) {
                if !categories.is_empty() && !categories.contains(&finding.category) {
                    continue;
                }
                if !args.rule.is_empty() && !args.rule.contains(&finding.rule_id) {
                    continue;
                }
                // Code frames show the file with every secret starred out,
                // redacted once per file so multi-line keys are caught whole.
                let redacted = redacted.get_or_insert_with(|| crate::engine::secrets::redact(&analysis.text));
                findings.push(OutputFinding::new(
                    format!("{}{path}", scan.display_prefix),
                    &analysis.text,
                    redacted,
                    &analysis.line_index,
                    finding,
                ));
            }
        }
    }
    findings.sort_by(|a, b| (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule)));
    match args.format {
        Format::Json => stdout_write(&to_json(&findings)),
        Format::Sarif => stdout_write(&to_sarif(&findings, first_rules)),
        Format::Text => {
            let color = !args.no_color && io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            stdout_write(&output::to_text(&findings, file_count, color));
        }
    }
    let failed = fail_on.is_some_and(|threshold| findings.iter().any(|f| f.severity >= threshold));
    Ok(if failed { 1 } else { 0 })
}

fn explain_context(file: &Path) -> Result<i32, UsageError> {
    let scan = load_scan(file)?;
    let Some(path) = scan.only.as_deref() else {
        return Err(UsageError(format!(
            "{}: --explain-context takes a file",
            file.display()
        )));
    };
    let Some(context) = scan.loaded.workspace.context_of(path) else {
        return Err(UsageError(format!(
            "{}: not a file Nudge analyses (or excluded by configuration)",
            file.display()
        )));
    };
    stdout_write(&format!(
        "{}{path}: {}\n  because {}\n",
        scan.display_prefix, context.kind, context.reason
    ));
    Ok(0)
}

/// 1-based line and column (in Unicode scalar values) of a byte offset.
pub fn human_position(text: &str, index: &LineIndex, offset: usize) -> (usize, usize) {
    let pos = index.position(text, offset, ColumnUnit::Utf32);
    (pos.line + 1, pos.column + 1)
}
