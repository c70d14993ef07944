//! Facts extracted from one file, later merged across the workspace: what
//! migrations create, enable and grant; what code imports, reads from the
//! environment and queries through Supabase.

use std::sync::LazyLock;

use tree_sitter::{Node, Tree};

use super::types::Span;

/// A schema-qualified table name as written (schema defaults later).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableName {
    pub schema: Option<String>,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDef {
    pub table: TableName,
    pub columns: Vec<String>,
    /// The `CREATE TABLE` statement.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RlsToggle {
    pub table: TableName,
    pub enabled: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDef {
    pub name: String,
    pub table: TableName,
    /// `all`, `select`, `insert`, `update` or `delete`.
    pub command: String,
    /// Lowercased role names; `public` when none is given.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantDef {
    pub privileges: String,
    pub tables: Vec<TableName>,
    pub roles: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketDef {
    pub id: String,
    pub public: bool,
    pub span: Span,
}

/// One `KEY=value` line of an `.env` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: String,
    pub key_span: Span,
    pub value: String,
    pub value_span: Span,
    /// The whole line.
    pub span: Span,
}

/// Everything one file contributes to the workspace model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    pub tables: Vec<TableDef>,
    pub rls: Vec<RlsToggle>,
    pub policies: Vec<PolicyDef>,
    pub grants: Vec<GrantDef>,
    pub buckets: Vec<BucketDef>,
    /// Module specifiers imported or required.
    pub imports: Vec<String>,
    /// Env variable names read (`process.env.X`, `import.meta.env.X`).
    pub env_reads: Vec<(String, Span)>,
    /// Tables queried with `.from('table')` on a Supabase client.
    pub supabase_tables: Vec<(String, Span)>,
    pub env_entries: Vec<EnvEntry>,
}

fn text<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    source.get(node.byte_range()).unwrap_or("")
}

fn span(node: Node<'_>) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// Splits `schema.table` (quotes respected, unquoted parts lowercased).
pub fn parse_table_name(raw: &str) -> TableName {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    for ch in raw.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                parts.push(finish_part(&mut current, &mut was_quoted));
            }
            c if c.is_whitespace() && !quoted => {}
            c => current.push(c),
        }
    }
    parts.push(finish_part(&mut current, &mut was_quoted));
    let name = parts.pop().unwrap_or_default();
    TableName {
        schema: parts.pop(),
        name,
    }
}

fn finish_part(current: &mut String, was_quoted: &mut bool) -> String {
    let part = std::mem::take(current);
    let part = if *was_quoted { part } else { part.to_lowercase() };
    *was_quoted = false;
    part
}

fn child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).find(|c| c.kind() == kind)
}

fn has_child_kind(node: Node<'_>, kind: &str) -> bool {
    child_of_kind(node, kind).is_some()
}

/// The outermost descendants of `node` of `kind`, in document order.
/// Iterative: generated SQL can nest deeper than the stack.
fn descendants_of_kind<'t>(node: Node<'t>, kind: &str, out: &mut Vec<Node<'t>>) {
    let mut cursor = node.walk();
    let mut stack: Vec<Node<'t>> = node.children(&mut cursor).collect();
    stack.reverse();
    while let Some(child) = stack.pop() {
        if child.kind() == kind {
            out.push(child);
        } else {
            let start = stack.len();
            stack.extend(child.children(&mut cursor));
            stack[start..].reverse();
        }
    }
}

/// Facts of a SQL file (parsed with tree-sitter-postgres).
pub fn sql_facts(tree: &Tree, source: &str, facts: &mut FileFacts) {
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "CreateStmt" => sql_create_table(node, source, facts),
            "AlterTableStmt" => sql_alter_table(node, source, facts),
            "CreatePolicyStmt" => sql_policy(node, source, facts),
            "GrantStmt" => sql_grant(node, source, facts),
            "InsertStmt" => sql_bucket_insert(node, source, facts),
            _ => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.children(&mut cursor).collect();
                stack.extend(children.into_iter().rev());
            }
        }
    }
}

