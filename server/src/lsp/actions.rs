//! Code actions: the rule's fix, "Ignore here", "Turn off for this project",
//! "Move this key to a server env var" and "Run a quick security check?".

use std::path::{Path, PathBuf};

use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, Command, CreateFile, CreateFileOptions, Diagnostic, DocumentChangeOperation,
    DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range, ResourceOp, TextDocumentEdit,
    TextEdit, Uri, WorkspaceEdit,
};
use tree_sitter::Node;

use super::convert::to_lsp::{self, TextRef};
use crate::engine::analysis::ParsedView;
use crate::engine::config::CONFIG_FILE_NAME;
use crate::engine::language::Language;
use crate::engine::source::LineIndex;
use crate::engine::{Category, Finding, Span};

/// The command that runs the quick security check.
pub const SECURITY_CHECK_COMMAND: &str = "nudge.securityCheck";

/// The command that tries the unhappy paths against a throwaway
/// PostgreSQL (`nudge prove`).
pub const PROVE_COMMAND: &str = "nudge.prove";

/// Placeholder the user replaces with their reason.
const REASON_PLACEHOLDER: &str = "<why this is fine here>";

/// The edit inserting a suppression comment above the flagged line, in the
/// comment syntax valid at that spot (JSX children need `{/* */}`).
pub fn ignore_edit(
    at: &TextRef<'_>,
    language: Language,
    views: &[ParsedView],
    rule_id: &str,
    start: usize,
) -> TextEdit {
    let line = at.index.line_of(start);
    let (line_start, line_end) = at.index.line_span(at.text, line);
    let line_text = &at.text[line_start..line_end];
    let indent: String = line_text.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let first_code = line_start + indent.len();
    let directive = format!("nudge-ignore {rule_id}: {REASON_PLACEHOLDER}");
    let comment = match language {
        Language::Sql => format!("-- {directive}"),
        Language::Env => format!("# {directive}"),
        _ if in_jsx_children(views, first_code) => format!("{{/* {directive} */}}"),
        _ => format!("// {directive}"),
    };
    let position = to_lsp::position(at, line_start);
    TextEdit::new(Range::new(position, position), format!("{indent}{comment}\n"))
}

fn in_jsx_children(views: &[ParsedView], byte: usize) -> bool {
    views.iter().filter(|v| v.language.is_js_family()).any(|view| {
        let Some(mut node) = view.tree.root_node().descendant_for_byte_range(byte, byte) else {
            return false;
        };
        while let Some(parent) = node.parent() {
            if parent.start_byte() != byte || parent.kind() == "program" {
                break;
            }
            node = parent;
        }
        is_jsx_child(node)
    })
}

fn is_jsx_child(node: Node<'_>) -> bool {
    let jsx_kind = matches!(
        node.kind(),
        "jsx_element" | "jsx_self_closing_element" | "jsx_expression" | "jsx_text"
    );
    jsx_kind && node.parent().is_some_and(|p| p.kind() == "jsx_element")
}

fn is_nudge(diagnostic: &Diagnostic) -> bool {
    diagnostic.source.as_deref() == Some("nudge")
}

/// What the client and the machine allow the actions to do.
#[derive(Clone, Copy, Debug, Default)]
pub struct Abilities {
    /// The client applies edits that create files.
    pub can_create_files: bool,
    /// PostgreSQL is here and the project has migrations to prove.
    pub can_prove: bool,
}

/// How a rule's fix is offered.
pub enum FixOffer {
    /// The edits, in the action itself.
    Inline { title: String, edits: Vec<TextEdit> },
    /// The edits hold a secret: computed in `codeAction/resolve`, only when
    /// the user picks the action.
    OnResolve { title: String },
}

