//! Per-file analysis: parse, extract facts, run every live rule's query and
//! local predicates. The result holds *candidates*; the workspace turns them
//! into findings once contexts and cross-file facts are known.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tree_sitter::{Node, Parser, QueryCursor, StreamingIterator, Tree};

use super::config::{Config, Limits};
use super::context::{Directives, directives};
use super::facts::{self, FileFacts};
use super::language::{FileKind, Language, script_views};
use super::predicates::{LocalScope, eval_local};
use super::rules::{Rule, RuleSet};
use super::source::LineIndex;
use super::suppress::{Suppression, find_suppressions};
use super::types::Span;

/// One file to analyse.
pub struct FileInput<'a> {
    /// Workspace-relative path with `/` separators.
    pub path: &'a str,
    pub text: &'a str,
    pub config: &'a Config,
}

/// A capture of a match: name, span and text.
pub type Capture = (String, Span, CaptureText);

/// The text of a capture, read from the file's shared text when asked: a
/// match captures whole statements and functions, and a query matching
/// every node of a large file (a hostile user rule) would otherwise copy
/// the file once per match.
#[derive(Clone)]
pub struct CaptureText {
    source: Arc<str>,
    start: usize,
    end: usize,
}

impl CaptureText {
    /// The part of `source` under `span` (empty if the span does not fit).
    pub fn new(source: &Arc<str>, span: Span) -> CaptureText {
        let fits = source.get(span.range()).is_some();
        CaptureText {
            source: source.clone(),
            start: if fits { span.start } else { 0 },
            end: if fits { span.end } else { 0 },
        }
    }

    /// Text that is not a slice of a file (tests, synthetic captures).
    pub fn owned(text: &str) -> CaptureText {
        CaptureText {
            source: Arc::from(text),
            start: 0,
            end: text.len(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source[self.start..self.end]
    }
}

impl std::ops::Deref for CaptureText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for CaptureText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for CaptureText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Where a match sits: the text a predicate may look at around it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Surroundings {
    /// The nearest enclosing function (or the top-level statement).
    pub function: Span,
    /// The top-level statement (a whole route handler, a whole SQL statement).
    pub statement: Span,
}

/// A rule match that passed its local predicates.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub rule: Arc<Rule>,
    pub span: Span,
    pub captures: Vec<Capture>,
    /// Values produced by predicates for message templates.
    pub vars: Vec<(String, String)>,
    /// Start byte of the enclosing function or top-level statement, for
    /// `once_per = "scope"`.
    pub scope: usize,
    /// Other places that explain it (catalog answers: the statement that
    /// created the table, the one that undid a fix).
    pub related: Vec<super::types::Related>,
}

/// A parsed region of a file: the whole file, or one language's script
/// blocks of a component file (same length as the host text). Cheap to
/// clone: the text and the tree are shared.
#[derive(Clone)]
pub struct ParsedView {
    pub language: Language,
    pub tree: Tree,
    pub text: Arc<str>,
}

/// Everything the workspace needs to know about one file.
#[derive(Clone, Debug)]
pub struct FileAnalysis {
    pub path: String,
    pub text: Arc<str>,
    pub line_index: LineIndex,
    pub kind: Option<FileKind>,
    pub facts: FileFacts,
    pub directives: Directives,
    pub candidates: Vec<Candidate>,
    pub suppressions: Vec<Suppression>,
    /// Whether any parsed region had syntax errors (analysis still ran on
    /// what parsed).
    pub has_syntax_errors: bool,
    /// Set by the loader for files git ignores (a local `.env.local`).
    pub git_ignored: bool,
    /// The context whose rules alone were run, when analysis was limited to
    /// one (`None`: every rule ran).
    pub analyzed_for: Option<super::context::ContextKind>,
    /// Which rules were live (keywords and context) when candidates were
    /// computed; an incremental re-analysis needs the same set.
    pub live: Vec<bool>,
    /// The editor's document version this analysis is of, if any.
    pub source_version: Option<i32>,
    /// Parsing or query matching hit the file's time budget
    /// (`limits.max_ms_per_file`); its candidates may be incomplete.
    pub cut_short: bool,
}

impl FileAnalysis {
    /// The primary language, for comment syntax and reporting.
    pub fn language(&self) -> Option<Language> {
        match self.kind {
            Some(FileKind::Plain(lang)) => Some(lang),
            Some(FileKind::Host(_)) => Some(Language::JavaScript),
            None => None,
        }
    }
}

thread_local! {
    static PARSERS: RefCell<HashMap<Language, Parser>> = RefCell::new(HashMap::new());
}

/// A moment after which parsing and query matching give up on a file, so
/// one pathological file cannot stall a scan or the editor.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(millis: u64) -> Deadline {
        Deadline(Instant::now() + Duration::from_millis(millis))
    }

    /// The deadline for a file under `limits`.
    pub fn for_file(limits: &Limits) -> Deadline {
        Deadline::after(limits.max_millis_per_file)
    }

    pub fn passed(self) -> bool {
        Instant::now() >= self.0
    }
}

