//! Output formats of `nudge check`: text for people, JSON and SARIF for
//! programs. The JSON shape is the outside contract (`shared/contract.md`).

use std::collections::BTreeMap;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;
use serde_json::json;

use crate::engine::source::LineIndex;
use crate::engine::{Finding, RuleSet, Severity};

/// A finding with positions resolved for output. Field order and names are
/// the JSON contract.
#[derive(Clone, Debug, Serialize)]
pub struct OutputFinding {
    pub rule: String,
    pub category: String,
    pub severity: Severity,
    pub message: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Source lines around the finding for the text format (not serialised).
    #[serde(skip)]
    pub snippet: Snippetted,
}

/// The lines a text report shows, and the span within them.
#[derive(Clone, Debug, Default)]
pub struct Snippetted {
    pub first_line: usize,
    pub text: String,
    pub span: std::ops::Range<usize>,
    pub fix_title: Option<String>,
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Most lines a code frame shows.
const FRAME_LINES: usize = 5;

impl OutputFinding {
    /// `redacted` is the file's text with its secrets starred out
    /// ([`secrets::redact`], same byte length), for the code frame.
    pub fn new(path: String, text: &str, redacted: &str, index: &LineIndex, finding: Finding) -> OutputFinding {
        let (line, column) = super::human_position(text, index, finding.span.start);
        let (end_line, end_column) = super::human_position(text, index, finding.span.end);
        let (first_start, _) = index.line_span(text, line - 1);
        // A finding can span a whole function or file: the frame shows its
        // first lines only, so output stays proportional to the findings.
        let last_line = end_line.min(line + FRAME_LINES - 1);
        let (_, last_end) = index.line_span(text, last_line - 1);
        let snippet = Snippetted {
            first_line: line,
            text: redacted[first_start..last_end].to_string(),
            span: (finding.span.start - first_start)
                ..(finding.span.end.clamp(finding.span.start, last_end) - first_start),
            fix_title: finding.fix.as_ref().map(|f| f.title.clone()),
        };
        OutputFinding {
            rule: finding.rule_id,
            category: finding.category.as_str().to_string(),
            severity: finding.severity,
            message: finding.message,
            path,
            line,
            column,
            end_line,
            end_column,
            snippet,
        }
    }
}

/// One JSON array, one object per finding.
pub fn to_json(findings: &[OutputFinding]) -> String {
    let mut text = serde_json::to_string_pretty(findings).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Hint | Severity::Info => "note",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

/// Percent-encodes what a relative URI reference cannot hold literally.
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'/'
            | b'+'
            | b'@'
            | b'$'
            | b'!'
            | b'('
            | b')'
            | b','
            | b';'
            | b'=' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// SARIF 2.1.0: every rule in force as a reporting descriptor, category as a
/// property and tag, columns in Unicode code points.
pub fn to_sarif(findings: &[OutputFinding], rules: &RuleSet) -> String {
    let descriptors: Vec<serde_json::Value> = rules
        .rules()
        .iter()
        .map(|rule| {
            let mut tags = vec![rule.category.as_str().to_string(), "security".to_string()];
            tags.extend(rule.references.iter().cloned());
            json!({
                "id": rule.id,
                "shortDescription": { "text": rule.message.replace("{{", "").replace("}}", "") },
                "fullDescription": { "text": first_paragraph(&rule.docs) },
                "help": { "text": rule.docs.trim(), "markdown": rule.docs.trim() },
                "defaultConfiguration": { "level": sarif_level(rule.severity) },
                "properties": { "category": rule.category.as_str(), "tags": tags },
            })
        })
        .collect();
    let index_of: BTreeMap<&str, usize> = rules
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": sarif_level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_path(&f.path), "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        }
                    }
                }],
                "properties": { "category": f.category, "severity": f.severity.as_str(), "tags": [f.category] },
            });
            if let Some(index) = index_of.get(f.rule.as_str()) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut root_uri = format!("file://{}", uri_path(&cwd.to_string_lossy().replace('\\', "/")));
    if !root_uri.ends_with('/') {
        root_uri.push('/');
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "nudge",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/nudge",
                    "rules": descriptors,
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn first_paragraph(markdown: &str) -> String {
    markdown
        .trim()
        .split("\n\n")
        .find(|p| !p.trim_start().starts_with('#'))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Code frames with the span underlined, then a gentle summary.
pub fn to_text(findings: &[OutputFinding], file_count: usize, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Hint => Level::HELP.with_name("hint"),
            Severity::Info => Level::INFO,
            Severity::Warning => Level::WARNING,
            Severity::Error => Level::ERROR,
        };
        let mut group = Group::with_title(level.clone().primary_title(f.message.as_str()).id(f.rule.as_str())).element(
            Snippet::source(f.snippet.text.as_str())
                .line_start(f.snippet.first_line)
                .path(f.path.as_str())
                .annotation(
                    AnnotationKind::Primary
                        .span(f.snippet.span.clone())
                        .label(f.category.as_str()),
                ),
        );
        if let Some(title) = &f.snippet.fix_title {
            group = group.element(Level::HELP.message(format!("quick fix available in the editor: {title}")));
        }
        group = group.element(Level::NOTE.message(format!("more: nudge explain {}", f.rule)));
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out.push_str(&summary(findings, file_count));
    out
}

fn summary(findings: &[OutputFinding], file_count: usize) -> String {
    let files = if file_count == 1 {
        "1 file".to_string()
    } else {
        format!("{file_count} files")
    };
    if findings.is_empty() {
        return format!("Nudge looked at {files} and found nothing that needs a second look.\n");
    }
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *by_category.entry(f.category.as_str()).or_default() += 1;
    }
    let count = if findings.len() == 1 {
        "1 nudge".to_string()
    } else {
        format!("{} nudges", findings.len())
    };
    let mut out = format!("Nudge looked at {files} and has {count} worth a look before production:\n");
    for (category, n) in by_category {
        out.push_str(&format!("  {n:>3}  {category}\n"));
    }
    out.push_str("Nothing is blocked; each one is a place that usually needs a bit more care. `nudge explain RULE` tells more.\n");
    out
}
