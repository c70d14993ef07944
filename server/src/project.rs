//! From files to a [`Workspace`]: walking a directory, reading
//! `package.json` and `.nudge.toml`, loading user rules, and analysing every
//! file in parallel. The same path serves disk scans, rule examples and
//! tests (which pass files held in memory).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;

use crate::engine::analysis::{FileAnalysis, add_candidates, analyze_facts, analyze_lexical, may_need_second_stage};
use crate::engine::config::CONFIG_FILE_NAME;
use crate::engine::context::Framework;
use crate::engine::language::file_kind;
use crate::engine::{Config, ConfigError, FileInput, Limits, ProjectInfo, RuleSet, Workspace, analyze_file};
use crate::files;

/// One file's text with its workspace-relative path (`/`-separated).
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

#[derive(Deserialize, Default)]
struct PackageJson {
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
}

/// Reads the frameworks a `package.json` depends on. A manifest that does
/// not parse yields a project with no frameworks, plus the reason.
pub fn project_info(root: &str, text: &str) -> (ProjectInfo, Option<String>) {
    let (manifest, problem) = match serde_json::from_str::<PackageJson>(text) {
        Ok(m) => (m, None),
        Err(e) => (PackageJson::default(), Some(format!("not valid JSON ({e})"))),
    };
    // Server frameworks count only as runtime dependencies: libraries list
    // them as dev dependencies for their own tests.
    let mut frameworks: Vec<Framework> = manifest
        .dependencies
        .keys()
        .filter_map(|d| Framework::from_dependency(d))
        .chain(
            manifest
                .dev_dependencies
                .keys()
                .filter_map(|d| Framework::from_dependency(d))
                .filter(|f| *f != Framework::Express),
        )
        .collect();
    frameworks.dedup();
    // A Next.js or SvelteKit app lists Vite or Express only as tooling.
    if frameworks.contains(&Framework::Next)
        || frameworks.contains(&Framework::SvelteKit)
        || frameworks.contains(&Framework::Nuxt)
        || frameworks.contains(&Framework::Remix)
    {
        frameworks.retain(|f| !matches!(f, Framework::Vite));
    }
    let uses_supabase = manifest
        .dependencies
        .keys()
        .chain(manifest.dev_dependencies.keys())
        .any(|d| d.starts_with("@supabase/") || d == "supabase");
    (
        ProjectInfo {
            root: root.to_string(),
            frameworks,
            uses_supabase,
        },
        problem,
    )
}

/// The `.nudge.toml` files of a workspace, by directory.
#[derive(Default)]
pub struct ConfigIndex {
    by_dir: BTreeMap<String, Arc<Config>>,
    /// A configuration found above the workspace root, if any.
    outer: Option<Arc<Config>>,
    default: Arc<Config>,
}

impl ConfigIndex {
    /// The configuration governing `path`: the nearest `.nudge.toml` above it.
    pub fn for_path(&self, path: &str) -> Arc<Config> {
        self.lookup(path).0
    }

    /// The governing configuration and `path` relative to its directory.
    fn lookup<'a>(&self, path: &'a str) -> (Arc<Config>, &'a str) {
        let mut dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        loop {
            if let Some(config) = self.by_dir.get(dir) {
                let rel = if dir.is_empty() { path } else { &path[dir.len() + 1..] };
                return (config.clone(), rel);
            }
            if dir.is_empty() {
                let config = self.outer.clone().unwrap_or_else(|| self.default.clone());
                return (config, path);
            }
            dir = dir.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        }
    }

    /// Whether the governing configuration excludes `path`.
    fn excludes(&self, path: &str) -> bool {
        let (config, rel) = self.lookup(path);
        config.is_excluded(Path::new(rel))
    }
}

/// A workspace ready for findings, with what was noticed while loading it.
pub struct LoadedWorkspace {
    /// The directory the workspace was read from (empty when in memory).
    pub root: PathBuf,
    pub workspace: Workspace,
    pub rules: RuleSet,
    pub configs: ConfigIndex,
    /// One-line notes: skipped files, manifests that do not parse.
    pub notes: Vec<String>,
}