/// Parses `text`, reusing `old` for an incremental re-parse when given (the
/// caller must already have applied its edits with `Tree::edit`), within the
/// default time budget.
pub fn parse(language: Language, text: &str, old: Option<&Tree>) -> Option<Tree> {
    parse_until(language, text, old, Deadline::for_file(&Limits::default()))
}

/// [`parse`] that gives up (returns `None`) at `deadline`.
pub fn parse_until(language: Language, text: &str, old: Option<&Tree>, deadline: Deadline) -> Option<Tree> {
    let grammar = language.grammar()?;
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = parsers.entry(language).or_insert_with(|| {
            let mut parser = Parser::new();
            parser
                .set_language(&grammar)
                .expect("bundled grammar matches tree-sitter version");
            parser
        });
        let bytes = text.as_bytes();
        let mut give_up = |_: &tree_sitter::ParseState| {
            if deadline.passed() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut give_up);
        let tree = parser.parse_with_options(&mut |at, _| &bytes[at.min(bytes.len())..], old, Some(options));
        if tree.is_none() {
            // A cancelled parse would otherwise resume on the next call.
            parser.reset();
        }
        tree
    })
}

/// Re-parses a document after edits, reusing `old` (already edited). When
/// the result has syntax errors it is parsed again from scratch, because
/// tree-sitter recovers from errors differently when it reuses a tree
/// (found by fuzzing) and the editor must show what `nudge check` reports.
/// Returns the tree and whether it grew from `old` (only then may a caller
/// compare the two trees to find what changed).
pub fn reparse_until(language: Language, text: &str, old: Option<&Tree>, deadline: Deadline) -> Option<(Tree, bool)> {
    let tree = parse_until(language, text, old, deadline)?;
    if old.is_some() && tree.root_node().has_error() {
        let fresh = parse_until(language, text, None, deadline)?;
        // Usually recovery agrees; then keep the tree that grew from `old`.
        if same_shape(&tree, &fresh) {
            return Some((tree, true));
        }
        return Some((fresh, false));
    }
    Some((tree, old.is_some()))
}

/// Whether two trees have the same nodes (kinds, fields and byte ranges) in
/// the same order.
fn same_shape(a: &Tree, b: &Tree) -> bool {
    let (mut x, mut y) = (a.walk(), b.walk());
    loop {
        let (m, n) = (x.node(), y.node());
        if m.kind_id() != n.kind_id()
            || m.byte_range() != n.byte_range()
            || m.is_missing() != n.is_missing()
            || x.field_id() != y.field_id()
        {
            return false;
        }
        let down = (x.goto_first_child(), y.goto_first_child());
        if down.0 != down.1 {
            return false;
        }
        if down.0 {
            continue;
        }
        loop {
            let next = (x.goto_next_sibling(), y.goto_next_sibling());
            if next.0 != next.1 {
                return false;
            }
            if next.0 {
                break;
            }
            let up = (x.goto_parent(), y.goto_parent());
            if up.0 != up.1 {
                return false;
            }
            if !up.0 {
                return true;
            }
        }
    }
}

/// Parses the regions of a file that grammars read.
pub fn parse_views(kind: FileKind, text: &str) -> Vec<ParsedView> {
    parse_views_until(kind, text, Deadline::for_file(&Limits::default())).0
}

/// [`parse_views`] within a deadline; also says whether a parse gave up.
pub fn parse_views_until(kind: FileKind, text: &str, deadline: Deadline) -> (Vec<ParsedView>, bool) {
    let mut cut_short = false;
    let mut parse_view = |language: Language, view_text: &str| {
        let tree = parse_until(language, view_text, None, deadline);
        cut_short |= tree.is_none();
        tree.map(|tree| ParsedView {
            language,
            tree,
            text: Arc::from(view_text),
        })
    };
    let views = match kind {
        FileKind::Plain(Language::Env) => Vec::new(),
        FileKind::Plain(language) => parse_view(language, text).into_iter().collect(),
        FileKind::Host(host) => script_views(host, text)
            .into_iter()
            .filter_map(|view| parse_view(view.language, &view.text))
            .collect(),
    };
    (views, cut_short)
}

