//! Open documents: a rope per document plus its syntax tree, kept in step
//! with every content change through tree-sitter `InputEdit`s so the next
//! parse is incremental.

use std::path::PathBuf;
use std::sync::Arc;

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tree_sitter::{InputEdit, Point, Tree};

use super::convert::{Encoding, from_lsp};
use crate::engine::language::{FileKind, file_kind};

/// One open document.
pub struct Document {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub version: i32,
    pub rope: Rope,
    pub kind: Option<FileKind>,
    /// The last parse, with every later edit applied via `Tree::edit`; `None`
    /// until the first parse or after a full replacement.
    pub tree: Option<Tree>,
    /// The version `tree` was parsed for.
    pub tree_version: Option<i32>,
    /// The edits applied to `tree` since it was parsed, in order.
    pub edits: Vec<InputEdit>,
}

/// What an analysis needs from a document, taken under a short lock.
pub struct Snapshot {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub version: i32,
    pub text: Arc<str>,
    pub kind: Option<FileKind>,
    pub tree: Option<Tree>,
    pub tree_version: Option<i32>,
    pub edits: Vec<InputEdit>,
}

impl Document {
    pub fn new(uri: Uri, version: i32, text: &str) -> Document {
        let path = from_lsp::path(&uri);
        let kind = path.as_deref().and_then(file_kind);
        Document {
            uri,
            path,
            version,
            rope: Rope::from_str(text),
            kind,
            tree: None,
            tree_version: None,
            edits: Vec::new(),
        }
    }

    /// Applies one content change; ranges are clamped, never trusted.
    pub fn apply_change(&mut self, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
        let Some(range) = change.range else {
            self.rope = Rope::from_str(&change.text);
            self.tree = None;
            self.tree_version = None;
            self.edits.clear();
            return;
        };
        let start_char = from_lsp::char_index(&self.rope, range.start, encoding);
        let end_char = from_lsp::char_index(&self.rope, range.end, encoding).max(start_char);
        let start_byte = self.rope.char_to_byte(start_char);
        let old_end_byte = self.rope.char_to_byte(end_char);
        let start_position = self.point(start_byte);
        let old_end_position = self.point(old_end_byte);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, &change.text);
        let new_end_byte = start_byte + change.text.len();
        let new_end_position = self.point(new_end_byte);
        let edit = InputEdit {
            start_byte,
            old_end_byte,
            new_end_byte,
            start_position,
            old_end_position,
            new_end_position,
        };
        if let Some(tree) = &mut self.tree {
            tree.edit(&edit);
            self.edits.push(edit);
        }
    }

    /// Row and byte column of a byte offset, as tree-sitter counts them.
    fn point(&self, byte: usize) -> Point {
        let line = self.rope.byte_to_line(byte);
        Point::new(line, byte - self.rope.line_to_byte(line))
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            uri: self.uri.clone(),
            path: self.path.clone(),
            version: self.version,
            text: Arc::from(self.rope.to_string()),
            kind: self.kind,
            tree: self.tree.clone(),
            tree_version: self.tree_version,
            edits: self.edits.clone(),
        }
    }
}

/// Edits kept for one incremental re-parse; a client that sends more at
/// once (a formatter, a replayed history) gets a fresh parse instead.
const MAX_PENDING_EDITS: usize = 256;

