//! The protocol handlers. Each one does little itself: documents are already
//! updated by the ordering layer, analysis runs on blocking threads through
//! [`Shared`], and every panic in that work is caught and logged.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::actions::{self, MoveSecret, PROVE_COMMAND, ProjectFile, SECURITY_CHECK_COMMAND};
use super::convert::{Encoding, from_lsp, to_lsp};
use super::state::{Published, Shared, set_log_level};
use crate::engine::ConfigError;
use crate::engine::config::CONFIG_FILE_NAME;

/// The language server's handlers.
pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
}

/// Runs blocking work off the async runtime; a panic becomes `None` and a
/// log line, never a dead server.
async fn blocking<T: Send + 'static>(what: &'static str, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(work))).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(_)) | Err(_) => {
            tracing::error!("{what} panicked; skipping it and carrying on");
            None
        }
    }
}

impl Backend {
    pub fn new(client: Client, shared: Arc<Shared>) -> Backend {
        Backend { client, shared }
    }

    /// Analyses a document after the debounce, unless a newer version
    /// arrives meanwhile, and publishes the result if it is still current.
    fn schedule(&self, uri: Uri, version: i32, debounce: bool) {
        let shared = self.shared.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            let mut indexed = shared.indexed.subscribe();
            if !*indexed.borrow() {
                // Compiling this document's queries can overlap indexing.
                let warm = shared.clone();
                let warm_uri = uri.clone();
                tokio::task::spawn_blocking(move || warm.warm_queries(&warm_uri));
            }
            // Cross-file facts first: no nudge before the workspace is known.
            let _ = indexed.wait_for(|done| *done).await;
            let delay = shared.settings().debounce_ms;
            if debounce && delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            if shared.docs.version(&uri) != Some(version) {
                return;
            }
            analyze_and_publish(&shared, &client, uri).await;
        });
    }

    fn root_dir_for(&self, path: &Path) -> PathBuf {
        self.shared.locate(path).0
    }

    async fn report_config_error(&self, error: &ConfigError) {
        self.client
            .show_message(
                MessageType::WARNING,
                format!("Nudge: {error} (keeping the last good settings)"),
            )
            .await;
        let Some(uri) = Uri::from_file_path(&error.path) else {
            return;
        };
        let line = error.line.unwrap_or(1).saturating_sub(1) as u32;
        let diagnostic = Diagnostic {
            range: Range::new(Position::new(line, 0), Position::new(line, u32::MAX)),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("nudge".to_string()),
            message: error.safe_message(),
            ..Diagnostic::default()
        };
        self.client.publish_diagnostics(uri, vec![diagnostic], None).await;
    }

    async fn clear_config_error(&self, root: &Path) {
        if let Some(uri) = Uri::from_file_path(root.join(CONFIG_FILE_NAME))
            && self.shared.docs.by_path(&root.join(CONFIG_FILE_NAME)).is_none()
        {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    /// Re-reads a root from disk and refreshes every open document in it.
    async fn reindex(&self, dir: PathBuf) {
        let had_error = self
            .shared
            .roots()
            .iter()
            .any(|r| r.dir == dir && r.config_error.is_some());
        let shared = self.shared.clone();
        let target = dir.clone();
        let result = blocking("indexing", move || shared.index_root(&target)).await;
        match result {
            Some(Err(error)) => self.report_config_error(&error).await,
            Some(Ok(())) if had_error => self.clear_config_error(&dir).await,
            _ => {}
        }
        republish_all(&self.shared, &self.client).await;
    }

    async fn register_watchers(&self) {
        if !self.shared.caps().watch_dynamic {
            return;
        }
        let watchers: Vec<FileSystemWatcher> = [
            "**/.nudge.toml",
            "**/.nudge/rules/*.toml",
            "**/*.sql",
            "**/.env",
            "**/.env.*",
            "**/package.json",
            "**/supabase/config.toml",
        ]
        .into_iter()
        .map(|glob| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.to_string()),
            kind: None,
        })
        .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "nudge-watchers".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            tracing::warn!("could not register file watchers: {e}");
        }
    }

    fn published(&self, uri: &Uri) -> Option<Published> {
        self.shared.published.get(uri).map(|p| p.clone())
    }

    fn offset_at(published: &Published, position: Position, encoding: Encoding) -> usize {
        from_lsp::offset(&published.text, &published.index, position, encoding)
    }

    fn hover_markdown(&self, path: &Path, published: &Published, offset: usize) -> Option<String> {
        // Each workspace folder has its own user rules.
        let rules = self.shared.rules_for(path);
        // A rule id inside a suppression comment shows that rule's docs.
        for suppression in &published.suppressions {
            if offset < suppression.span.start || offset > suppression.span.end {
                continue;
            }
            let directive = published.text.get(suppression.span.range())?;
            for id in &suppression.rule_ids {
                let Some(found) = directive.find(id.as_str()) else {
                    continue;
                };
                let start = suppression.span.start + found;
                if (start..=start + id.len()).contains(&offset) {
                    let rule = rules.get(id)?;
                    return Some(format!(
                        "`{}` · {}\n\n---\n\n{}",
                        rule.id,
                        rule.category,
                        rule.docs.trim()
                    ));
                }
            }
        }
        let finding = published
            .findings
            .iter()
            .find(|f| f.span.start <= offset && offset <= f.span.end)?;
        let rule = rules.get(&finding.rule_id)?;
        let mut text = format!(
            "**{}** · `{}` · {}\n\n",
            finding.message, finding.rule_id, finding.category
        );
        if let Some(reason) = &finding.reason {
            text.push_str(&format!("_Why here:_ {reason}.\n\n"));
        }
        for related in &finding.related {
            text.push_str(&format!(
                "_See also:_ {} in `{}` (line {}).\n\n",
                related.message,
                related.path.display(),
                related.line + 1
            ));
        }
        text.push_str("---\n\n");
        text.push_str(rule.docs.trim());
        if !rule.references.is_empty() {
            text.push_str(&format!("\n\nReferences: {}", rule.references.join(", ")));
        }
        Some(text)
    }

    /// "Try it for real": `nudge prove` on every workspace folder with a
    /// Supabase database (its files as saved), in a throwaway PostgreSQL.
    async fn prove(&self) -> Option<String> {
        let shared = self.shared.clone();
        blocking("prove", move || {
            let mut report = String::from("# Nudge tried it for real\n\n");
            let roots = shared.provable_roots();
            if roots.is_empty() {
                report.push_str("No Supabase migrations in this workspace, so there is nothing to try.\n");
            }
            for dir in roots {
                report.push_str(&format!("## {}\n\n", dir.display()));
                match crate::prove::prove(&dir, &crate::prove::Options::default()) {
                    Ok(proof) => {
                        shared.set_proven(&dir, crate::prove::editor::ProvenObjects::from_report(&proof));
                        report.push_str("```text\n");
                        report.push_str(&crate::cli::prove::to_text(&proof, false));
                        report.push_str("```\n\n");
                    }
                    Err(error) => report.push_str(&format!("Could not try it: {error}\n\n")),
                }
            }
            report.push_str("This used the migrations as saved on disk; the nudges in the editor now say what was proven, until the SQL changes.\n");
            report
        })
        .await
    }

    async fn security_check(&self) -> Option<String> {
        let shared = self.shared.clone();
        blocking("security check", move || {
            let dirs: Vec<PathBuf> = shared.roots().iter().map(|r| r.dir.clone()).collect();
            let mut report = String::new();
            for dir in dirs {
                let Some(loaded) = shared.full_workspace(&dir) else {
                    continue;
                };
                if loaded.workspace.paths().next().is_none() {
                    continue;
                }
                report.push_str(&crate::report::workspace_security_check(
                    &loaded.workspace,
                    &loaded.rules,
                ));
            }
            if report.is_empty() {
                report = crate::report::security_check(&[], 0);
            }
            if !shared.provable_roots().is_empty() && shared.postgres_available() {
                report.push_str("\n## Try it for real\n\nThe action **Try it for real** (or `nudge prove` in a terminal) replays your migrations in a throwaway PostgreSQL on this machine and tries these paths as a visitor and as another signed-in user; nothing is kept.\n");
            }
            report
        })
        .await
    }
}

