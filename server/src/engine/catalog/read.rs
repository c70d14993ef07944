//! Reading SQL into statements: the tree-sitter-postgres tree of one file
//! becomes, in order, the statements that change who can read and write
//! (tables, row-level security, policies, privileges, functions, views,
//! triggers, storage buckets), each with the byte spans a nudge points at.
//!
//! `DO $$ ... $$` blocks run at migration time: their PL/pgSQL bodies are
//! split into statements here too, including `EXECUTE` of literal or
//! `format(...)` SQL, inside `IF ... THEN`, exception blocks and loops over
//! an array or over the tables of a schema.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::expr::Condition;
use crate::engine::analysis::parse;
use crate::engine::language::Language;
use crate::engine::types::Span;

/// A name as PostgreSQL folds it: unquoted parts lower-cased. `schema` is
/// `None` when the statement does not say (then the search path decides).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualName {
    pub schema: Option<String>,
    pub name: String,
}

impl QualName {
    pub fn display(&self) -> String {
        match &self.schema {
            Some(schema) if schema != "public" => format!("{schema}.{}", self.name),
            _ => self.name.clone(),
        }
    }
}

/// Splits `schema.table` (quotes respected, unquoted parts lower-cased).
pub fn qual_name(raw: &str) -> QualName {
    let parts = split_identifier(raw);
    let mut parts = parts.into_iter();
    let (first, second) = (parts.next(), parts.next());
    match (first, second) {
        (Some(schema), Some(name)) => QualName {
            schema: Some(schema),
            name,
        },
        (Some(name), None) => QualName { schema: None, name },
        _ => QualName {
            schema: None,
            name: String::new(),
        },
    }
}

/// The dot-separated parts of an identifier, folded as PostgreSQL does.
fn split_identifier(raw: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = raw.trim().chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                parts.push(fold(&mut current, &mut was_quoted));
            }
            c if c.is_whitespace() && !quoted => {}
            c => current.push(c),
        }
    }
    parts.push(fold(&mut current, &mut was_quoted));
    parts
}

fn fold(current: &mut String, was_quoted: &mut bool) -> String {
    let part = std::mem::take(current);
    let part = if *was_quoted { part } else { part.to_lowercase() };
    *was_quoted = false;
    part
}

/// A plain identifier (a role, column or policy name), folded.
pub fn ident(raw: &str) -> String {
    split_identifier(raw).pop().unwrap_or_default()
}

/// What a policy or privilege is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cmd {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl Cmd {
    pub fn parse(text: &str) -> Option<Cmd> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "all" => Cmd::All,
            "select" => Cmd::Select,
            "insert" => Cmd::Insert,
            "update" => Cmd::Update,
            "delete" => Cmd::Delete,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cmd::All => "all",
            Cmd::Select => "select",
            Cmd::Insert => "insert",
            Cmd::Update => "update",
            Cmd::Delete => "delete",
        }
    }
}

/// A table privilege (the ones that decide reads and writes, plus the
/// rest so `ALL` and revokes are exact).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    Execute,
    Usage,
}

impl Privilege {
    pub const TABLE: [Privilege; 7] = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
        Privilege::Truncate,
        Privilege::References,
        Privilege::Trigger,
    ];

    fn parse(text: &str) -> Option<Privilege> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "select" => Privilege::Select,
            "insert" => Privilege::Insert,
            "update" => Privilege::Update,
            "delete" => Privilege::Delete,
            "truncate" => Privilege::Truncate,
            "references" => Privilege::References,
            "trigger" => Privilege::Trigger,
            "execute" => Privilege::Execute,
            "usage" => Privilege::Usage,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Execute => "EXECUTE",
            Privilege::Usage => "USAGE",
        }
    }
}

/// Privileges as a statement lists them: `None` is `ALL`; a column list
/// narrows one privilege to those columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivilegeList {
    pub all: bool,
    pub items: Vec<(Privilege, Option<Vec<String>>)>,
}

/// A function as a statement names it; `args` are the input argument types
/// (normalised), `None` when the statement gives no argument list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncRef {
    pub name: QualName,
    pub args: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantTarget {
    Tables(Vec<QualName>),
    AllTablesIn(Vec<String>),
    Functions(Vec<FuncRef>),
    AllFunctionsIn(Vec<String>),
    Schemas(Vec<String>),
    /// Sequences, types, databases...: nothing this model follows.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultObjects {
    Tables,
    Functions,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub type_name: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub primary_key: bool,
    /// `unique` on this column alone (one row per value).
    pub unique: bool,
    /// `references other(col)`: the table referenced.
    pub references: Option<QualName>,
    pub generated: bool,
    pub span: Span,
}

/// An expression as written, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprSrc {
    pub text: String,
    pub span: Span,
}

impl ExprSrc {
    pub fn condition(&self) -> Condition {
        Condition::read(&self.text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Volatility {
    Volatile,
    Stable,
    Immutable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableCmd {
    EnableRls,
    DisableRls,
    ForceRls,
    NoForceRls,
    AddColumn(ColumnDef),
    DropColumn(String),
    OwnerTo(String),
    /// `SET (security_invoker = ...)` on a view.
    SecurityInvoker(bool),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketRow {
    pub id: String,
    pub public: Option<bool>,
}

/// What a migration-time loop walks: the catalog's objects at that point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoopOver {
    Tables {
        schema: String,
    },
    /// Functions of a schema; `definer_only` for `WHERE prosecdef`.
    Functions {
        schema: String,
        definer_only: bool,
    },
}

/// One statement's effect on the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    CreateSchema(String),
    CreateTable {
        name: QualName,
        name_span: Span,
        if_not_exists: bool,
        columns: Vec<ColumnDef>,
    },
    AlterTable {
        name: QualName,
        if_exists: bool,
        cmds: Vec<TableCmd>,
    },
    RenameTable {
        name: QualName,
        if_exists: bool,
        to: String,
    },
    RenameColumn {
        table: QualName,
        from: String,
        to: String,
    },
    /// `DROP TABLE` / `DROP VIEW` / `DROP MATERIALIZED VIEW`.
    DropRelations {
        names: Vec<QualName>,
        if_exists: bool,
        views: bool,
    },
    CreatePolicy {
        name: String,
        table: QualName,
        table_span: Span,
        command: Cmd,
        roles: Vec<String>,
        permissive: bool,
        using: Option<ExprSrc>,
        with_check: Option<ExprSrc>,
    },
    AlterPolicy {
        name: String,
        table: QualName,
        roles: Option<Vec<String>>,
        using: Option<ExprSrc>,
        with_check: Option<ExprSrc>,
    },
    RenamePolicy {
        name: String,
        table: QualName,
        to: String,
    },
    DropPolicy {
        name: String,
        table: QualName,
        if_exists: bool,
    },
    Grant {
        revoke: bool,
        privileges: PrivilegeList,
        target: GrantTarget,
        grantees: Vec<String>,
    },
    DefaultPrivileges {
        for_roles: Vec<String>,
        schemas: Vec<String>,
        revoke: bool,
        privileges: PrivilegeList,
        objects: DefaultObjects,
        grantees: Vec<String>,
    },
    CreateFunction {
        func: FuncRef,
        name_span: Span,
        or_replace: bool,
        security_definer: bool,
        search_path: Option<String>,
        language: String,
        volatility: Volatility,
        returns_trigger: bool,
        /// The return type as written (`boolean`, `setof profiles`, `table (...)`).
        returns: String,
        /// Input parameter names, lower-case, in order (`""` when unnamed).
        params: Vec<String>,
        body: Option<ExprSrc>,
    },
    AlterFunction {
        func: FuncRef,
        security_definer: Option<bool>,
        /// `Some(None)`: `RESET search_path`.
        search_path: Option<Option<String>>,
    },
    DropFunctions {
        funcs: Vec<FuncRef>,
        if_exists: bool,
    },
    CreateView {
        name: QualName,
        name_span: Span,
        or_replace: bool,
        materialized: bool,
        security_invoker: Option<bool>,
        reads: Vec<QualName>,
    },
    CreateTrigger {
        name: String,
        table: QualName,
        before: bool,
        events: Vec<Cmd>,
        function: QualName,
    },
    DropTrigger {
        name: String,
        table: QualName,
    },
    InsertBuckets {
        rows: Vec<BucketRow>,
        /// `ON CONFLICT ... DO UPDATE SET public = ...`: an existing row
        /// takes the new `public` value too.
        upsert_public: bool,
    },
    UpdateBuckets {
        public: bool,
        /// `None`: every bucket.
        ids: Option<Vec<String>>,
    },
    DeleteBuckets {
        ids: Option<Vec<String>>,
    },
    /// `EXECUTE format(template, r...)` once per object of a schema, from a
    /// loop over `pg_tables`, `information_schema.tables` or `pg_proc`. The
    /// template marks where the loop record's fields go (see [`instantiate`]).
    ForEach {
        over: LoopOver,
        template: String,
    },
}

/// A statement and the byte range of the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    pub span: Span,
    pub kind: StmtKind,
}

// ---------------------------------------------------------------------------
// Tree helpers

fn text<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    source.get(node.byte_range()).unwrap_or("")
}

fn span_of(node: Node<'_>) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn child<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    children(node).into_iter().find(|c| c.kind() == kind)
}

fn has(node: Node<'_>, kind: &str) -> bool {
    child(node, kind).is_some()
}

/// The outermost descendants of `node` of `kind`, in order (iterative:
/// generated SQL nests deeper than the stack).
fn all<'t>(node: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut stack: Vec<Node<'t>> = children(node);
    stack.reverse();
    while let Some(current) = stack.pop() {
        if current.kind() == kind {
            out.push(current);
        } else {
            let mut kids = children(current);
            kids.reverse();
            stack.extend(kids);
        }
    }
    out
}

