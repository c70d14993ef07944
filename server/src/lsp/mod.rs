//! `nudge lsp`: the language server. The only module that knows the
//! protocol; it turns documents into engine inputs and findings into
//! diagnostics, hovers and code actions (see `convert`).
//!
//! Ordering: `didOpen`, `didChange` and `didClose` are applied to the
//! document store by [`Ordered`], a tower layer that runs synchronously in
//! the transport's read loop, so edits land strictly in arrival order before
//! any handler awaits. Handlers only schedule analysis.

mod actions;
pub mod convert;
pub(crate) mod documents;
mod server;
mod state;

use std::sync::Arc;
use std::task::{Context, Poll};

use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams};
use tower_lsp_server::{ClientSocket, LspService, Server};
use tower_service::Service;

pub use server::Backend;
pub use state::{DEFAULT_DEBOUNCE_MS, Shared};

/// Applies document changes in arrival order, then forwards every message.
pub struct Ordered<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for Ordered<S>
where
    S: Service<Request, Response = Option<Response>>,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        apply_document_message(&self.shared, &request);
        self.inner.call(request)
    }
}

fn apply_document_message(shared: &Shared, request: &Request) {
    let Some(params) = request.params() else {
        return;
    };
    match request.method() {
        "textDocument/didOpen" => {
            if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(params.clone()) {
                shared
                    .docs
                    .open(p.text_document.uri, p.text_document.version, &p.text_document.text);
            }
        }
        "textDocument/didChange" => {
            if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(params.clone()) {
                shared.docs.change(
                    &p.text_document.uri,
                    p.text_document.version,
                    &p.content_changes,
                    shared.encoding(),
                );
            }
        }
        "textDocument/didClose" => {
            if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(params.clone()) {
                shared.docs.close(&p.text_document.uri);
            }
        }
        _ => {}
    }
}

/// Options that tests change; editors use the defaults.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Debounce before analysing a changed document, unless the client
    /// configures one.
    pub debounce_ms: u64,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            debounce_ms: DEFAULT_DEBOUNCE_MS,
        }
    }
}

/// Builds the service and its client socket, for stdio or an in-process
/// transport.
pub fn build_service(options: ServerOptions) -> (Ordered<LspService<Backend>>, ClientSocket) {
    let shared = Arc::new(Shared::new(options));
    let backend_shared = shared.clone();
    let (service, socket) = LspService::build(move |client| Backend::new(client, backend_shared)).finish();
    (Ordered { inner: service, shared }, socket)
}

/// Serves the protocol over any byte streams (stdio, or pipes in tests).
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions)
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    let (service, socket) = build_service(options);
    Server::new(input, output, socket).serve(service).await;
}

/// `nudge lsp`: logs to stderr, speaks the protocol on stdin/stdout.
pub fn run_stdio() -> i32 {
    state::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout(), ServerOptions::default()));
    0
}
