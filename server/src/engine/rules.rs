//! Rules as data: the TOML schema of `queries/*.toml` and `.nudge/rules/*.toml`,
//! validation, and compiled queries.
//!
//! Built-in and user rules go through the same [`Rule::parse`]. A rule that
//! fails to load becomes a [`RuleError`] naming its file and line; it never
//! stops the other rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use aho_corasick::AhoCorasick;
use serde::Deserialize;
use toml::Spanned;

use super::catalog::checks::CatalogCheck;
use super::config::ConfigError;
use super::context::ContextKind;
use super::language::Language;
use super::predicates::{Filter, RustCheck};
use super::types::{Category, Severity};

/// A rule that could not be loaded: same shape as a configuration error.
pub type RuleError = ConfigError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    category: Spanned<String>,
    severity: Spanned<String>,
    languages: Spanned<Vec<String>>,
    #[serde(default)]
    contexts: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    also_keywords: Vec<String>,
    #[serde(default)]
    query: Option<Spanned<String>>,
    #[serde(default)]
    check: Option<Spanned<String>>,
    #[serde(default)]
    catalog: Option<Spanned<String>>,
    #[serde(default = "default_report")]
    report: String,
    #[serde(default, rename = "where")]
    filters: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    once_per: Option<Spanned<String>>,
    message: String,
    docs: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    fix: Option<RawFix>,
    #[serde(default)]
    flagged: Vec<RawExample>,
    #[serde(default)]
    clean: Vec<RawExample>,
}

fn default_report() -> String {
    "match".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFix {
    title: String,
    edits: Vec<RawEdit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdit {
    capture: String,
    at: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExample {
    path: String,
    code: String,
    #[serde(default)]
    files: BTreeMap<String, String>,
}

/// Where a fix edit goes relative to its capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditPlacement {
    Replace,
    Before,
    After,
    /// At the start of the line after the capture ends (for adding a
    /// statement after a `;`-terminated one).
    LineAfter,
}

#[derive(Clone, Debug)]
pub struct FixTemplate {
    pub title: String,
    pub edits: Vec<EditTemplate>,
}

#[derive(Clone, Debug)]
pub struct EditTemplate {
    pub capture: String,
    pub at: EditPlacement,
    pub text: String,
}

/// A worked example from a rule file; the generated tests run every one.
#[derive(Clone, Debug)]
pub struct Example {
    pub path: String,
    pub code: String,
    /// Other workspace files the example needs (a migration, say).
    pub files: BTreeMap<String, String>,
}

/// How often a rule may speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OncePer {
    /// Every match.
    Match,
    /// Once per enclosing function, component or top-level statement.
    Scope,
    /// Once per file.
    File,
}

/// A loaded, validated rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub languages: Vec<Language>,
    /// `None` means every context.
    pub contexts: Option<Vec<ContextKind>>,
    pub keywords: Vec<String>,
    /// A second prefilter group: when set, one of these must appear too.
    pub also_keywords: Vec<String>,
    /// The query's source, compiled per language on first use (built-in
    /// rules) or at load time (user rules, so errors surface at once).
    query_text: Option<String>,
    compiled: [OnceLock<Option<tree_sitter::Query>>; 5],
    pub check: Option<RustCheck>,
    /// For SQL rules: the question the rule asks of each project's final
    /// catalog (see [`super::catalog::checks`]).
    pub catalog: Option<CatalogCheck>,
    pub report: String,
    pub filters: Vec<Filter>,
    pub once_per: OncePer,
    pub message: String,
    pub docs: String,
    pub references: Vec<String>,
    pub fix: Option<FixTemplate>,
    pub flagged: Vec<Example>,
    pub clean: Vec<Example>,
    /// Where the rule was loaded from (`queries/x.toml` or a user path).
    pub source: PathBuf,
}

impl Rule {
    /// Parses and validates one rule file, compiling its queries now.
    pub fn parse(source: &Path, text: &str) -> Result<Rule, RuleError> {
        Rule::parse_with(source, text, Compile::Now)
    }

