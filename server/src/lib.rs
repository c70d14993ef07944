//! Nudge: gentle, contextual security nudges for web apps.
//!
//! - [`engine`]: pure analysis (text in, findings out); no protocol, async
//!   runtime or JSON types.
//! - [`project`]: reads the workspace from disk (walking, `package.json`,
//!   `.nudge.toml`, user rules) into an [`engine::Workspace`].
//! - [`lsp`]: `nudge lsp`, the language server; the only module that knows
//!   the protocol.
//! - [`files`]: every read of a file a repository hands us (regular files
//!   only, without blocking, size-capped) and the private files we write.
//! - [`report`]: the quick security check's markdown report.
//! - [`cli`]: `nudge check`, `nudge rules`, `nudge explain` and the output
//!   formats of the outside contract.
//! - [`fuzzing`]: the checks the fuzz targets and their corpus replay run.
#![deny(clippy::print_stdout)]

pub mod cli;
pub mod engine;
pub mod examples;
pub mod files;
pub mod fuzzing;
pub mod lsp;
pub mod pg;
pub mod project;
pub mod prove;
pub mod report;

#[cfg(test)]
mod rule_example_tests {
    include!(concat!(env!("OUT_DIR"), "/rule_tests.rs"));
}
