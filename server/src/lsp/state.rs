//! Server state shared by the transport layer and the handlers: documents,
//! indexed workspace roots, settings, client capabilities, and the last
//! published results per document. Everything that analyses runs here as
//! plain blocking functions; handlers call them through `spawn_blocking`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use dashmap::DashMap;
use serde::Deserialize;
use tower_lsp_server::ls_types::{Diagnostic, TextEdit, Uri};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::reload;
use tracing_subscriber::util::SubscriberInitExt;

use super::ServerOptions;
use super::actions;
use super::convert::to_lsp::{self, TextRef};
use super::convert::{Encoding, from_lsp};
use super::documents::{Documents, Snapshot};
use crate::engine::analysis::{
    Deadline, ParsedView, analyze_parsed, analyze_parsed_in_context, parse_views, reanalyze_incremental, reparse_until,
};
use crate::engine::config::Level;
use crate::engine::language::{FileKind, Language};
use crate::engine::source::LineIndex;
use crate::engine::suppress::Suppression;
use crate::engine::{ConfigError, FileInput, Finding, RuleSet};
use crate::project::{Depth, LoadedWorkspace, load_dir, load_dir_to, read_source, relative_slash_path};

/// Why 200 ms: people type a character every 100–200 ms, so a shorter
/// pause would analyse half-typed words and make nudges flash; nudges that
/// appear a fifth of a second after typing stops still feel immediate.
pub const DEFAULT_DEBOUNCE_MS: u64 = 200;

/// Settings from `initializationOptions` and `workspace/didChangeConfiguration`,
/// layered over `.nudge.toml`.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub debounce_ms: u64,
    /// Rule id or category → level; wins over the project's config.
    pub severity: BTreeMap<String, Level>,
    pub log_level: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawSettings {
    #[serde(default)]
    severity: BTreeMap<String, String>,
    debounce_ms: Option<u64>,
    log_level: Option<String>,
}

impl Settings {
    /// Reads client settings, accepting `{ "nudge": {...} }` or the object
    /// itself. Bad values are reported and skipped, never fatal.
    pub fn merge_json(&mut self, value: &serde_json::Value) -> Vec<String> {
        let value = value.get("nudge").unwrap_or(value);
        let mut problems = Vec::new();
        let raw: RawSettings = match serde_json::from_value(value.clone()) {
            Ok(raw) => raw,
            Err(e) => {
                problems.push(format!("ignoring Nudge settings: {e}"));
                return problems;
            }
        };
        if let Some(ms) = raw.debounce_ms {
            self.debounce_ms = ms.min(5_000);
        }
        if let Some(level) = raw.log_level {
            self.log_level = Some(level);
        }
        for (key, level) in raw.severity {
            let parsed = if level == "off" {
                Some(Level::Off)
            } else {
                level.parse().ok().map(Level::On)
            };
            match parsed {
                Some(parsed) => {
                    self.severity.insert(key, parsed);
                }
                None => problems.push(format!("ignoring severity `{level}` for `{key}`")),
            }
        }
        problems
    }

    /// Applies editor overrides to a finding; `None` when turned off.
    pub fn adjust(&self, mut finding: Finding) -> Option<Finding> {
        let level = self
            .severity
            .get(&finding.rule_id)
            .or_else(|| self.severity.get(finding.category.as_str()))
            .copied();
        match level {
            Some(Level::Off) => None,
            Some(Level::On(severity)) => {
                finding.severity = severity;
                Some(finding)
            }
            None => Some(finding),
        }
    }
}

/// What the client can do, from `initialize`.
#[derive(Clone, Debug, Default)]
pub struct ClientCaps {
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub watch_dynamic: bool,
    pub show_document: bool,
    pub work_done_progress: bool,
    pub create_files: bool,
}

/// One workspace folder and what is known about it.
pub struct Root {
    pub dir: PathBuf,
    pub loaded: LoadedWorkspace,
    /// The configuration problem that the last reload hit, if any; the
    /// last good configuration stays in force meanwhile.
    pub config_error: Option<ConfigError>,
    /// A workspace folder the client named (not the folder of a loose file).
    pub from_client: bool,
    /// What the last "Try it for real" proved here, until its SQL changes.
    pub proven: Option<Arc<crate::prove::editor::ProvenObjects>>,
}