    /// Parses one rule file; `Compile::OnFirstUse` defers query compilation
    /// (built-in rules, whose queries the generated tests compile).
    pub fn parse_with(source: &Path, text: &str, compile: Compile) -> Result<Rule, RuleError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let err = |offset: Option<usize>, message: String| RuleError {
            path: source.to_path_buf(),
            line: offset.map(line_of),
            message,
        };
        let raw: RawRule =
            toml::from_str(text).map_err(|e| err(e.span().map(|s| s.start), e.message().trim().replace('\n', " ")))?;
        let id_span = raw.id.span().start;
        let id = raw.id.into_inner();
        let stem = source.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let kebab = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !id.starts_with('-')
            && !id.ends_with('-');
        if !kebab {
            return Err(err(Some(id_span), format!("rule id `{id}` must be kebab-case")));
        }
        if id != stem {
            return Err(err(
                Some(id_span),
                format!("rule id `{id}` must equal the file name `{stem}`"),
            ));
        }
        let category = raw
            .category
            .get_ref()
            .parse::<Category>()
            .map_err(|m| err(Some(raw.category.span().start), m))?;
        let severity = raw
            .severity
            .get_ref()
            .parse::<Severity>()
            .map_err(|m| err(Some(raw.severity.span().start), m))?;
        let mut languages = Vec::new();
        for name in raw.languages.get_ref() {
            let parsed = Language::parse_list_entry(name)
                .ok_or_else(|| err(Some(raw.languages.span().start), format!("unknown language `{name}`")))?;
            for lang in parsed {
                if !languages.contains(&lang) {
                    languages.push(lang);
                }
            }
        }
        let contexts = match raw.contexts {
            None => None,
            Some(list) => {
                let start = list.span().start;
                Some(
                    list.into_inner()
                        .iter()
                        .map(|c| c.parse::<ContextKind>().map_err(|m| err(Some(start), m)))
                        .collect::<Result<Vec<_>, _>>()?,
                )
            }
        };
        let check = match &raw.check {
            None => None,
            Some(name) => Some(
                RustCheck::parse(name.get_ref())
                    .ok_or_else(|| err(Some(name.span().start), format!("unknown check `{}`", name.get_ref())))?,
            ),
        };
        let catalog = match &raw.catalog {
            None => None,
            Some(name) => Some(CatalogCheck::parse(name.get_ref()).ok_or_else(|| {
                err(
                    Some(name.span().start),
                    format!(
                        "unknown catalog check `{}` (one of: {})",
                        name.get_ref(),
                        CatalogCheck::NAMES.join(", ")
                    ),
                )
            })?),
        };
        if catalog.is_some() && raw.query.is_some() {
            return Err(err(
                None,
                "a rule has a `query` or a `catalog` check, not both".to_string(),
            ));
        }
        // Rules come from cloned repositories too: compiling a query costs
        // time that grows with its size, so a rule's query is bounded.
        if let Some(query) = &raw.query
            && query.get_ref().len() > MAX_QUERY_BYTES
        {
            return Err(err(
                Some(query.span().start),
                format!("query is longer than {} KiB", MAX_QUERY_BYTES / 1024),
            ));
        }
        let compiled: [OnceLock<Option<tree_sitter::Query>>; 5] = Default::default();
        if let (Some(query), Compile::Now) = (&raw.query, compile) {
            let body = query.get_ref();
            // TOML drops a newline right after an opening `'''`/`"""`, so the
            // query's first row is the line after the delimiter.
            let literal = &text[query.span()];
            let skipped_newline =
                (literal.starts_with("'''") || literal.starts_with("\"\"\"")) && literal[3..].starts_with(['\n', '\r']);
            let first_line = line_of(query.span().start) + usize::from(skipped_newline);
            for &lang in &languages {
                let Some(grammar) = lang.grammar() else {
                    continue;
                };
                let query_compiled = tree_sitter::Query::new(&grammar, body).map_err(|e| RuleError {
                    path: source.to_path_buf(),
                    line: Some(first_line + e.row),
                    message: format!("query for {}: {:?} error: {}", lang.as_str(), e.kind, e.message.trim()),
                })?;
                if query_compiled.capture_index_for_name(&raw.report).is_none() {
                    return Err(err(
                        Some(query.span().start),
                        format!("query has no @{} capture to report", raw.report),
                    ));
                }
                let _ = compiled[lang.index()].set(Some(query_compiled));
            }
        }
        let queries: Vec<(Language, &tree_sitter::Query)> = languages
            .iter()
            .filter_map(|l| compiled[l.index()].get().and_then(|q| q.as_ref()).map(|q| (*l, q)))
            .collect();
        let needs_query = languages.iter().any(|l| l.grammar().is_some());
        if needs_query && raw.query.is_none() && check.is_none() && catalog.is_none() {
            return Err(err(
                None,
                "a rule for a parsed language needs a `query`, a `check` or a `catalog` check".to_string(),
            ));
        }
        let filter_start = raw.filters.as_ref().map(|f| f.span().start).unwrap_or(0);
        let filters = raw
            .filters
            .as_ref()
            .map(|f| f.get_ref().as_slice())
            .unwrap_or_default()
            .iter()
            .map(|f| Filter::parse(f).map_err(|m| err(Some(filter_start), format!("where: {m}"))))
            .collect::<Result<Vec<_>, _>>()?;
        for filter in &filters {
            for capture in filter.captures() {
                for (lang, query) in &queries {
                    let (lang, query) = (*lang, *query);
                    if query.capture_index_for_name(capture).is_none() {
                        return Err(err(
                            Some(filter_start),
                            format!("where: @{capture} is not a capture of the {} query", lang.as_str()),
                        ));
                    }
                }
                if languages.contains(&Language::Env) && !matches!(capture, "key" | "value" | "match") {
                    return Err(err(
                        Some(filter_start),
                        format!("where: @{capture} does not exist in .env files (use @key, @value or @match)"),
                    ));
                }
            }
        }
        let once_per = match raw.once_per.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("match") => OncePer::Match,
            Some("scope") => OncePer::Scope,
            Some("file") => OncePer::File,
            Some(other) => {
                return Err(err(
                    raw.once_per.as_ref().map(|s| s.span().start),
                    format!("once_per must be match, scope or file, not `{other}`"),
                ));
            }
        };
        let fix = match raw.fix {
            None => None,
            Some(fix) => Some(FixTemplate {
                title: fix.title,
                edits: fix
                    .edits
                    .into_iter()
                    .map(|e| {
                        let at = match e.at.as_str() {
                            "replace" => EditPlacement::Replace,
                            "before" => EditPlacement::Before,
                            "after" => EditPlacement::After,
                            "line-after" => EditPlacement::LineAfter,
                            other => {
                                return Err(err(
                                    None,
                                    format!(
                                        "fix edit `at` must be replace, before, after or line-after, not `{other}`"
                                    ),
                                ));
                            }
                        };
                        Ok(EditTemplate {
                            capture: e.capture,
                            at,
                            text: e.text,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            }),
        };
        if let Some(bad) = raw.keywords.iter().find(|k| k.starts_with('$') && *k != SECRET_KEYWORD) {
            return Err(err(
                None,
                format!("unknown special keyword `{bad}` (only `{SECRET_KEYWORD}`)"),
            ));
        }
        if raw.message.contains('\n') {
            return Err(err(None, "message must be one line".to_string()));
        }
        let to_examples = |list: Vec<RawExample>| {
            list.into_iter()
                .map(|e| Example {
                    path: e.path,
                    code: e.code,
                    files: e.files,
                })
                .collect::<Vec<_>>()
        };
        Ok(Rule {
            id,
            category,
            severity,
            languages,
            contexts,
            keywords: raw.keywords,
            also_keywords: raw.also_keywords,
            query_text: raw.query.as_ref().map(|q| q.get_ref().clone()),
            compiled,
            check,
            catalog,
            report: raw.report,
            filters,
            once_per,
            message: raw.message,
            docs: raw.docs,
            references: raw.references,
            fix,
            flagged: to_examples(raw.flagged),
            clean: to_examples(raw.clean),
            source: source.to_path_buf(),
        })
    }

    /// The compiled query for a language, compiling it on first use.
    pub fn query(&self, language: Language) -> Option<&tree_sitter::Query> {
        if !self.languages.contains(&language) {
            return None;
        }
        let text = self.query_text.as_deref()?;
        self.compiled[language.index()]
            .get_or_init(|| tree_sitter::Query::new(&language.grammar()?, text).ok())
            .as_ref()
    }

    /// Whether the query for `language` was compiled (or tried) already.
    fn is_compiled(&self, language: Language) -> bool {
        self.compiled[language.index()].get().is_some()
    }

    /// Whether the rule has a tree-sitter query for this language.
    pub fn has_query_for(&self, language: Language) -> bool {
        self.query_text.is_some() && self.languages.contains(&language)
    }

    pub fn applies_to_context(&self, kind: ContextKind) -> bool {
        self.contexts.as_ref().is_none_or(|list| list.contains(&kind))
    }
}

/// The longest query a rule may hold (the longest built-in one is under 1 KiB).
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The keyword that makes a rule live when the byte-level secret scan finds
/// a provider-shaped value, instead of a plain substring.
pub const SECRET_KEYWORD: &str = "$secret";

/// When a rule's queries are compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compile {
    Now,
    OnFirstUse,
}

/// The rules in force, with the problems met while loading them.
#[derive(Clone)]
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
    pub errors: Vec<RuleError>,
    keyword_matcher: Option<Arc<AhoCorasick>>,
    /// For each keyword pattern, the rules that listed it.
    keyword_rules: Vec<Vec<(usize, bool)>>,
    /// Rules whose keyword is `$secret`: live when the byte-level secret
    /// scan finds a provider-shaped value.
    secret_rules: Vec<usize>,
    /// Off only to check that the prefilter changes no finding.
    prefilter: bool,
    /// When rules run through the grouped query rather than their own.
    grouping: Grouping,
    /// One query per language holding every rule's patterns, so a single
    /// pass over a tree serves all rules; built on first use.
    grouped: Arc<[OnceLock<Option<GroupedQuery>>; 5]>,
}