/// The actions for one of the server's own findings, shown through the
/// client's copy of its diagnostic.
pub fn actions_for(
    uri: &Uri,
    diagnostic: &Diagnostic,
    finding: &Finding,
    fix: Option<FixOffer>,
    ignore_edit: Option<TextEdit>,
    project_config: &ProjectFile,
    client: Abilities,
) -> Vec<CodeAction> {
    let Abilities {
        can_create_files,
        can_prove,
    } = client;
    if !is_nudge(diagnostic) {
        return Vec::new();
    }
    let rule = finding.rule_id.as_str();
    let mut actions = Vec::new();
    let resolve_data = |action: &str| json!({ "action": action, "uri": uri, "rule": rule, "range": diagnostic.range });
    match fix {
        Some(FixOffer::Inline { title, edits }) => actions.push(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(to_lsp::single_file_edit(uri.clone(), edits)),
            is_preferred: Some(true),
            ..CodeAction::default()
        }),
        Some(FixOffer::OnResolve { title }) => actions.push(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            is_preferred: Some(true),
            data: Some(resolve_data("rule-fix")),
            ..CodeAction::default()
        }),
        None => {}
    }
    let has_provider = finding.vars.iter().any(|(k, _)| k == "provider");
    if has_provider && matches!(finding.category, Category::SecretInClient | Category::SecretHardcoded) {
        actions.push(CodeAction {
            title: "Move this key to a server env var".to_string(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            data: Some(resolve_data("move-secret")),
            ..CodeAction::default()
        });
    }
    if offers_security_check(finding.category) {
        actions.push(CodeAction {
            title: "Run a quick security check?".to_string(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            command: Some(Command::new(
                "Run a quick security check".to_string(),
                SECURITY_CHECK_COMMAND.to_string(),
                None,
            )),
            ..CodeAction::default()
        });
    }
    if can_prove && offers_proof(finding) {
        actions.push(CodeAction {
            title: "Try it for real (a throwaway database)".to_string(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            command: Some(Command::new(
                "Try it for real".to_string(),
                PROVE_COMMAND.to_string(),
                None,
            )),
            ..CodeAction::default()
        });
    }
    if let Some(edit) = ignore_edit {
        actions.push(CodeAction {
            title: format!("Ignore `{rule}` here"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(to_lsp::single_file_edit(uri.clone(), vec![edit])),
            ..CodeAction::default()
        });
    }
    if let Some(edit) = project_config.turn_off_edit(rule, can_create_files) {
        actions.push(CodeAction {
            title: format!("Turn off `{rule}` for this project"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(edit),
            ..CodeAction::default()
        });
    }
    actions
}

/// A project file an action may edit: its path, URI and current text
/// (the open buffer if there is one, else the disk).
pub struct ProjectFile {
    pub uri: Option<Uri>,
    pub text: Option<String>,
    /// The file exists but is not one to edit (a FIFO, a device, too large,
    /// unreadable): actions that would touch it are not offered.
    pub unusable: bool,
    pub encoding: super::convert::Encoding,
}

impl ProjectFile {
    pub fn load(path: PathBuf, open_text: Option<String>, encoding: super::convert::Encoding) -> ProjectFile {
        let (text, unusable) = match open_text {
            Some(text) => (Some(text), false),
            None => match crate::files::read_optional_settings(&path) {
                Ok(text) => (text, false),
                Err(why) => {
                    tracing::info!("{}: not edited, {why}", path.display());
                    (None, true)
                }
            },
        };
        let uri = Uri::from_file_path(&path);
        ProjectFile {
            uri,
            text,
            unusable,
            encoding,
        }
    }

    /// The configuration file of a project root.
    pub fn config(
        root: &Path,
        open_text: impl Fn(&Path) -> Option<String>,
        encoding: super::convert::Encoding,
    ) -> ProjectFile {
        let path = root.join(CONFIG_FILE_NAME);
        let open = open_text(&path);
        ProjectFile::load(path, open, encoding)
    }

    /// `[rules] "<rule>" = "off"` added with `toml_edit`, so the file's
    /// comments and layout survive.
    fn turn_off_edit(&self, rule: &str, can_create_files: bool) -> Option<WorkspaceEdit> {
        if self.unusable {
            return None;
        }
        let uri = self.uri.clone()?;
        match &self.text {
            Some(text) => {
                let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
                let rules = doc.entry("rules").or_insert(toml_edit::table()).as_table_mut()?;
                rules.insert(rule, toml_edit::value("off"));
                Some(self.replace_all(uri, text, doc.to_string()))
            }
            None if can_create_files => {
                let new_text = format!(
                    "# Nudge configuration: see `nudge explain RULE` for each rule.\n[rules]\n\"{rule}\" = \"off\"\n"
                );
                Some(create_with(uri, new_text))
            }
            None => None,
        }
    }

    fn replace_all(&self, uri: Uri, old: &str, new_text: String) -> WorkspaceEdit {
        let index = LineIndex::new(old);
        let at = TextRef {
            text: old,
            index: &index,
            encoding: self.encoding,
        };
        let range = to_lsp::range(&at, Span::new(0, old.len()));
        to_lsp::single_file_edit(uri, vec![TextEdit::new(range, new_text)])
    }

    /// An edit appending `addition` (on its own line) at the end.
    fn append(&self, addition: &str) -> Option<DocumentChangeOperation> {
        let uri = self.uri.clone()?;
        let text = self.text.as_ref()?;
        let index = LineIndex::new(text);
        let at = TextRef {
            text,
            index: &index,
            encoding: self.encoding,
        };
        let end = to_lsp::position(&at, text.len());
        let separator = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        Some(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(TextEdit::new(
                Range::new(end, end),
                format!("{separator}{addition}"),
            ))],
        }))
    }

    /// Operations that make this file exist and contain `line`.
    fn ensure_line(
        &self,
        line: &str,
        present: impl Fn(&str) -> bool,
        can_create_files: bool,
    ) -> Option<Vec<DocumentChangeOperation>> {
        if self.unusable {
            return None;
        }
        match &self.text {
            Some(text) if text.lines().any(|l| present(l.trim())) => Some(Vec::new()),
            Some(_) => Some(vec![self.append(&format!("{line}\n"))?]),
            None if can_create_files => {
                let uri = self.uri.clone()?;
                Some(create_ops(uri, format!("{line}\n")))
            }
            None => None,
        }
    }
}

fn create_ops(uri: Uri, text: String) -> Vec<DocumentChangeOperation> {
    vec![
        DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
            uri: uri.clone(),
            options: Some(CreateFileOptions {
                overwrite: Some(false),
                ignore_if_exists: Some(true),
            }),
            annotation_id: None,
        })),
        DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(TextEdit::new(
                Range::new(Position::new(0, 0), Position::new(0, 0)),
                text,
            ))],
        }),
    ]
}

