//! The workspace: every file's analysis, the facts merged across files, each
//! file's context after the import graph, and the findings that result.
//!
//! Invariant: findings depend only on the analyses held here, so replacing
//! one file's analysis (a keystroke) and calling [`Workspace::refresh`] gives
//! the same answer as analysing the whole workspace again.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use super::analysis::{Candidate, FileAnalysis};
use super::catalog::Database;
use super::catalog::checks::{self, Hit};
use super::catalog::project::{Layout, SqlFile};
use super::config::{Config, Level};
use super::context::{self, ContextInput, ContextKind, FileContext, ProjectInfo, Strength};
use super::predicates::{GlobalScope, RustCheck, eval_global};
use super::rules::{EditPlacement, RuleSet};
use super::secrets;
use super::types::{Finding, Fix, Related, Span, TextEdit};

/// A table identified by schema and name (schema defaults to `public`).
pub type TableKey = super::catalog::Key;

pub use super::catalog::Site;

struct FileEntry {
    analysis: Arc<FileAnalysis>,
    config: Arc<Config>,
}

/// All analysed files of one workspace.
#[derive(Default)]
pub struct Workspace {
    files: BTreeMap<String, FileEntry>,
    /// Projects by their root (directory of a `package.json`).
    projects: BTreeMap<String, ProjectInfo>,
    /// Directories with a `supabase/` folder, and the API schemas its
    /// `config.toml` lists.
    supabase_configs: BTreeMap<String, Option<Vec<String>>>,
    /// Each project's database after its migrations.
    databases: Vec<Database>,
    /// Candidates that catalog rules found, by the file they point into.
    catalog_candidates: HashMap<String, Vec<Candidate>>,
    contexts: HashMap<String, FileContext>,
    /// The rules catalog candidates were computed for.
    rules: Option<RuleSet>,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Records what a `package.json` says; `info.root` is its directory.
    pub fn set_project(&mut self, info: ProjectInfo) {
        self.projects.insert(info.root.clone(), info);
    }

    /// Records a Supabase project at `root` (the directory holding
    /// `supabase/`) and the API schemas its `config.toml` lists, if any.
    pub fn set_supabase_project(&mut self, root: &str, exposed_schemas: Option<Vec<String>>) {
        self.supabase_configs.insert(root.to_string(), exposed_schemas);
    }

    /// The rules catalog rules run from; [`Workspace::refresh`] uses them.
    pub fn set_rules(&mut self, rules: &RuleSet) {
        self.rules = Some(rules.clone());
    }

    /// Adds or replaces one file's analysis. Call [`Workspace::refresh`]
    /// before asking for findings.
    pub fn upsert(&mut self, analysis: FileAnalysis, config: Arc<Config>) {
        self.files.insert(
            analysis.path.clone(),
            FileEntry {
                analysis: Arc::new(analysis),
                config,
            },
        );
    }

    /// Marks a file as ignored by git (its content is local, not committed).
    pub fn set_git_ignored(&mut self, path: &str, ignored: bool) {
        if let Some(entry) = self.files.get_mut(path) {
            Arc::make_mut(&mut entry.analysis).git_ignored = ignored;
        }
    }

    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub fn analysis(&self, path: &str) -> Option<&FileAnalysis> {
        self.files.get(path).map(|e| e.analysis.as_ref())
    }

    /// A shared handle to a file's analysis.
    pub fn analysis_shared(&self, path: &str) -> Option<Arc<FileAnalysis>> {
        self.files.get(path).map(|e| e.analysis.clone())
    }

    /// Every project's database after its migrations.
    pub fn databases(&self) -> &[Database] {
        &self.databases
    }

    /// The database of the project `path` belongs to: the deepest whose
    /// directory holds it.
    pub fn database_for(&self, path: &str) -> Option<&Database> {
        self.databases
            .iter()
            .filter(|db| db.contains(path))
            .max_by_key(|db| db.root.len())
    }

    pub fn context_of(&self, path: &str) -> Option<&FileContext> {
        self.contexts.get(path)
    }

    /// The project a path belongs to: the deepest `package.json` above it.
    pub fn project_for(&self, path: &str) -> ProjectInfo {
        self.projects
            .iter()
            .filter(|(root, _)| root.is_empty() || path.starts_with(&format!("{root}/")))
            .max_by_key(|(root, _)| root.len())
            .map(|(_, info)| info.clone())
            .unwrap_or_default()
    }