/// Analyses one file from scratch. Never fails: a file nothing can read
/// yields an analysis with no facts and no candidates.
pub fn analyze_file(input: &FileInput<'_>, rules: &RuleSet) -> FileAnalysis {
    let kind = super::language::file_kind(std::path::Path::new(input.path));
    let deadline = Deadline::for_file(&input.config.limits);
    let mut parse_cut_short = false;
    let live = rules.live_rules(input.text);
    // The prefilter: a file that no live rule can query is never parsed.
    // SQL is always parsed, because migrations feed the workspace model.
    let needs_parse = |language: Language| {
        language == Language::Sql
            || rules
                .rules()
                .iter()
                .zip(&live)
                .any(|(rule, live)| *live && rule.has_query_for(language))
    };
    let views = match kind {
        Some(FileKind::Plain(language)) if !needs_parse(language) => Vec::new(),
        Some(FileKind::Host(_))
            if ![Language::JavaScript, Language::TypeScript, Language::Tsx]
                .into_iter()
                .any(needs_parse) =>
        {
            Vec::new()
        }
        Some(kind) => {
            let ((views, cut_short), ()) = rayon::join(
                || parse_views_until(kind, input.text, deadline),
                || rules.compile_live(kind.languages(), &live),
            );
            parse_cut_short = cut_short;
            views
        }
        None => Vec::new(),
    };
    let mut analysis = analyze_with(input, kind, &views, rules, live);
    analysis.cut_short |= parse_cut_short;
    analysis
}

/// Analyses a file whose regions are already parsed (the language server
/// keeps trees and re-parses incrementally).
pub fn analyze_parsed(
    input: &FileInput<'_>,
    kind: Option<FileKind>,
    views: &[ParsedView],
    rules: &RuleSet,
) -> FileAnalysis {
    analyze_with(input, kind, views, rules, rules.live_rules(input.text))
}

/// [`analyze_parsed`] for a file whose context is known: rules that cannot
/// apply there are not run. The analysis records the context, so a caller
/// can tell when a later context change calls for a fresh analysis.
pub fn analyze_parsed_in_context(
    input: &FileInput<'_>,
    kind: Option<FileKind>,
    views: &[ParsedView],
    rules: &RuleSet,
    context: super::context::ContextKind,
) -> FileAnalysis {
    let live = rules.live_rules_in(input.text, context);
    let mut analysis = analyze_with(input, kind, views, rules, live);
    analysis.analyzed_for = Some(context);
    analysis
}

fn analyze_with(
    input: &FileInput<'_>,
    kind: Option<FileKind>,
    views: &[ParsedView],
    rules: &RuleSet,
    live: Vec<bool>,
) -> FileAnalysis {
    let text = input.text;
    let line_index = LineIndex::new(text);
    let mut facts = FileFacts::default();
    let mut has_syntax_errors = false;
    for view in views {
        has_syntax_errors |= view.tree.root_node().has_error();
        if view.language == Language::Sql {
            facts::sql_facts(&view.tree, &view.text, &mut facts);
        }
    }
    // JavaScript facts are read lexically, parsed or not, so skipping a
    // parse never changes them.
    match kind {
        Some(FileKind::Plain(lang)) if lang.is_js_family() => facts::js_facts_lexical(text, &mut facts),
        Some(FileKind::Host(host)) => {
            for view in script_views(host, text) {
                facts::js_facts_lexical(&view.text, &mut facts);
            }
        }
        _ => {}
    }
    if kind == Some(FileKind::Plain(Language::Env)) {
        facts::env_facts(text, &mut facts);
    }
    let file_directives = match kind {
        Some(FileKind::Plain(lang)) if lang.is_js_family() => directives(text),
        _ => Directives::default(),
    };
    let (candidates, cut_short) = collect_candidates(input, kind, views, rules, &live, &facts);
    let markers = match kind {
        Some(FileKind::Plain(lang)) => lang.comment_markers(),
        Some(FileKind::Host(_)) => &["//", "/*", "<!--"],
        None => &[],
    };
    let suppressions = find_suppressions(text, &line_index, markers);
    FileAnalysis {
        path: input.path.to_string(),
        text: Arc::from(text),
        line_index,
        kind,
        facts,
        directives: file_directives,
        candidates,
        suppressions,
        has_syntax_errors,
        git_ignored: false,
        analyzed_for: None,
        live,
        source_version: None,
        cut_short,
    }
}