/// When rules run through one grouped query per language rather than each
/// through its own. The results are the same; only the cost differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// See [`RuleSet::grouped_when_worth_it`].
    WhenWorthIt,
    Always,
    Never,
}

/// Every rule's patterns for one language in one query.
pub struct GroupedQuery {
    pub query: tree_sitter::Query,
    /// For each pattern, the index of the rule it came from.
    pub pattern_rule: Vec<usize>,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

impl RuleSet {
    /// The rules compiled into the binary from `queries/`. Parsed once per
    /// process; every copy shares the compiled queries, so a query compiled
    /// for one workspace (or ahead of time) serves all of them.
    pub fn builtin() -> RuleSet {
        static BUILTIN: OnceLock<RuleSet> = OnceLock::new();
        BUILTIN.get_or_init(RuleSet::parse_builtin).clone()
    }

    fn parse_builtin() -> RuleSet {
        let mut set = RuleSet::empty();
        for (file_name, text) in embedded::BUILTIN_RULES {
            set.add_rule(Rule::parse_with(
                &Path::new("queries").join(file_name),
                text,
                Compile::OnFirstUse,
            ));
        }
        set.rebuild_index();
        set
    }

    pub fn empty() -> RuleSet {
        RuleSet {
            rules: Vec::new(),
            errors: Vec::new(),
            keyword_matcher: None,
            keyword_rules: Vec::new(),
            secret_rules: Vec::new(),
            prefilter: true,
            grouping: Grouping::WhenWorthIt,
            grouped: Arc::default(),
        }
    }