impl LoadedWorkspace {
    /// An empty workspace with the built-in rules, for files outside any
    /// indexed folder.
    pub fn empty(rules: RuleSet) -> LoadedWorkspace {
        let mut workspace = Workspace::new();
        workspace.set_rules(&rules);
        LoadedWorkspace {
            root: PathBuf::new(),
            workspace,
            rules,
            configs: ConfigIndex::default(),
            notes: Vec::new(),
        }
    }

    /// The configuration governing a workspace-relative path.
    pub fn config_for(&self, path: &str) -> Arc<Config> {
        self.configs.for_path(path)
    }

    /// Whether configuration excludes a workspace-relative path.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.configs.excludes(path)
    }

    /// Analyses one file's text and puts it into the workspace (not yet
    /// refreshed); excluded files are removed instead.
    pub fn upsert_text(&mut self, path: &str, text: &str) {
        self.upsert_to(path, text, Depth::Findings);
    }

    /// [`LoadedWorkspace::upsert_text`] to the given depth.
    pub fn upsert_to(&mut self, path: &str, text: &str, depth: Depth) {
        if file_kind(Path::new(path)).is_none() || self.is_excluded(path) {
            self.workspace.remove(path);
            return;
        }
        let config = self.config_for(path);
        let input = FileInput {
            path,
            text,
            config: &config,
        };
        let analysis = match depth {
            Depth::Findings => analyze_file(&input, &self.rules),
            Depth::Facts => analyze_facts(&input, &self.rules),
        };
        self.workspace.upsert(analysis, config);
    }
}

/// Builds a workspace from files held in memory. `.nudge.toml` and
/// `package.json` entries among them configure the rest.
pub fn build_workspace(
    files: Vec<SourceFile>,
    rules: RuleSet,
    outer_config: Option<Config>,
) -> Result<LoadedWorkspace, ConfigError> {
    let texts: HashMap<String, String> = files.into_iter().map(|f| (f.path, f.text)).collect();
    let mut paths: Vec<String> = texts.keys().cloned().collect();
    paths.sort();
    build_workspace_from(&paths, &texts, rules, outer_config, Depth::Findings)
}

/// How far a load goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Every file's candidates: what `nudge check` reports.
    Findings,
    /// Only the facts files share (imports, directives, SQL model); no rule
    /// runs. A language server reports on open documents only, and analyses
    /// those itself.
    Facts,
}

/// Where a loader gets a file's text: memory, or the disk read on demand.
pub trait TextSource: Sync {
    /// The text of a workspace-relative path, or a one-line note saying why
    /// it was skipped.
    fn text(&self, path: &str, limits: &Limits) -> Result<Cow<'_, str>, String>;
}

impl TextSource for HashMap<String, String> {
    fn text(&self, path: &str, limits: &Limits) -> Result<Cow<'_, str>, String> {
        let text = self
            .get(path)
            .ok_or_else(|| format!("{path}: skipped, no longer there"))?;
        let name = path.rsplit('/').next().unwrap_or(path);
        match limits.skip_reason(name, text.as_bytes()) {
            Some(reason) => Err(format!("{path}: skipped, it {reason}")),
            None => Ok(Cow::Borrowed(text)),
        }
    }
}

/// Files read from under a root as they are needed, so a scan holds one
/// file's text per thread rather than the whole tree's.
struct DiskTexts<'a> {
    root: &'a Path,
}

impl TextSource for DiskTexts<'_> {
    fn text(&self, path: &str, limits: &Limits) -> Result<Cow<'_, str>, String> {
        read_source(self.root, &self.root.join(path), limits).map(|f| Cow::Owned(f.text))
    }
}

/// A file after the first stage: its analysis, its configuration, and
/// whether the second stage may need to parse it.
type FirstStage = (FileAnalysis, Arc<Config>, bool);