/// Runs the live rules' queries over parsed views (and `.env` entries).
/// Also says whether matching stopped at the file's time budget.
fn collect_candidates(
    input: &FileInput<'_>,
    kind: Option<FileKind>,
    views: &[ParsedView],
    rules: &RuleSet,
    live: &[bool],
    facts: &FileFacts,
) -> (Vec<Candidate>, bool) {
    let text = input.text;
    let mut candidates = Vec::new();
    let mut cut_short = false;
    let languages: Vec<Language> = views.iter().map(|v| v.language).collect();
    rules.compile_live(&languages, live);
    // Compiling queries is a one-time cost of the process, not of this file.
    let deadline = Deadline::for_file(&input.config.limits);
    let mut grouped_languages = Vec::new();
    for view in views {
        if let Some(grouped) = rules.grouped_when_worth_it(view.language, live) {
            cut_short |= run_grouped(
                rules,
                grouped,
                live,
                view,
                input.config,
                &facts.imports,
                input.path,
                deadline,
                &mut candidates,
            );
            grouped_languages.push(view.language);
        }
    }
    for (rule, _) in rules.rules().iter().zip(live).filter(|(_, live)| **live) {
        for view in views.iter().filter(|v| !grouped_languages.contains(&v.language)) {
            if let Some(query) = rule.query(view.language) {
                cut_short |= run_query(
                    rule,
                    query,
                    view,
                    input.config,
                    &facts.imports,
                    input.path,
                    None,
                    deadline,
                    &mut candidates,
                );
            }
        }
        if kind == Some(FileKind::Plain(Language::Env))
            && rule.languages.contains(&Language::Env)
            && rule.check.is_none()
        {
            let shared: Arc<str> = Arc::from(text);
            for entry in &facts.env_entries {
                let captures = vec![
                    (
                        "key".to_string(),
                        entry.key_span,
                        CaptureText::new(&shared, entry.key_span),
                    ),
                    (
                        "value".to_string(),
                        entry.value_span,
                        CaptureText::new(&shared, entry.value_span),
                    ),
                    ("match".to_string(), entry.span, CaptureText::new(&shared, entry.span)),
                ];
                let around = Surroundings {
                    function: entry.span,
                    statement: entry.span,
                };
                let context = LocalContext {
                    config: input.config,
                    imports: &facts.imports,
                    path: input.path,
                    source: text,
                };
                push_candidate(rule, captures, around, &context, &mut candidates);
            }
        }
    }
    (candidates, cut_short)
}

/// First stage of a workspace scan: everything that needs no parse of
/// JavaScript (facts, directives, suppressions), with SQL and `.env` files
/// analysed fully. [`add_candidates`] runs the JavaScript rules later, once
/// contexts are known, so files no live rule can reach in their context are
/// never parsed.
pub fn analyze_lexical(input: &FileInput<'_>, rules: &RuleSet) -> FileAnalysis {
    let kind = super::language::file_kind(std::path::Path::new(input.path));
    match kind {
        Some(FileKind::Plain(Language::Sql)) | Some(FileKind::Plain(Language::Env)) | None => {
            analyze_file(input, rules)
        }
        Some(kind) => analyze_with(input, Some(kind), &[], rules, vec![false; rules.rules().len()]),
    }
}

/// Only what other files need from this one: imports, directives, env
/// reads, and SQL facts (SQL is parsed, no rule runs). A language server
/// indexes closed files this way, since it reports on open ones only.
pub fn analyze_facts(input: &FileInput<'_>, rules: &RuleSet) -> FileAnalysis {
    let kind = super::language::file_kind(std::path::Path::new(input.path));
    let deadline = Deadline::for_file(&input.config.limits);
    let (views, cut_short) = match kind {
        Some(FileKind::Plain(Language::Sql)) => parse_views_until(FileKind::Plain(Language::Sql), input.text, deadline),
        _ => (Vec::new(), false),
    };
    let mut analysis = analyze_with(input, kind, &views, rules, vec![false; rules.rules().len()]);
    analysis.cut_short |= cut_short;
    analysis
}

/// Second stage: parses a JavaScript-family file if a rule that is live for
/// its text *and* applies in its context needs a tree, and adds the
/// candidates. Returns whether the file was parsed.
pub fn add_candidates(
    analysis: &mut FileAnalysis,
    input: &FileInput<'_>,
    rules: &RuleSet,
    context: super::context::ContextKind,
) -> bool {
    let Some(kind) = analysis.kind else { return false };
    let languages = second_stage_languages(kind);
    if languages.is_empty() {
        return false;
    }
    let mut live = rules.live_rules_in(input.text, context);
    for (flag, rule) in live.iter_mut().zip(rules.rules()) {
        *flag &= languages.iter().any(|l| rule.has_query_for(*l));
    }
    if !live.iter().any(|l| *l) {
        return false;
    }
    // Compiling the queries costs more than parsing the first time they
    // are needed; on two cores the two overlap.
    let deadline = Deadline::for_file(&input.config.limits);
    let ((views, parse_cut_short), ()) = rayon::join(
        || parse_views_until(kind, input.text, deadline),
        || rules.compile_live(languages, &live),
    );
    analysis.has_syntax_errors |= views.iter().any(|v| v.tree.root_node().has_error());
    let (candidates, query_cut_short) = collect_candidates(input, Some(kind), &views, rules, &live, &analysis.facts);
    analysis.candidates = candidates;
    analysis.cut_short |= parse_cut_short || query_cut_short;
    if !analysis.candidates.is_empty() && analysis.text.is_empty() && !input.text.is_empty() {
        // The first stage shed the text; findings need it again.
        analysis.text = Arc::from(input.text);
        analysis.line_index = LineIndex::new(input.text);
    }
    true
}