fn first<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut stack: Vec<Node<'t>> = children(node);
    stack.reverse();
    while let Some(current) = stack.pop() {
        if current.kind() == kind {
            return Some(current);
        }
        let mut kids = children(current);
        kids.reverse();
        stack.extend(kids);
    }
    None
}

/// Keywords anywhere below `node` (not inside nested expressions' texts).
fn keywords(node: Node<'_>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        if let Some(kw) = current.kind().strip_prefix("kw_") {
            out.insert(kw.to_string());
        }
        stack.extend(children(current));
    }
    out
}

/// Keywords among `node`'s direct children only.
fn own_keywords(node: Node<'_>) -> BTreeSet<String> {
    children(node)
        .into_iter()
        .filter_map(|c| c.kind().strip_prefix("kw_").map(str::to_string))
        .collect()
}

/// Bytes of a string literal's opening quote: `'`, or a `$tag$`.
fn quote_len(raw: &str) -> usize {
    match raw.strip_prefix('$') {
        Some(rest) => rest.find('$').map_or(0, |i| i + 2),
        None => 1,
    }
}

fn unquote_string(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    if let Some(inner) = raw.strip_prefix("E'").and_then(|r| r.strip_suffix('\'')) {
        return inner.replace("''", "'").replace("\\'", "'");
    }
    if raw.starts_with('$')
        && let Some(tag_end) = raw[1..].find('$')
    {
        let tag = &raw[..tag_end + 2];
        if let Some(inner) = raw.strip_prefix(tag).and_then(|r| r.strip_suffix(tag)) {
            return inner.to_string();
        }
    }
    raw.to_string()
}

/// Role names of a `role_list` / `grantee_list`, lower-cased; `public`.
fn roles(node: Node<'_>, source: &str) -> Vec<String> {
    all(node, "RoleSpec")
        .into_iter()
        .map(|r| {
            let raw = text(r, source).trim();
            if raw.eq_ignore_ascii_case("current_user") || raw.eq_ignore_ascii_case("session_user") {
                "postgres".to_string()
            } else {
                ident(raw)
            }
        })
        .collect()
}