/// Builds a workspace from `paths` (workspace-relative, sorted), reading
/// each through `texts`. Quiet files keep only their facts; the files the
/// second stage may parse are read again then rather than held.
pub fn build_workspace_from(
    paths: &[String],
    texts: &dyn TextSource,
    rules: RuleSet,
    outer_config: Option<Config>,
    depth: Depth,
) -> Result<LoadedWorkspace, ConfigError> {
    let mut configs = ConfigIndex {
        outer: outer_config.map(Arc::new),
        ..ConfigIndex::default()
    };
    let mut notes = Vec::new();
    let mut workspace = Workspace::new();
    workspace.set_rules(&rules);
    for path in paths {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        if let Some(project) = supabase_config_root(path) {
            match texts.text(path, &Limits::default()) {
                Ok(text) => workspace.set_supabase_project(&project, api_schemas(&text)),
                Err(note) => notes.push(note),
            }
            continue;
        }
        if name != CONFIG_FILE_NAME && name != "package.json" {
            continue;
        }
        let text = match texts.text(path, &Limits::default()) {
            Ok(text) => text,
            // Ignoring configuration would change results unnoticed.
            Err(note) if name == CONFIG_FILE_NAME => {
                return Err(ConfigError {
                    path: PathBuf::from(path),
                    line: None,
                    message: format!(
                        "cannot be read: {}",
                        note.split_once(": skipped, ").map_or(note.as_str(), |(_, why)| why)
                    ),
                });
            }
            Err(note) => {
                notes.push(note);
                continue;
            }
        };
        if name == CONFIG_FILE_NAME {
            let config = Config::parse(Path::new(path), &text)?;
            check_rule_ids(&config, &rules, path, &text)?;
            configs.by_dir.insert(dir.to_string(), Arc::new(config));
        } else {
            let (info, problem) = project_info(dir, &text);
            if let Some(problem) = problem {
                notes.push(format!(
                    "{path}: {problem}; framework conventions are not applied there"
                ));
            }
            workspace.set_project(info);
        }
    }
    if let Some(outer) = &configs.outer {
        check_rule_ids(
            outer,
            &rules,
            &outer.root.join(CONFIG_FILE_NAME).display().to_string(),
            "",
        )?;
    }
    // Stage one: facts, directives and SQL without parsing JavaScript.
    let staged_one: Vec<Result<FirstStage, String>> = paths
        .par_iter()
        .filter(|path| file_kind(Path::new(path.as_str())).is_some())
        .filter_map(|path| {
            let (config, rel) = configs.lookup(path);
            if config.is_excluded(Path::new(rel)) {
                return None;
            }
            let text = match texts.text(path, &config.limits) {
                Ok(text) => text,
                Err(note) => return Some(Err(note)),
            };
            let input = FileInput {
                path,
                text: &text,
                config: &config,
            };
            if depth == Depth::Facts {
                let mut analysis = analyze_facts(&input, &rules);
                analysis.shed_text_if_quiet();
                return Some(Ok((analysis, config, false)));
            }
            let mut analysis = analyze_lexical(&input, &rules);
            let second_stage = may_need_second_stage(analysis.kind, &text, &rules);
            analysis.shed_text_if_quiet();
            Some(Ok((analysis, config, second_stage)))
        })
        .collect();
    let mut second_stage = HashSet::new();
    for item in staged_one {
        match item {
            Ok((analysis, config, needs_second)) => {
                if needs_second {
                    second_stage.insert(analysis.path.clone());
                }
                workspace.upsert(analysis, config);
            }
            Err(note) => notes.push(note),
        }
    }
    workspace.refresh();
    // Stage two: with contexts known, parse only files that a rule live for
    // their text can reach in their context.
    let staged: Vec<(String, FileAnalysis)> = paths
        .par_iter()
        .filter(|path| second_stage.contains(path.as_str()))
        .filter_map(|path| {
            let analysis = workspace.analysis(path)?;
            let config = configs.for_path(path);
            let text = texts.text(path, &config.limits).ok()?;
            let context = workspace.context_of(path)?.kind;
            let input = FileInput {
                path,
                text: &text,
                config: &config,
            };
            let mut updated = analysis.clone();
            if !add_candidates(&mut updated, &input, &rules, context) {
                return None;
            }
            updated.shed_text_if_quiet();
            Some((path.to_string(), updated))
        })
        .collect();
    for (path, analysis) in staged {
        let config = configs.for_path(&path);
        workspace.upsert(analysis, config);
    }
    for path in workspace.paths() {
        if workspace.analysis(path).is_some_and(|a| a.cut_short) {
            let budget = configs.for_path(path).limits.max_millis_per_file;
            notes.push(format!(
                "{path}: analysis stopped after {budget} ms (limits.max_ms_per_file); findings there may be incomplete"
            ));
        }
    }
    Ok(LoadedWorkspace {
        root: PathBuf::new(),
        workspace,
        rules,
        configs,
        notes,
    })
}