/// The languages [`add_candidates`] may parse a file of this kind in.
fn second_stage_languages(kind: FileKind) -> &'static [Language] {
    match kind.languages() {
        [language, ..] if !language.is_js_family() => &[],
        languages => languages,
    }
}

/// Whether [`add_candidates`] could parse this file in some context: a rule
/// live for its text has a query for one of its languages. A loader that
/// streams files re-reads only these for the second stage.
pub fn may_need_second_stage(kind: Option<FileKind>, text: &str, rules: &RuleSet) -> bool {
    let Some(kind) = kind else { return false };
    let languages = second_stage_languages(kind);
    !languages.is_empty()
        && rules
            .rules()
            .iter()
            .zip(rules.live_rules(text))
            .any(|(rule, live)| live && languages.iter().any(|l| rule.has_query_for(*l)))
}

impl FileAnalysis {
    /// Drops the text and line index when nothing will be reported from
    /// them (no candidates, no suppressions), so a scan of a large
    /// workspace holds only the facts of quiet files.
    pub fn shed_text_if_quiet(&mut self) {
        // SQL files keep theirs: catalog rules point into them once every
        // migration is known.
        if self.language() == Some(Language::Sql) {
            return;
        }
        if self.candidates.is_empty() && self.suppressions.is_empty() && !self.text.is_empty() {
            self.text = Arc::from("");
            self.line_index = LineIndex::new("");
        }
    }
}

/// Where a byte position of the text before `edit` lands after it; a
/// position inside the replaced range goes to `inside_to`'s end of it.
fn map_position(position: usize, edit: &tree_sitter::InputEdit, to_end: bool) -> usize {
    if position <= edit.start_byte {
        position
    } else if position >= edit.old_end_byte {
        position - edit.old_end_byte + edit.new_end_byte
    } else if to_end {
        edit.new_end_byte
    } else {
        edit.start_byte
    }
}

/// A span of the text before `edits` moved to the text after them, or
/// `None` when an edit touched it.
fn shift_span(span: Span, edits: &[tree_sitter::InputEdit]) -> Option<Span> {
    let mut span = span;
    for edit in edits {
        if span.end <= edit.start_byte {
            continue;
        }
        if span.start >= edit.old_end_byte {
            let delta = edit.new_end_byte as isize - edit.old_end_byte as isize;
            span = Span::new(
                (span.start as isize + delta) as usize,
                (span.end as isize + delta) as usize,
            );
            continue;
        }
        return None;
    }
    Some(span)
}