fn create_with(uri: Uri, text: String) -> WorkspaceEdit {
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(create_ops(uri, text))),
        ..WorkspaceEdit::default()
    }
}

/// `OPENAI_API_KEY` from "OpenAI API key".
pub fn env_name(provider: &str) -> String {
    let provider = provider.trim_end_matches(" with a password");
    let mut name: String = provider
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_').to_string();
    if name.ends_with("_KEY") || name.ends_with("_TOKEN") || name.ends_with("_SECRET") || name.ends_with("_URL") {
        name
    } else {
        format!("{name}_KEY")
    }
}

/// The env name to move a value to: `wanted` when `.env.local` does not
/// define it, the existing name when it already holds this very value
/// (then `true`: nothing to add), else the first free `wanted_2`,
/// `wanted_3`... A defined name is never overwritten: that would lose a key.
fn free_env_name(wanted: &str, value: &str, env_text: Option<&str>) -> (String, bool) {
    let defined: Vec<(String, String)> = env_text
        .map(|text| {
            let mut facts = crate::engine::facts::FileFacts::default();
            crate::engine::facts::env_facts(text, &mut facts);
            facts.env_entries.into_iter().map(|e| (e.key, e.value)).collect()
        })
        .unwrap_or_default();
    let holds = |name: &str| defined.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    for n in 1.. {
        let name = if n == 1 {
            wanted.to_string()
        } else {
            format!("{wanted}_{n}")
        };
        match holds(&name) {
            None => return (name, false),
            Some(existing) if existing == value => return (name, true),
            Some(_) => {}
        }
    }
    unreachable!("some numbered name is free")
}

/// Everything "Move this key to a server env var" needs, read at resolve
/// time so the secret itself never travels in diagnostic data.
pub struct MoveSecret<'a> {
    pub uri: &'a Uri,
    pub file_path: &'a Path,
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: super::convert::Encoding,
    pub span: Span,
    pub provider: &'a str,
    /// Where `.env.local` and `.gitignore` live (the project root).
    pub project_dir: &'a Path,
    pub open_text: &'a dyn Fn(&Path) -> Option<String>,
    pub can_create_files: bool,
}