/// For `X/supabase/config.toml`, the project directory `X`.
fn supabase_config_root(path: &str) -> Option<String> {
    let dir = path.strip_suffix("supabase/config.toml")?;
    if !dir.is_empty() && !dir.ends_with('/') {
        return None;
    }
    Some(dir.trim_end_matches('/').to_string())
}

/// `[api] schemas = [...]` of a `supabase/config.toml`: the schemas the
/// project's API serves. `None` when it does not say (or does not parse:
/// the CLI's own defaults then apply).
fn api_schemas(text: &str) -> Option<Vec<String>> {
    let value: toml::Table = text.parse().ok()?;
    let schemas = value.get("api")?.get("schemas")?.as_array()?;
    Some(
        schemas
            .iter()
            .filter_map(|s| s.as_str())
            .map(|s| s.to_ascii_lowercase())
            .collect(),
    )
}

fn check_rule_ids(config: &Config, rules: &RuleSet, path: &str, text: &str) -> Result<(), ConfigError> {
    for id in config.configured_rule_ids() {
        if rules.get(id).is_none() {
            let line = text
                .find(&format!("\"{id}\""))
                .or_else(|| text.find(id))
                .map(|o| text[..o].matches('\n').count() + 1);
            return Err(ConfigError {
                path: PathBuf::from(path),
                line,
                message: format!("unknown rule `{id}` (see `nudge rules`)"),
            });
        }
    }
    Ok(())
}

/// Directories never worth walking: dependencies, build output, caches.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".output",
    ".vercel",
    ".netlify",
    ".turbo",
    ".cache",
    "dist",
    "build",
    "out",
    "coverage",
    "vendor",
    ".expo",
    "target",
    ".yarn",
    ".pnpm-store",
];

/// Walks `root` and builds its workspace. Config errors stop the scan;
/// everything else (unreadable, binary, huge or minified files) becomes a
/// note and the rest goes on.
pub fn load_dir(root: &Path) -> Result<LoadedWorkspace, ConfigError> {
    load_dir_with(root, true)
}

/// [`load_dir`] with the keyword prefilter on or off (off only to check that
/// it changes no finding).
pub fn load_dir_with(root: &Path, prefilter: bool) -> Result<LoadedWorkspace, ConfigError> {
    load_dir_to(root, prefilter, Depth::Findings)
}

/// [`load_dir`] to the given depth.
pub fn load_dir_to(root: &Path, prefilter: bool, depth: Depth) -> Result<LoadedWorkspace, ConfigError> {
    let TreePaths {
        paths,
        ignored,
        mut notes,
    } = walk_tree(root);
    let mut rules = RuleSet::builtin();
    let mut outer_config = None;
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for dir in ancestors_to_repo_root(root) {
        add_rule_dir(&mut rules, &dir.join(".nudge").join("rules"));
        if dir != canonical_root && outer_config.is_none() {
            let candidate = dir.join(CONFIG_FILE_NAME);
            match files::read_optional_settings(&candidate) {
                Ok(Some(text)) => outer_config = Some(Config::parse(&candidate, &text)?),
                Ok(None) => {}
                Err(why) => {
                    return Err(ConfigError {
                        path: candidate,
                        line: None,
                        message: format!("cannot be read: {why}"),
                    });
                }
            }
        }
    }
    if !prefilter {
        rules = rules.without_prefilter();
    }
    let mut loaded = build_workspace_from(&paths, &DiskTexts { root }, rules, outer_config, depth)?;
    for path in &ignored {
        loaded.workspace.set_git_ignored(path, true);
    }
    loaded.root = root.to_path_buf();
    notes.append(&mut loaded.notes);
    loaded.notes = notes;
    Ok(loaded)
}