/// Re-analyses a document after `edits`, running rules only over the
/// top-level statements the edits touched and keeping every other candidate
/// (moved to its new offsets). Rules that read the whole file run over all
/// of it. Returns `None` when that is not sound (the live rules, context,
/// imports or directives changed, or the file is not one JavaScript-family
/// tree); the caller then analyses the file in full.
#[allow(clippy::too_many_arguments)]
pub fn reanalyze_incremental(
    previous: &FileAnalysis,
    edits: &[tree_sitter::InputEdit],
    old_tree: &Tree,
    input: &FileInput<'_>,
    view: &ParsedView,
    rules: &RuleSet,
    context: super::context::ContextKind,
) -> Option<FileAnalysis> {
    if previous.analyzed_for != Some(context) || !view.language.is_js_family() || previous.cut_short {
        return None;
    }
    let kind = Some(FileKind::Plain(view.language));
    if previous.kind != kind {
        return None;
    }
    let live = rules.live_rules_in(input.text, context);
    if live != previous.live {
        return None;
    }
    // Everything but candidates, as a full analysis computes it.
    let mut analysis = analyze_with(input, kind, &[], rules, vec![false; live.len()]);
    if analysis.facts.imports != previous.facts.imports || analysis.directives != previous.directives {
        return None;
    }
    analysis.has_syntax_errors = view.tree.root_node().has_error();
    // Where the text changed, in new offsets: tree-sitter's changed ranges
    // plus the edited bytes themselves (an edit inside a string keeps the
    // tree's shape).
    let mut dirty: Vec<(usize, usize)> = old_tree
        .changed_ranges(&view.tree)
        .map(|r| (r.start_byte, r.end_byte))
        .collect();
    for (i, edit) in edits.iter().enumerate() {
        let (mut start, mut end) = (edit.start_byte, edit.new_end_byte);
        for later in &edits[i + 1..] {
            start = map_position(start, later, false);
            end = map_position(end, later, true);
        }
        dirty.push((start, end.max(start)));
    }
    let root = view.tree.root_node();
    let mut cursor = root.walk();
    let statements: Vec<(usize, usize)> = root
        .children(&mut cursor)
        .map(|n| (n.start_byte(), n.end_byte()))
        .filter(|(start, end)| {
            dirty
                .iter()
                .any(|(d_start, d_end)| *start <= *d_end && *d_start <= *end)
        })
        .collect();
    let in_dirty = |span: Span| {
        statements
            .iter()
            .any(|(start, end)| span.start < *end && *start < span.end.max(span.start + 1))
    };
    let whole_file = |rule: &Rule| rule.filters.iter().any(|f| f.reads_whole_file());
    let mut candidates: Vec<Candidate> = Vec::new();
    for candidate in &previous.candidates {
        if whole_file(&candidate.rule) {
            continue;
        }
        let Some(span) = shift_span(candidate.span, edits) else {
            continue;
        };
        if in_dirty(span) {
            continue;
        }
        let mut moved = candidate.clone();
        moved.span = span;
        let mut intact = true;
        for capture in &mut moved.captures {
            match shift_span(capture.1, edits) {
                Some(shifted) => capture.1 = shifted,
                None => intact = false,
            }
        }
        if !intact {
            continue;
        }
        moved.scope = shift_span(Span::new(candidate.scope, candidate.scope), edits).map_or(span.start, |s| s.start);
        candidates.push(moved);
    }
    let statement_live: Vec<bool> = live
        .iter()
        .zip(rules.rules())
        .map(|(l, r)| *l && !whole_file(r))
        .collect();
    let grouped = rules.grouped_when_worth_it(view.language, &statement_live);
    rules.compile_live(&[view.language], &live);
    // Compiling queries is a one-time cost of the process, not of this file.
    let deadline = Deadline::for_file(&input.config.limits);
    let mut cut_short = false;
    for (start, end) in &statements {
        let mut fresh = Vec::new();
        match grouped {
            Some(grouped) => {
                cut_short |= run_grouped_in(
                    rules,
                    grouped,
                    &statement_live,
                    view,
                    input,
                    &analysis.facts.imports,
                    Some(*start..*end),
                    deadline,
                    &mut fresh,
                )
            }
            None => {
                cut_short |= run_own_queries(
                    rules,
                    &statement_live,
                    view,
                    input,
                    &analysis.facts.imports,
                    Some(*start..*end),
                    deadline,
                    &mut fresh,
                )
            }
        }
        candidates.extend(
            fresh
                .into_iter()
                .filter(|c| c.span.start >= *start && c.span.start < *end),
        );
    }
    let whole_file_live: Vec<bool> = live
        .iter()
        .zip(rules.rules())
        .map(|(l, r)| *l && whole_file(r))
        .collect();
    cut_short |= run_own_queries(
        rules,
        &whole_file_live,
        view,
        input,
        &analysis.facts.imports,
        None,
        deadline,
        &mut candidates,
    );
    candidates.sort_by_key(|c| (c.span.start, c.span.end));
    analysis.candidates = candidates;
    analysis.cut_short = cut_short;
    analysis.analyzed_for = Some(context);
    analysis.live = live;
    Some(analysis)
}

/// Upper bound on matches of one query in one file, so a pathological file
/// or user rule cannot make analysis quadratic.
const MATCH_LIMIT: u32 = 2_000;

/// One pass of the grouped query over a tree, serving every live rule.
#[allow(clippy::too_many_arguments)]
fn run_grouped(
    rules: &RuleSet,
    grouped: &super::rules::GroupedQuery,
    live: &[bool],
    view: &ParsedView,
    config: &Config,
    imports: &[String],
    path: &str,
    deadline: Deadline,
    out: &mut Vec<Candidate>,
) -> bool {
    let input = FileInput {
        path,
        text: &view.text,
        config,
    };
    run_grouped_in(rules, grouped, live, view, &input, imports, None, deadline, out)
}

