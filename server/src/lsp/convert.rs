//! Every conversion between protocol types and engine types, one place each
//! way: `from_lsp` reads what the client says, `to_lsp` writes what the
//! client gets.

use tower_lsp_server::ls_types::PositionEncodingKind;

use crate::engine::source::ColumnUnit;

/// The position encoding agreed with the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    /// Picks from the client's offer: UTF-8, then UTF-32 (no conversion
    /// work), else UTF-16, which every client must support.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    pub fn unit(self) -> ColumnUnit {
        match self {
            Encoding::Utf8 => ColumnUnit::Utf8,
            Encoding::Utf16 => ColumnUnit::Utf16,
            Encoding::Utf32 => ColumnUnit::Utf32,
        }
    }
}

/// Client to engine.
pub mod from_lsp {
    use std::path::PathBuf;

    use ropey::Rope;
    use tower_lsp_server::ls_types::{Position, Uri};

    use super::Encoding;
    use crate::engine::source::{LineCol, LineIndex};

    /// The char index of an LSP position in a rope. Lines past the end clamp
    /// to the end of the text, columns past the end of a line to the end of
    /// its content (before `\r\n`), and a column inside a character (half a
    /// surrogate pair) to that character's start.
    pub fn char_index(rope: &Rope, position: Position, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let line_start = rope.line_to_char(line);
        let mut content = rope.line(line);
        let mut content_len = content.len_chars();
        if content_len > 0 && content.char(content_len - 1) == '\n' {
            content_len -= 1;
            if content_len > 0 && content.char(content_len - 1) == '\r' {
                content_len -= 1;
            }
            content = content.slice(..content_len);
        }
        let target = position.character as usize;
        let mut counted = 0usize;
        for (index, ch) in content.chars().enumerate() {
            let width = match encoding {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Utf32 => 1,
            };
            if counted + width > target {
                return line_start + index;
            }
            counted += width;
        }
        line_start + content_len
    }

    /// The byte offset of an LSP position in a text with its line index
    /// (clamped like [`char_index`]).
    pub fn offset(text: &str, index: &LineIndex, position: Position, encoding: Encoding) -> usize {
        let at = LineCol {
            line: position.line as usize,
            column: position.character as usize,
        };
        index.offset(text, at, encoding.unit())
    }

    /// The file path of a `file:` URI.
    pub fn path(uri: &Uri) -> Option<PathBuf> {
        if uri.scheme().as_str() != "file" {
            return None;
        }
        uri.to_file_path().map(|p| p.into_owned())
    }
}

/// Engine to client.
pub mod to_lsp {
    use std::collections::HashMap;

    use serde_json::json;
    use tower_lsp_server::ls_types::{
        Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
        TextEdit, Uri,
    };

    use super::Encoding;
    use crate::engine::source::LineIndex;
    use crate::engine::{Finding, Severity, Span};