/// A type name as PostgreSQL would show it, for function signatures.
pub fn normalize_type(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let lower = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let base = lower.trim_start_matches("public.").trim_start_matches("pg_catalog.");
    match base {
        "int" | "int4" | "integer" | "serial" => "integer".to_string(),
        "int8" | "bigint" | "bigserial" => "bigint".to_string(),
        "int2" | "smallint" => "smallint".to_string(),
        "bool" | "boolean" => "boolean".to_string(),
        "varchar" | "character varying" => "character varying".to_string(),
        "float8" | "double precision" => "double precision".to_string(),
        "float4" | "real" => "real".to_string(),
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone".to_string(),
        "timestamp" | "timestamp without time zone" => "timestamp without time zone".to_string(),
        "time" | "time without time zone" => "time without time zone".to_string(),
        "timetz" | "time with time zone" => "time with time zone".to_string(),
        "decimal" => "numeric".to_string(),
        other => {
            // `varchar(20)` and `numeric(10,2)` are the same types as arguments.
            let without_modifier = other.split('(').next().unwrap_or(other).trim();
            match without_modifier {
                "varchar" | "character varying" => "character varying".to_string(),
                "numeric" | "decimal" => "numeric".to_string(),
                "char" | "character" | "bpchar" => "character".to_string(),
                _ => without_modifier.to_string(),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Statements

/// Every statement of `source` that changes the catalog, in order.
pub fn statements(source: &str) -> Vec<Stmt> {
    let Some(tree) = parse(Language::Sql, source, None) else {
        return Vec::new();
    };
    statements_of(&tree, source)
}

/// [`statements`] of a file already parsed.
pub fn statements_of(tree: &tree_sitter::Tree, source: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    statements_of_tree(tree.root_node(), source, 0, &mut out);
    out
}

/// Statements of a parsed tree whose text starts at `offset` in the file.
fn statements_of_tree(root: Node<'_>, source: &str, offset: usize, out: &mut Vec<Stmt>) {
    for stmt in all(root, "stmt") {
        let Some(inner) = children(stmt).into_iter().find(|c| c.is_named()) else {
            continue;
        };
        let shift = |s: Span| Span::new(s.start + offset, s.end + offset);
        let span = shift(span_of(inner));
        let mut kinds = Vec::new();
        read_statement(inner, source, &mut kinds);
        for kind in kinds {
            out.push(Stmt {
                span,
                kind: shift_kind(kind, offset),
            });
        }
        if inner.kind() == "DoStmt" {
            for body in all(inner, "dollar_quoted_string")
                .into_iter()
                .chain(all(inner, "string_literal"))
            {
                let raw = text(body, source);
                let tag_len = quote_len(raw);
                let inner_start = body.start_byte() + tag_len;
                let inner_end = body.end_byte().saturating_sub(tag_len).max(inner_start);
                if let Some(code) = source.get(inner_start..inner_end) {
                    plpgsql_statements(code, offset + inner_start, out);
                }
            }
        }
    }
}

fn shift_span(span: Span, offset: usize) -> Span {
    Span::new(span.start + offset, span.end + offset)
}

fn shift_expr(expr: Option<ExprSrc>, offset: usize) -> Option<ExprSrc> {
    expr.map(|e| ExprSrc {
        text: e.text,
        span: shift_span(e.span, offset),
    })
}

/// Moves every span inside a statement by `offset` (for SQL found inside a
/// `DO` block, whose tree was parsed on its own).
fn shift_kind(kind: StmtKind, offset: usize) -> StmtKind {
    if offset == 0 {
        return kind;
    }
    match kind {
        StmtKind::CreateTable {
            name,
            name_span,
            if_not_exists,
            columns,
        } => StmtKind::CreateTable {
            name,
            name_span: shift_span(name_span, offset),
            if_not_exists,
            columns: columns
                .into_iter()
                .map(|c| ColumnDef {
                    span: shift_span(c.span, offset),
                    ..c
                })
                .collect(),
        },
        StmtKind::CreatePolicy {
            name,
            table,
            table_span,
            command,
            roles,
            permissive,
            using,
            with_check,
        } => StmtKind::CreatePolicy {
            name,
            table,
            table_span: shift_span(table_span, offset),
            command,
            roles,
            permissive,
            using: shift_expr(using, offset),
            with_check: shift_expr(with_check, offset),
        },
        StmtKind::AlterPolicy {
            name,
            table,
            roles,
            using,
            with_check,
        } => StmtKind::AlterPolicy {
            name,
            table,
            roles,
            using: shift_expr(using, offset),
            with_check: shift_expr(with_check, offset),
        },
        StmtKind::CreateFunction {
            func,
            name_span,
            or_replace,
            security_definer,
            search_path,
            language,
            volatility,
            returns_trigger,
            returns,
            params,
            body,
        } => StmtKind::CreateFunction {
            func,
            name_span: shift_span(name_span, offset),
            or_replace,
            security_definer,
            search_path,
            language,
            volatility,
            returns_trigger,
            returns,
            params,
            body: shift_expr(body, offset),
        },
        StmtKind::CreateView {
            name,
            name_span,
            or_replace,
            materialized,
            security_invoker,
            reads,
        } => StmtKind::CreateView {
            name,
            name_span: shift_span(name_span, offset),
            or_replace,
            materialized,
            security_invoker,
            reads,
        },
        other => other,
    }
}

fn read_statement(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    match node.kind() {
        "CreateSchemaStmt" => {
            if let Some(name) = child(node, "ColId").or_else(|| first(node, "ColId")) {
                out.push(StmtKind::CreateSchema(ident(text(name, source))));
            }
        }
        "CreateStmt" => read_create_table(node, source, out),
        "AlterTableStmt" => read_alter_table(node, source, out),
        "RenameStmt" => read_rename(node, source, out),
        "DropStmt" => read_drop(node, source, out),
        "CreatePolicyStmt" => read_create_policy(node, source, out),
        "AlterPolicyStmt" => read_alter_policy(node, source, out),
        "GrantStmt" | "RevokeStmt" => read_grant(node, source, out),
        "AlterDefaultPrivilegesStmt" => read_default_privileges(node, source, out),
        "CreateFunctionStmt" => read_create_function(node, source, out),
        "AlterFunctionStmt" => read_alter_function(node, source, out),
        "RemoveFuncStmt" => read_drop_functions(node, source, out),
        "ViewStmt" | "CreateMatViewStmt" => read_view(node, source, out),
        "CreateTrigStmt" => read_trigger(node, source, out),
        "InsertStmt" => read_bucket_insert(node, source, out),
        "UpdateStmt" => read_bucket_update(node, source, out),
        "DeleteStmt" => read_bucket_delete(node, source, out),
        _ => {}
    }
}

fn read_create_table(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    if has(node, "OptTemp") {
        return;
    }
    let Some(name) = child(node, "qualified_name") else {
        return;
    };
    let own = own_keywords(node);
    let mut columns = Vec::new();
    let mut primary_keys: Vec<String> = Vec::new();
    let mut unique_columns: Vec<String> = Vec::new();
    for element in all(node, "TableElement") {
        if let Some(column) = first(element, "columnDef") {
            let kws = keywords(column);
            let name_node = column.named_child(0);
            let type_node = child(column, "Typename");
            let mut def = ColumnDef {
                name: name_node.map(|n| ident(text(n, source))).unwrap_or_default(),
                type_name: type_node
                    .map(|t| text(t, source).to_ascii_lowercase())
                    .unwrap_or_default(),
                not_null: kws.contains("not") && kws.contains("null") || kws.contains("primary"),
                default: None,
                primary_key: kws.contains("primary"),
                unique: kws.contains("unique"),
                references: None,
                generated: kws.contains("generated"),
                span: span_of(column),
            };
            for constraint in all(column, "ColConstraintElem") {
                let ckw = own_keywords(constraint);
                if ckw.contains("default") {
                    def.default = children(constraint)
                        .into_iter()
                        .find(|c| c.kind().contains("expr"))
                        .map(|e| text(e, source).to_string());
                }
                if ckw.contains("references")
                    && let Some(target) = child(constraint, "qualified_name")
                {
                    def.references = Some(qual_name(text(target, source)));
                }
            }
            columns.push(def);
        } else if let Some(constraint) = first(element, "ConstraintElem") {
            let ckw = own_keywords(constraint);
            if ckw.contains("primary") {
                for col in all(constraint, "columnElem") {
                    primary_keys.push(ident(text(col, source)));
                }
            }
            if ckw.contains("unique") {
                let cols = all(constraint, "columnElem");
                if cols.len() == 1 {
                    unique_columns.push(ident(text(cols[0], source)));
                }
            }
            if ckw.contains("foreign")
                && let (Some(list), Some(target)) =
                    (first(constraint, "columnList"), child(constraint, "qualified_name"))
            {
                let target = qual_name(text(target, source));
                for col in all(list, "columnElem") {
                    let col = ident(text(col, source));
                    if let Some(def) = columns.iter_mut().find(|c: &&mut ColumnDef| c.name == col) {
                        def.references = Some(target.clone());
                    }
                }
            }
        }
    }
    for def in &mut columns {
        if primary_keys.contains(&def.name) {
            def.primary_key = true;
            def.not_null = true;
        }
        if unique_columns.contains(&def.name) {
            def.unique = true;
        }
    }
    out.push(StmtKind::CreateTable {
        name: qual_name(text(name, source)),
        name_span: span_of(name),
        if_not_exists: own.contains("if")
            || keywords(node).contains("exists") && text(node, source).to_ascii_lowercase().contains("if not exists"),
        columns,
    });
}

fn read_alter_table(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let name = child(node, "relation_expr")
        .and_then(|r| child(r, "qualified_name"))
        .or_else(|| child(node, "qualified_name"));
    let Some(name) = name else { return };
    let own = own_keywords(node);
    let is_view = own.contains("view");
    let mut cmds = Vec::new();
    for cmd in all(node, "alter_table_cmd") {
        let kws = own_keywords(cmd);
        let all_kws = keywords(cmd);
        let is_rls = all_kws.contains("row") && all_kws.contains("level") && all_kws.contains("security");
        if is_rls {
            if kws.contains("enable") {
                cmds.push(TableCmd::EnableRls);
            } else if kws.contains("disable") {
                cmds.push(TableCmd::DisableRls);
            } else if kws.contains("force") && kws.contains("no") {
                cmds.push(TableCmd::NoForceRls);
            } else if kws.contains("force") {
                cmds.push(TableCmd::ForceRls);
            }
            continue;
        }
        if kws.contains("owner") {
            if let Some(role) = first(cmd, "RoleSpec") {
                cmds.push(TableCmd::OwnerTo(ident(text(role, source))));
            }
            continue;
        }
        if let Some(column) = first(cmd, "columnDef")
            && kws.contains("add")
        {
            let mut holder = Vec::new();
            // Read the column like a table element.
            let type_node = child(column, "Typename");
            let ckws = keywords(column);
            let mut def = ColumnDef {
                name: column
                    .named_child(0)
                    .map(|n| ident(text(n, source)))
                    .unwrap_or_default(),
                type_name: type_node
                    .map(|t| text(t, source).to_ascii_lowercase())
                    .unwrap_or_default(),
                not_null: ckws.contains("not") && ckws.contains("null"),
                default: None,
                primary_key: ckws.contains("primary"),
                unique: ckws.contains("unique"),
                references: None,
                generated: ckws.contains("generated"),
                span: span_of(column),
            };
            for constraint in all(column, "ColConstraintElem") {
                if own_keywords(constraint).contains("references")
                    && let Some(target) = child(constraint, "qualified_name")
                {
                    def.references = Some(qual_name(text(target, source)));
                }
            }
            holder.push(TableCmd::AddColumn(def));
            cmds.extend(holder);
            continue;
        }
        if kws.contains("drop")
            && (kws.contains("column") || first(cmd, "ColId").is_some())
            && !kws.contains("constraint")
        {
            if let Some(col) = children(cmd).into_iter().find(|c| c.kind() == "ColId") {
                cmds.push(TableCmd::DropColumn(ident(text(col, source))));
            }
            continue;
        }
        if kws.contains("set") || kws.contains("reset") {
            for option in all(cmd, "reloption_elem") {
                let raw = text(option, source).to_ascii_lowercase();
                let (key, value) = raw.split_once('=').map_or((raw.as_str(), "true"), |(k, v)| (k, v));
                if key.trim() == "security_invoker" {
                    let on =
                        kws.contains("set") && matches!(value.trim().trim_matches('\''), "true" | "on" | "1" | "yes");
                    cmds.push(TableCmd::SecurityInvoker(on));
                }
            }
        }
    }
    let _ = is_view;
    if !cmds.is_empty() {
        out.push(StmtKind::AlterTable {
            name: qual_name(text(name, source)),
            if_exists: own.contains("if"),
            cmds,
        });
    }
}

fn read_rename(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let own = own_keywords(node);
    let names: Vec<Node> = children(node)
        .into_iter()
        .filter(|c| matches!(c.kind(), "name" | "ColId" | "opt_column"))
        .collect();
    let target = names.last().map(|n| ident(text(*n, source)));
    let relation = child(node, "relation_expr")
        .and_then(|r| child(r, "qualified_name"))
        .or_else(|| child(node, "qualified_name"))
        .or_else(|| first(node, "qualified_name"));
    if own.contains("policy") {
        // ALTER POLICY name ON table RENAME TO new
        if let (Some(policy), Some(table), Some(to)) = (names.first(), relation, target) {
            out.push(StmtKind::RenamePolicy {
                name: ident(text(*policy, source)),
                table: qual_name(text(table, source)),
                to,
            });
        }
        return;
    }
    if own.contains("column")
        || (own.contains("rename")
            && names.len() >= 2
            && own.contains("table")
            && !own.contains("constraint")
            && names.len() == 2
            && !own.contains("trigger"))
    {
        if let (Some(table), [from, to]) = (relation, names.as_slice())
            && !own.contains("schema")
        {
            out.push(StmtKind::RenameColumn {
                table: qual_name(text(table, source)),
                from: ident(text(*from, source)),
                to: ident(text(*to, source)),
            });
        }
        return;
    }
    if (own.contains("table") || own.contains("view"))
        && own.contains("rename")
        && names.len() == 1
        && let (Some(table), Some(to)) = (relation, target)
    {
        out.push(StmtKind::RenameTable {
            name: qual_name(text(table, source)),
            if_exists: own.contains("if"),
            to,
        });
    }
}

fn read_drop(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let own = own_keywords(node);
    let if_exists = own.contains("if");
    let object = children(node)
        .into_iter()
        .find(|c| c.kind().starts_with("object_type"))
        .map(|c| text(c, source).to_ascii_lowercase())
        .unwrap_or_default();
    let object = object.split_whitespace().collect::<Vec<_>>().join(" ");
    match object.as_str() {
        "table" | "view" | "materialized view" => {
            let names = all(node, "any_name")
                .into_iter()
                .map(|n| qual_name(text(n, source)))
                .collect();
            out.push(StmtKind::DropRelations {
                names,
                if_exists,
                views: object != "table",
            });
        }
        "policy" | "trigger" => {
            let (Some(name), Some(table)) = (child(node, "name"), child(node, "any_name")) else {
                return;
            };
            let name = ident(text(name, source));
            let table = qual_name(text(table, source));
            out.push(if object == "policy" {
                StmtKind::DropPolicy { name, table, if_exists }
            } else {
                StmtKind::DropTrigger { name, table }
            });
        }
        _ => {}
    }
}

fn expr_of(node: Node<'_>, kind: &str, source: &str) -> Option<ExprSrc> {
    let clause = child(node, kind)?;
    let expr = child(clause, "a_expr")?;
    Some(ExprSrc {
        text: text(expr, source).to_string(),
        span: span_of(expr),
    })
}

fn read_create_policy(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let Some(table) = child(node, "qualified_name") else {
        return;
    };
    let name = child(node, "name").map(|n| ident(text(n, source))).unwrap_or_default();
    let command = child(node, "RowSecurityDefaultForCmd")
        .and_then(|n| child(n, "row_security_cmd"))
        .and_then(|n| Cmd::parse(text(n, source)))
        .unwrap_or(Cmd::All);
    let roles_list = child(node, "RowSecurityDefaultToRole")
        .map(|n| roles(n, source))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| vec!["public".to_string()]);
    let permissive = child(node, "RowSecurityDefaultPermissive")
        .map(|n| !text(n, source).to_ascii_lowercase().contains("restrictive"))
        .unwrap_or(true);
    out.push(StmtKind::CreatePolicy {
        name,
        table: qual_name(text(table, source)),
        table_span: span_of(table),
        command,
        roles: roles_list,
        permissive,
        using: expr_of(node, "RowSecurityOptionalExpr", source),
        with_check: expr_of(node, "RowSecurityOptionalWithCheck", source),
    });
}

fn read_alter_policy(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let (Some(name), Some(table)) = (child(node, "name"), child(node, "qualified_name")) else {
        return;
    };
    let roles_list = child(node, "RowSecurityOptionalToRole")
        .or_else(|| child(node, "RowSecurityDefaultToRole"))
        .map(|n| roles(n, source))
        .filter(|r| !r.is_empty());
    out.push(StmtKind::AlterPolicy {
        name: ident(text(name, source)),
        table: qual_name(text(table, source)),
        roles: roles_list,
        using: expr_of(node, "RowSecurityOptionalExpr", source),
        with_check: expr_of(node, "RowSecurityOptionalWithCheck", source),
    });
}

fn privilege_list(node: Option<Node<'_>>, source: &str) -> PrivilegeList {
    let Some(node) = node else {
        return PrivilegeList {
            all: true,
            items: Vec::new(),
        };
    };
    let mut list = PrivilegeList {
        all: false,
        items: Vec::new(),
    };
    let privileges = all(node, "privilege");
    if privileges.is_empty() {
        // `ALL [PRIVILEGES] [(columns)]`.
        list.all = true;
        if let Some(columns) = first(node, "columnList") {
            let cols: Vec<String> = all(columns, "columnElem")
                .into_iter()
                .map(|c| ident(text(c, source)))
                .collect();
            list.all = false;
            for privilege in [
                Privilege::Select,
                Privilege::Insert,
                Privilege::Update,
                Privilege::References,
            ] {
                list.items.push((privilege, Some(cols.clone())));
            }
        }
        return list;
    }
    for privilege in privileges {
        let raw = text(privilege, source);
        let word = raw.split(['(', ' ']).next().unwrap_or("");
        let Some(kind) = Privilege::parse(word) else {
            continue;
        };
        let columns = first(privilege, "columnList").map(|list| {
            all(list, "columnElem")
                .into_iter()
                .map(|c| ident(text(c, source)))
                .collect()
        });
        list.items.push((kind, columns));
    }
    list
}

fn func_ref(node: Node<'_>, source: &str) -> FuncRef {
    let raw = text(node, source);
    let name_part = raw.split('(').next().unwrap_or(raw);
    let args = child(node, "func_args").map(|args| {
        all(args, "func_arg")
            .into_iter()
            .filter(|arg| {
                let lower = text(*arg, source).trim_start().to_ascii_lowercase();
                !(lower.starts_with("out ") || lower.starts_with("out\t"))
            })
            .filter_map(|arg| first(arg, "func_type").map(|t| normalize_type(text(t, source))))
            .collect()
    });
    FuncRef {
        name: qual_name(name_part),
        args,
    }
}

fn read_grant(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let revoke = node.kind() == "RevokeStmt";
    let privileges = privilege_list(child(node, "privileges"), source);
    let grantees = child(node, "grantee_list")
        .map(|n| roles(n, source))
        .unwrap_or_default();
    let Some(target_node) = child(node, "privilege_target") else {
        return;
    };
    let target_kws = own_keywords(target_node);
    let schemas = || {
        first(target_node, "name_list")
            .map(|list| all(list, "name").into_iter().map(|n| ident(text(n, source))).collect())
            .unwrap_or_default()
    };
    let target = if target_kws.contains("all") && target_kws.contains("tables") {
        GrantTarget::AllTablesIn(schemas())
    } else if target_kws.contains("all") && (target_kws.contains("functions") || target_kws.contains("routines")) {
        GrantTarget::AllFunctionsIn(schemas())
    } else if target_kws.contains("all") {
        GrantTarget::Other
    } else if target_kws.contains("function") || target_kws.contains("routine") || target_kws.contains("procedure") {
        GrantTarget::Functions(
            all(target_node, "function_with_argtypes")
                .into_iter()
                .map(|f| func_ref(f, source))
                .collect(),
        )
    } else if target_kws.contains("schema") {
        GrantTarget::Schemas(schemas())
    } else if target_kws.is_empty() || target_kws.contains("table") {
        GrantTarget::Tables(
            all(target_node, "qualified_name")
                .into_iter()
                .map(|n| qual_name(text(n, source)))
                .collect(),
        )
    } else {
        GrantTarget::Other
    };
    out.push(StmtKind::Grant {
        revoke,
        privileges,
        target,
        grantees,
    });
}

fn read_default_privileges(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let mut for_roles = Vec::new();
    let mut schemas = Vec::new();
    if let Some(options) = child(node, "DefACLOptionList") {
        for option in all(options, "DefACLOption") {
            let kws = own_keywords(option);
            if kws.contains("schema") {
                schemas.extend(all(option, "name").into_iter().map(|n| ident(text(n, source))));
            } else if kws.contains("role") || kws.contains("user") {
                for_roles.extend(roles(option, source));
            }
        }
    }
    let Some(action) = child(node, "DefACLAction") else {
        return;
    };
    let revoke = own_keywords(action).contains("revoke");
    let objects = match child(action, "defacl_privilege_target")
        .map(|t| text(t, source).to_ascii_lowercase())
        .as_deref()
    {
        Some("tables") => DefaultObjects::Tables,
        Some("functions") | Some("routines") => DefaultObjects::Functions,
        _ => DefaultObjects::Other,
    };
    out.push(StmtKind::DefaultPrivileges {
        for_roles,
        schemas,
        revoke,
        privileges: privilege_list(child(action, "privileges"), source),
        objects,
        grantees: child(action, "grantee_list")
            .map(|n| roles(n, source))
            .unwrap_or_default(),
    });
}

/// `search_path` from `SET search_path = a, b` / `TO ''`.
fn search_path_of(clause: Node<'_>, source: &str) -> Option<Option<String>> {
    let raw = text(clause, source);
    let lower = raw.to_ascii_lowercase();
    if !lower.contains("search_path") {
        return None;
    }
    if lower.trim_start().starts_with("reset") {
        return Some(None);
    }
    let value = lower
        .split_once("search_path")
        .map(|(_, rest)| rest.trim_start())
        .map(|rest| rest.trim_start_matches('=').trim_start_matches("to").trim())
        .unwrap_or("");
    if value.starts_with("from current") {
        return Some(Some("\"$user\", public".to_string()));
    }
    let parts: Vec<String> = value
        .split(',')
        .map(|p| p.trim().trim_matches('\'').trim_matches('"').to_string())
        .collect();
    Some(Some(parts.join(", ")))
}

fn read_create_function(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let Some(name) = child(node, "func_name") else {
        return;
    };
    let own = own_keywords(node);
    let inputs: Vec<Node<'_>> = child(node, "func_args_with_defaults")
        .map(|args| {
            all(args, "func_arg")
                .into_iter()
                .filter(|arg| {
                    let lower = text(*arg, source).trim_start().to_ascii_lowercase();
                    !(lower.starts_with("out ") || lower.starts_with("out\t"))
                })
                .filter(|arg| first(*arg, "func_type").is_some())
                .collect()
        })
        .unwrap_or_default();
    let args: Vec<String> = inputs
        .iter()
        .filter_map(|arg| first(*arg, "func_type").map(|t| normalize_type(text(t, source))))
        .collect();
    let params: Vec<String> = inputs
        .iter()
        .map(|arg| {
            child(*arg, "param_name")
                .map(|n| text(n, source).trim_matches('"').to_ascii_lowercase())
                .unwrap_or_default()
        })
        .collect();
    let mut security_definer = false;
    let mut search_path = None;
    let mut language = String::new();
    let mut volatility = Volatility::Volatile;
    let mut body = None;
    for item in all(node, "createfunc_opt_item") {
        let kws = keywords(item);
        let raw = text(item, source);
        if kws.contains("security") {
            security_definer = kws.contains("definer");
        } else if kws.contains("language") {
            language = raw
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .trim_matches('\'')
                .to_ascii_lowercase();
        } else if kws.contains("stable") {
            volatility = Volatility::Stable;
        } else if kws.contains("immutable") {
            volatility = Volatility::Immutable;
        } else if let Some(path) = first(item, "FunctionSetResetClause").and_then(|c| search_path_of(c, source)) {
            search_path = path;
        } else if kws.contains("as")
            && let Some(string) = first(item, "Sconst")
        {
            let raw = text(string, source);
            let tag_len = quote_len(raw);
            let start = string.start_byte() + tag_len;
            let end = string.end_byte().saturating_sub(tag_len).max(start);
            body = Some(ExprSrc {
                text: unquote_string(raw),
                span: Span::new(start, end),
            });
        }
    }
    // SQL-standard bodies (`BEGIN ATOMIC ... END`, `RETURN expr`).
    if body.is_none()
        && let Some(standard) = child(node, "opt_routine_body")
    {
        body = Some(ExprSrc {
            text: text(standard, source).to_string(),
            span: span_of(standard),
        });
    }
    let returns = child(node, "func_return")
        .map(|r| text(r, source).trim().to_ascii_lowercase())
        .or_else(|| {
            // `RETURNS TABLE (...)` is not a func_return; keep its columns,
            // they are all that leaves the function.
            let lower = text(node, source).to_ascii_lowercase();
            let at = lower.find("returns table")?;
            let rest = &lower[at + "returns table".len()..];
            Some(match rest.trim_start().strip_prefix('(') {
                Some(inner) => {
                    let mut depth = 1usize;
                    let end = inner
                        .char_indices()
                        .find(|&(_, c)| {
                            match c {
                                '(' => depth += 1,
                                ')' => depth -= 1,
                                _ => {}
                            }
                            depth == 0
                        })
                        .map_or(inner.len(), |(i, _)| i);
                    format!("table ({})", &inner[..end])
                }
                None => "table".to_string(),
            })
        })
        .unwrap_or_default();
    let returns_trigger = returns == "trigger" || returns == "event_trigger";
    out.push(StmtKind::CreateFunction {
        func: FuncRef {
            name: qual_name(text(name, source)),
            args: Some(args),
        },
        name_span: span_of(name),
        or_replace: child(node, "opt_or_replace").is_some() || own.contains("replace"),
        security_definer,
        search_path,
        language,
        volatility,
        returns_trigger,
        returns,
        params,
        body,
    });
}

fn read_alter_function(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let Some(target) = child(node, "function_with_argtypes") else {
        return;
    };
    let mut security_definer = None;
    let mut search_path = None;
    if let Some(options) = child(node, "alterfunc_opt_list") {
        for item in all(options, "common_func_opt_item") {
            let kws = own_keywords(item);
            if kws.contains("security") {
                security_definer = Some(kws.contains("definer"));
            } else if let Some(clause) = child(item, "FunctionSetResetClause")
                && let Some(path) = search_path_of(clause, source)
            {
                search_path = Some(path);
            }
        }
    }
    if security_definer.is_some() || search_path.is_some() {
        out.push(StmtKind::AlterFunction {
            func: func_ref(target, source),
            security_definer,
            search_path,
        });
    }
}

fn read_drop_functions(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let funcs = all(node, "function_with_argtypes")
        .into_iter()
        .map(|f| func_ref(f, source))
        .collect();
    out.push(StmtKind::DropFunctions {
        funcs,
        if_exists: own_keywords(node).contains("if"),
    });
}

fn read_view(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let Some(name) = child(node, "qualified_name").or_else(|| first(node, "qualified_name")) else {
        return;
    };
    let own = own_keywords(node);
    let mut security_invoker = None;
    if let Some(options) = child(node, "opt_reloptions").or_else(|| first(node, "reloptions")) {
        for option in all(options, "reloption_elem") {
            let raw = text(option, source).to_ascii_lowercase();
            let (key, value) = raw.split_once('=').map_or((raw.as_str(), "true"), |(k, v)| (k, v));
            if key.trim() == "security_invoker" {
                security_invoker = Some(matches!(value.trim().trim_matches('\''), "true" | "on" | "1" | "yes"));
            }
        }
    }
    let query = children(node).into_iter().find(|c| c.kind() == "SelectStmt");
    let reads = query
        .map(|q| {
            let mut names: Vec<QualName> = all(q, "relation_expr")
                .into_iter()
                .filter_map(|r| child(r, "qualified_name"))
                .map(|n| qual_name(text(n, source)))
                .collect();
            names.dedup();
            names
        })
        .unwrap_or_default();
    out.push(StmtKind::CreateView {
        name: qual_name(text(name, source)),
        name_span: span_of(name),
        or_replace: own.contains("replace"),
        materialized: node.kind() == "CreateMatViewStmt",
        security_invoker,
        reads,
    });
}

fn read_trigger(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let (Some(name), Some(table), Some(function)) = (
        child(node, "name"),
        child(node, "qualified_name"),
        child(node, "func_name"),
    ) else {
        return;
    };
    let before = child(node, "TriggerActionTime")
        .map(|t| text(t, source).to_ascii_lowercase().contains("before"))
        .unwrap_or(false);
    let events = child(node, "TriggerEvents")
        .map(|e| {
            all(e, "TriggerOneEvent")
                .into_iter()
                .filter_map(|one| text(one, source).split_whitespace().next().and_then(Cmd::parse))
                .collect()
        })
        .unwrap_or_default();
    out.push(StmtKind::CreateTrigger {
        name: ident(text(name, source)),
        table: qual_name(text(table, source)),
        before,
        events,
        function: qual_name(text(function, source)),
    });
}

fn is_buckets(name: &QualName) -> bool {
    name.schema.as_deref() == Some("storage") && name.name == "buckets"
}

fn boolean(raw: &str) -> Option<bool> {
    match raw.trim().trim_matches('\'').to_ascii_lowercase().as_str() {
        "true" | "t" | "on" | "yes" | "1" => Some(true),
        "false" | "f" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// The `a_expr` items of a (left-nested) `expr_list`, in order.
fn expr_items<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut stack: Vec<Node<'t>> = children(node);
    stack.reverse();
    while let Some(current) = stack.pop() {
        match current.kind() {
            "a_expr" => out.push(current),
            "expr_list" => {
                let mut kids = children(current);
                kids.reverse();
                stack.extend(kids);
            }
            _ => {}
        }
    }
    out
}

fn read_bucket_insert(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let Some(target) = child(node, "insert_target").and_then(|t| child(t, "qualified_name")) else {
        return;
    };
    if !is_buckets(&qual_name(text(target, source))) {
        return;
    }
    let Some(rest) = child(node, "insert_rest") else {
        return;
    };
    let columns: Vec<String> = all(rest, "insert_column_item")
        .into_iter()
        .map(|c| ident(text(c, source)))
        .collect();
    let mut rows = Vec::new();
    for values in all(rest, "values_clause") {
        // A multi-row VALUES nests one values_clause per row.
        let mut lists = all(values, "expr_list");
        if lists.is_empty() {
            continue;
        }
        lists.retain(|l| l.parent().is_some_and(|p| p.kind() == "values_clause"));
        for list in lists {
            let exprs = expr_items(list);
            let value_of = |column: &str| {
                columns
                    .iter()
                    .position(|c| c == column)
                    .and_then(|i| exprs.get(i))
                    .map(|e| text(*e, source).trim().to_string())
            };
            let id = value_of("id").or_else(|| value_of("name")).unwrap_or_default();
            rows.push(BucketRow {
                id: unquote_string(&id),
                public: value_of("public").and_then(|v| boolean(&v)),
            });
        }
    }
    let upsert_text = child(node, "opt_on_conflict").map(|c| text(c, source).to_ascii_lowercase());
    let upsert_public = upsert_text.is_some_and(|t| t.contains("do update") && t.contains("public"));
    if !rows.is_empty() {
        out.push(StmtKind::InsertBuckets { rows, upsert_public });
    }
}

/// Bucket ids a `WHERE id = 'x'` / `id IN ('x', 'y')` / `name = 'x'` names.
fn bucket_ids(clause: Option<Node<'_>>, source: &str) -> Option<Vec<String>> {
    let clause = clause?;
    let raw = text(clause, source);
    let ids: Vec<String> = all(clause, "string_literal")
        .into_iter()
        .map(|s| unquote_string(text(s, source)))
        .collect();
    let mentions_key = {
        let lower = raw.to_ascii_lowercase();
        lower.contains("id") || lower.contains("name")
    };
    (mentions_key && !ids.is_empty()).then_some(ids)
}

fn read_bucket_update(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let Some(target) = child(node, "relation_expr_opt_alias").and_then(|r| first(r, "qualified_name")) else {
        return;
    };
    if !is_buckets(&qual_name(text(target, source))) {
        return;
    }
    let Some(list) = child(node, "set_clause_list") else {
        return;
    };
    for clause in all(list, "set_clause") {
        let target = child(clause, "set_target").map(|t| ident(text(t, source)));
        let value = child(clause, "a_expr").and_then(|e| boolean(text(e, source)));
        if target.as_deref() == Some("public")
            && let Some(public) = value
        {
            out.push(StmtKind::UpdateBuckets {
                public,
                ids: bucket_ids(child(node, "where_or_current_clause"), source),
            });
        }
    }
}

fn read_bucket_delete(node: Node<'_>, source: &str, out: &mut Vec<StmtKind>) {
    let Some(target) = child(node, "relation_expr_opt_alias").and_then(|r| first(r, "qualified_name")) else {
        return;
    };
    if !is_buckets(&qual_name(text(target, source))) {
        return;
    }
    out.push(StmtKind::DeleteBuckets {
        ids: bucket_ids(child(node, "where_or_current_clause"), source),
    });
}

// ---------------------------------------------------------------------------
// PL/pgSQL: statements inside `DO` blocks

/// `code` split at top-level semicolons (quotes, dollar quotes, comments
/// and parentheses respected), each piece with its byte offset.
fn split_plpgsql(code: &str) -> Vec<(usize, &str)> {
    let bytes = code.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                // `$tag$ ... $tag$`
                let tag_end = code[i + 1..]
                    .find('$')
                    .map(|j| i + 1 + j)
                    .filter(|&j| code[i + 1..j].chars().all(|c| c.is_alphanumeric() || c == '_'));
                if let Some(tag_end) = tag_end {
                    let tag = &code[i..=tag_end];
                    if let Some(close) = code[tag_end + 1..].find(tag) {
                        i = tag_end + 1 + close + tag.len() - 1;
                    }
                }
            }
            b'(' => depth += 1,
            b')' => depth -= 1,
            b';' if depth <= 0 => {
                pieces.push((start, &code[start..i]));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < code.len() {
        pieces.push((start, &code[start..]));
    }
    pieces
}

const DDL_STARTS: &[&str] = &[
    "create", "alter", "drop", "grant", "revoke", "insert", "update", "delete", "comment",
];

/// What the loop around a statement iterates over.
#[derive(Clone, Debug)]
enum LoopSource {
    Values(Vec<String>),
    Catalog(LoopOver),
}

/// Bytes of whitespace and comments at the start of `text`.
fn trivia(text: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("--") {
            at += trimmed.find('\n').map_or(trimmed.len(), |i| i + 1);
        } else if trimmed.starts_with("/*") {
            at += trimmed.find("*/").map_or(trimmed.len(), |i| i + 2);
        } else {
            return at;
        }
    }
}

/// The first word of `text` (lower-cased, after comments) and where the
/// rest starts.
fn first_word(text: &str) -> (String, usize) {
    let lead = trivia(text);
    let trimmed = &text[lead..];
    let end = trimmed
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    (trimmed[..end].to_ascii_lowercase(), lead + end)
}

/// Position just after the top-level keyword `word` (case-insensitive, as
/// a whole word, outside parentheses and quotes), if present.
fn after_keyword(text: &str, word: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut depth = 0i32;
    let mut quote = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\'' {
            quote = !quote;
        } else if !quote {
            if b == b'(' {
                depth += 1;
            } else if b == b')' {
                depth -= 1;
            } else if depth == 0
                && bytes[i..].starts_with(word.as_bytes())
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'_')
                && bytes
                    .get(i + word.len())
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
            {
                return Some(i + word.len());
            }
        }
        i += 1;
    }
    None
}

/// String literals in `text`, unquoted.
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('\'') {
        let after = &rest[open + 1..];
        let mut end = None;
        let bytes = after.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                end = Some(i);
                break;
            }
            i += 1;
        }
        let Some(end) = end else { break };
        out.push(after[..end].replace("''", "'"));
        rest = &after[end + 1..];
    }
    out
}