fn sql_create_table(node: Node<'_>, source: &str, facts: &mut FileFacts) {
    let is_temp = {
        let mut cursor = node.walk();
        node.children(&mut cursor).any(|c| c.kind() == "OptTemp")
    };
    let Some(name) = child_of_kind(node, "qualified_name") else {
        return;
    };
    if is_temp {
        return;
    }
    let mut column_defs = Vec::new();
    descendants_of_kind(node, "columnDef", &mut column_defs);
    let columns = column_defs
        .into_iter()
        .filter_map(|c| c.named_child(0))
        .map(|c| parse_table_name(text(c, source)).name)
        .collect();
    facts.tables.push(TableDef {
        table: parse_table_name(text(name, source)),
        columns,
        span: span(node),
    });
}

fn sql_alter_table(node: Node<'_>, source: &str, facts: &mut FileFacts) {
    let Some(relation) = child_of_kind(node, "relation_expr") else {
        return;
    };
    let Some(name) = child_of_kind(relation, "qualified_name") else {
        return;
    };
    let mut cmds = Vec::new();
    descendants_of_kind(node, "alter_table_cmd", &mut cmds);
    for cmd in cmds {
        let is_rls =
            has_child_kind(cmd, "kw_row") && has_child_kind(cmd, "kw_level") && has_child_kind(cmd, "kw_security");
        if !is_rls {
            continue;
        }
        let enabled = has_child_kind(cmd, "kw_enable") || has_child_kind(cmd, "kw_force");
        if enabled || has_child_kind(cmd, "kw_disable") {
            facts.rls.push(RlsToggle {
                table: parse_table_name(text(name, source)),
                enabled,
                span: span(node),
            });
        }
    }
}

fn sql_policy(node: Node<'_>, source: &str, facts: &mut FileFacts) {
    let Some(table) = child_of_kind(node, "qualified_name") else {
        return;
    };
    let name = child_of_kind(node, "name")
        .map(|n| text(n, source).trim_matches('"').to_string())
        .unwrap_or_default();
    let command = child_of_kind(node, "RowSecurityDefaultForCmd")
        .and_then(|n| child_of_kind(n, "row_security_cmd"))
        .map(|n| text(n, source).to_lowercase())
        .unwrap_or_else(|| "all".to_string());
    let roles = child_of_kind(node, "RowSecurityDefaultToRole")
        .and_then(|n| child_of_kind(n, "role_list"))
        .map(|list| {
            let mut specs = Vec::new();
            descendants_of_kind(list, "RoleSpec", &mut specs);
            specs
                .into_iter()
                .map(|s| text(s, source).trim_matches('"').to_lowercase())
                .collect()
        })
        .unwrap_or_else(|| vec!["public".to_string()]);
    let expr = |kind: &str| {
        child_of_kind(node, kind)
            .and_then(|n| child_of_kind(n, "a_expr"))
            .map(|e| text(e, source).to_string())
    };
    facts.policies.push(PolicyDef {
        name,
        table: parse_table_name(text(table, source)),
        command,
        roles,
        using: expr("RowSecurityOptionalExpr"),
        with_check: expr("RowSecurityOptionalWithCheck"),
        span: span(node),
    });
}

fn sql_grant(node: Node<'_>, source: &str, facts: &mut FileFacts) {
    let privileges = child_of_kind(node, "privileges")
        .map(|n| text(n, source).to_lowercase())
        .unwrap_or_default();
    let mut names = Vec::new();
    if let Some(target) = child_of_kind(node, "privilege_target") {
        descendants_of_kind(target, "qualified_name", &mut names);
    }
    let mut grantees = Vec::new();
    if let Some(list) = child_of_kind(node, "grantee_list") {
        descendants_of_kind(list, "RoleSpec", &mut grantees);
    }
    facts.grants.push(GrantDef {
        privileges,
        tables: names.into_iter().map(|n| parse_table_name(text(n, source))).collect(),
        roles: grantees
            .into_iter()
            .map(|r| text(r, source).trim_matches('"').to_lowercase())
            .collect(),
        span: span(node),
    });
}