/// Adds the `*.toml` rules of a directory (`.nudge/rules/`), in name
/// order. Files that cannot be read or do not load become rule errors
/// naming the file; the rest load.
pub fn add_rule_dir(rules: &mut RuleSet, dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let sources = paths
        .into_iter()
        .map(|path| {
            let text = files::read_text(&path, files::MAX_SETTINGS_BYTES).map_err(|why| why.to_string());
            (path, text)
        })
        .collect();
    rules.add_sources(sources);
}

/// The analysable files of a directory, read into memory.
pub struct TreeFiles {
    pub files: Vec<SourceFile>,
    /// Workspace-relative paths of files git ignores (local `.env` files).
    pub ignored: Vec<String>,
    /// One-line notes about skipped files.
    pub notes: Vec<String>,
}

/// The analysable files of a directory, not yet read.
pub struct TreePaths {
    /// Workspace-relative, `/`-separated, sorted.
    pub paths: Vec<String>,
    /// Workspace-relative paths of files git ignores (local `.env` files).
    pub ignored: Vec<String>,
    /// One-line notes about entries the walk could not read.
    pub notes: Vec<String>,
}

/// Walks `root` and reads what Nudge analyses (see [`walk_tree`]), skipping
/// binary, minified and huge files with a note.
pub fn read_tree(root: &Path) -> TreeFiles {
    let TreePaths {
        paths,
        ignored,
        mut notes,
    } = walk_tree(root);
    let read: Vec<Result<SourceFile, String>> = paths
        .par_iter()
        .map(|p| read_source(root, &root.join(p), &Limits::default()))
        .collect();
    let mut files = Vec::new();
    for item in read {
        match item {
            Ok(file) => files.push(file),
            Err(note) => notes.push(note),
        }
    }
    TreeFiles { files, ignored, notes }
}

/// `.gitignore` files (and `.git/info/exclude`), read with the same care
/// as every other file and cached per directory. The walker's own ignore
/// handling would open a FIFO placed at `.gitignore` and wait forever.
struct IgnoreFiles {
    /// The repository's top directory; ignore files apply only inside one,
    /// as git's do.
    repo_root: Option<PathBuf>,
    /// The scanned directory, for naming files in notes.
    scan_root: PathBuf,
    by_dir: std::sync::Mutex<HashMap<PathBuf, Option<Arc<ignore::gitignore::Gitignore>>>>,
    notes: std::sync::Mutex<Vec<String>>,
}