    /// Recomputes merged facts and contexts after files changed.
    pub fn refresh(&mut self) {
        self.databases = self.build_databases();
        self.catalog_candidates = self.run_catalog_rules();
        self.contexts = self.build_contexts();
    }

    fn build_databases(&self) -> Vec<Database> {
        let sql: Vec<&FileEntry> = self
            .files
            .values()
            .filter(|e| e.analysis.language() == Some(super::language::Language::Sql))
            .collect();
        let line_fns: Vec<Box<dyn Fn(usize) -> usize + '_>> = sql
            .iter()
            .map(|e| {
                let index = &e.analysis.line_index;
                Box::new(move |offset| index.line_of(offset)) as Box<dyn Fn(usize) -> usize>
            })
            .collect();
        let files: Vec<SqlFile<'_>> = sql
            .iter()
            .zip(&line_fns)
            .map(|(entry, line_of)| SqlFile {
                path: &entry.analysis.path,
                statements: &entry.analysis.facts.sql,
                line_of: line_of.as_ref(),
                mentions_supabase: entry.analysis.facts.mentions_supabase,
            })
            .collect();
        let mut layout = Layout {
            supabase_roots: self.supabase_configs.clone(),
            packages: self
                .projects
                .iter()
                .map(|(root, info)| (root.clone(), info.uses_supabase))
                .collect(),
        };
        // A `supabase/` folder is a project even without its config.toml.
        for path in self.files.keys() {
            let segments: Vec<&str> = path.split('/').collect();
            if let Some(index) = segments.iter().position(|s| *s == "supabase")
                && index + 1 < segments.len()
            {
                layout.supabase_roots.entry(segments[..index].join("/")).or_insert(None);
            }
        }
        let configured = |root: &str| {
            self.files
                .iter()
                .find(|(path, _)| root.is_empty() || path.starts_with(&format!("{root}/")))
                .and_then(|(_, entry)| entry.config.exposed_schemas.clone())
        };
        super::catalog::project::databases(&files, &layout, &configured)
    }

    /// Runs every catalog rule over every database, as candidates of the
    /// files the answers point into.
    fn run_catalog_rules(&self) -> HashMap<String, Vec<Candidate>> {
        let mut out: HashMap<String, Vec<Candidate>> = HashMap::new();
        let Some(rules) = &self.rules else {
            return out;
        };
        for rule in rules.rules() {
            let Some(check) = rule.catalog else { continue };
            for db in &self.databases {
                for hit in checks::run(check, db) {
                    let Some(entry) = self.files.get(&hit.path) else {
                        continue;
                    };
                    if !rule.applies_to_context(ContextKind::Server) {
                        continue;
                    }
                    let candidate = catalog_candidate(rule, &entry.analysis, hit);
                    out.entry(candidate.0).or_default().push(candidate.1);
                }
            }
        }
        for candidates in out.values_mut() {
            candidates.sort_by_key(|c| (c.span.start, c.span.end));
        }
        out
    }

    fn build_contexts(&self) -> HashMap<String, FileContext> {
        let mut contexts = HashMap::new();
        for (path, entry) in &self.files {
            let project = self.project_for(path);
            let decided = match entry.config.context_override(std::path::Path::new(path)) {
                Some((kind, pattern)) => FileContext {
                    kind,
                    reason: format!("`.nudge.toml` sets `{pattern}` to {kind}"),
                    strength: Strength::Explicit,
                },
                None => context::classify(&ContextInput {
                    path,
                    directives: entry.analysis.directives,
                    imports: &entry.analysis.facts.imports,
                    project: &project,
                }),
            };
            contexts.insert(path.clone(), decided);
        }
        // Browser code pulls in what it imports: walk the import graph from
        // every client module into modules nothing else decided.
        let mut queue: VecDeque<String> = contexts
            .iter()
            .filter(|(_, c)| c.kind == ContextKind::Client)
            .map(|(p, _)| p.clone())
            .collect();
        let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
        while let Some(importer) = queue.pop_front() {
            let Some(entry) = self.files.get(&importer) else {
                continue;
            };
            let project = self.project_for(&importer);
            for specifier in &entry.analysis.facts.imports {
                let Some(target) = self.resolve_import(&importer, specifier, &project) else {
                    continue;
                };
                let Some(ctx) = contexts.get_mut(&target) else {
                    continue;
                };
                if ctx.strength == Strength::Default && ctx.kind != ContextKind::Client {
                    *ctx = FileContext {
                        kind: ContextKind::Client,
                        reason: format!("it is imported by `{importer}`, which runs in the browser"),
                        strength: Strength::Default,
                    };
                }
                if ctx.kind == ContextKind::Client && seen.insert(target.clone()) {
                    queue.push_back(target);
                }
            }
        }
        contexts
    }