/// [`run_grouped`] limited to a byte range of the tree, when given.
#[allow(clippy::too_many_arguments)]
fn run_grouped_in(
    rules: &RuleSet,
    grouped: &super::rules::GroupedQuery,
    live: &[bool],
    view: &ParsedView,
    input: &FileInput<'_>,
    imports: &[String],
    range: Option<std::ops::Range<usize>>,
    deadline: Deadline,
    out: &mut Vec<Candidate>,
) -> bool {
    let (config, path) = (input.config, input.path);
    let query = &grouped.query;
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    cursor.set_match_limit(MATCH_LIMIT * 8);
    if let Some(range) = range {
        cursor.set_byte_range(range);
    }
    let mut per_rule = vec![0u32; rules.rules().len()];
    let mut give_up = stop_at(deadline);
    let options = tree_sitter::QueryCursorOptions::new().progress_callback(&mut give_up);
    let mut matches = cursor.matches_with_options(query, view.tree.root_node(), view.text.as_bytes(), options);
    while let Some(found) = matches.next() {
        let rule_index = grouped.pattern_rule[found.pattern_index];
        if !live[rule_index] {
            continue;
        }
        per_rule[rule_index] += 1;
        if per_rule[rule_index] > MATCH_LIMIT {
            continue;
        }
        let rule = &rules.rules()[rule_index];
        let (captures, report_node) = collect_captures(rule, names, found.captures, view);
        let Some(report_node) = report_node else {
            continue;
        };
        let context = LocalContext {
            config,
            imports,
            path,
            source: &view.text,
        };
        push_candidate(rule, captures, surroundings(report_node), &context, out);
        if deadline.passed() {
            break;
        }
    }
    deadline.passed()
}

/// Each live rule's own query over a tree (or a byte range of it); says
/// whether matching stopped at `deadline`.
#[allow(clippy::too_many_arguments)]
fn run_own_queries(
    rules: &RuleSet,
    live: &[bool],
    view: &ParsedView,
    input: &FileInput<'_>,
    imports: &[String],
    range: Option<std::ops::Range<usize>>,
    deadline: Deadline,
    out: &mut Vec<Candidate>,
) -> bool {
    let mut cut_short = false;
    for (rule, _) in rules.rules().iter().zip(live).filter(|(_, l)| **l) {
        if let Some(query) = rule.query(view.language) {
            let (config, path) = (input.config, input.path);
            cut_short |= run_query(rule, query, view, config, imports, path, range.clone(), deadline, out);
        }
    }
    cut_short
}

