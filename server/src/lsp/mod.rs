//! `nudge lsp`: the language server. The only module that knows the
//! protocol; it turns documents into engine inputs and findings into
//! diagnostics, hovers and code actions (see `convert`).
//!
//! Ordering: `didOpen`, `didChange` and `didClose` are applied to the
//! document store by the transport's read loop ([`transport`]), strictly in
//! arrival order before any handler runs. Handlers only schedule analysis.

mod actions;
pub mod convert;
pub(crate) mod documents;
mod server;
mod state;
pub mod transport;

use std::sync::Arc;

use tower_lsp_server::LspService;

pub use server::Backend;
pub use state::{DEFAULT_DEBOUNCE_MS, Shared};

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

/// Serves the protocol over any byte streams (stdio, or pipes in tests);
/// returns the exit status the protocol asks for (see [`transport::serve`]).
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions) -> i32
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let shared = Arc::new(Shared::new(options));
    let backend_shared = shared.clone();
    let (service, socket) = LspService::build(move |client| Backend::new(client, backend_shared)).finish();
    transport::serve(input, output, service, socket, shared).await
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
    let status = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout(), ServerOptions::default()));
    // Analyses still running on blocking threads end with the process.
    runtime.shutdown_background();
    status
}