/// Open documents by URI.
#[derive(Default)]
pub struct Documents {
    docs: DashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&self, uri: Uri, version: i32, text: &str) {
        self.docs.insert(uri.clone(), Document::new(uri, version, text));
    }

    pub fn change(&self, uri: &Uri, version: i32, changes: &[TextDocumentContentChangeEvent], encoding: Encoding) {
        if let Some(mut doc) = self.docs.get_mut(uri) {
            for change in changes {
                doc.apply_change(change, encoding);
                if doc.edits.len() > MAX_PENDING_EDITS {
                    // Mapping positions through many edits costs their
                    // square; past this many a fresh parse is cheaper.
                    doc.tree = None;
                    doc.tree_version = None;
                    doc.edits = Vec::new();
                }
            }
            doc.version = version;
        }
    }

    pub fn close(&self, uri: &Uri) {
        self.docs.remove(uri);
    }

    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        self.docs.get(uri).map(|d| d.snapshot())
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.docs.get(uri).map(|d| d.version)
    }

    /// Stores a freshly parsed tree if the document is still at `version`.
    pub fn store_tree(&self, uri: &Uri, version: i32, tree: Tree) {
        if let Some(mut doc) = self.docs.get_mut(uri)
            && doc.version == version
        {
            doc.tree = Some(tree);
            doc.tree_version = Some(version);
            doc.edits.clear();
        }
    }

    pub fn text(&self, uri: &Uri) -> Option<String> {
        self.docs.get(uri).map(|d| d.rope.to_string())
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.docs.iter().map(|e| e.key().clone()).collect()
    }

    /// Open documents whose path is `path`.
    pub fn by_path(&self, path: &std::path::Path) -> Option<Uri> {
        self.docs
            .iter()
            .find(|e| e.path.as_deref() == Some(path))
            .map(|e| e.key().clone())
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;
    use crate::engine::analysis::parse;
    use crate::engine::language::Language;

    fn change(range: ((u32, u32), (u32, u32)), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(range.0.0, range.0.1),
                Position::new(range.1.0, range.1.1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn edits_keep_rope_and_tree_in_step() {
        let uri: Uri = "file:///tmp/a.ts".parse().unwrap();
        let mut doc = Document::new(uri, 1, "const a = \"😀\";\r\nconst b = 2;\n");
        doc.tree = parse(Language::TypeScript, &doc.rope.to_string(), None);
        doc.apply_change(&change(((0, 13), (0, 13)), "x"), Encoding::Utf16);
        doc.apply_change(&change(((1, 10), (1, 11)), "42"), Encoding::Utf16);
        let text = doc.rope.to_string();
        assert_eq!(text, "const a = \"😀x\";\r\nconst b = 42;\n");
        let incremental = parse(Language::TypeScript, &text, doc.tree.as_ref()).unwrap();
        let fresh = parse(Language::TypeScript, &text, None).unwrap();
        assert_eq!(incremental.root_node().to_sexp(), fresh.root_node().to_sexp());
    }

    #[test]
    fn out_of_range_changes_clamp() {
        let uri: Uri = "file:///tmp/a.ts".parse().unwrap();
        let mut doc = Document::new(uri, 1, "ab\n");
        doc.apply_change(&change(((7, 3), (9, 9)), "!"), Encoding::Utf16);
        doc.apply_change(&change(((0, 50), (0, 1)), "?"), Encoding::Utf8);
        assert_eq!(doc.rope.to_string(), "ab?\n!");
    }

    /// Deterministic xorshift, so a failure reproduces from its seed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const SNIPPETS: &[&str] = &[
        "",
        "x",
        "\n",
        "\r\n",
        "😀",
        "日本",
        "\"",
        "'",
        "{",
        "}",
        "(",
        ")",
        "<div>",
        "</div>",
        "user.plan === \"pro\"",
        "\"sk_live_xtpYlSXpfKtHF4vUCsMehGAkWvj7FA\"",
        "process.env.NEXT_PUBLIC_OPENAI_API_KEY",
        "// nudge-ignore plan-check-in-client: ok\n",
        "const a = 1;\n",
        "\t",
        "\"use client\";\n",
    ];

    #[test]
    fn random_edits_keep_incremental_parse_and_analysis_equal_to_fresh() {
        use crate::fuzzing::{EDIT_START, EditSession};
        let mut edits_checked = 0;
        let mut reused = 0;
        for seed in 1..=12u64 {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
            let mut session = EditSession::new("app/page.tsx", Language::Tsx, EDIT_START);
            for _ in 0..60 {
                let len = session.len_chars();
                let start = rng.below(len + 1);
                let end = (start + rng.below(12)).min(len);
                let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
                session.apply(&change_at(session.position(start), session.position(end), snippet));
                edits_checked += 1;
            }
            reused += session.reused;
        }
        assert_eq!(edits_checked, 720);
        assert!(reused > 300, "statement-level re-analysis applied only {reused} times");
    }

    fn change_at(start: Position, end: Position, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(start, end)),
            range_length: None,
            text: text.to_string(),
        }
    }
}
