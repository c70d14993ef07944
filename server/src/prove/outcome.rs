//! What the attempt showed, in plain words: who did what to which table,
//! function or bucket, with how many rows, and whether it was a leak or a
//! protection that held.

use std::collections::BTreeMap;

use super::schema::Schema;
use super::script::{Actor, owner_columns};

/// One row of `nudge_prove.results`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub kind: String,
    pub actor: String,
    pub object: String,
    pub detail: String,
    pub ok: bool,
    pub rows: i64,
    pub error: String,
    pub writes: i64,
}

impl Attempt {
    pub fn parse(row: &[String]) -> Option<Attempt> {
        let [kind, actor, object, detail, ok, rows, error, writes] = row else {
            return None;
        };
        Some(Attempt {
            kind: kind.clone(),
            actor: actor.clone(),
            object: object.clone(),
            detail: detail.clone(),
            ok: ok == "t",
            rows: rows.parse().unwrap_or(0),
            error: error.clone(),
            writes: writes.parse().unwrap_or(0),
        })
    }
}

/// What kind of object a result is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Object {
    Table { schema: String, name: String },
    Function { schema: String, name: String, args: String },
    Bucket(String),
}

impl Object {
    fn parse(raw: &str) -> Object {
        if let Some(bucket) = raw.strip_prefix("bucket:") {
            return Object::Bucket(bucket.to_string());
        }
        if let Some(function) = raw.strip_prefix("function:") {
            let (name, args) = function.split_once('(').unwrap_or((function, ""));
            let (schema, name) = name.split_once('.').unwrap_or(("public", name));
            return Object::Function {
                schema: schema.to_string(),
                name: name.to_string(),
                args: args.trim_end_matches(')').to_string(),
            };
        }
        let key = crate::engine::catalog::Key::parse(raw);
        Object::Table {
            schema: key.schema,
            name: key.name,
        }
    }

    /// The name for people: `invoices`, `private.audit`, `increment_credits`.
    pub fn display(&self) -> String {
        let named = |schema: &str, name: &str| {
            if schema == "public" {
                name.to_string()
            } else {
                format!("{schema}.{name}")
            }
        };
        match self {
            Object::Table { schema, name } => named(schema, name),
            Object::Function { schema, name, .. } => named(schema, name),
            Object::Bucket(id) => id.clone(),
        }
    }
}

/// What was tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Read,
    ReadOthersRow,
    Insert,
    InsertAsOther,
    Update,
    Delete,
    SelfUpdate,
    Call,
    /// A call with user A's id answered with A's data.
    CallForOther,
    ListFiles,
    Upload,
    DeleteFile,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::ReadOthersRow => "read-others-row",
            Action::Insert => "insert",
            Action::InsertAsOther => "insert-as-other",
            Action::Update => "update-others-row",
            Action::Delete => "delete-others-row",
            Action::SelfUpdate => "update-own-column",
            Action::Call => "call",
            Action::CallForOther => "call-with-others-id",
            Action::ListFiles => "list-files",
            Action::Upload => "upload",
            Action::DeleteFile => "delete-file",
        }
    }
}

/// How much a result matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The protection held.
    Held,
    /// It worked, and by design that is fine (public data, a contact form).
    Allowed,
    /// It worked and it should not have.
    Leak,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub verdict: Verdict,
    pub actor: Actor,
    pub action: Action,
    pub object: Object,
    pub column: Option<String>,
    pub rows: i64,
    pub total: Option<i64>,
    pub writes: i64,
    /// The sentence, in plain words, without the evidence.
    pub sentence: String,
    /// Why it failed, when it did (the server's message).
    pub error: Option<String>,
    /// Whether the object's rows belong to users (so "user A's row", not "a row").
    pub owned_rows: bool,
}

fn who(actor: Actor) -> &'static str {
    match actor {
        Actor::Visitor => "A visitor with your public key",
        Actor::OtherUser => "Another signed-in user",
    }
}

fn who_lower(actor: Actor) -> &'static str {
    match actor {
        Actor::Visitor => "visitors",
        Actor::OtherUser => "other signed-in users",
    }
}

/// Columns whose change decides rights or money.
pub fn privileged(column: &str) -> bool {
    use crate::engine::names::{self, NameClass};
    let words = names::words(column);
    let has = |w: &str| words.iter().any(|x| x == w);
    (names::is_in_class(column, NameClass::Entitlement)
        || names::is_in_class(column, NameClass::Admin)
        || has("balance")
        || has("verified")
        || has("approved")
        || has("banned")
        || has("quota"))
        && !has("at")
        && !has("url")
        && !has("id")
}

