//! Named predicates: conditions a tree-sitter query cannot express, written
//! in Rust and referenced from a rule's `where` list, e.g.
//! `where = ["secret(@value, @name)", "not context(test)"]`.
//!
//! *Local* predicates need only the file (its text, captures and config) and
//! run during per-file analysis. *Global* predicates need the workspace (the
//! file's context after the import graph, facts from migrations) and run when
//! findings are assembled. The split is what lets one keystroke re-analyse a
//! single file and still get cross-file answers.

use regex::{Regex, RegexBuilder};

use super::catalog::Database;
use super::catalog::checks;
use super::config::Config;
use super::context::{ContextKind, FileContext};
use super::names::{self, NameClass};
use super::secrets;
use super::workspace::TableKey;

/// Checks implemented wholly in Rust, named by a rule's `check` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RustCheck {
    /// A `nudge-ignore` comment that silenced nothing.
    UnusedSuppression,
    /// A `nudge-ignore` comment without a reason after `:`.
    SuppressionWithoutReason,
}

impl RustCheck {
    pub fn parse(name: &str) -> Option<RustCheck> {
        match name {
            "unused-suppression" => Some(RustCheck::UnusedSuppression),
            "suppression-without-reason" => Some(RustCheck::SuppressionWithoutReason),
            _ => None,
        }
    }
}

/// One argument of a predicate call.
#[derive(Clone, Debug)]
pub enum Arg {
    Capture(String),
    Word(String),
}

#[derive(Clone, Debug)]
pub enum Predicate {
    /// The capture holds a real-looking secret; optional name capture.
    Secret { value: String, name: Option<String> },
    /// The capture's text is a name of the given class.
    Name { capture: String, class: NameClass },
    /// The capture is an env variable name with a public (browser) prefix.
    PublicEnv { capture: String },
    /// The capture's text matches a regular expression.
    Matches { capture: String, regex: Regex },
    /// The file imports a module starting with this prefix.
    Imports { prefix: String },
    /// Text around the match matches a regular expression.
    Around { region: Region, regex: Regex },
    /// The file's context is one of these.
    Context { kinds: Vec<ContextKind> },
    /// The table is never given `ENABLE ROW LEVEL SECURITY` in any migration.
    RlsNeverEnabled { capture: String },
    /// The table lives in a schema the API exposes.
    ExposedTable { capture: String },
    /// The table holds per-user rows (a `user_id`-like column).
    PerUserTable { capture: String },
    /// Some policy exists for the table.
    HasPolicy { capture: String },
    /// The table is created somewhere in the migrations.
    KnownTable { capture: String },
    /// The table has columns whose names mark sensitive data.
    SensitiveColumns { capture: String },
    /// The file is ignored by git (an uncommitted `.env.local`).
    GitIgnored,
}

/// Which text around a match a `*-matches` predicate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    Function,
    Statement,
    File,
    Path,
}

/// A predicate, possibly negated with a leading `not`.
#[derive(Clone, Debug)]
pub struct Filter {
    pub negated: bool,
    pub predicate: Predicate,
}