    /// What a finding's positions are measured against.
    pub struct TextRef<'a> {
        pub text: &'a str,
        pub index: &'a LineIndex,
        pub encoding: Encoding,
    }

    pub fn position(at: &TextRef<'_>, offset: usize) -> Position {
        let pos = at.index.position(at.text, offset, at.encoding.unit());
        Position::new(pos.line as u32, pos.column as u32)
    }

    pub fn range(at: &TextRef<'_>, span: Span) -> Range {
        Range::new(position(at, span.start), position(at, span.end))
    }

    pub fn severity(severity: Severity) -> DiagnosticSeverity {
        match severity {
            Severity::Hint => DiagnosticSeverity::HINT,
            Severity::Info => DiagnosticSeverity::INFORMATION,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Error => DiagnosticSeverity::ERROR,
        }
    }

    pub fn text_edits(at: &TextRef<'_>, edits: &[crate::engine::TextEdit]) -> Vec<TextEdit> {
        edits
            .iter()
            .map(|e| TextEdit::new(range(at, e.span), e.new_text.clone()))
            .collect()
    }

    /// A diagnostic whose `data` names its rule and category. Fix edits are
    /// never carried here: code actions compute them from the server's own
    /// findings, so a client cannot hand back an edit the server did not
    /// make, and an edit that holds a secret travels only on resolve.
    pub fn diagnostic(
        at: &TextRef<'_>,
        finding: &Finding,
        related_uri: &dyn Fn(&std::path::Path) -> Option<Uri>,
    ) -> Diagnostic {
        let data = json!({
            "rule": finding.rule_id,
            "category": finding.category.as_str(),
        });
        let related: Vec<DiagnosticRelatedInformation> = finding
            .related
            .iter()
            .filter_map(|r| {
                let uri = related_uri(&r.path)?;
                let line = r.line as u32;
                Some(DiagnosticRelatedInformation {
                    location: Location::new(uri, Range::new(Position::new(line, 0), Position::new(line, 0))),
                    message: r.message.clone(),
                })
            })
            .collect();
        Diagnostic {
            range: range(at, finding.span),
            severity: Some(severity(finding.severity)),
            code: Some(NumberOrString::String(finding.rule_id.clone())),
            source: Some("nudge".to_string()),
            message: finding.message.clone(),
            related_information: (!related.is_empty()).then_some(related),
            data: Some(data),
            ..Diagnostic::default()
        }
    }

    /// The one diagnostic of a document Nudge does not analyse (too large,
    /// minified, binary), so the silence is explained.
    pub fn skipped_notice(reason: &str) -> Diagnostic {
        Diagnostic {
            range: Range::default(),
            severity: Some(DiagnosticSeverity::HINT),
            code: Some(NumberOrString::String("nudge-skipped".to_string())),
            source: Some("nudge".to_string()),
            message: format!("Nudge does not check this file: it {reason}. Limits can be raised in .nudge.toml."),
            ..Diagnostic::default()
        }
    }

    /// The diagnostic of a document whose analysis stopped at its time
    /// budget: its nudges may be incomplete.
    pub fn incomplete_notice(budget_ms: u64) -> Diagnostic {
        Diagnostic {
            range: Range::default(),
            severity: Some(DiagnosticSeverity::HINT),
            code: Some(NumberOrString::String("nudge-incomplete".to_string())),
            source: Some("nudge".to_string()),
            message: format!(
                "Nudge stopped checking this file after {budget_ms} ms, so its nudges may be incomplete. The budget is limits.max_ms_per_file in .nudge.toml."
            ),
            ..Diagnostic::default()
        }
    }

    /// A workspace edit for one document.
    pub fn single_file_edit(uri: Uri, edits: Vec<TextEdit>) -> tower_lsp_server::ls_types::WorkspaceEdit {
        let mut changes = HashMap::new();
        changes.insert(uri, edits);
        tower_lsp_server::ls_types::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use ropey::Rope;
    use tower_lsp_server::ls_types::Position;

    use super::*;

    #[test]
    fn negotiation_prefers_utf8_then_utf32() {
        use PositionEncodingKind as K;
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16, K::UTF8])), Encoding::Utf8);
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16, K::UTF32])), Encoding::Utf32);
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16])), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }

    #[test]
    fn char_index_clamps_and_counts_units() {
        let rope = Rope::from_str("a😀b\r\nxy\n");
        let at = |line, character, enc| from_lsp::char_index(&rope, Position::new(line, character), enc);
        assert_eq!(at(0, 3, Encoding::Utf16), 2, "after the emoji: 1 + 2 code units");
        assert_eq!(
            at(0, 2, Encoding::Utf16),
            1,
            "inside the surrogate pair snaps to the emoji"
        );
        assert_eq!(at(0, 5, Encoding::Utf8), 2, "1 + 4 bytes");
        assert_eq!(at(0, 2, Encoding::Utf32), 2);
        assert_eq!(at(0, 99, Encoding::Utf16), 3, "clamps before CRLF");
        assert_eq!(at(1, 99, Encoding::Utf16), 7);
        assert_eq!(at(9, 0, Encoding::Utf16), rope.len_chars());
    }
}