fn sql_bucket_insert(node: Node<'_>, source: &str, facts: &mut FileFacts) {
    let Some(target) = child_of_kind(node, "insert_target").and_then(|t| child_of_kind(t, "qualified_name")) else {
        return;
    };
    let table = parse_table_name(text(target, source));
    if table.schema.as_deref() != Some("storage") || table.name != "buckets" {
        return;
    }
    let Some(rest) = child_of_kind(node, "insert_rest") else {
        return;
    };
    let mut columns = Vec::new();
    descendants_of_kind(rest, "insert_column_item", &mut columns);
    let columns: Vec<String> = columns.into_iter().map(|c| text(c, source).to_lowercase()).collect();
    let mut rows = Vec::new();
    descendants_of_kind(rest, "values_clause", &mut rows);
    for values in rows {
        let mut exprs = Vec::new();
        collect_expr_list(values, &mut exprs);
        let value_of = |column: &str| {
            columns
                .iter()
                .position(|c| c == column)
                .and_then(|i| exprs.get(i))
                .map(|e| text(*e, source).trim().to_string())
        };
        let public = value_of("public").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let id = value_of("id").or_else(|| value_of("name")).unwrap_or_default();
        facts.buckets.push(BucketDef {
            id: id.trim_matches('\'').to_string(),
            public,
            span: span(node),
        });
    }
}

/// The `a_expr` items of a VALUES row, in order (the grammar nests lists
/// left-recursively).
/// The expressions of a (left-nested) `expr_list`, in order. Iterative: a
/// list nests once per element.
fn collect_expr_list<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    let mut cursor = node.walk();
    let mut stack: Vec<Node<'t>> = node.children(&mut cursor).collect();
    stack.reverse();
    while let Some(child) = stack.pop() {
        match child.kind() {
            "a_expr" => out.push(child),
            "expr_list" => {
                let start = stack.len();
                stack.extend(child.children(&mut cursor));
                stack[start..].reverse();
            }
            _ => {}
        }
    }
}

/// `import ... from "x"`, `export ... from "x"`, `import "x"`, anchored at
/// the keyword (found first by a literal search).
static IMPORT_AT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"^(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"'\n]+)["']"#)
        .expect("import pattern")
});

/// `require("x")` and `import("x")`, anchored after the keyword.
static CALL_AT: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"^\s*\(\s*["']([^"'\n]+)["']\s*\)"#).expect("call pattern"));

static ENV_RE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"\b(?:process\.env|import\.meta\.env)(?:\.([A-Za-z_$][\w$]*)|\[\s*["']([^"'\n]+)["']\s*\])"#)
        .expect("env pattern")
});