/// Reads a `FOR x IN ... LOOP` / `FOREACH x IN ARRAY ... LOOP` header;
/// `arrays` are the block's declared array variables and their values.
fn loop_header(header: &str, arrays: &[(String, Vec<String>)]) -> Option<(String, LoopSource)> {
    let lower = header.to_ascii_lowercase();
    let (kind, rest) = first_word(header);
    if kind != "for" && kind != "foreach" {
        return None;
    }
    let (variable, _) = first_word(&header[rest..]);
    if let Some(after) = after_keyword(header, "array") {
        let (name, _) = first_word(&header[after..]);
        if let Some((_, values)) = arrays.iter().find(|(n, _)| *n == name) {
            return Some((variable, LoopSource::Values(values.clone())));
        }
    }
    let source_text = &lower[..];
    let schema = || {
        string_literals(header)
            .into_iter()
            .find(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .unwrap_or_else(|| "public".to_string())
    };
    if source_text.contains("pg_tables") || source_text.contains("information_schema.tables") {
        return Some((variable, LoopSource::Catalog(LoopOver::Tables { schema: schema() })));
    }
    if source_text.contains("pg_proc") || source_text.contains("information_schema.routines") {
        let definer_only = source_text.contains("prosecdef") || source_text.contains("security_type");
        return Some((
            variable,
            LoopSource::Catalog(LoopOver::Functions {
                schema: schema(),
                definer_only,
            }),
        ));
    }
    if source_text.contains("array") || source_text.contains("unnest") || source_text.contains("values") {
        return Some((variable, LoopSource::Values(string_literals(header))));
    }
    None
}

/// Marks a loop field in a template: `\u{1}` format letter, field name,
/// `\u{2}`.
const FIELD_OPEN: char = '\u{1}';
const FIELD_CLOSE: char = '\u{2}';

/// The SQL an `EXECUTE` runs: a literal, or `format('...%I...', var)` with
/// the loop variable (or literals) filled in. `Err` when the template
/// needs each object the loop walks, found only when the catalog replays.
fn execute_sql(argument: &str, loop_var: Option<&(String, LoopSource)>) -> Vec<Result<String, (LoopOver, String)>> {
    let trimmed = argument.trim();
    let lower = trimmed.to_ascii_lowercase();
    let literal_of = |t: &str| {
        let t = t.trim();
        if t.starts_with('\'') || t.starts_with('$') {
            Some(unquote_string(t))
        } else {
            None
        }
    };
    if let Some(sql) = literal_of(trimmed) {
        return vec![Ok(sql)];
    }
    let Some(inner) = lower
        .strip_prefix("format")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('('))
        .map(|_| &trimmed[trimmed.find('(').map_or(0, |i| i + 1)..trimmed.rfind(')').unwrap_or(trimmed.len())])
    else {
        return Vec::new();
    };
    let args: Vec<(usize, &str)> = split_args(inner);
    let Some(template) = args.first().and_then(|(_, t)| literal_of(t)) else {
        return Vec::new();
    };
    let values: Vec<String> = args[1..].iter().map(|(_, a)| a.trim().to_string()).collect();
    // `subject`: the value of a loop over literals, or `None` to leave
    // field markers for a loop over the catalog.
    let fill = |subject: Option<&str>| -> Option<String> {
        let mut out = String::new();
        let mut next = 0;
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let letter = chars.next();
            match letter {
                Some('%') => out.push('%'),
                Some(letter @ ('I' | 's' | 'L')) => {
                    let value = values.get(next)?;
                    next += 1;
                    // `'prefix_' || t || '_suffix'`: literals and the loop variable.
                    for piece in value.split("||") {
                        let piece = piece.trim();
                        if let Some(lit) = literal_of(piece) {
                            out.push_str(&lit);
                            continue;
                        }
                        // `quote_ident(r.tablename)` and `r.tablename::text` name the field too.
                        let inner = piece
                            .trim_start_matches("quote_ident(")
                            .trim_start_matches("quote_literal(")
                            .trim_end_matches(')');
                        let inner = inner.split("::").next().unwrap_or(inner).trim();
                        let (var, field) = inner.split_once('.').unwrap_or((inner, ""));
                        let (name, _) = loop_var?;
                        if !var.eq_ignore_ascii_case(name) {
                            return None;
                        }
                        match subject {
                            Some(subject) => out.push_str(subject),
                            None => {
                                out.push(FIELD_OPEN);
                                out.push(letter);
                                out.push_str(&field.to_ascii_lowercase());
                                out.push(FIELD_CLOSE);
                            }
                        }
                    }
                }
                _ => return None,
            }
        }
        Some(out)
    };
    match loop_var {
        Some((_, LoopSource::Values(items))) if !items.is_empty() => {
            items.iter().filter_map(|item| fill(Some(item))).map(Ok).collect()
        }
        Some((_, LoopSource::Catalog(over))) => fill(None).map(|t| vec![Err((over.clone(), t))]).unwrap_or_default(),
        _ => fill(None)
            .filter(|sql| !sql.contains(FIELD_OPEN))
            .map(|sql| vec![Ok(sql)])
            .unwrap_or_default(),
    }
}

