//! Facts extracted from one file, later merged across the workspace: what
//! migrations create, enable and grant; what code imports, reads from the
//! environment and queries through Supabase.

use std::sync::LazyLock;

use tree_sitter::Tree;

use super::types::Span;

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
    /// A SQL file's statements, in order (see [`super::catalog::read`]).
    pub sql: Vec<super::catalog::read::Stmt>,
    /// The SQL uses Supabase's own objects (`auth.uid()`, `auth.users`,
    /// `storage.*`, roles `anon` and `authenticated`).
    pub mentions_supabase: bool,
    /// Module specifiers imported or required.
    pub imports: Vec<String>,
    /// Env variable names read (`process.env.X`, `import.meta.env.X`).
    pub env_reads: Vec<(String, Span)>,
    /// Tables queried with `.from('table')` on a Supabase client.
    pub supabase_tables: Vec<(String, Span)>,
    pub env_entries: Vec<EnvEntry>,
}

static SUPABASE_SQL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)\bauth\s*\.\s*(?:uid|jwt|role|email)\s*\(|\bauth\s*\.\s*users\b|\bstorage\s*\.\s*(?:buckets|objects)\b|\bto\s+(?:anon|authenticated)\b|\bservice_role\b")
        .expect("supabase sql pattern")
});

/// Facts of a SQL file: its statements, and whether it uses Supabase's objects.
pub fn sql_facts(tree: &Tree, source: &str, facts: &mut FileFacts) {
    facts.sql.extend(super::catalog::read::statements_of(tree, source));
    facts.mentions_supabase |= SUPABASE_SQL.is_match(source);
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

    fn text<'a>(node: tree_sitter::Node<'_>, source: &'a str) -> &'a str {
        source.get(node.byte_range()).unwrap_or("")
    }

    fn span(node: tree_sitter::Node<'_>) -> Span {
        Span::new(node.start_byte(), node.end_byte())
    }

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