impl IgnoreFiles {
    fn new(scan_root: &Path) -> IgnoreFiles {
        let absolute = scan_root.canonicalize().unwrap_or_else(|_| scan_root.to_path_buf());
        let repo_root = absolute
            .ancestors()
            .find(|d| d.join(".git").exists())
            .map(Path::to_path_buf);
        IgnoreFiles {
            repo_root,
            scan_root: absolute,
            by_dir: std::sync::Mutex::new(HashMap::new()),
            notes: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The rules of one directory's ignore files, read once.
    fn rules_of(&self, dir: &Path) -> Option<Arc<ignore::gitignore::Gitignore>> {
        if let Some(cached) = Self::lock(&self.by_dir).get(dir) {
            return cached.clone();
        }
        let mut files = vec![dir.join(".gitignore")];
        if Some(dir) == self.repo_root.as_deref() {
            files.push(dir.join(".git").join("info").join("exclude"));
        }
        let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
        let mut any = false;
        for file in files {
            match files::read_optional_settings(&file) {
                Ok(Some(text)) => {
                    for line in text.lines() {
                        // A bad pattern is skipped, as git does.
                        let _ = builder.add_line(None, line);
                    }
                    any = true;
                }
                Ok(None) => {}
                Err(why) => {
                    let shown = file.strip_prefix(&self.scan_root).unwrap_or(&file);
                    Self::lock(&self.notes).push(format!(
                        "{}: skipped, {why}; its ignore patterns are not applied",
                        shown.display()
                    ));
                }
            }
        }
        let rules = if any { builder.build().ok().map(Arc::new) } else { None };
        Self::lock(&self.by_dir).insert(dir.to_path_buf(), rules.clone());
        rules
    }

    /// Whether the nearest ignore file with an opinion ignores `path`.
    fn ignores(&self, path: &Path, is_dir: bool) -> bool {
        let Some(repo_root) = self.repo_root.as_deref() else {
            return false;
        };
        let mut dir = path.parent();
        while let Some(current) = dir {
            if !current.starts_with(repo_root) {
                break;
            }
            if let Some(rules) = self.rules_of(current) {
                match rules.matched(path, is_dir) {
                    ignore::Match::Ignore(_) => return true,
                    ignore::Match::Whitelist(_) => return false,
                    ignore::Match::None => {}
                }
            }
            dir = current.parent();
        }
        false
    }
}

/// Whether a directory entry is a file Nudge may read: a regular file, or a
/// link to one inside the project (a link out of it, to a home directory's
/// credentials say, is not followed). The reason otherwise.
fn readable_entry(path: &Path, file_type: std::fs::FileType, root: &Path) -> Result<(), String> {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_file() {
        return Ok(());
    }
    if !file_type.is_symlink() {
        let kind = if file_type.is_fifo() {
            "a FIFO"
        } else if file_type.is_socket() {
            "a socket"
        } else {
            "a device"
        };
        return Err(format!("it is not a regular file ({kind})"));
    }
    let target = std::fs::canonicalize(path).map_err(|_| "it is a broken link".to_string())?;
    let meta = std::fs::metadata(&target).map_err(|_| "it is a broken link".to_string())?;
    if !meta.is_file() {
        let kind = if meta.file_type().is_char_device() || meta.file_type().is_block_device() {
            "a link to a device"
        } else if meta.file_type().is_fifo() {
            "a link to a FIFO"
        } else {
            "a link to something that is not a file"
        };
        return Err(format!("it is not a regular file ({kind})"));
    }
    if !target.starts_with(root) {
        return Err("it links outside the project".to_string());
    }
    Ok(())
}

/// Walks `root` (respecting `.gitignore`, skipping dependencies and build
/// output) and lists what Nudge analyses, plus the `.env` files next to
/// each project root.
pub fn walk_tree(root: &Path) -> TreePaths {
    let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
    let absolute_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let ignores = Arc::new(IgnoreFiles::new(root));
    let filter = ignores.clone();
    let walker = ignore::WalkBuilder::new(&absolute_root)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            let name = entry.file_name().to_str().unwrap_or("");
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && SKIPPED_DIRS.contains(&name) {
                return false;
            }
            entry.depth() == 0 || !filter.ignores(entry.path(), is_dir)
        })
        .build();
    let mut notes = Vec::new();
    let mut manifest_dirs: BTreeSet<PathBuf> = BTreeSet::from([absolute_root.clone()]);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                notes.push(format!("skipped: {e}"));
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            continue;
        }
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let supabase_config = name == "config.toml" && path.parent().is_some_and(|p| p.ends_with("supabase"));
        let wanted = name == "package.json" || name == CONFIG_FILE_NAME || supabase_config || file_kind(path).is_some();
        if !wanted {
            continue;
        }
        // A configuration that cannot be read is an error, raised where it
        // is read; everything else unreadable is a note here.
        if name != CONFIG_FILE_NAME
            && let Err(why) = readable_entry(path, file_type, &absolute_root)
        {
            notes.push(format!("{}: skipped, {why}", relative_slash_path(&absolute_root, path)));
            continue;
        }
        if name == "package.json" {
            manifest_dirs.insert(path.parent().unwrap_or(&absolute_root).to_path_buf());
        }
        paths.insert(path.to_path_buf());
    }
    notes.append(&mut IgnoreFiles::lock(&ignores.notes));
    // `.env` files are usually git-ignored, yet public-prefixed values in
    // them still ship to the browser: read them next to each project root.
    let walked = paths.clone();
    for dir in &manifest_dirs {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_str().unwrap_or("");
                let is_env = name == ".env" || name.starts_with(".env.");
                let Ok(file_type) = entry.file_type() else {
                    continue;
                };
                if !is_env || file_type.is_dir() {
                    continue;
                }
                match readable_entry(&entry.path(), file_type, &absolute_root) {
                    Ok(()) => {
                        paths.insert(entry.path());
                    }
                    Err(why) => notes.push(format!(
                        "{}: skipped, {why}",
                        relative_slash_path(&absolute_root, &entry.path())
                    )),
                }
            }
        }
    }
    let ignored: Vec<String> = paths
        .difference(&walked)
        .map(|p| relative_slash_path(&absolute_root, p))
        .collect();
    let paths = paths.iter().map(|p| relative_slash_path(&absolute_root, p)).collect();
    TreePaths { paths, ignored, notes }
}