    /// Resolves a module specifier to a workspace file, trying the usual
    /// extensions and index files, and the `@/`, `~/` and `$lib` aliases.
    pub fn resolve_import(&self, importer: &str, specifier: &str, project: &ProjectInfo) -> Option<String> {
        let base: String = if specifier.starts_with("./") || specifier.starts_with("../") {
            let dir = importer.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            join_normalized(dir, specifier)?
        } else if let Some(rest) = specifier.strip_prefix("@/").or_else(|| specifier.strip_prefix("~/")) {
            let root = &project.root;
            let in_src = join_normalized(root, &format!("src/{rest}"))?;
            if self.probe(&in_src).is_some() {
                in_src
            } else {
                join_normalized(root, rest)?
            }
        } else if let Some(rest) = specifier.strip_prefix("$lib/") {
            join_normalized(&project.root, &format!("src/lib/{rest}"))?
        } else {
            return None;
        };
        self.probe(&base)
    }

    fn probe(&self, base: &str) -> Option<String> {
        const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts", "svelte", "vue"];
        if self.files.contains_key(base) {
            return Some(base.to_string());
        }
        // `import './x.js'` in TypeScript refers to `x.ts`.
        let stripped = base
            .strip_suffix(".js")
            .or_else(|| base.strip_suffix(".mjs"))
            .unwrap_or(base);
        for ext in EXTENSIONS {
            for candidate in [format!("{stripped}.{ext}"), format!("{base}/index.{ext}")] {
                if self.files.contains_key(&candidate) {
                    return Some(candidate);
                }
            }
        }
        None
    }

    /// The findings for one file, sorted by position.
    pub fn findings(&self, path: &str, rules: &RuleSet) -> Vec<Finding> {
        let Some(entry) = self.files.get(path) else {
            return Vec::new();
        };
        let analysis = &entry.analysis;
        let config = &entry.config;
        let fallback = FileContext {
            kind: ContextKind::Universal,
            reason: "not analysed yet".to_string(),
            strength: Strength::Default,
        };
        let file_context = self.contexts.get(path).unwrap_or(&fallback);
        let known = secrets::all_secrets(&analysis.text);
        let mut findings: Vec<(Finding, usize)> = Vec::new();
        let from_catalog = self.catalog_candidates.get(path).map(Vec::as_slice).unwrap_or_default();
        for candidate in analysis.candidates.iter().chain(from_catalog) {
            let rule = &candidate.rule;
            let Level::On(severity) = config.level_for(&rule.id, rule.category, rule.severity) else {
                continue;
            };
            if !rule.applies_to_context(file_context.kind) {
                continue;
            }
            let scope = GlobalScope {
                captures: &candidate.captures,
                context: file_context,
                database: self.database_for(path),
                config,
                git_ignored: analysis.git_ignored,
            };
            let mut global_vars = Vec::new();
            if !rule.filters.iter().all(|f| eval_global(f, &scope, &mut global_vars)) {
                continue;
            }
            let finding = self.build_finding(analysis, candidate, severity, file_context, global_vars, &known);
            findings.push((finding, candidate.scope));
        }
        findings.sort_by_key(|(f, _)| (f.span.start, f.span.end));
        // Suppressions apply before `once_per`, so a suppressed first
        // occurrence neither hides the next one nor leaves the suppression
        // of a later one looking unused.
        let (findings, meta) = apply_suppressions(analysis, findings, rules, config);
        let mut findings = once_per_scope(findings, rules);
        findings.extend(meta);
        findings.sort_by_key(|f| (f.span.start, f.span.end));
        // Templates mask the captures they know hold secrets; this catches
        // the rest at the one place every message passes: any secret shape
        // in the message, and any secret of this file quoted inside a longer
        // word (an env name built around a key; both found by fuzzing).
        for finding in &mut findings {
            mask_secrets(&mut finding.message, &known);
            for related in &mut finding.related {
                mask_secrets(&mut related.message, &known);
            }
        }
        findings
    }

