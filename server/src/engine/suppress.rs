//! Suppression comments.
//!
//! `nudge-ignore <rule-id>[, <rule-id>...]: <reason>` silences those rules on
//! its own line and the next one; `nudge-ignore-file <rule-id>: <reason>`
//! anywhere in the file's leading comments silences them for the whole file.
//! `*` stands for every rule. The comment must be written in the file's own
//! comment syntax (`//`, `/* */`, `{/* */}`, `--`, `#`, `<!-- -->`).

use super::source::LineIndex;
use super::types::Span;

/// One parsed suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// 0-based line of the comment.
    pub line: usize,
    pub whole_file: bool,
    pub rule_ids: Vec<String>,
    pub reason: Option<String>,
    /// The `nudge-ignore...` directive text, for hints about it.
    pub span: Span,
}

impl Suppression {
    /// Whether this suppression covers a finding of `rule_id` starting on
    /// `line`.
    pub fn covers(&self, rule_id: &str, line: usize) -> bool {
        let rule_matches = self.rule_ids.iter().any(|r| r == rule_id || r == "*");
        rule_matches && (self.whole_file || line == self.line || line == self.line + 1)
    }
}

const MARKER: &str = "nudge-ignore";

fn is_rule_id_or_star(token: &str) -> bool {
    token == "*"
        || (token.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
}

/// Finds every suppression comment in `text`. `comment_markers` are the
/// openers valid in the file's language.
pub fn find_suppressions(text: &str, index: &LineIndex, comment_markers: &[&str]) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find(MARKER) {
        let at = search_from + found;
        search_from = at + MARKER.len();
        let line = index.line_of(at);
        let (line_start, line_end) = index.line_span(text, line);
        let before = &text[line_start..at];
        let in_comment = comment_markers
            .iter()
            .chain(["<!--"].iter())
            .any(|m| before.contains(m));
        if !in_comment {
            continue;
        }
        let mut rest = &text[at + MARKER.len()..line_end];
        let whole_file = rest.starts_with("-file");
        if whole_file {
            rest = &rest["-file".len()..];
        }
        if !rest.starts_with([' ', '\t', ':']) {
            continue;
        }
        // Comment closers are not part of the reason.
        let rest = rest
            .trim_end()
            .trim_end_matches("*/}")
            .trim_end_matches("*/")
            .trim_end_matches("-->")
            .trim_end();
        let (ids, reason) = match rest.split_once(':') {
            Some((ids, reason)) => (ids, Some(reason.trim().to_string()).filter(|r| !r.is_empty())),
            None => (rest, None),
        };
        // Only what can be a rule id (kebab-case) or `*` counts: anything
        // else in a malformed comment could be code, even a secret, and the
        // ids are repeated in hints (found by fuzzing).
        let rule_ids: Vec<String> = ids
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|s| is_rule_id_or_star(s))
            .map(str::to_string)
            .collect();
        if rule_ids.is_empty() {
            continue;
        }
        let directive_end = at + MARKER.len() + if whole_file { 5 } else { 0 } + rest.len();
        out.push(Suppression {
            line,
            whole_file,
            rule_ids,
            reason,
            span: Span::new(at, directive_end.min(line_end)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, markers: &[&str]) -> Vec<Suppression> {
        find_suppressions(text, &LineIndex::new(text), markers)
    }

    /// Found by fuzzing: a malformed comment's tokens were taken as rule
    /// ids and repeated in hints, a secret among them.
    #[test]
    fn only_rule_id_shaped_tokens_count() {
        let text = "// nudge-ignore signup-= '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', rule-a\n// nudge-ignore Key=\"sk_live_x\"\n";
        let found = find_suppressions(text, &LineIndex::new(text), &["//"]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule_ids, ["rule-a"]);
    }

    #[test]
    fn line_and_file_suppressions_in_each_syntax() {
        let js = "// nudge-ignore-file signup-call: demo only\nconst a = 1; // nudge-ignore rule-a, rule-b: reviewed\n{/* nudge-ignore rule-c */}\n";
        let found = parse(js, &["//", "/*"]);
        assert_eq!(found.len(), 3);
        assert!(found[0].whole_file);
        assert_eq!(found[0].rule_ids, ["signup-call"]);
        assert_eq!(found[0].reason.as_deref(), Some("demo only"));
        assert_eq!(found[1].rule_ids, ["rule-a", "rule-b"]);
        assert_eq!(found[1].line, 1);
        assert_eq!(found[2].rule_ids, ["rule-c"]);
        assert_eq!(found[2].reason, None);
        let sql = parse("-- nudge-ignore table-without-rls: lookup table\n", &["--"]);
        assert_eq!(sql[0].reason.as_deref(), Some("lookup table"));
        let env = parse("# nudge-ignore public-env-secret: fine\n", &["#"]);
        assert_eq!(env[0].rule_ids, ["public-env-secret"]);
    }

    #[test]
    fn marker_outside_a_comment_is_ignored() {
        assert!(parse("const s = 'nudge-ignore x: y';", &["//", "/*"]).is_empty());
    }

    #[test]
    fn covers_own_and_next_line() {
        let s = &parse("// nudge-ignore r: why\n", &["//"])[0];
        assert!(s.covers("r", 0) && s.covers("r", 1) && !s.covers("r", 2) && !s.covers("q", 1));
    }
}