async fn analyze_and_publish(shared: &Arc<Shared>, client: &Client, uri: Uri) {
    // At most one analysis per core at a time; a change that arrives while
    // this one waits for a slot makes it moot (the newer one's task runs).
    let Ok(_slot) = shared.analysis_slots.acquire().await else {
        return;
    };
    let Some(snapshot) = shared.docs.snapshot(&uri) else {
        return;
    };
    let version = snapshot.version;
    let work_shared = shared.clone();
    let result = blocking("analysis", move || work_shared.analyze(snapshot)).await;
    let (published, changed_facts) = match result {
        Some(Some(result)) => result,
        Some(None) => return,
        None => {
            // The analysis panicked: this document gets no nudges, the rest go on.
            if shared.docs.version(&uri) == Some(version) {
                client.publish_diagnostics(uri, Vec::new(), Some(version)).await;
            }
            return;
        }
    };
    if shared.docs.version(&uri) != Some(version) {
        return;
    }
    publish(shared, client, &uri, published).await;
    if changed_facts {
        republish_others(shared, client, Some(&uri)).await;
    }
}

async fn publish(shared: &Shared, client: &Client, uri: &Uri, published: Published) {
    let diagnostics = published.diagnostics.clone();
    let version = published.version;
    // Republishing runs beside new edits: a result computed for a version
    // the editor has moved past must never overwrite the newer one.
    let unchanged = {
        let entry = shared.published.entry(uri.clone());
        if shared.docs.version(uri) != Some(version) {
            return;
        }
        match entry {
            dashmap::Entry::Occupied(mut previous) => {
                let same = previous.get().version == version && previous.get().diagnostics == diagnostics;
                previous.insert(published);
                same
            }
            dashmap::Entry::Vacant(slot) => {
                slot.insert(published);
                false
            }
        }
    };
    if unchanged {
        // Republishing after another file changed: say nothing new.
        return;
    }
    if !shared.caps().pull_diagnostics {
        client
            .publish_diagnostics(uri.clone(), diagnostics, Some(version))
            .await;
    }
}