impl Filter {
    /// Parses `name(arg, ...)` or `not name(arg, ...)`.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let trimmed = text.trim();
        let (negated, call) = match trimmed.strip_prefix("not ") {
            Some(rest) => (true, rest.trim()),
            None => (false, trimmed),
        };
        let open = call
            .find('(')
            .ok_or_else(|| format!("`{text}` is not of the form name(args)"))?;
        if !call.ends_with(')') {
            return Err(format!("`{text}` is missing its closing `)`"));
        }
        let name = call[..open].trim();
        let args: Vec<Arg> = split_args(&call[open + 1..call.len() - 1])
            .into_iter()
            .map(|a| match a.strip_prefix('@') {
                Some(cap) => Arg::Capture(cap.to_string()),
                None => Arg::Word(unquote(&a).to_string()),
            })
            .collect();
        let capture = |i: usize| match args.get(i) {
            Some(Arg::Capture(c)) => Ok(c.clone()),
            _ => Err(format!("{name}: argument {} must be a @capture", i + 1)),
        };
        let word = |i: usize| match args.get(i) {
            Some(Arg::Word(w)) => Ok(w.clone()),
            _ => Err(format!("{name}: argument {} must be a word", i + 1)),
        };
        let predicate = match name {
            "secret" => Predicate::Secret {
                value: capture(0)?,
                name: if args.len() > 1 { Some(capture(1)?) } else { None },
            },
            "name" => {
                let class_name = word(1)?;
                let class = NameClass::parse(&class_name).ok_or_else(|| {
                    format!("name: unknown class `{class_name}` (personal-data, entitlement, admin, secret-name)")
                })?;
                Predicate::Name {
                    capture: capture(0)?,
                    class,
                }
            }
            "public-env" => Predicate::PublicEnv { capture: capture(0)? },
            "matches" => {
                let pattern = word(1)?;
                // User rules come from cloned repositories: bound the cost.
                let regex = RegexBuilder::new(&pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("matches: bad regex: {e}"))?;
                Predicate::Matches {
                    capture: capture(0)?,
                    regex,
                }
            }
            "imports" => Predicate::Imports { prefix: word(0)? },
            "function-matches" | "statement-matches" | "file-matches" | "path-matches" => {
                let region = match name {
                    "function-matches" => Region::Function,
                    "statement-matches" => Region::Statement,
                    "file-matches" => Region::File,
                    _ => Region::Path,
                };
                let pattern = word(0)?;
                let regex = RegexBuilder::new(&pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("{name}: bad regex: {e}"))?;
                Predicate::Around { region, regex }
            }
            "known-table" => Predicate::KnownTable { capture: capture(0)? },
            "sensitive-columns" => Predicate::SensitiveColumns { capture: capture(0)? },
            "git-ignored" => Predicate::GitIgnored,
            "context" => {
                let kinds = args
                    .iter()
                    .map(|a| match a {
                        Arg::Word(w) => w.parse::<ContextKind>(),
                        Arg::Capture(_) => Err("context: arguments are context names".to_string()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if kinds.is_empty() {
                    return Err("context: name at least one context".to_string());
                }
                Predicate::Context { kinds }
            }
            "rls-never-enabled" => Predicate::RlsNeverEnabled { capture: capture(0)? },
            "exposed-table" => Predicate::ExposedTable { capture: capture(0)? },
            "per-user-table" => Predicate::PerUserTable { capture: capture(0)? },
            "has-policy" => Predicate::HasPolicy { capture: capture(0)? },
            other => return Err(format!("unknown predicate `{other}`")),
        };
        Ok(Filter { negated, predicate })
    }

    pub fn is_global(&self) -> bool {
        // Exhaustive on purpose: a new predicate must say where it runs.
        match self.predicate {
            Predicate::Context { .. }
            | Predicate::RlsNeverEnabled { .. }
            | Predicate::ExposedTable { .. }
            | Predicate::PerUserTable { .. }
            | Predicate::HasPolicy { .. }
            | Predicate::KnownTable { .. }
            | Predicate::SensitiveColumns { .. }
            | Predicate::GitIgnored => true,
            Predicate::Secret { .. }
            | Predicate::Name { .. }
            | Predicate::PublicEnv { .. }
            | Predicate::Matches { .. }
            | Predicate::Imports { .. }
            | Predicate::Around { .. } => false,
        }
    }

    /// Whether the filter reads beyond the match's top-level statement (the
    /// whole file or its imports), so an edit anywhere can change it.
    pub fn reads_whole_file(&self) -> bool {
        matches!(
            self.predicate,
            Predicate::Imports { .. }
                | Predicate::Around {
                    region: Region::File,
                    ..
                }
        )
    }

    /// Every capture name the filter reads, to validate against queries.
    pub fn captures(&self) -> Vec<&str> {
        match &self.predicate {
            Predicate::Secret { value, name } => {
                let mut v = vec![value.as_str()];
                v.extend(name.as_deref());
                v
            }
            Predicate::Name { capture, .. }
            | Predicate::PublicEnv { capture }
            | Predicate::Matches { capture, .. }
            | Predicate::RlsNeverEnabled { capture }
            | Predicate::ExposedTable { capture }
            | Predicate::PerUserTable { capture }
            | Predicate::HasPolicy { capture }
            | Predicate::KnownTable { capture }
            | Predicate::SensitiveColumns { capture } => vec![capture.as_str()],
            Predicate::Imports { .. }
            | Predicate::Context { .. }
            | Predicate::Around { .. }
            | Predicate::GitIgnored => Vec::new(),
        }
    }
}

fn unquote(arg: &str) -> &str {
    for quote in ['"', '\''] {
        if arg.len() >= 2 && arg.starts_with(quote) && arg.ends_with(quote) {
            return &arg[1..arg.len() - 1];
        }
    }
    arg
}

fn split_args(inner: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for ch in inner.chars() {
        match ch {
            '"' | '\'' if quote.is_none() => {
                quote = Some(ch);
                current.push(ch);
            }
            c if Some(c) == quote => {
                quote = None;
                current.push(ch);
            }
            ',' if quote.is_none() => out.push(std::mem::take(&mut current).trim().to_string()),
            _ => current.push(ch),
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// What local predicates may look at.
pub struct LocalScope<'a> {
    pub captures: &'a [super::analysis::Capture],
    pub config: &'a Config,
    pub imports: &'a [String],
    /// Workspace-relative path of the file.
    pub path: &'a str,
    /// The whole text the match was found in.
    pub file: &'a str,
    /// The nearest enclosing function, or the top-level statement.
    pub function: &'a str,
    /// The top-level statement (a whole route handler or SQL statement).
    pub statement: &'a str,
}

impl LocalScope<'_> {
    fn text(&self, capture: &str) -> Option<&str> {
        self.captures
            .iter()
            .find(|(n, _, _)| n == capture)
            .map(|(_, _, t)| t.as_str())
    }
}

/// Evaluates a local filter; `vars` receives values for message templates
/// (`provider`, `masked`). Global filters pass here and are checked later.
pub fn eval_local(filter: &Filter, scope: &LocalScope<'_>, vars: &mut Vec<(String, String)>) -> bool {
    if filter.is_global() {
        return true;
    }
    let result = match &filter.predicate {
        Predicate::Secret { value, name } => {
            let binding = match name {
                Some(name) => scope.text(name),
                None => scope.text(&format!("{value}{}", super::analysis::BINDING_SUFFIX)),
            };
            let found = scope.text(value).and_then(|text| secrets::find_secret(text, binding));
            match found {
                Some(secret) => {
                    vars.push(("provider".to_string(), secret.provider.to_string()));
                    vars.push(("masked".to_string(), secret.masked));
                    true
                }
                None => false,
            }
        }
        Predicate::Name { capture, class } => scope.text(capture).is_some_and(|t| names::is_in_class(t, *class)),
        Predicate::PublicEnv { capture } => match scope.text(capture).and_then(|t| scope.config.strip_public_prefix(t))
        {
            Some(server_name) => {
                vars.push(("server_name".to_string(), server_name.to_string()));
                true
            }
            None => false,
        },
        Predicate::Matches { capture, regex } => scope.text(capture).is_some_and(|t| regex.is_match(t)),
        Predicate::Imports { prefix } => scope.imports.iter().any(|i| i.starts_with(prefix.as_str())),
        Predicate::Around { region, regex } => regex.is_match(match region {
            Region::Function => scope.function,
            Region::Statement => scope.statement,
            Region::File => scope.file,
            Region::Path => scope.path,
        }),
        _ => unreachable!("global predicates return early (Filter::is_global)"),
    };
    result != filter.negated
}

/// What global predicates may look at.
pub struct GlobalScope<'a> {
    pub captures: &'a [super::analysis::Capture],
    pub context: &'a FileContext,
    /// The database of the file's project, if it has one.
    pub database: Option<&'a Database>,
    pub config: &'a Config,
    pub git_ignored: bool,
}

/// Evaluates a global filter (local ones pass: they were checked already).
pub fn eval_global(filter: &Filter, scope: &GlobalScope<'_>, vars: &mut Vec<(String, String)>) -> bool {
    if !filter.is_global() {
        return true;
    }
    let table = |capture: &str| {
        scope
            .captures
            .iter()
            .find(|(n, _, _)| n == capture)
            .map(|(_, _, t)| TableKey::parse(t))
    };
    let result = match &filter.predicate {
        Predicate::Context { kinds } => kinds.contains(&scope.context.kind),
        Predicate::RlsNeverEnabled { capture } => table(capture).is_some_and(|t| {
            scope
                .database
                .and_then(|db| db.catalog.table(&t))
                .is_some_and(|t| !t.rls)
        }),
        Predicate::ExposedTable { capture } => {
            table(capture).is_some_and(|t| scope.database.is_some_and(|db| db.exposes(&t.schema)))
        }
        Predicate::PerUserTable { capture } => {
            let owner = table(capture)
                .and_then(|t| scope.database.and_then(|db| db.catalog.table(&t)))
                .and_then(checks::owner_column);
            match owner {
                Some(column) => {
                    vars.push(("owner_column".to_string(), column));
                    true
                }
                None => false,
            }
        }
        Predicate::HasPolicy { capture } => table(capture)
            .and_then(|t| scope.database.and_then(|db| db.catalog.table(&t)))
            .is_some_and(|t| !t.policies.is_empty()),
        Predicate::KnownTable { capture } => table(capture).is_some_and(|t| {
            scope
                .database
                .and_then(|db| db.catalog.table(&t))
                .is_some_and(|t| !t.created.is_builtin())
        }),
        Predicate::SensitiveColumns { capture } => table(capture)
            .and_then(|t| scope.database.and_then(|db| db.catalog.table(&t)))
            .is_some_and(|t| !checks::sensitive_columns(t).is_empty()),
        Predicate::GitIgnored => scope.git_ignored,
        _ => unreachable!("local predicates return early (Filter::is_global)"),
    };
    result != filter.negated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_calls_and_negation() {
        let f = Filter::parse("not context(test, script)").unwrap();
        assert!(f.negated && f.is_global());
        let f = Filter::parse("secret(@value, @name)").unwrap();
        assert_eq!(f.captures(), ["value", "name"]);
        assert!(Filter::parse("nonsense(@x)").unwrap_err().contains("unknown predicate"));
        assert!(Filter::parse("name(@x, colours)").is_err());
        assert!(Filter::parse("secret(value)").is_err());
        let f = Filter::parse(r#"matches(@x, "^a,b$")"#).unwrap();
        assert!(matches!(f.predicate, Predicate::Matches { .. }));
    }
}
