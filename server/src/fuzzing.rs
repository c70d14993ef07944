//! Entry points shared by the fuzz targets (`server/fuzz/`) and the test
//! that replays their saved corpora (`tests/fuzz_corpus.rs`), so what the
//! fuzzer checks and what CI re-checks are one piece of code. Each takes
//! arbitrary bytes and panics only on a real bug: a crash, a span outside
//! the text, an unmasked secret, a multi-line error, or an incremental
//! result that differs from a fresh one.

use std::path::Path;
use std::sync::Arc;

use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use crate::engine::analysis::{
    Deadline, ParsedView, analyze_file, analyze_parsed, analyze_parsed_in_context, parse, reanalyze_incremental,
    reparse_until,
};
use crate::engine::context::ContextKind;
use crate::engine::facts::{FileFacts, env_facts};
use crate::engine::language::{FileKind, Language};
use crate::engine::{Config, FileAnalysis, FileInput, Rule, RuleSet};
use crate::lsp::convert::Encoding;
use crate::lsp::documents::Document;
use crate::project::{SourceFile, build_workspace};

/// A fuzz target: arbitrary bytes in, a panic only on a bug.
pub type Target = fn(&[u8]);

/// Every target, by the name its fuzz binary and corpus folder carry.
pub const TARGETS: &[(&str, Target)] = &[
    ("engine", engine),
    ("edits", edits),
    ("env", env_file),
    ("config", config),
    ("rule", rule),
];

/// File names the first byte of an `engine` input picks from: every kind of
/// file the engine reads, in contexts that wake different rules.
const ENGINE_PATHS: &[&str] = &[
    "app/page.tsx",
    "components/Widget.tsx",
    "lib/client.ts",
    "app/api/chat/route.ts",
    "src/main.js",
    "supabase/migrations/1_init.sql",
    ".env.local",
    "src/routes/+page.svelte",
    "src/App.vue",
    "index.html",
];

/// The whole engine on arbitrary bytes: a workspace of one file, then its
/// findings. Every finding's span lies on character boundaries of the text
/// and no message carries a secret the file holds.
pub fn engine(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let path = ENGINE_PATHS[pick as usize % ENGINE_PATHS.len()];
    let text = String::from_utf8_lossy(rest).into_owned();
    let files = vec![SourceFile {
        path: path.to_string(),
        text: text.clone(),
    }];
    let loaded = build_workspace(files, RuleSet::builtin(), None).expect("no configuration file in the input");
    let Some(analysis) = loaded.workspace.analysis(path) else {
        return;
    };
    for finding in loaded.workspace.findings(path, &loaded.rules) {
        let span = finding.span;
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{}: span {span:?} outside the text",
            finding.rule_id
        );
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{}: span {span:?} splits a character",
            finding.rule_id
        );
        let line = analysis.line_index.line_of(span.start);
        assert!(line <= text.matches('\n').count(), "line {line} past the end");
        assert_no_secret_in(&finding.message, &text);
    }
}

/// No provider-shaped secret found in `source` appears whole in `output`.
fn assert_no_secret_in(output: &str, source: &str) {
    for (value, _) in crate::engine::secrets::all_secrets(source) {
        assert!(!output.contains(&value), "secret value in output: {output}");
    }
}

/// A document in an editor session: the text a test starts from and each
/// change applied as the language server applies it. After every change
/// the incremental tree must equal a fresh parse, the analysis of the
/// incremental tree must equal a fresh analysis, and statement-level
/// re-analysis (when it applies) must equal a full one.
pub struct EditSession {
    document: Document,
    language: Language,
    path: &'static str,
    previous: Option<FileAnalysis>,
    rules: RuleSet,
    config: Config,
    /// How many changes statement-level re-analysis handled.
    pub reused: usize,
}

impl EditSession {
    pub fn new(path: &'static str, language: Language, text: &str) -> EditSession {
        let uri: Uri = format!("file:///fuzz/{path}").parse().expect("valid uri");
        let mut document = Document::new(uri, 1, text);
        document.tree = parse(language, text, None);
        EditSession {
            document,
            language,
            path,
            previous: None,
            rules: RuleSet::builtin(),
            config: Config::default(),
            reused: 0,
        }
    }

    /// The document's text now.
    pub fn text(&self) -> String {
        self.document.rope.to_string()
    }

    /// Its length in chars, for choosing positions.
    pub fn len_chars(&self) -> usize {
        self.document.rope.len_chars()
    }