    /// Adds user rules read by the caller (the engine never touches the
    /// file system): each path with its text, or why it could not be read.
    /// Files that do not load become errors; the rest load.
    pub fn add_sources(&mut self, sources: Vec<(PathBuf, Result<String, String>)>) {
        for (path, text) in sources {
            match text {
                Ok(text) => self.add_rule(Rule::parse(&path, &text)),
                Err(why) => self.errors.push(RuleError {
                    path,
                    line: None,
                    message: format!("not read: {why}"),
                }),
            }
        }
        self.rebuild_index();
    }

    /// Adds one rule from text, compiling its queries now.
    pub fn add_source(&mut self, path: &Path, text: &str) {
        self.add_rule(Rule::parse(path, text));
        self.rebuild_index();
    }

    /// Adds a parsed rule (or its error); the caller rebuilds the index
    /// once after adding a batch.
    fn add_rule(&mut self, parsed: Result<Rule, RuleError>) {
        match parsed {
            Ok(rule) => {
                if self.rules.iter().any(|r| r.id == rule.id) {
                    self.errors.push(RuleError {
                        path: rule.source.clone(),
                        line: None,
                        message: format!("a rule with id `{}` already exists", rule.id),
                    });
                } else {
                    self.rules.push(Arc::new(rule));
                }
            }
            Err(e) => self.errors.push(e),
        }
    }