/// A query progress callback that stops matching at `deadline`.
fn stop_at(deadline: Deadline) -> impl FnMut(&tree_sitter::QueryCursorState) -> ControlFlow<()> {
    move |_| {
        if deadline.passed() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

fn collect_captures<'tree>(
    rule: &Rule,
    names: &[&str],
    found: &[tree_sitter::QueryCapture<'tree>],
    view: &ParsedView,
) -> (Vec<Capture>, Option<Node<'tree>>) {
    let mut captures: Vec<Capture> = Vec::new();
    let mut report_node = None;
    for capture in found {
        let name = names[capture.index as usize];
        if name == rule.report && report_node.is_none() {
            report_node = Some(capture.node);
        }
        if name.starts_with('_') || captures.iter().any(|(n, _, _)| n == name) {
            continue;
        }
        let node = capture.node;
        let span = Span::new(node.start_byte(), node.end_byte());
        captures.push((name.to_string(), span, CaptureText::new(&view.text, span)));
        if let Some(binding_span) = binding_name(node, &view.text) {
            captures.push((
                format!("{name}{BINDING_SUFFIX}"),
                binding_span,
                CaptureText::new(&view.text, binding_span),
            ));
        }
    }
    (captures, report_node)
}

/// One rule's own query over a tree (or a byte range of it), for runs where
/// compiling the grouped query would cost more than it saves.
#[allow(clippy::too_many_arguments)]
fn run_query(
    rule: &Arc<Rule>,
    query: &tree_sitter::Query,
    view: &ParsedView,
    config: &Config,
    imports: &[String],
    path: &str,
    range: Option<std::ops::Range<usize>>,
    deadline: Deadline,
    out: &mut Vec<Candidate>,
) -> bool {
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    cursor.set_match_limit(MATCH_LIMIT);
    if let Some(range) = range {
        cursor.set_byte_range(range);
    }
    let source = view.text.as_bytes();
    let mut give_up = stop_at(deadline);
    let options = tree_sitter::QueryCursorOptions::new().progress_callback(&mut give_up);
    let mut matches = cursor.matches_with_options(query, view.tree.root_node(), source, options);
    let mut produced = 0u32;
    while let Some(found) = matches.next() {
        produced += 1;
        if produced > MATCH_LIMIT {
            break;
        }
        let (captures, report_node) = collect_captures(rule, names, found.captures, view);
        let Some(report_node) = report_node else {
            continue;
        };
        let around = surroundings(report_node);
        let context = LocalContext {
            config,
            imports,
            path,
            source: &view.text,
        };
        push_candidate(rule, captures, around, &context, out);
        if deadline.passed() {
            break;
        }
    }
    deadline.passed()
}

/// What local predicates may read besides the captures.
struct LocalContext<'a> {
    config: &'a Config,
    imports: &'a [String],
    path: &'a str,
    source: &'a str,
}

fn push_candidate(
    rule: &Arc<Rule>,
    captures: Vec<Capture>,
    around: Surroundings,
    context: &LocalContext<'_>,
    out: &mut Vec<Candidate>,
) {
    let Some(span) = captures.iter().find(|(n, _, _)| *n == rule.report).map(|(_, s, _)| *s) else {
        return;
    };
    let mut vars = Vec::new();
    let text_of = |s: Span| context.source.get(s.range()).unwrap_or("");
    let local = LocalScope {
        captures: &captures,
        config: context.config,
        imports: context.imports,
        path: context.path,
        file: context.source,
        function: text_of(around.function),
        statement: text_of(around.statement),
    };
    if rule.filters.iter().all(|f| eval_local(f, &local, &mut vars)) {
        out.push(Candidate {
            rule: rule.clone(),
            span,
            captures,
            vars,
            scope: around.function.start,
            related: Vec::new(),
        });
    }
}

/// Suffix of the hidden capture holding the name a captured literal is
/// bound to (`apiKey` in `{ apiKey: "..." }`), read by `secret(...)`.
pub const BINDING_SUFFIX: &str = ":binding";

/// The identifier a string literal is assigned to, if any: an object key,
/// variable, assignment target, JSX attribute or class field.
fn binding_name(node: Node<'_>, source: &str) -> Option<Span> {
    let mut literal = node;
    if matches!(literal.kind(), "string_fragment") {
        literal = literal.parent()?;
    }
    if !matches!(literal.kind(), "string" | "template_string") {
        return None;
    }
    let parent = literal.parent()?;
    let name_node = match parent.kind() {
        "pair" => parent.child_by_field_name("key"),
        "variable_declarator" => parent.child_by_field_name("name"),
        "assignment_expression" => parent.child_by_field_name("left"),
        "jsx_attribute" => parent.named_child(0),
        "public_field_definition" | "field_definition" => parent
            .child_by_field_name("name")
            .or_else(|| parent.child_by_field_name("property")),
        _ => None,
    }?;
    // A quoted key (`"apiKey": ...`) is named without its quotes.
    let raw = source.get(name_node.byte_range())?;
    let leading = raw.len() - raw.trim_start_matches(['"', '\'']).len();
    let inner = raw.trim_matches(['"', '\'']);
    let start = name_node.start_byte() + leading.min(raw.len());
    Some(Span::new(start, start + inner.len()))
}

const SCOPE_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
];

/// The nearest enclosing function and the top-level statement of a node.
fn surroundings(node: Node<'_>) -> Surroundings {
    let span = |n: Node<'_>| Span::new(n.start_byte(), n.end_byte());
    let mut function = None;
    let mut current = node;
    let mut top = node;
    while let Some(parent) = current.parent() {
        if function.is_none() && SCOPE_KINDS.contains(&parent.kind()) {
            function = Some(span(parent));
        }
        top = current;
        current = parent;
    }
    let statement = span(top);
    Surroundings {
        function: function.unwrap_or(statement),
        statement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spent budget stops query matching and the analysis says so; with
    /// time to spare the same file is complete.
    #[test]
    fn matching_stops_at_the_budget_and_says_so() {
        let rules = RuleSet::builtin();
        let text = "\"use client\";\nif (user.plan === \"pro\") {}\n".repeat(50);
        let kind = Some(FileKind::Plain(Language::Tsx));
        let view = ParsedView {
            language: Language::Tsx,
            tree: parse(Language::Tsx, &text, None).unwrap(),
            text: Arc::from(text.as_str()),
        };
        let mut config = Config::default();
        let input = |config: &Config| {
            analyze_parsed(
                &FileInput {
                    path: "components/Plan.tsx",
                    text: &text,
                    config,
                },
                kind,
                std::slice::from_ref(&view),
                &rules,
            )
        };
        let complete = input(&config);
        assert!(!complete.cut_short);
        assert!(complete.candidates.len() >= 50);
        config.limits.max_millis_per_file = 0;
        let cut = input(&config);
        assert!(cut.cut_short);
        assert!(cut.candidates.len() < complete.candidates.len());
    }
}