    /// The LSP position (UTF-16) of a char index.
    pub fn position(&self, char_index: usize) -> Position {
        let rope = &self.document.rope;
        let char_index = char_index.min(rope.len_chars());
        let line = rope.char_to_line(char_index);
        let line_start = rope.line_to_char(line);
        let column = rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start);
        Position::new(line as u32, column as u32)
    }

    /// Applies one change and checks incremental against fresh work.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent) {
        self.document.apply_change(change, Encoding::Utf16);
        let text = self.text();
        let deadline = Deadline::after(60_000);
        let (incremental, reused) =
            reparse_until(self.language, &text, self.document.tree.as_ref(), deadline).expect("parses");
        let fresh = parse(self.language, &text, None).expect("parses");
        assert_eq!(
            incremental.root_node().to_sexp(),
            fresh.root_node().to_sexp(),
            "incremental tree differs for {text:?}"
        );
        let input = FileInput {
            path: self.path,
            text: &text,
            config: &self.config,
        };
        let view = ParsedView {
            language: self.language,
            tree: incremental.clone(),
            text: Arc::from(text.as_str()),
        };
        let kind = Some(FileKind::Plain(self.language));
        let views = std::slice::from_ref(&view);
        let from_incremental = analyze_parsed(&input, kind, views, &self.rules);
        let from_scratch = analyze_file(&input, &self.rules);
        assert_eq!(summary(&from_incremental), summary(&from_scratch), "for {text:?}");
        assert_eq!(from_incremental.facts, from_scratch.facts, "for {text:?}");
        let context = ContextKind::Client;
        let full = analyze_parsed_in_context(&input, kind, views, &self.rules, context);
        if let (Some(before), Some(old_tree), true) = (&self.previous, self.document.tree.as_ref(), reused)
            && let Some(partial) = reanalyze_incremental(
                before,
                &self.document.edits,
                old_tree,
                &input,
                &view,
                &self.rules,
                context,
            )
        {
            let (mut a, mut b) = (summary(&partial), summary(&full));
            a.sort();
            b.sort();
            assert_eq!(a, b, "statement-level re-analysis differs for {text:?}");
            self.reused += 1;
        }
        self.previous = Some(full);
        self.document.tree = Some(incremental);
        self.document.edits.clear();
    }
}

fn summary(analysis: &FileAnalysis) -> Vec<(String, usize, usize)> {
    analysis
        .candidates
        .iter()
        .map(|c| (c.rule.id.clone(), c.span.start, c.span.end))
        .collect()
}

/// The text every `edits` session starts from: the shapes rules look at,
/// with multi-byte characters and a CRLF line.
pub const EDIT_START: &str = "\"use client\";\nimport { supabase } from \"@/lib/supabase\";\n\nexport function Page({ user }: { user: { plan: string } }) {\n  // 😀 emoji and 日本語 before code\n  const key = \"sk_live_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\";\r\n  if (user.plan === \"pro\") {\n    return <div>{key}</div>;\n  }\n  return supabase.auth.signUp({ email, password });\n}\n";

/// Random edit sequences through the document store. Each step reads four
/// bytes (where, how much to replace, how long the insertion, which
/// insertion source) and the insertion itself, so the fuzzer can type any
/// bytes, including ones that split characters.
pub fn edits(data: &[u8]) {
    let mut session = EditSession::new("app/page.tsx", Language::Tsx, EDIT_START);
    let mut rest = data;
    let mut steps = 0;
    while rest.len() >= 4 && steps < 64 {
        let (head, tail) = rest.split_at(4);
        let inserted_len = (head[2] % 24) as usize;
        let (inserted, tail) = tail.split_at(inserted_len.min(tail.len()));
        rest = tail;
        let len = session.len_chars();
        let start = (head[0] as usize * (len + 1)) / 256;
        let end = (start + (head[1] % 32) as usize).min(len);
        let text = String::from_utf8_lossy(inserted).into_owned();
        // Sometimes a position past the end or an inverted range, as a
        // confused client might send; the store clamps them.
        let (start_position, end_position) = match head[3] % 16 {
            0 => (Position::new(u32::MAX, 0), Position::new(u32::MAX, 7)),
            1 => (session.position(end), session.position(start)),
            _ => (session.position(start), session.position(end)),
        };
        let change = if head[3] % 29 == 28 {
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: format!("{}{text}", session.text()),
            }
        } else {
            TextDocumentContentChangeEvent {
                range: Some(Range::new(start_position, end_position)),
                range_length: None,
                text,
            }
        };
        session.apply(&change);
        steps += 1;
    }
}

/// The `.env` reader: entries lie inside the text and on boundaries.
pub fn env_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut facts = FileFacts::default();
    env_facts(&text, &mut facts);
    for entry in &facts.env_entries {
        for span in [entry.span, entry.key_span, entry.value_span] {
            assert!(span.end <= text.len() && text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
    engine(&[6].iter().chain(data).copied().collect::<Vec<u8>>());
}

/// `.nudge.toml`: accepted, or one line that names the file.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = Config::parse(Path::new("/p/.nudge.toml"), &text) {
        let line = error.to_string();
        assert!(!line.contains('\n'), "multi-line config error: {line:?}");
        assert!(line.starts_with("/p/.nudge.toml"), "{line}");
    }
}

/// A user rule: rejected with one line naming the file, or loaded and run
/// over a small sample file within bounded time.
pub fn rule(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Rule::parse(Path::new(".nudge/rules/fuzz.toml"), &text) {
        Err(error) => {
            let line = error.to_string();
            assert!(!line.contains('\n'), "multi-line rule error: {line:?}");
            assert!(line.starts_with(".nudge/rules/fuzz.toml"), "{line}");
        }
        Ok(_) => {
            let mut rules = RuleSet::empty();
            rules.add_source(Path::new(".nudge/rules/fuzz.toml"), &text);
            let sample = SourceFile {
                path: "app/page.tsx".to_string(),
                text: EDIT_START.to_string(),
            };
            let loaded = build_workspace(vec![sample], rules, None).expect("no config");
            let _ = loaded.workspace.findings("app/page.tsx", &loaded.rules);
        }
    }
}