    fn build_finding(
        &self,
        analysis: &FileAnalysis,
        candidate: &Candidate,
        severity: super::types::Severity,
        file_context: &FileContext,
        global_vars: Vec<(String, String)>,
        known: &[(String, String)],
    ) -> Finding {
        let rule = &candidate.rule;
        let mut vars: Vec<(String, String)> = candidate.vars.clone();
        vars.extend(global_vars);
        let mut related = candidate.related.clone();
        let database = self.database_for(&analysis.path);
        for (name, _, text) in &candidate.captures {
            if name == "table" && rule.catalog.is_none() {
                let key = TableKey::parse(text);
                vars.push(("table".to_string(), key.display()));
                let table = database.and_then(|db| db.catalog.table(&key));
                if let Some(owner) = table.and_then(checks::owner_column) {
                    vars.push(("owner_column".to_string(), owner));
                }
                if let Some(site) = table
                    .map(|t| &t.created)
                    .filter(|s| s.path != analysis.path && !s.is_builtin())
                {
                    related.push(Related {
                        path: site.path.clone().into(),
                        span: site.span,
                        line: site.line,
                        message: format!("table `{}` is created here", key.display()),
                    });
                }
            }
        }
        let message = render_template(&rule.message, &candidate.captures, &vars, known);
        let fix = rule.fix.as_ref().and_then(|template| {
            let edits = template
                .edits
                .iter()
                .map(|edit| {
                    let (_, span, _) = candidate.captures.iter().find(|(n, _, _)| *n == edit.capture)?;
                    let text = render_fix_text(&edit.text, &candidate.captures, &vars)?;
                    let at = match edit.at {
                        EditPlacement::Replace => *span,
                        EditPlacement::Before => Span::new(span.start, span.start),
                        EditPlacement::After => Span::new(span.end, span.end),
                        EditPlacement::LineAfter => {
                            let line = analysis.line_index.line_of(span.end);
                            let (_, end) = analysis.line_index.line_span(&analysis.text, line);
                            let next = analysis.text[end..]
                                .find('\n')
                                .map(|i| end + i + 1)
                                .unwrap_or(analysis.text.len());
                            Span::new(next, next)
                        }
                    };
                    let needs_newline = edit.at == EditPlacement::LineAfter
                        && at.start == analysis.text.len()
                        && !analysis.text.ends_with('\n');
                    Some(TextEdit {
                        span: at,
                        new_text: if needs_newline { format!("\n{text}") } else { text },
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Fix {
                title: render_template(&template.title, &candidate.captures, &vars, known),
                edits,
            })
        });
        Finding {
            rule_id: rule.id.clone(),
            category: rule.category,
            severity,
            message,
            span: candidate.span,
            reason: Some(file_context.reason.clone()),
            fix,
            related,
            vars,
        }
    }
}

/// A catalog answer as a candidate of the file it points into: its named
/// spans become captures (text read from that file), its values variables.
fn catalog_candidate(
    rule: &std::sync::Arc<super::rules::Rule>,
    analysis: &FileAnalysis,
    hit: Hit,
) -> (String, Candidate) {
    use super::analysis::CaptureText;
    let captures = hit
        .spans
        .iter()
        .map(|(name, span)| (name.to_string(), *span, CaptureText::new(&analysis.text, *span)))
        .collect();
    let related = hit
        .related
        .iter()
        .map(|(site, message)| Related {
            path: site.path.clone().into(),
            span: site.span,
            line: site.line,
            message: message.clone(),
        })
        .collect();
    (
        hit.path.clone(),
        Candidate {
            rule: rule.clone(),
            span: hit.report,
            captures,
            vars: hit.vars,
            scope: hit.report.start,
            related,
        },
    )
}

fn join_normalized(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Keeps the first finding per rule and scope for `once_per` rules.
fn once_per_scope(findings: Vec<(Finding, usize)>, rules: &RuleSet) -> Vec<Finding> {
    use super::rules::OncePer;
    let mut seen: BTreeSet<(String, usize)> = BTreeSet::new();
    findings
        .into_iter()
        .filter(|(finding, scope)| {
            let once = rules
                .get(&finding.rule_id)
                .map(|r| r.once_per)
                .unwrap_or(OncePer::Match);
            let key = match once {
                OncePer::Match => return true,
                OncePer::Scope => *scope,
                OncePer::File => 0,
            };
            seen.insert((finding.rule_id.clone(), key))
        })
        .map(|(f, _)| f)
        .collect()
}

/// Drops suppressed findings; returns the rest and the hints about the
/// suppression comments themselves (missing reason, unused).
fn apply_suppressions(
    analysis: &FileAnalysis,
    findings: Vec<(Finding, usize)>,
    rules: &RuleSet,
    config: &Config,
) -> (Vec<(Finding, usize)>, Vec<Finding>) {
    let mut used = vec![false; analysis.suppressions.len()];
    let kept: Vec<(Finding, usize)> = findings
        .into_iter()
        .filter(|(finding, _)| {
            let line = analysis.line_index.line_of(finding.span.start);
            let mut suppressed = false;
            for (i, s) in analysis.suppressions.iter().enumerate() {
                if s.covers(&finding.rule_id, line) {
                    used[i] = true;
                    suppressed = true;
                }
            }
            !suppressed
        })
        .collect();
    let mut meta = Vec::new();
    let Some(language) = analysis.language() else {
        return (kept, meta);
    };
    for rule in rules.rules() {
        let Some(check) = rule.check else { continue };
        let targets = rule.languages.contains(&language)
            || (language.is_js_family() && rule.languages.iter().any(|l| l.is_js_family()));
        if !targets {
            continue;
        }
        let Level::On(severity) = config.level_for(&rule.id, rule.category, rule.severity) else {
            continue;
        };
        for (i, suppression) in analysis.suppressions.iter().enumerate() {
            let applies = match check {
                RustCheck::UnusedSuppression => !used[i],
                RustCheck::SuppressionWithoutReason => suppression.reason.is_none(),
            };
            if !applies {
                continue;
            }
            meta.push(Finding {
                rule_id: rule.id.clone(),
                category: rule.category,
                severity,
                message: rule.message.replace("{{rules}}", &suppression.rule_ids.join(", ")),
                span: suppression.span,
                reason: None,
                fix: None,
                related: Vec::new(),
                vars: Vec::new(),
            });
        }
    }
    (kept, meta)
}

/// Fills `{{name}}` from predicate variables, then captures. Any value
/// holding a secret (a provider shape, or one of the file's `known` secret
/// values anywhere in it) is masked before it is shortened, so a template
/// can never leak one.
pub fn render_template(
    template: &str,
    captures: &[super::analysis::Capture],
    vars: &[(String, String)],
    known: &[(String, String)],
) -> String {
    fill_template(template, captures, vars, Some(known)).unwrap_or_default()
}

/// Fills a fix's text: captures verbatim (an edit must reproduce code
/// exactly), `None` when a named value is missing so no half-made fix is
/// offered.
fn render_fix_text(template: &str, captures: &[super::analysis::Capture], vars: &[(String, String)]) -> Option<String> {
    fill_template(template, captures, vars, None)
}

fn fill_template(
    template: &str,
    captures: &[super::analysis::Capture],
    vars: &[(String, String)],
    for_message: Option<&[(String, String)]>,
) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return Some(out);
        };
        let name = after[..close].trim();
        let value = vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| captures.iter().find(|(n, _, _)| n == name).map(|(_, _, t)| t.as_str()));
        match (value, for_message) {
            (Some(value), Some(known)) => out.push_str(&safe_text(value, known)),
            (Some(value), None) => out.push_str(value),
            (None, Some(_)) => {}
            (None, None) => return None,
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// A value as a message may show it: secrets masked, then shortened.
fn safe_text(text: &str, known: &[(String, String)]) -> String {
    // At most 60 characters are shown; masking looks a little further so a
    // secret that starts inside them is recognised whole. A capture can be
    // a whole file: it is never copied in full.
    const WINDOW: usize = 1024;
    let text = text.trim();
    let mut cut = text.len().min(WINDOW);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut value = text[..cut].to_string();
    while let Some(secret) = secrets::find_secret(&value, None) {
        value.replace_range(secret.start..secret.end, &secret.masked);
    }
    for (secret, masked) in known {
        if value.contains(secret.as_str()) {
            value = value.replace(secret.as_str(), masked);
        }
    }
    const MAX: usize = 60;
    if value.chars().count() > MAX {
        value = value.chars().take(MAX).collect::<String>() + "…";
    }
    value
}

/// Stars out any provider-shaped secret in a message, and any of the
/// file's `known` secret values wherever they appear in it.
fn mask_secrets(message: &mut String, known: &[(String, String)]) {
    if secrets::might_contain_secret(message) {
        *message = secrets::mask_in_place(message);
    }
    for (value, masked) in known {
        if message.contains(value.as_str()) {
            *message = message.replace(value.as_str(), masked);
        }
    }
}