/// Top-level comma-separated arguments, with offsets.
fn split_args(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quote = !quote,
            '(' if !quote => depth += 1,
            ')' if !quote => depth -= 1,
            ',' if !quote && depth == 0 => {
                out.push((start, &text[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((start, &text[start..]));
    out
}

/// Statements of a PL/pgSQL block's code starting at `offset` in the file.
fn plpgsql_statements(code: &str, offset: usize, out: &mut Vec<Stmt>) {
    let mut loops: Vec<(String, LoopSource)> = Vec::new();
    // `tables text[] := ARRAY['a', 'b']` in the DECLARE section.
    let mut arrays: Vec<(String, Vec<String>)> = Vec::new();
    for (start, piece) in split_plpgsql(code) {
        {
            let mut declaration = piece;
            if first_word(declaration).0 == "declare" {
                declaration = &declaration[first_word(declaration).1..];
            }
            let (name, after_name) = first_word(declaration);
            if let Some(assign) = declaration.find(":=")
                && assign > after_name
                && declaration[after_name..assign].contains("[]")
            {
                arrays.push((name, string_literals(&declaration[assign..])));
            }
        }
        let mut at = 0;
        // Peel control-flow words off the front of the piece.
        loop {
            let rest = &piece[at..];
            let (word, after) = first_word(rest);
            match word.as_str() {
                "begin" | "else" | "loop" | "declare" => at += after,
                "end" => {
                    if rest.to_ascii_lowercase().contains("loop") {
                        loops.pop();
                    }
                    at = piece.len();
                }
                "if" | "elsif" | "elseif" | "when" | "exception" => match after_keyword(rest, "then") {
                    Some(then) => at += then,
                    None => at = piece.len(),
                },
                "for" | "foreach" | "while" => match after_keyword(rest, "loop") {
                    Some(after_loop) => {
                        if let Some(header) = loop_header(&rest[..after_loop], &arrays) {
                            loops.push(header);
                        } else {
                            loops.push((String::new(), LoopSource::Values(Vec::new())));
                        }
                        at += after_loop;
                    }
                    None => at = piece.len(),
                },
                _ => break,
            }
            if at >= piece.len() {
                break;
            }
        }
        let body = &piece[at..];
        let (word, _) = first_word(body);
        let body_offset = offset + start + at;
        if word == "execute" {
            let argument = body[first_word(body).1..].trim();
            // `EXECUTE sql USING args`: the keyword outside the SQL's quotes.
            let argument = match after_keyword(argument, "using") {
                Some(end) => argument[..end - "using".len()].trim_end(),
                None => argument,
            };
            for sql in execute_sql(argument, loops.last()) {
                match sql {
                    Ok(sql) => {
                        let mut inner = Vec::new();
                        if let Some(tree) = parse(Language::Sql, &sql, None) {
                            statements_of_tree(tree.root_node(), &sql, 0, &mut inner);
                        }
                        let span = Span::new(body_offset, offset + start + piece.len());
                        for stmt in inner {
                            // Spans inside a built string point at the EXECUTE.
                            out.push(Stmt {
                                span,
                                kind: respan_kind(stmt.kind, span),
                            });
                        }
                    }
                    Err((over, template)) => out.push(Stmt {
                        span: Span::new(body_offset, offset + start + piece.len()),
                        kind: StmtKind::ForEach { over, template },
                    }),
                }
            }
            continue;
        }
        if DDL_STARTS.contains(&word.as_str()) {
            let mut sql = body.to_string();
            sql.push(';');
            if let Some(tree) = parse(Language::Sql, &sql, None) {
                statements_of_tree(tree.root_node(), &sql, body_offset, out);
            }
        }
    }
}

/// Every span of a statement set to `span` (SQL built at run time has no
/// place of its own in the file).
fn respan_kind(kind: StmtKind, span: Span) -> StmtKind {
    let expr = |e: Option<ExprSrc>| e.map(|e| ExprSrc { text: e.text, span });
    match kind {
        StmtKind::CreateTable {
            name,
            if_not_exists,
            columns,
            ..
        } => StmtKind::CreateTable {
            name,
            name_span: span,
            if_not_exists,
            columns: columns.into_iter().map(|c| ColumnDef { span, ..c }).collect(),
        },
        StmtKind::CreatePolicy {
            name,
            table,
            command,
            roles,
            permissive,
            using,
            with_check,
            ..
        } => StmtKind::CreatePolicy {
            name,
            table,
            table_span: span,
            command,
            roles,
            permissive,
            using: expr(using),
            with_check: expr(with_check),
        },
        StmtKind::AlterPolicy {
            name,
            table,
            roles,
            using,
            with_check,
        } => StmtKind::AlterPolicy {
            name,
            table,
            roles,
            using: expr(using),
            with_check: expr(with_check),
        },
        StmtKind::CreateFunction {
            func,
            or_replace,
            security_definer,
            search_path,
            language,
            volatility,
            returns_trigger,
            returns,
            params,
            body,
            ..
        } => StmtKind::CreateFunction {
            func,
            name_span: span,
            or_replace,
            security_definer,
            search_path,
            language,
            volatility,
            returns_trigger,
            returns,
            params,
            body: expr(body),
        },
        StmtKind::CreateView {
            name,
            or_replace,
            materialized,
            security_invoker,
            reads,
            ..
        } => StmtKind::CreateView {
            name,
            name_span: span,
            or_replace,
            materialized,
            security_invoker,
            reads,
        },
        other => other,
    }
}

/// An object a migration-time loop visits, by the fields a loop record
/// has (`r.schemaname`, `r.tablename`, `r.proname`, `r.args`...).
pub struct LoopItem<'a> {
    pub schema: &'a str,
    pub name: &'a str,
    /// Input argument types of a function, `, `-separated.
    pub args: &'a str,
}

fn quote_ident(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
    {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The statements of a [`StmtKind::ForEach`] template for one object.
pub fn instantiate(template: &str, item: &LoopItem<'_>) -> Vec<StmtKind> {
    let mut sql = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find(FIELD_OPEN) {
        sql.push_str(&rest[..open]);
        let after = &rest[open + FIELD_OPEN.len_utf8()..];
        let Some(close) = after.find(FIELD_CLOSE) else {
            break;
        };
        let mut marker = after[..close].chars();
        let letter = marker.next().unwrap_or('s');
        let field: String = marker.collect();
        let value = match field.as_str() {
            "schemaname" | "schema" | "schema_name" | "nspname" | "table_schema" | "routine_schema" | "namespace" => {
                item.schema.to_string()
            }
            "args" | "arguments" | "identity_args" | "argtypes" | "arg_types" | "func_args" | "params" => {
                item.args.to_string()
            }
            _ => item.name.to_string(),
        };
        let is_args = matches!(
            field.as_str(),
            "args" | "arguments" | "identity_args" | "argtypes" | "arg_types" | "func_args" | "params"
        );
        if letter == 'I' && !is_args {
            sql.push_str(&quote_ident(&value));
        } else {
            sql.push_str(&value);
        }
        rest = &after[close + FIELD_CLOSE.len_utf8()..];
    }
    sql.push_str(rest);
    let mut inner = Vec::new();
    if let Some(tree) = parse(Language::Sql, &sql, None) {
        statements_of_tree(tree.root_node(), &sql, 0, &mut inner);
    }
    inner.into_iter().map(|s| s.kind).collect()
}