async fn republish_others(shared: &Arc<Shared>, client: &Client, except: Option<&Uri>) {
    for uri in shared.docs.uris() {
        if Some(&uri) == except {
            continue;
        }
        let work_shared = shared.clone();
        let target = uri.clone();
        if let Some(Some(published)) = blocking("republish", move || work_shared.republish(&target)).await {
            publish(shared, client, &uri, published).await;
        }
    }
    if shared.caps().pull_diagnostics && shared.caps().diagnostic_refresh {
        let _ = client.workspace_diagnostic_refresh().await;
    }
}

async fn republish_all(shared: &Arc<Shared>, client: &Client) {
    for uri in shared.docs.uris() {
        analyze_and_publish(shared, client, uri).await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let encoding = Encoding::negotiate(caps.general.as_ref().and_then(|g| g.position_encodings.as_deref()));
        self.shared.set_encoding(encoding);
        let text_caps = caps.text_document.as_ref();
        let workspace_caps = caps.workspace.as_ref();
        let client_caps = super::state::ClientCaps {
            pull_diagnostics: text_caps.and_then(|t| t.diagnostic.as_ref()).is_some(),
            diagnostic_refresh: workspace_caps
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            watch_dynamic: workspace_caps
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            show_document: caps
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            create_files: workspace_caps
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        };
        let pull = client_caps.pull_diagnostics;
        *self.shared.caps.write().unwrap_or_else(|p| p.into_inner()) = client_caps;
        if let Some(options) = &params.initialization_options {
            let problems = self
                .shared
                .settings
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .merge_json(options);
            for problem in problems {
                tracing::warn!("{problem}");
            }
            if let Some(level) = self.shared.settings().log_level {
                set_log_level(&level);
            }
        }
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| from_lsp::path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if folders.is_empty() {
            folders.extend(params.root_uri.as_ref().and_then(from_lsp::path));
        }
        for folder in folders {
            self.shared.add_root(folder);
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..TextDocumentSyncOptions::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    resolve_provider: Some(true),
                    ..CodeActionOptions::default()
                })),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![SECURITY_CHECK_COMMAND.to_string(), PROVE_COMMAND.to_string()],
                    ..ExecuteCommandOptions::default()
                }),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("nudge".to_string()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: false,
                        ..DiagnosticOptions::default()
                    })
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "nudge".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.register_watchers().await;
        let shared = self.shared.clone();
        let client = self.client.clone();
        let dirs: Vec<PathBuf> = shared.roots().iter().map(|r| r.dir.clone()).collect();
        let backend = Backend {
            client: client.clone(),
            shared: shared.clone(),
        };
        tokio::spawn(async move {
            let token = NumberOrString::String("nudge-indexing".to_string());
            let progress =
                if shared.caps().work_done_progress && client.create_work_done_progress(token.clone()).await.is_ok() {
                    Some(
                        client
                            .progress(token, "Nudge: reading the workspace")
                            .with_message("migrations, env files, imports")
                            .begin()
                            .await,
                    )
                } else {
                    None
                };
            for dir in dirs {
                let work_shared = shared.clone();
                let target = dir.clone();
                match blocking("indexing", move || work_shared.index_root(&target)).await {
                    Some(Err(error)) => backend.report_config_error(&error).await,
                    Some(Ok(())) => {}
                    None => {}
                }
            }
            if let Some(progress) = progress {
                progress.finish_with_message("ready").await;
            }
            shared.indexed.send_replace(true);
            tracing::info!("workspace indexed");
        });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.schedule(params.text_document.uri, params.text_document.version, false);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.schedule(params.text_document.uri, params.text_document.version, true);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let path = from_lsp::path(&uri);
        let shared = self.shared.clone();
        let target = uri.clone();
        blocking("close", move || shared.forget_document(&target, path.as_deref())).await;
        if !self.shared.caps().pull_diagnostics {
            self.client.publish_diagnostics(uri.clone(), Vec::new(), None).await;
        }
        republish_others(&self.shared, &self.client, Some(&uri)).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut reindex: Vec<PathBuf> = Vec::new();
        let mut reload: Vec<PathBuf> = Vec::new();
        for change in params.changes {
            let Some(path) = from_lsp::path(&change.uri) else {
                continue;
            };
            // An event outside every folder the client opened would make
            // that directory a root and walk it (`file:///.nudge.toml`: all
            // of `/`); such events are not ours to follow.
            if !self.shared.in_client_root(&path) {
                tracing::debug!("ignoring a file event outside the workspace folders");
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let is_rule = path.parent().is_some_and(|p| p.ends_with(".nudge/rules"));
            let is_supabase_config = name == "config.toml" && path.parent().is_some_and(|p| p.ends_with("supabase"));
            if name == CONFIG_FILE_NAME || name == "package.json" || is_rule || is_supabase_config {
                let dir = self.root_dir_for(&path);
                if !reindex.contains(&dir) {
                    reindex.push(dir);
                }
            } else {
                reload.push(path);
            }
        }
        for dir in reindex {
            self.reindex(dir).await;
        }
        if !reload.is_empty() {
            let shared = self.shared.clone();
            blocking("reload", move || {
                for path in reload {
                    shared.reload_file(&path);
                }
            })
            .await;
            republish_others(&self.shared, &self.client, None).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let problems = self
            .shared
            .settings
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .merge_json(&params.settings);
        for problem in &problems {
            self.client
                .show_message(MessageType::WARNING, format!("Nudge: {problem}"))
                .await;
        }
        if let Some(level) = self.shared.settings().log_level {
            set_log_level(&level);
        }
        republish_all(&self.shared, &self.client).await;
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let current = self.shared.docs.version(&uri);
        let fresh = self.published(&uri).filter(|p| Some(p.version) == current);
        let published = match fresh {
            Some(p) => Some(p),
            None => {
                let _ = self.shared.indexed.subscribe().wait_for(|done| *done).await;
                analyze_and_publish(&self.shared, &self.client, uri.clone()).await;
                self.published(&uri)
            }
        };
        let items = published.map(|p| p.diagnostics).unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
            },
        )))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        let Some(published) = self.published(&uri) else {
            return Ok(None);
        };
        let Some(path) = from_lsp::path(&uri) else {
            return Ok(None);
        };
        let offset = Backend::offset_at(&published, position, self.shared.encoding());
        let markdown = std::panic::catch_unwind(AssertUnwindSafe(|| self.hover_markdown(&path, &published, offset)))
            .ok()
            .flatten();
        Ok(markdown.map(|value| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        }))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(path) = from_lsp::path(&uri) else {
            return Ok(None);
        };
        let Some(published) = self.published(&uri) else {
            return Ok(None);
        };
        let root = self.root_dir_for(&path);
        let docs_text = |p: &Path| self.shared.docs.by_path(p).and_then(|u| self.shared.docs.text(&u));
        let config_file = ProjectFile::config(&root, docs_text, self.shared.encoding());
        let can_create = self.shared.caps().create_files;
        let encoding = self.shared.encoding();
        let can_prove = self.shared.postgres_available() && self.shared.provable_roots().contains(&root);
        let mut response: CodeActionResponse = Vec::new();
        for diagnostic in &params.context.diagnostics {
            // Only the server's own findings get actions, with edits it
            // computes now: whatever a client puts in a diagnostic is a key
            // to look up, never an edit to echo.
            let Some(index) = own_finding(&published, diagnostic, encoding) else {
                continue;
            };
            // Actions quote the server's own diagnostic, not the client's copy.
            let (finding, diagnostic) = (&published.findings[index], &published.diagnostics[index]);
            let fix = finding.fix.as_ref().map(|fix| {
                if fix_reveals_secret(&published, fix) {
                    actions::FixOffer::OnResolve {
                        title: fix.title.clone(),
                    }
                } else {
                    actions::FixOffer::Inline {
                        title: fix.title.clone(),
                        edits: to_lsp::text_edits(&text_ref(&published, encoding), &fix.edits),
                    }
                }
            });
            let ignore = self.shared.ignore_edit(&uri, diagnostic);
            for action in actions::actions_for(
                &uri,
                diagnostic,
                finding,
                fix,
                ignore,
                &config_file,
                actions::Abilities {
                    can_create_files: can_create,
                    can_prove,
                },
            ) {
                response.push(CodeActionOrCommand::CodeAction(action));
            }
        }
        Ok((!response.is_empty()).then_some(response))
    }

    async fn code_action_resolve(&self, mut action: CodeAction) -> Result<CodeAction> {
        let Some(data) = action.data.clone() else {
            return Ok(action);
        };
        let kind = data.get("action").and_then(Value::as_str).unwrap_or("").to_string();
        if kind != "move-secret" && kind != "rule-fix" {
            return Ok(action);
        }
        let uri: Uri = serde_json::from_value(data["uri"].clone()).map_err(|_| Error::invalid_params("bad uri"))?;
        let lookup = Diagnostic {
            range: serde_json::from_value(data["range"].clone()).map_err(|_| Error::invalid_params("bad range"))?,
            code: data
                .get("rule")
                .and_then(Value::as_str)
                .map(|r| NumberOrString::String(r.to_string())),
            ..Diagnostic::default()
        };
        let Some(published) = self.published(&uri) else {
            return Ok(action);
        };
        let Some(path) = from_lsp::path(&uri) else {
            return Ok(action);
        };
        let encoding = self.shared.encoding();
        let Some(finding) = own_finding(&published, &lookup, encoding).map(|i| &published.findings[i]) else {
            return Ok(action);
        };
        if kind == "rule-fix" {
            action.edit = finding.fix.as_ref().map(|fix| {
                let edits = to_lsp::text_edits(&text_ref(&published, encoding), &fix.edits);
                to_lsp::single_file_edit(uri.clone(), edits)
            });
            return Ok(action);
        }
        let Some(provider) = finding
            .vars
            .iter()
            .find(|(k, _)| k == "provider")
            .map(|(_, v)| v.clone())
        else {
            return Ok(action);
        };
        let project_dir = project_dir_of(&path, &self.root_dir_for(&path));
        let docs_text = |p: &Path| self.shared.docs.by_path(p).and_then(|u| self.shared.docs.text(&u));
        let input = MoveSecret {
            uri: &uri,
            file_path: &path,
            text: &published.text,
            index: &published.index,
            encoding,
            span: finding.span,
            provider: &provider,
            project_dir: &project_dir,
            open_text: &docs_text,
            can_create_files: self.shared.caps().create_files,
        };
        action.edit = std::panic::catch_unwind(AssertUnwindSafe(|| actions::move_secret_edit(&input)))
            .ok()
            .flatten();
        Ok(action)
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command != SECURITY_CHECK_COMMAND && params.command != PROVE_COMMAND {
            return Err(Error::invalid_params(format!("unknown command {}", params.command)));
        }
        let _ = self.shared.indexed.subscribe().wait_for(|done| *done).await;
        let markdown = if params.command == PROVE_COMMAND {
            let markdown = self.prove().await;
            // The nudges now say what was proven.
            republish_all(&self.shared, &self.client).await;
            markdown
        } else {
            self.security_check().await
        };
        let Some(markdown) = markdown else {
            return Err(Error::internal_error());
        };
        // `[{ "open": false }]`: the caller shows the report itself.
        let open = params
            .arguments
            .first()
            .and_then(|a| a.get("open"))
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let mut opened = None;
        if open
            && self.shared.caps().show_document
            && let Some(file) = self.shared.write_report(&markdown)
            && let Some(uri) = Uri::from_file_path(&file)
        {
            let shown = self
                .client
                .show_document(ShowDocumentParams {
                    uri: uri.clone(),
                    external: None,
                    take_focus: Some(true),
                    selection: None,
                })
                .await;
            opened = shown.ok().filter(|ok| *ok).map(|_| uri);
        }
        Ok(Some(json!({ "markdown": markdown, "opened": opened })))
    }
}