/// The multi-file edit: the literal becomes an env read, the value goes to
/// `.env.local`, and `.gitignore` keeps `.env.local` out of git.
pub fn move_secret_edit(input: &MoveSecret<'_>) -> Option<WorkspaceEdit> {
    let text = input.text;
    let mut span = input.span;
    let quote_before = text[..span.start].chars().next_back();
    let quote_after = text[span.end..].chars().next();
    if let (Some(q), Some(a)) = (quote_before, quote_after)
        && q == a
        && matches!(q, '"' | '\'' | '`')
    {
        span = Span::new(span.start - 1, span.end + 1);
    }
    let literal = &text[span.range()];
    let value = literal.trim_matches(|c| c == '"' || c == '\'' || c == '`');
    if value.contains(['\n', '$']) {
        return None;
    }
    let env_file = ProjectFile::load(
        input.project_dir.join(".env.local"),
        (input.open_text)(&input.project_dir.join(".env.local")),
        input.encoding,
    );
    let (name, already_there) = free_env_name(&env_name(input.provider), value, env_file.text.as_deref());
    let path = input.file_path.to_string_lossy();
    let accessor = if path.contains("/supabase/functions/") {
        format!("Deno.env.get(\"{name}\")")
    } else {
        format!("process.env.{name}")
    };
    let at = TextRef {
        text,
        index: input.index,
        encoding: input.encoding,
    };
    let code_edit = DocumentChangeOperation::Edit(TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: input.uri.clone(),
            version: None,
        },
        edits: vec![OneOf::Left(TextEdit::new(to_lsp::range(&at, span), accessor))],
    });
    let mut operations = vec![code_edit];
    if !already_there {
        let prefix = format!("{name}=");
        operations.extend(env_file.ensure_line(
            &format!("{name}={value}"),
            |l| l.starts_with(&prefix),
            input.can_create_files,
        )?);
    }
    let gitignore = ProjectFile::load(
        input.project_dir.join(".gitignore"),
        (input.open_text)(&input.project_dir.join(".gitignore")),
        input.encoding,
    );
    let ignored = |l: &str| {
        matches!(
            l,
            ".env.local" | ".env*.local" | ".env*" | ".env.*" | "*.local" | "/.env.local"
        )
    };
    operations.extend(gitignore.ensure_line(".env.local", ignored, input.can_create_files)?);
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(operations)),
        ..WorkspaceEdit::default()
    })
}

/// Nudges a proof speaks to: who can read and change rows, call
/// functions and reach files.
fn offers_proof(finding: &Finding) -> bool {
    matches!(
        finding.category,
        Category::RlsMissing
            | Category::RlsPermissive
            | Category::SecurityDefiner
            | Category::PublicBucket
            | Category::ClientSideEntitlement
    ) && finding
        .vars
        .iter()
        .any(|(k, _)| matches!(k.as_str(), "table" | "view" | "function" | "bucket"))
}

/// Categories whose nudges offer the security check.
pub fn offers_security_check(category: Category) -> bool {
    matches!(category, Category::SignupFlow | Category::UserData)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_key_never_overwrites_another() {
        assert_eq!(free_env_name("K", "v1", None), ("K".to_string(), false));
        assert_eq!(free_env_name("K", "v1", Some("K=v1\n")), ("K".to_string(), true));
        assert_eq!(
            free_env_name("K", "v1", Some("K=other\nK_2=x\n")),
            ("K_3".to_string(), false)
        );
        assert_eq!(
            free_env_name("K", "v1", Some("K=other\nK_2=v1\n")),
            ("K_2".to_string(), true)
        );
    }

    #[test]
    fn env_names_from_providers() {
        assert_eq!(env_name("OpenAI API key"), "OPENAI_API_KEY");
        assert_eq!(
            env_name("Stripe webhook signing secret"),
            "STRIPE_WEBHOOK_SIGNING_SECRET"
        );
        assert_eq!(env_name("Supabase service-role key"), "SUPABASE_SERVICE_ROLE_KEY");
        assert_eq!(env_name("Slack webhook URL"), "SLACK_WEBHOOK_URL");
        assert_eq!(env_name("GitHub token"), "GITHUB_TOKEN");
        assert_eq!(env_name("database URL with a password"), "DATABASE_URL");
    }
}
