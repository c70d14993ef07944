//! Byte offsets to human positions and back.
//!
//! The engine works in byte offsets; people and protocols count lines and
//! columns in different units (Unicode scalar values for the JSON contract,
//! UTF-16 code units for most LSP clients). All conversions live here so a
//! wrong column on a line with emoji has exactly one place to be fixed.

/// The unit a column is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    Utf8,
    Utf16,
    /// Unicode scalar values (`char`s).
    Utf32,
}

/// A 0-based line and column in some [`ColumnUnit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Start offsets of every line of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text).map(|i| i + 1));
        LineIndex { line_starts }
    }

    /// 0-based line containing `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of `line` without its line terminator (`\n` or `\r\n`).
    pub fn line_span(&self, text: &str, line: usize) -> (usize, usize) {
        let line = line.min(self.line_starts.len() - 1);
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map(|next| next - 1)
            .unwrap_or(text.len());
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end.max(start))
    }

    /// Position of a byte offset; an offset inside a multi-byte character
    /// counts as that character's start.
    pub fn position(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let prefix = &text[start..offset];
        let column = match unit {
            ColumnUnit::Utf8 => prefix.len(),
            ColumnUnit::Utf16 => prefix.encode_utf16().count(),
            ColumnUnit::Utf32 => prefix.chars().count(),
        };
        LineCol { line, column }
    }

    /// Byte offset of a position; lines and columns past the end clamp to the
    /// end of the line or text, and a column inside a character (a UTF-16
    /// surrogate pair, say) snaps to that character's start.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        if pos.line >= self.line_starts.len() {
            return text.len();
        }
        let (start, end) = self.line_span(text, pos.line);
        let line_text = &text[start..end];
        let mut counted = 0;
        for (byte_index, ch) in line_text.char_indices() {
            let width = match unit {
                ColumnUnit::Utf8 => ch.len_utf8(),
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Utf32 => 1,
            };
            if counted + width > pos.column {
                return start + byte_index;
            }
            counted += width;
        }
        end
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter_map(|(i, b)| (b == b'\n').then_some(i))
}

/// The largest char boundary not after `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_on_a_line_with_emoji_differ_per_unit() {
        let text = "let a = 1;\nconst s = \"😀\" + key;\n";
        let index = LineIndex::new(text);
        let key = text.find("key").unwrap();
        assert_eq!(index.position(text, key, ColumnUnit::Utf32).column, 16);
        assert_eq!(index.position(text, key, ColumnUnit::Utf16).column, 17);
        assert_eq!(index.position(text, key, ColumnUnit::Utf8).column, 19);
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Utf32] {
            let pos = index.position(text, key, unit);
            assert_eq!(index.offset(text, pos, unit), key);
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        let end_of_first = index.offset(text, LineCol { line: 0, column: 99 }, ColumnUnit::Utf16);
        assert_eq!(end_of_first, 2, "clamps before the CRLF");
        let past_end = index.offset(text, LineCol { line: 9, column: 0 }, ColumnUnit::Utf16);
        assert_eq!(past_end, text.len());
        assert_eq!(
            index.position(text, 999, ColumnUnit::Utf32),
            LineCol { line: 1, column: 2 }
        );
    }

    #[test]
    fn surrogate_half_snaps_to_character_start() {
        let text = "😀x";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, LineCol { line: 0, column: 1 }, ColumnUnit::Utf16), 0);
        assert_eq!(index.offset(text, LineCol { line: 0, column: 2 }, ColumnUnit::Utf16), 4);
    }
}