/// The results last sent for a document, for hovers, pull requests and
/// code actions.
#[derive(Clone)]
pub struct Published {
    pub version: i32,
    pub text: Arc<str>,
    pub index: Arc<LineIndex>,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub suppressions: Vec<Suppression>,
    pub reason: Option<String>,
    /// The trees the findings came from, for actions computed on request.
    pub views: Vec<ParsedView>,
    pub language: Option<Language>,
    /// The document is not analysed (limits); its one diagnostic says why.
    pub skipped: bool,
}

/// State shared by the transport layer and every handler.
pub struct Shared {
    pub docs: Documents,
    encoding: AtomicU8,
    pub roots: Mutex<Vec<Root>>,
    pub settings: RwLock<Settings>,
    pub caps: RwLock<ClientCaps>,
    pub published: DashMap<Uri, Published>,
    pub indexed: tokio::sync::watch::Sender<bool>,
    /// Bounds concurrent analyses to the machine's cores, so a burst of
    /// edits queues (and coalesces) instead of filling the blocking pool.
    pub analysis_slots: tokio::sync::Semaphore,
    /// A private directory for the reports the client is asked to open,
    /// made on first use and removed when the server stops.
    reports: Mutex<Option<tempfile::TempDir>>,
    /// Whether PostgreSQL's programs are on this machine (looked up once,
    /// when an action first asks).
    postgres: std::sync::OnceLock<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock must not take the server down with it.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn new(options: ServerOptions) -> Shared {
        Shared {
            docs: Documents::default(),
            encoding: AtomicU8::new(1),
            roots: Mutex::new(Vec::new()),
            settings: RwLock::new(Settings {
                debounce_ms: options.debounce_ms,
                ..Settings::default()
            }),
            caps: RwLock::new(ClientCaps::default()),
            published: DashMap::new(),
            indexed: tokio::sync::watch::channel(false).0,
            analysis_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            ),
            reports: Mutex::new(None),
            postgres: std::sync::OnceLock::new(),
        }
    }

    /// Whether "Try it for real" can run here.
    pub fn postgres_available(&self) -> bool {
        *self.postgres.get_or_init(|| crate::pg::Binaries::find().is_ok())
    }

    /// Whether a root holds a Supabase database with migrations to prove.
    pub fn provable_roots(&self) -> Vec<PathBuf> {
        self.roots()
            .iter()
            .filter(|r| {
                r.loaded
                    .workspace
                    .databases()
                    .iter()
                    .any(|db| db.kind == crate::engine::catalog::DatabaseKind::Supabase && !db.files.is_empty())
            })
            .map(|r| r.dir.clone())
            .collect()
    }

    /// Keeps what a proof showed for the root at `dir`.
    pub fn set_proven(&self, dir: &Path, proven: crate::prove::editor::ProvenObjects) {
        if let Some(root) = self.roots().iter_mut().find(|r| r.dir == dir) {
            root.proven = Some(Arc::new(proven));
        }
    }

    pub fn encoding(&self) -> Encoding {
        match self.encoding.load(Ordering::Acquire) {
            0 => Encoding::Utf8,
            2 => Encoding::Utf32,
            _ => Encoding::Utf16,
        }
    }

    pub fn set_encoding(&self, encoding: Encoding) {
        let value = match encoding {
            Encoding::Utf8 => 0,
            Encoding::Utf16 => 1,
            Encoding::Utf32 => 2,
        };
        self.encoding.store(value, Ordering::Release);
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn caps(&self) -> ClientCaps {
        self.caps.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn roots(&self) -> MutexGuard<'_, Vec<Root>> {
        lock(&self.roots)
    }

    /// Registers workspace folders; they are indexed by [`Shared::index_root`].
    pub fn add_root(&self, dir: PathBuf) {
        let mut roots = self.roots();
        if roots.iter().all(|r| r.dir != dir) {
            roots.push(Root {
                dir,
                loaded: LoadedWorkspace::empty(RuleSet::builtin()),
                config_error: None,
                from_client: true,
                proven: None,
            });
        }
    }

    /// Index of the root containing `path` (the deepest), adding an
    /// unindexed root at the file's folder when none does.
    fn root_index(roots: &mut Vec<Root>, path: &Path) -> usize {
        if let Some((index, _)) = roots
            .iter()
            .enumerate()
            .filter(|(_, r)| path.starts_with(&r.dir))
            .max_by_key(|(_, r)| r.dir.as_os_str().len())
        {
            return index;
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        roots.push(Root {
            dir,
            loaded: LoadedWorkspace::empty(RuleSet::builtin()),
            config_error: None,
            from_client: false,
            proven: None,
        });
        roots.len() - 1
    }

    /// Reads a root from disk, to the facts other files need: diagnostics
    /// are for open documents, which are analysed when published. Open
    /// documents override what is on disk. On a configuration error the
    /// previous state stays and the error is kept.
    pub fn index_root(&self, dir: &Path) -> Result<(), ConfigError> {
        let result = load_dir_to(dir, true, Depth::Facts);
        let open: Vec<Snapshot> = self
            .docs
            .uris()
            .iter()
            .filter_map(|u| self.docs.snapshot(u))
            .filter(|s| s.path.as_deref().is_some_and(|p| p.starts_with(dir)))
            .collect();
        let mut roots = self.roots();
        let Some(root) = roots.iter_mut().find(|r| r.dir == dir) else {
            return Ok(());
        };
        match result {
            Ok(mut loaded) => {
                for snapshot in &open {
                    let rel = relative_slash_path(dir, snapshot.path.as_deref().expect("filtered on path"));
                    loaded.upsert_to(&rel, &snapshot.text, Depth::Facts);
                }
                loaded.workspace.refresh();
                root.loaded = loaded;
                root.config_error = None;
                root.proven = None;
                Ok(())
            }
            Err(mut error) => {
                if error.path.is_relative() {
                    error.path = dir.join(&error.path);
                }
                root.config_error = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Every file of a root analysed to its findings (the index holds only
    /// facts), with open documents as they are in the editor: what the
    /// quick security check reports on. `None` for a root whose
    /// configuration does not load.
    pub fn full_workspace(&self, dir: &Path) -> Option<LoadedWorkspace> {
        let indexed = self
            .roots()
            .iter()
            .any(|r| r.dir == dir && !r.loaded.root.as_os_str().is_empty());
        // A loose file's folder was never walked (it may be a downloads
        // folder); only its open documents count.
        let mut loaded = if indexed {
            load_dir(dir).ok()?
        } else {
            LoadedWorkspace::empty(RuleSet::builtin())
        };
        for uri in self.docs.uris() {
            let Some(snapshot) = self.docs.snapshot(&uri) else {
                continue;
            };
            if let Some(path) = snapshot.path.as_deref().filter(|p| p.starts_with(dir)) {
                loaded.upsert_text(&relative_slash_path(dir, path), &snapshot.text);
            }
        }
        loaded.workspace.refresh();
        Some(loaded)
    }

    /// Re-reads one file that is not open (a migration or `.env` changed on
    /// disk) into its root.
    pub fn reload_file(&self, path: &Path) {
        if self.docs.by_path(path).is_some() {
            return;
        }
        let (dir, limits) = {
            let mut roots = self.roots();
            let index = Shared::root_index(&mut roots, path);
            let root = &roots[index];
            let rel = relative_slash_path(&root.dir, path);
            (root.dir.clone(), root.loaded.config_for(&rel).limits)
        };
        // Read without holding the roots lock.
        let text = match read_source(&dir, path, &limits) {
            Ok(file) => Some(file.text),
            Err(note) => {
                tracing::info!("{note}");
                None
            }
        };
        let mut roots = self.roots();
        let index = Shared::root_index(&mut roots, path);
        let root = &mut roots[index];
        let rel = relative_slash_path(&root.dir, path);
        if rel.ends_with(".sql") {
            // The proof was of the SQL as it was.
            root.proven = None;
        }
        match text {
            Some(text) => root.loaded.upsert_to(&rel, &text, Depth::Facts),
            None => root.loaded.workspace.remove(&rel),
        }
        root.loaded.workspace.refresh();
    }

    /// A closed document goes back to what is on disk.
    pub fn forget_document(&self, uri: &Uri, path: Option<&Path>) {
        self.published.remove(uri);
        if let Some(path) = path {
            self.reload_file(path);
        }
    }

    /// Compiles the built-in queries a document will need while the
    /// workspace is still being indexed (start-up only).
    pub fn warm_queries(&self, uri: &Uri) {
        let Some(snapshot) = self.docs.snapshot(uri) else {
            return;
        };
        if let Some(kind) = snapshot.kind {
            RuleSet::builtin().warm_queries(kind.languages(), &snapshot.text);
        }
    }

    /// Analyses a document snapshot: incremental parse, engine analysis,
    /// workspace refresh, diagnostics. Returns `None` when the document is
    /// not a file Nudge reads. `changed_facts` tells whether other open
    /// documents may need new diagnostics.
    pub fn analyze(&self, snapshot: Snapshot) -> Option<(Published, bool)> {
        let path = snapshot.path.clone()?;
        let kind = snapshot.kind?;
        let text: &str = &snapshot.text;
        fault_injection(text);
        // Analysis runs without holding the roots lock; only the merge does.
        let (rel, rules, config, excluded, known_context, previous) = {
            let mut roots = self.roots();
            let index = Shared::root_index(&mut roots, &path);
            let root = &roots[index];
            let rel = relative_slash_path(&root.dir, &path);
            let excluded = root.loaded.is_excluded(&rel);
            let known_context = root.loaded.workspace.context_of(&rel).map(|c| c.kind);
            let previous = root.loaded.workspace.analysis_shared(&rel);
            (
                rel.clone(),
                root.loaded.rules.clone(),
                root.loaded.config_for(&rel),
                excluded,
                known_context,
                previous,
            )
        };
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        let skipped = config.limits.skip_reason(name, text.as_bytes());
        if excluded || skipped.is_some() {
            let mut roots = self.roots();
            let index = Shared::root_index(&mut roots, &path);
            roots[index].loaded.workspace.remove(&rel);
            let mut published = self.empty_published(&snapshot);
            if let Some(reason) = skipped {
                // One quiet notice instead of parsing a bundle on every keystroke.
                published.diagnostics.push(to_lsp::skipped_notice(&reason));
                published.skipped = true;
            }
            return Some((published, true));
        }
        // Whether the tree grew from the document's previous one, so the
        // two can be compared to find what an edit changed.
        let mut tree_reused = false;
        let views = match kind {
            FileKind::Plain(language) if language.grammar().is_some() => {
                let deadline = Deadline::for_file(&config.limits);
                let Some((tree, reused)) = reparse_until(language, text, snapshot.tree.as_ref(), deadline) else {
                    let mut published = self.empty_published(&snapshot);
                    let reason = format!(
                        "took longer than {} ms to parse (limits.max_ms_per_file)",
                        config.limits.max_millis_per_file
                    );
                    published.diagnostics.push(to_lsp::skipped_notice(&reason));
                    published.skipped = true;
                    return Some((published, false));
                };
                tree_reused = reused;
                self.docs.store_tree(&snapshot.uri, snapshot.version, tree.clone());
                vec![ParsedView {
                    language,
                    tree,
                    text: snapshot.text.clone(),
                }]
            }
            _ => parse_views(kind, text),
        };
        let input = FileInput {
            path: &rel,
            text,
            config: &config,
        };
        // Fastest: re-run rules only over the statements this edit touched,
        // when the previous analysis is of the tree this parse started from.
        let incremental = match (
            known_context,
            &previous,
            snapshot.tree_version,
            snapshot.tree.as_ref(),
            views.first(),
        ) {
            (Some(context), Some(previous), Some(tree_version), Some(old_tree), Some(view))
                if previous.source_version == Some(tree_version) && tree_reused =>
            {
                reanalyze_incremental(previous, &snapshot.edits, old_tree, &input, view, &rules, context)
            }
            _ => None,
        };
        // Otherwise only rules that apply in the file's context run, unless
        // this edit may change the context itself (directives or imports).
        let mut analysis = match (incremental, known_context) {
            (Some(analysis), _) => analysis,
            (None, Some(context)) => {
                let candidate = analyze_parsed_in_context(&input, Some(kind), &views, &rules, context);
                let same_inputs = previous.as_ref().is_some_and(|previous| {
                    previous.facts.imports == candidate.facts.imports && previous.directives == candidate.directives
                });
                if same_inputs {
                    candidate
                } else {
                    analyze_parsed(&input, Some(kind), &views, &rules)
                }
            }
            (None, None) => analyze_parsed(&input, Some(kind), &views, &rules),
        };
        analysis.source_version = Some(snapshot.version);
        let suppressions = analysis.suppressions.clone();
        let line_index = Arc::new(analysis.line_index.clone());
        let mut roots = self.roots();
        let index = Shared::root_index(&mut roots, &path);
        let root = &mut roots[index];
        // Other files only see imports, directives and SQL facts; when those
        // are unchanged (most keystrokes), the workspace model stays as is.
        let changed_facts = root
            .loaded
            .workspace
            .analysis(&rel)
            .is_none_or(|previous| !same_shared_facts(previous, &analysis));
        // Only the newest version may enter the workspace.
        if self.docs.version(&snapshot.uri) == Some(snapshot.version) {
            if changed_facts && rel.ends_with(".sql") {
                // The proof was of the SQL as it was.
                root.proven = None;
            }
            root.loaded.workspace.upsert(analysis, config);
            if changed_facts {
                root.loaded.workspace.refresh();
            }
        }
        let published = self.publishable(
            root,
            &rel,
            snapshot.version,
            snapshot.text.clone(),
            line_index,
            suppressions,
            Some(&views),
        );
        Some((published, changed_facts))
    }

    fn empty_published(&self, snapshot: &Snapshot) -> Published {
        Published {
            version: snapshot.version,
            text: snapshot.text.clone(),
            index: Arc::new(LineIndex::new(&snapshot.text)),
            findings: Vec::new(),
            diagnostics: Vec::new(),
            suppressions: Vec::new(),
            reason: None,
            views: Vec::new(),
            language: None,
            skipped: false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn publishable(
        &self,
        root: &Root,
        rel: &str,
        version: i32,
        text: Arc<str>,
        index: Arc<LineIndex>,
        suppressions: Vec<Suppression>,
        views: Option<&[ParsedView]>,
    ) -> Published {
        let settings = self.settings();
        let findings: Vec<Finding> = root
            .loaded
            .workspace
            .findings(rel, &root.loaded.rules)
            .into_iter()
            .filter_map(|f| settings.adjust(f))
            .filter_map(|f| match &root.proven {
                Some(proven) => proven.adjust(f),
                None => Some(f),
            })
            .collect();
        let at = TextRef {
            text: &text,
            index: &index,
            encoding: self.encoding(),
        };
        let language = root.loaded.workspace.analysis(rel).and_then(|a| a.language());
        let dir = root.dir.clone();
        let related_uri = move |p: &Path| Uri::from_file_path(dir.join(p));
        let mut diagnostics: Vec<Diagnostic> = findings
            .iter()
            .map(|f| to_lsp::diagnostic(&at, f, &related_uri))
            .collect();
        if root.loaded.workspace.analysis(rel).is_some_and(|a| a.cut_short) {
            let budget = root.loaded.config_for(rel).limits.max_millis_per_file;
            diagnostics.push(to_lsp::incomplete_notice(budget));
        }
        let reason = root.loaded.workspace.context_of(rel).map(|c| c.reason.clone());
        Published {
            version,
            text,
            index,
            findings,
            diagnostics,
            suppressions,
            reason,
            views: views.map(<[ParsedView]>::to_vec).unwrap_or_default(),
            language,
            skipped: false,
        }
    }

    /// The "ignore here" edit for one of a document's published
    /// diagnostics, computed when actions are asked for rather than for
    /// every diagnostic on every keystroke.
    pub fn ignore_edit(&self, uri: &Uri, diagnostic: &Diagnostic) -> Option<TextEdit> {
        let published = self.published.get(uri)?;
        let language = published.language?;
        let rule = diagnostic.data.as_ref()?.get("rule")?.as_str()?;
        let encoding = self.encoding();
        let start = from_lsp::offset(&published.text, &published.index, diagnostic.range.start, encoding);
        let at = TextRef {
            text: &published.text,
            index: &published.index,
            encoding,
        };
        Some(actions::ignore_edit(&at, language, &published.views, rule, start))
    }

    /// Fresh diagnostics for an open document from the current workspace,
    /// without re-parsing (another file changed).
    pub fn republish(&self, uri: &Uri) -> Option<Published> {
        let previous = self.published.get(uri).map(|p| p.clone())?;
        let snapshot = self.docs.snapshot(uri)?;
        if snapshot.version != previous.version || previous.skipped {
            // A skipped document's notice does not depend on other files.
            return None;
        }
        if self.context_changed_since_analysis(&snapshot) {
            // Rules of the new context never ran on this document: analyse it again.
            return self.analyze(snapshot).map(|(published, _)| published);
        }
        let path = snapshot.path.clone()?;
        let mut roots = self.roots();
        let index = Shared::root_index(&mut roots, &path);
        let root = &roots[index];
        let rel = relative_slash_path(&root.dir, &path);
        let views = match (snapshot.kind, snapshot.tree) {
            (Some(FileKind::Plain(language)), Some(tree)) => vec![ParsedView {
                language,
                tree,
                text: snapshot.text.clone(),
            }],
            _ => Vec::new(),
        };
        Some(self.publishable(
            root,
            &rel,
            previous.version,
            previous.text,
            previous.index,
            previous.suppressions,
            Some(&views),
        ))
    }

    fn context_changed_since_analysis(&self, snapshot: &Snapshot) -> bool {
        let Some(path) = snapshot.path.as_deref() else {
            return false;
        };
        let mut roots = self.roots();
        let index = Shared::root_index(&mut roots, path);
        let root = &roots[index];
        let rel = relative_slash_path(&root.dir, path);
        let Some(analysis) = root.loaded.workspace.analysis(&rel) else {
            return false;
        };
        // A re-index holds only the facts of open documents until they are
        // analysed again; treat that like a changed context.
        if analysis.source_version != Some(snapshot.version) {
            return true;
        }
        let now = root.loaded.workspace.context_of(&rel).map(|c| c.kind);
        analysis.analyzed_for.is_some() && analysis.analyzed_for != now
    }

    /// Writes a report for the client to open: a new file, owner-only, in
    /// a directory of its own with a random name, never through a link a
    /// stranger planted in the shared temp directory.
    pub fn write_report(&self, markdown: &str) -> Option<PathBuf> {
        let mut reports = lock(&self.reports);
        if reports.is_none() {
            *reports = crate::files::private_dir("nudge-reports-")
                .map_err(|e| tracing::warn!("no private directory for reports: {e}"))
                .ok();
        }
        let dir = reports.as_ref()?.path();
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let name = format!("security-check-{seconds}.md");
        crate::files::write_new_private(dir, &name, markdown.as_bytes())
            .map_err(|e| tracing::warn!("could not write the report: {e}"))
            .ok()
    }

    /// Removes the reports written this session.
    pub fn remove_reports(&self) {
        drop(lock(&self.reports).take());
    }

    /// The rules in force for a file: its workspace folder's.
    pub fn rules_for(&self, path: &Path) -> RuleSet {
        let mut roots = self.roots();
        let index = Shared::root_index(&mut roots, path);
        roots[index].loaded.rules.clone()
    }

    /// Whether `path` lies inside a workspace folder the client named.
    pub fn in_client_root(&self, path: &Path) -> bool {
        self.roots().iter().any(|r| r.from_client && path.starts_with(&r.dir))
    }

    /// The root directory and workspace-relative path of a file.
    pub fn locate(&self, path: &Path) -> (PathBuf, String) {
        let mut roots = self.roots();
        let index = Shared::root_index(&mut roots, path);
        let dir = roots[index].dir.clone();
        let rel = relative_slash_path(&dir, path);
        (dir, rel)
    }
}

/// Whether two analyses of a file agree on everything other files depend on:
/// the import graph, directives and migration facts.
fn same_shared_facts(a: &crate::engine::analysis::FileAnalysis, b: &crate::engine::analysis::FileAnalysis) -> bool {
    a.facts.imports == b.facts.imports
        && a.directives == b.directives
        && a.facts.sql == b.facts.sql
        && a.facts.mentions_supabase == b.facts.mentions_supabase
}

/// Test hook for failure isolation: when `NUDGE_TEST_PANIC_MARKER` is set,
/// analysing a document that contains its value panics.
fn fault_injection(text: &str) {
    if let Some(marker) = std::env::var_os("NUDGE_TEST_PANIC_MARKER") {
        let marker = marker.to_string_lossy();
        if !marker.is_empty() && text.contains(marker.as_ref()) {
            // Quotes the document, as a slicing or parsing panic would, so
            // tests can check that no panic report shows file contents.
            panic!("injected fault: document contains the test panic marker: {text}");
        }
    }
}

static LOG_RELOAD: OnceLock<reload::Handle<EnvFilter, tracing_subscriber::Registry>> = OnceLock::new();

/// The log filter for a level or directive list, with the transport's
/// message dumps always off: they hold whole documents, secrets included
/// (found by the masking test).
fn log_filter(level: &str) -> EnvFilter {
    EnvFilter::new(format!("{level},tower_lsp_server::codec=off"))
}

/// Logs go to stderr only: stdout carries the protocol.
pub fn init_logging() {
    let level = std::env::var("NUDGE_LOG").unwrap_or_else(|_| "info".to_string());
    let (filter, handle) = reload::Layer::new(log_filter(&level));
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false),
        )
        .try_init();
    if installed.is_ok() {
        let _ = LOG_RELOAD.set(handle);
    }
}

/// Changes the log level at run time (from client settings).
pub fn set_log_level(level: &str) {
    if let Some(handle) = LOG_RELOAD.get() {
        let _ = handle.modify(|filter| *filter = log_filter(level));
    }
}