fn text_ref(published: &Published, encoding: Encoding) -> to_lsp::TextRef<'_> {
    to_lsp::TextRef {
        text: &published.text,
        index: &published.index,
        encoding,
    }
}

/// The published finding a client's diagnostic stands for (its index in
/// `findings`, which is also its index in `diagnostics`): same rule, same
/// range in the text it was published for.
fn own_finding(published: &Published, diagnostic: &Diagnostic, encoding: Encoding) -> Option<usize> {
    let rule = match diagnostic.code.as_ref()? {
        NumberOrString::String(rule) => rule.as_str(),
        NumberOrString::Number(_) => return None,
    };
    let at = text_ref(published, encoding);
    published
        .findings
        .iter()
        .position(|f| f.rule_id == rule && to_lsp::range(&at, f.span) == diagnostic.range)
        .filter(|index| *index < published.diagnostics.len())
}

/// Whether a fix's new text would show a secret of this file, or anything
/// shaped like one.
fn fix_reveals_secret(published: &Published, fix: &crate::engine::Fix) -> bool {
    let known = crate::engine::secrets::all_secrets(&published.text);
    fix.edits.iter().any(|edit| {
        crate::engine::secrets::might_contain_secret(&edit.new_text)
            || known.iter().any(|(value, _)| edit.new_text.contains(value.as_str()))
    })
}

/// The directory of the nearest `package.json` above `file`, within `root`.
fn project_dir_of(file: &Path, root: &Path) -> PathBuf {
    file.ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(root))
        .find(|dir| dir.join("package.json").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.to_path_buf())
}