    fn rebuild_index(&mut self) {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<(usize, bool)>> = Vec::new();
        self.secret_rules.clear();
        self.grouped = Arc::default();
        for (index, rule) in self.rules.iter().enumerate() {
            let groups = rule
                .keywords
                .iter()
                .map(|k| (k, false))
                .chain(rule.also_keywords.iter().map(|k| (k, true)));
            for (keyword, also) in groups {
                if keyword == SECRET_KEYWORD {
                    self.secret_rules.push(index);
                    continue;
                }
                let owner = (index, also);
                match patterns.iter().position(|p| p == keyword) {
                    Some(existing) => owners[existing].push(owner),
                    None => {
                        patterns.push(keyword.clone());
                        owners.push(vec![owner]);
                    }
                }
            }
        }
        // Keywords only prefilter, so matching them loosely costs nothing in
        // precision and saves listing every spelling.
        // A contiguous NFA builds in a fraction of a DFA's time (start-up is
        // per process) and searches nearly as fast.
        self.keyword_matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&patterns)
            .ok()
            .map(Arc::new);
        self.keyword_rules = owners;
    }

    pub fn rules(&self) -> &[Arc<Rule>] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Rule>> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Rules worth running on `text`: those without keywords, and those with
    /// a keyword present. One pass over the text for all rules.
    pub fn live_rules(&self, text: &str) -> Vec<bool> {
        if !self.prefilter {
            return vec![true; self.rules.len()];
        }
        let mut hit = vec![false; self.rules.len()];
        let mut also_hit: Vec<bool> = self.rules.iter().map(|r| r.also_keywords.is_empty()).collect();
        if let Some(matcher) = &self.keyword_matcher {
            for found in matcher.find_overlapping_iter(text) {
                for &(rule, also) in &self.keyword_rules[found.pattern().as_usize()] {
                    if also {
                        also_hit[rule] = true;
                    } else {
                        hit[rule] = true;
                    }
                }
            }
        }
        if !self.secret_rules.is_empty() && super::secrets::might_contain_secret(text) {
            for &rule in &self.secret_rules {
                hit[rule] = true;
            }
        }
        self.rules
            .iter()
            .enumerate()
            .map(|(i, rule)| (rule.keywords.is_empty() || hit[i]) && also_hit[i])
            .collect()
    }

