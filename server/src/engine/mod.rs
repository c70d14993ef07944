//! Pure analysis: text in, findings out.
//!
//! Nothing in this module knows about the language server protocol, async
//! runtimes or JSON: the CLI and the LSP front-ends both translate to and from
//! these types at their own edges. Every entry point returns data; problems
//! (a broken rule, a file that does not parse) become findings or notes, never
//! panics or `Err`s that would stop other files from being analysed.

pub mod analysis;
pub mod catalog;
pub mod config;
pub mod context;
pub mod facts;
pub mod language;
pub mod names;
pub mod predicates;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod suppress;
pub mod types;
pub mod workspace;

pub use analysis::{FileAnalysis, FileInput, analyze_file};
pub use config::{Config, ConfigError, Limits};
pub use context::{ContextKind, FileContext, ProjectInfo};
pub use rules::{Rule, RuleError, RuleSet};
pub use types::{Category, Finding, Fix, Related, Severity, Span, TextEdit};
pub use workspace::Workspace;