/// Turns attempts into outcomes; `private` says whether a table's rows are
/// private (so a read is a leak, not a catalog page).
pub fn interpret(
    attempts: &[Attempt],
    schema: &Schema,
    private: &dyn Fn(&str, &str) -> bool,
    submission: &dyn Fn(&str, &str) -> bool,
) -> (Vec<Outcome>, Vec<String>) {
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    let mut notes = Vec::new();
    for attempt in attempts {
        if attempt.kind == "total" {
            totals.insert(attempt.object.clone(), attempt.rows);
        }
        if attempt.kind == "seed" && !attempt.ok {
            notes.push(format!(
                "could not make a test row in `{}` ({}); its attempts may be incomplete",
                Object::parse(&attempt.object).display(),
                attempt.error
            ));
        }
    }
    let mut out = Vec::new();
    for attempt in attempts {
        let Some(actor) = Actor::parse(&attempt.actor) else {
            continue;
        };
        let object = Object::parse(&attempt.object);
        let name = object.display();
        let (schema_name, table_name) = match &object {
            Object::Table { schema, name } => (schema.clone(), name.clone()),
            _ => (String::new(), String::new()),
        };
        let is_private = private(&schema_name, &table_name);
        let per_user = schema
            .tables
            .iter()
            .chain(&schema.views)
            .find(|t| t.schema == schema_name && t.name == table_name)
            .is_some_and(|t| !owner_columns(t).is_empty());
        let total = totals.get(&attempt.object).copied();
        let worked = attempt.ok && attempt.rows > 0;
        let error = (!attempt.ok && !attempt.error.is_empty()).then(|| attempt.error.clone());
        let (action, verdict, sentence) = match attempt.kind.as_str() {
            "read" if attempt.detail == "all" => {
                let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
                if worked {
                    let verdict = if is_private { Verdict::Leak } else { Verdict::Allowed };
                    (
                        Action::Read,
                        verdict,
                        format!("{} read {}{of} rows of `{name}`", who(actor), attempt.rows),
                    )
                } else {
                    (
                        Action::Read,
                        Verdict::Held,
                        format!("{} could not read `{name}`", capitalize(who_lower(actor))),
                    )
                }
            }
            "read" => {
                if worked {
                    // The same judgement as the static rules: rows whose
                    // table reads as public by design are fine to read.
                    let verdict = if is_private { Verdict::Leak } else { Verdict::Allowed };
                    (
                        Action::ReadOthersRow,
                        verdict,
                        format!("{} read user A's row in `{name}`", who(actor)),
                    )
                } else {
                    (
                        Action::ReadOthersRow,
                        Verdict::Held,
                        format!(
                            "{} could not read user A's row in `{name}`",
                            capitalize(who_lower(actor))
                        ),
                    )
                }
            }
            "insert" if attempt.detail == "as-A" => {
                if attempt.ok {
                    (
                        Action::InsertAsOther,
                        Verdict::Leak,
                        format!("{} added a row to `{name}` in user A's name", who(actor)),
                    )
                } else {
                    (
                        Action::InsertAsOther,
                        Verdict::Held,
                        format!(
                            "{} could not add rows to `{name}` in user A's name",
                            capitalize(who_lower(actor))
                        ),
                    )
                }
            }
            "insert" => {
                if attempt.ok {
                    let verdict = if submission(&schema_name, &table_name) {
                        Verdict::Allowed
                    } else {
                        Verdict::Leak
                    };
                    (
                        Action::Insert,
                        verdict,
                        format!("{} added a row to `{name}`", who(actor)),
                    )
                } else {
                    (
                        Action::Insert,
                        Verdict::Held,
                        format!("{} could not add rows to `{name}`", capitalize(who_lower(actor))),
                    )
                }
            }
            "update" => {
                if worked {
                    (
                        Action::Update,
                        Verdict::Leak,
                        format!("{} changed {} in `{name}`", who(actor), whose(per_user)),
                    )
                } else {
                    (
                        Action::Update,
                        Verdict::Held,
                        format!(
                            "{} could not change {} in `{name}`",
                            capitalize(who_lower(actor)),
                            whose(per_user)
                        ),
                    )
                }
            }
            "delete" => {
                if worked {
                    (
                        Action::Delete,
                        Verdict::Leak,
                        format!("{} deleted {} in `{name}`", who(actor), whose(per_user)),
                    )
                } else {
                    (
                        Action::Delete,
                        Verdict::Held,
                        format!(
                            "{} could not delete {} in `{name}`",
                            capitalize(who_lower(actor)),
                            whose(per_user)
                        ),
                    )
                }
            }
            "self-update" => {
                let column = &attempt.detail;
                let important = privileged(column);
                if !important {
                    // Changing one's own name is the point of a profile.
                    continue;
                }
                if worked {
                    (
                        Action::SelfUpdate,
                        Verdict::Leak,
                        format!("Any signed-in user can set their own `{name}.{column}`"),
                    )
                } else {
                    (
                        Action::SelfUpdate,
                        Verdict::Held,
                        format!("Users could not change their own `{name}.{column}`"),
                    )
                }
            }
            "call" if attempt.detail == "stranger-id" => continue,
            "call" => {
                let wrote = attempt.ok && attempt.writes > 0;
                // The same call with an id nobody has, for comparison.
                let for_nobody = attempts
                    .iter()
                    .find(|a| {
                        a.kind == "call"
                            && a.detail == "stranger-id"
                            && a.actor == attempt.actor
                            && a.object == attempt.object
                    })
                    .map(|a| if a.ok { a.rows } else { 0 });
                let handed_over = attempt.ok && for_nobody.is_some_and(|nobody| attempt.rows > nobody);
                let returns_records = schema.functions.iter().any(|f| {
                    super::script::function_object(f) == attempt.object && (f.returns_set || !is_scalar(&f.returns))
                });
                if wrote {
                    (
                        Action::Call,
                        Verdict::Leak,
                        format!(
                            "{} called `{name}` and it changed {}",
                            who(actor),
                            if attempt.writes == 1 {
                                "a row".to_string()
                            } else {
                                format!("{} rows", attempt.writes)
                            }
                        ),
                    )
                } else if handed_over && returns_records {
                    (
                        Action::CallForOther,
                        Verdict::Leak,
                        format!(
                            "{} called `{name}` with user A's id and got back user A's data ({} row{})",
                            who(actor),
                            attempt.rows,
                            if attempt.rows == 1 { "" } else { "s" }
                        ),
                    )
                } else if attempt.ok && attempt.rows > 0 && matches!(object, Object::Function { .. }) {
                    (
                        Action::Call,
                        Verdict::Allowed,
                        format!("{} called `{name}`", who(actor)),
                    )
                } else {
                    (
                        Action::Call,
                        Verdict::Held,
                        format!(
                            "Calling `{name}` as {} changed nothing",
                            who_lower(actor).trim_end_matches('s')
                        ),
                    )
                }
            }
            "list" => {
                let public = schema
                    .buckets
                    .iter()
                    .any(|b| format!("bucket:{}", b.id) == attempt.object && b.public);
                let by_design = crate::engine::catalog::checks::public_by_design_bucket(&name);
                if worked {
                    let verdict = if by_design { Verdict::Allowed } else { Verdict::Leak };
                    (
                        Action::ListFiles,
                        verdict,
                        format!("{} listed the files in bucket `{name}`", who(actor)),
                    )
                } else if public && !by_design {
                    (
                        Action::ListFiles,
                        Verdict::Leak,
                        format!(
                            "Bucket `{name}` is public: anyone with a file's URL can download it, though {} could not list it",
                            who_lower(actor)
                        ),
                    )
                } else {
                    (
                        Action::ListFiles,
                        Verdict::Held,
                        format!(
                            "{} could not list the files in bucket `{name}`",
                            capitalize(who_lower(actor))
                        ),
                    )
                }
            }
            "upload" => {
                if attempt.ok {
                    (
                        Action::Upload,
                        Verdict::Leak,
                        format!("{} put a file into user A's folder in bucket `{name}`", who(actor)),
                    )
                } else {
                    (
                        Action::Upload,
                        Verdict::Held,
                        format!(
                            "{} could not upload into user A's folder in bucket `{name}`",
                            capitalize(who_lower(actor))
                        ),
                    )
                }
            }
            "delete-file" => {
                if worked {
                    (
                        Action::DeleteFile,
                        Verdict::Leak,
                        format!("{} deleted user A's file in bucket `{name}`", who(actor)),
                    )
                } else {
                    (
                        Action::DeleteFile,
                        Verdict::Held,
                        format!(
                            "{} could not delete user A's files in bucket `{name}`",
                            capitalize(who_lower(actor))
                        ),
                    )
                }
            }
            _ => continue,
        };
        out.push(Outcome {
            verdict,
            actor,
            action,
            column: (action == Action::SelfUpdate).then(|| attempt.detail.clone()),
            object,
            rows: attempt.rows,
            total,
            writes: attempt.writes,
            sentence,
            error,
            owned_rows: per_user,
        });
    }
    // A public bucket is said once, not for each visitor kind.
    out.dedup_by(|a, b| {
        a.action == Action::ListFiles
            && b.action == Action::ListFiles
            && a.object == b.object
            && a.verdict == b.verdict
            && a.sentence.starts_with("Bucket")
    });
    (out, notes)
}

/// A return type that is one plain value (a count, a flag, a name), not
/// rows or a document.
fn is_scalar(type_name: &str) -> bool {
    matches!(
        type_name,
        "integer"
            | "bigint"
            | "smallint"
            | "numeric"
            | "boolean"
            | "text"
            | "character varying"
            | "uuid"
            | "void"
            | "real"
            | "double precision"
            | "date"
            | "timestamp with time zone"
            | "timestamp without time zone"
    )
}

/// The row tried: A's where rows have owners, else any one.
fn whose(per_user: bool) -> &'static str {
    if per_user { "user A's row" } else { "a row" }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