    /// The grouped query for a language, built on first use. `None` when no
    /// rule targets the language (or, defensively, when the combination does
    /// not compile; callers then run rules one by one).
    pub fn grouped(&self, language: Language) -> Option<&GroupedQuery> {
        self.grouped[language.index()]
            .get_or_init(|| {
                let grammar = language.grammar()?;
                let mut source = String::new();
                let mut starts: Vec<(usize, usize)> = Vec::new();
                for (index, rule) in self.rules.iter().enumerate() {
                    if let (true, Some(text)) = (rule.has_query_for(language), rule.query_text.as_deref()) {
                        starts.push((source.len(), index));
                        source.push_str(text);
                        source.push('\n');
                    }
                }
                if starts.is_empty() {
                    return None;
                }
                let query = tree_sitter::Query::new(&grammar, &source).ok()?;
                let pattern_rule = (0..query.pattern_count())
                    .map(|pattern| {
                        let at = query.start_byte_for_pattern(pattern);
                        let position = starts.partition_point(|(start, _)| *start <= at);
                        starts[position.saturating_sub(1)].1
                    })
                    .collect();
                Some(GroupedQuery { query, pattern_rule })
            })
            .as_ref()
    }

    /// The grouped query for `language` when it pays: already compiled, or
    /// more than a quarter of the language's rules are live. Compiling every
    /// TypeScript pattern takes ~100 ms, while a file usually wakes a handful
    /// of rules at ~5 ms each, so a small run (one file, the first
    /// keystroke) compiles only what it runs and a large one compiles
    /// everything once. SQL always groups: each query over the Postgres
    /// grammar costs ~12 ms before its first pattern.
    pub fn grouped_when_worth_it(&self, language: Language, live: &[bool]) -> Option<&GroupedQuery> {
        match self.grouping {
            Grouping::Always => return self.grouped(language),
            Grouping::Never => return None,
            Grouping::WhenWorthIt => {}
        }
        if let Some(ready) = self.grouped[language.index()].get() {
            return ready.as_ref();
        }
        let (mut total, mut live_count) = (0, 0);
        for (rule, live) in self.rules.iter().zip(live) {
            if rule.has_query_for(language) {
                total += 1;
                live_count += usize::from(*live);
            }
        }
        if live_count == 0 {
            return None;
        }
        if language == Language::Sql || live_count * 4 > total {
            self.grouped(language)
        } else {
            None
        }
    }

    /// Compiles, ahead of time, the queries an analysis of `text` in
    /// `languages` will run (whatever its context turns out to be), so the
    /// compilation can overlap with other start-up work.
    pub fn warm_queries(&self, languages: &[Language], text: &str) {
        self.compile_live(languages, &self.live_rules(text));
    }

    /// Compiles the queries that running the `live` rules over `languages`
    /// needs, in parallel: the grouped query when it pays, else each live
    /// rule's own. Already compiled queries cost nothing.
    pub fn compile_live(&self, languages: &[Language], live: &[bool]) {
        use rayon::prelude::*;
        for &language in languages {
            if self.grouped_when_worth_it(language, live).is_none() {
                let wanted: Vec<&Arc<Rule>> = self
                    .rules
                    .iter()
                    .zip(live)
                    .filter(|(rule, live)| **live && rule.has_query_for(language) && !rule.is_compiled(language))
                    .map(|(rule, _)| rule)
                    .collect();
                // Per keystroke everything is compiled already: no work to
                // hand to the thread pool.
                if !wanted.is_empty() {
                    wanted.par_iter().for_each(|rule| {
                        rule.query(language);
                    });
                }
            }
        }
    }

    /// [`RuleSet::live_rules`] narrowed to the rules that apply in `context`.
    pub fn live_rules_in(&self, text: &str, context: ContextKind) -> Vec<bool> {
        let mut live = self.live_rules(text);
        for (flag, rule) in live.iter_mut().zip(&self.rules) {
            *flag &= rule.applies_to_context(context);
        }
        live
    }

    /// The same rules with the keyword prefilter off (every rule runs on
    /// every file); used to check the prefilter changes no finding.
    pub fn without_prefilter(&self) -> RuleSet {
        RuleSet {
            prefilter: false,
            ..self.clone()
        }
    }

    /// The same rules run with another [`Grouping`] (to check that grouping
    /// changes no finding).
    pub fn with_grouping(&self, grouping: Grouping) -> RuleSet {
        RuleSet {
            grouping,
            ..self.clone()
        }
    }
}