static FROM_ARG: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"^\s*["']([^"'\n]+)["']"#).expect("from pattern"));

static KEYWORDS: LazyLock<aho_corasick::AhoCorasick> =
    LazyLock::new(|| aho_corasick::AhoCorasick::new(["import", "export", "require", "from("]).expect("keywords"));

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Facts of JavaScript-family code read lexically, without a parse: the
/// imports that build the import graph, env reads, and tables queried through
/// a Supabase client. Being lexical, they are the same whether or not a file
/// is parsed, which is what lets the keyword prefilter skip parsing. Literal
/// keyword search first, then small anchored patterns at each hit.
pub fn js_facts_lexical(source: &str, facts: &mut FileFacts) {
    let file_mentions_supabase = source.contains("@supabase/");
    for hit in KEYWORDS.find_iter(source) {
        let at = hit.start();
        let before = source[..at].chars().next_back();
        let word_start = before.is_none_or(|c| !is_ident_char(c) && c != '.');
        match hit.pattern().as_usize() {
            0 | 1 if word_start => {
                if let Some(found) = IMPORT_AT.captures(&source[at..]) {
                    facts.imports.push(found[1].to_string());
                } else if hit.pattern().as_usize() == 0
                    && let Some(found) = CALL_AT.captures(&source[hit.end()..])
                {
                    facts.imports.push(found[1].to_string());
                }
            }
            2 if word_start => {
                if let Some(found) = CALL_AT.captures(&source[hit.end()..]) {
                    facts.imports.push(found[1].to_string());
                }
            }
            3 => supabase_from(source, at, hit.end(), file_mentions_supabase, facts),
            _ => {}
        }
    }
    for found in ENV_RE.captures_iter(source) {
        if let Some(name) = found.get(1).or_else(|| found.get(2)) {
            facts
                .env_reads
                .push((name.as_str().to_string(), Span::new(name.start(), name.end())));
        }
    }
}

/// `client.from("table")`, the client possibly on the line above.
fn supabase_from(source: &str, from_at: usize, args_at: usize, file_mentions_supabase: bool, facts: &mut FileFacts) {
    let before = source[..from_at].trim_end();
    let Some(before) = before.strip_suffix('.') else { return };
    let before = before.trim_end();
    let before = before.strip_suffix(')').unwrap_or(before);
    // After the last non-identifier character, whatever its width.
    let client_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !is_ident_char(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let client = &before[client_start..];
    if client.is_empty() {
        return;
    }
    // `Array.from('abc')` and friends are classes; Supabase clients are
    // values named in lower case.
    let looks_supabase = client.to_ascii_lowercase().contains("supabase")
        || (!client.starts_with(|c: char| c.is_ascii_uppercase()) && file_mentions_supabase);
    if !looks_supabase {
        return;
    }
    if let Some(found) = FROM_ARG.captures(&source[args_at..]) {
        let table = found.get(1).expect("table group");
        let start = args_at + table.start();
        facts
            .supabase_tables
            .push((table.as_str().to_string(), Span::new(start, start + table.len())));
    }
}

/// Reads `.env` lines: `KEY=value`, optional `export`, quotes, comments.
pub fn env_facts(source: &str, facts: &mut FileFacts) {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let leading = content.len() - content.trim_start().len();
        let mut body = &content[leading..];
        let mut body_start = line_start + leading;
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some(rest) = body.strip_prefix("export ") {
            body_start += body.len() - rest.trim_start().len();
            body = rest.trim_start();
        }
        let Some(eq) = body.find('=') else { continue };
        let key = body[..eq].trim_end();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            continue;
        }
        let raw_value = &body[eq + 1..];
        let value_lead = raw_value.len() - raw_value.trim_start().len();
        let mut value = raw_value.trim_start();
        let mut value_start = body_start + eq + 1 + value_lead;
        if let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'' || *c == '`') {
            let inner = &value[1..];
            value = inner.find(quote).map(|end| &inner[..end]).unwrap_or(inner);
            value_start += 1;
        } else {
            // An unquoted value ends at ` #` (an inline comment).
            if let Some(comment) = value.find(" #") {
                value = &value[..comment];
            }
            value = value.trim_end();
        }
        facts.env_entries.push(EnvEntry {
            key: key.to_string(),
            key_span: Span::new(body_start, body_start + key.len()),
            value: value.to_string(),
            value_span: Span::new(value_start, value_start + value.len()),
            span: Span::new(line_start, line_start + content.len()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    use tree_sitter::{Query, QueryCursor, StreamingIterator};

    use crate::engine::language::Language;

    /// Tree-based extraction of the same facts, kept as the oracle that the
    /// lexical reading is tested against.
    const JS_FACT_QUERY: &str = r#"
    (import_statement source: (string (string_fragment) @import))
    (export_statement source: (string (string_fragment) @import))
    (call_expression
      function: (identifier) @_require (#eq? @_require "require")
      arguments: (arguments . (string (string_fragment) @import)))
    (call_expression
      function: (import)
      arguments: (arguments . (string (string_fragment) @import)))
    (member_expression
      object: (member_expression
        object: (identifier) @_process (#eq? @_process "process")
        property: (property_identifier) @_env (#eq? @_env "env"))
      property: (property_identifier) @env)
    (subscript_expression
      object: (member_expression
        object: (identifier) @_process (#eq? @_process "process")
        property: (property_identifier) @_env (#eq? @_env "env"))
      index: (string (string_fragment) @env))
    (member_expression
      object: (member_expression
        object: (meta_property)
        property: (property_identifier) @_env (#eq? @_env "env"))
      property: (property_identifier) @env)
    (call_expression
      function: (member_expression
        object: (_) @client
        property: (property_identifier) @_from (#eq? @_from "from"))
      arguments: (arguments . (string (string_fragment) @table)))
    "#;

    static JS_FACT_QUERIES: LazyLock<HashMap<Language, Query>> = LazyLock::new(|| {
        [Language::JavaScript, Language::TypeScript, Language::Tsx]
            .into_iter()
            .map(|lang| {
                let grammar = lang.grammar().expect("js grammar");
                (
                    lang,
                    Query::new(&grammar, JS_FACT_QUERY).expect("built-in fact query compiles"),
                )
            })
            .collect()
    });

    /// Facts of a JavaScript-family tree.
    fn js_facts(language: Language, tree: &Tree, source: &str, facts: &mut FileFacts) {
        let Some(query) = JS_FACT_QUERIES.get(&language) else {
            return;
        };
        let names = query.capture_names();
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(query, tree.root_node(), source.as_bytes());
        while let Some(found) = matches.next() {
            let mut client_text = None;
            for capture in found.captures {
                let value = text(capture.node, source);
                match names[capture.index as usize] {
                    "import" => facts.imports.push(value.to_string()),
                    "env" => facts.env_reads.push((value.to_string(), span(capture.node))),
                    "client" => client_text = Some(value),
                    "table" => {
                        // `Array.from('abc')` and friends are classes; Supabase
                        // clients are values named in lower case.
                        let client = client_text.unwrap_or("");
                        let looks_supabase = client.to_ascii_lowercase().contains("supabase")
                            || (!client.starts_with(|c: char| c.is_ascii_uppercase()) && source.contains("@supabase/"));
                        if looks_supabase {
                            facts.supabase_tables.push((value.to_string(), span(capture.node)));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn parse(language: Language, source: &str) -> Tree {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language.grammar().unwrap()).unwrap();
        parser.parse(source, None).unwrap()
    }

    /// Found by fuzzing: the client name before `.from(` was sliced at a
    /// byte inside a multi-byte character.
    #[test]
    fn supabase_from_after_a_multibyte_character() {
        let mut facts = FileFacts::default();
        js_facts_lexical(
            "const a = →supabase.from(\"invoices\");\nconst b = →.from(\"x\");\n",
            &mut facts,
        );
        let tables: Vec<&str> = facts.supabase_tables.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(tables, ["invoices"]);
    }

    #[test]
    fn sql_facts_cover_tables_rls_policies_grants_buckets() {
        let sql = r#"
create table public.invoices (id uuid primary key, user_id uuid references auth.users, amount int);
CREATE TABLE "Profiles" (id uuid, email text);
alter table public.invoices enable row level security;
create policy "read all" on public.invoices for select to authenticated using (true);
create policy "own" on invoices with check (auth.uid() = user_id);
grant all on table public.invoices to anon, authenticated;
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
"#;
        let tree = parse(Language::Sql, sql);
        let mut facts = FileFacts::default();
        sql_facts(&tree, sql, &mut facts);
        assert_eq!(facts.tables.len(), 2);
        assert_eq!(
            facts.tables[0].table,
            TableName {
                schema: Some("public".into()),
                name: "invoices".into()
            }
        );
        assert_eq!(facts.tables[0].columns, ["id", "user_id", "amount"]);
        assert_eq!(facts.tables[1].table.name, "Profiles");
        assert_eq!(facts.rls.len(), 1);
        assert!(facts.rls[0].enabled);
        assert_eq!(facts.policies.len(), 2);
        assert_eq!(facts.policies[0].command, "select");
        assert_eq!(facts.policies[0].roles, ["authenticated"]);
        assert_eq!(facts.policies[0].using.as_deref(), Some("true"));
        assert_eq!(facts.policies[1].command, "all");
        assert_eq!(facts.policies[1].roles, ["public"]);
        assert!(facts.policies[1].with_check.as_deref().unwrap().contains("auth.uid()"));
        assert_eq!(facts.grants[0].roles, ["anon", "authenticated"]);
        assert_eq!(facts.grants[0].privileges, "all");
        assert_eq!(
            facts.buckets,
            [BucketDef {
                id: "avatars".into(),
                public: true,
                span: facts.buckets[0].span
            }]
        );
    }

    #[test]
    fn js_facts_find_imports_env_and_tables() {
        let src = r#"
import { createClient } from '@supabase/supabase-js';
const x = require("./x");
const key = process.env.NEXT_PUBLIC_KEY;
const other = import.meta.env.VITE_URL;
const y = process.env["SECRET_THING"];
const { data } = await supabase.from('invoices').select('*');
const arr = Array.from('abc');
"#;
        for lang in [Language::JavaScript, Language::TypeScript, Language::Tsx] {
            let tree = parse(lang, src);
            let mut facts = FileFacts::default();
            js_facts(lang, &tree, src, &mut facts);
            let mut lexical = FileFacts::default();
            js_facts_lexical(src, &mut lexical);
            assert_eq!(lexical, facts, "lexical facts agree with the tree for {lang:?}");
            assert_eq!(facts.imports, ["@supabase/supabase-js", "./x"]);
            let envs: Vec<&str> = facts.env_reads.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(envs, ["NEXT_PUBLIC_KEY", "VITE_URL", "SECRET_THING"]);
            let tables: Vec<&str> = facts.supabase_tables.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(tables, ["invoices"]);
        }
    }

    #[test]
    fn lexical_facts_cover_module_forms() {
        let src = "import type { A } from './types';\nimport {\n  b,\n  c as d,\n} from \"../multi\";\nexport * from './all';\nimport 'server-only';\nconst lazy = await import(\"./lazy\");\nconst cjs = require('./cjs');\n// reimport('./not-a-call') and x.import('./no')\nconst rows = supabase\n  .from('notes')\n  .select();\n";
        let mut facts = FileFacts::default();
        js_facts_lexical(src, &mut facts);
        assert_eq!(
            facts.imports,
            ["./types", "../multi", "./all", "server-only", "./lazy", "./cjs"]
        );
        let tables: Vec<&str> = facts.supabase_tables.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(tables, ["notes"]);
        assert_eq!(&src[facts.supabase_tables[0].1.range()], "notes");
    }

    #[test]
    fn env_lines() {
        let src = "# comment\nexport A=1\nB=\"two words\" \nC='x' # note\nD=plain # inline\n\nbad line\n";
        let mut facts = FileFacts::default();
        env_facts(src, &mut facts);
        let pairs: Vec<(&str, &str)> = facts
            .env_entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(pairs, [("A", "1"), ("B", "two words"), ("C", "x"), ("D", "plain")]);
        for e in &facts.env_entries {
            assert_eq!(&src[e.value_span.range()], e.value);
            assert_eq!(&src[e.key_span.range()], e.key);
        }
    }
}