/// `root` and its ancestors up to the one holding `.git` (inclusive).
fn ancestors_to_repo_root(root: &Path) -> Vec<PathBuf> {
    let absolute = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut out = Vec::new();
    for dir in absolute.ancestors() {
        out.push(dir.to_path_buf());
        if dir.join(".git").exists() {
            break;
        }
    }
    if out.iter().all(|d| !d.join(".git").exists()) {
        out.truncate(1);
    }
    out
}

/// Reads one file for analysis, or says in one line why not (unreadable,
/// not a regular file, over the limits, binary, minified).
pub fn read_source(root: &Path, path: &Path, limits: &Limits) -> Result<SourceFile, String> {
    let rel = relative_slash_path(root, path);
    let bytes = files::read_bytes(path, limits.max_file_bytes).map_err(|why| match why {
        files::ReadError::TooLarge { .. } => format!("{rel}: skipped, it {}", limits.too_large()),
        other => format!("{rel}: skipped, {other}"),
    })?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(reason) = limits.skip_reason(name, &bytes) {
        return Err(format!("{rel}: skipped, it {reason}"));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            // Analyse what is readable rather than losing the whole file.
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    Ok(SourceFile { path: rel, text })
}

/// `path` relative to `root`, `/`-separated.
pub fn relative_slash_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frameworks_from_package_json() {
        let (info, problem) = project_info(
            "web",
            r#"{"dependencies":{"next":"15","react":"19"},"devDependencies":{"vite":"5"}}"#,
        );
        assert!(problem.is_none());
        assert_eq!(info.frameworks, [Framework::Next]);
        let (info, problem) = project_info("", "{ nope");
        assert!(info.frameworks.is_empty());
        assert!(problem.unwrap().starts_with("not valid JSON"));
    }

    #[test]
    fn nearest_config_wins() {
        let files = vec![
            SourceFile {
                path: ".nudge.toml".into(),
                text: "[sql]\nexposed_schemas = [\"a\"]\n".into(),
            },
            SourceFile {
                path: "sub/.nudge.toml".into(),
                text: "[sql]\nexposed_schemas = [\"b\"]\n".into(),
            },
        ];
        let loaded = build_workspace(files, RuleSet::empty(), None).unwrap();
        drop(loaded);
        let mut index = ConfigIndex::default();
        index.by_dir.insert(
            String::new(),
            Arc::new(Config::parse(Path::new(".nudge.toml"), "[sql]\nexposed_schemas = [\"a\"]").unwrap()),
        );
        index.by_dir.insert(
            "sub".into(),
            Arc::new(Config::parse(Path::new("sub/.nudge.toml"), "[sql]\nexposed_schemas = [\"b\"]").unwrap()),
        );
        assert_eq!(
            index.for_path("sub/x/y.sql").exposed_schemas,
            Some(vec!["b".to_string()])
        );
        assert_eq!(
            index.for_path("other/y.sql").exposed_schemas,
            Some(vec!["a".to_string()])
        );
        assert_eq!(index.lookup("sub/x/y.sql").1, "x/y.sql");
        assert_eq!(index.lookup("top.sql").1, "top.sql");
    }
}
