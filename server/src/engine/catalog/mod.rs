//! The SQL model: a project's schema as PostgreSQL would hold it after its
//! migrations ran in order. Statements in ([`read`]), catalog out
//! ([`model`]); rules read the catalog, never raw statements.
//!
//! - [`read`]: one file's SQL (and the SQL inside its `DO` blocks) as
//!   statements with spans.
//! - [`expr`]: what a policy condition admits.
//! - [`model`]: the catalog and how each statement changes it.
//! - [`project`]: which files form one database, in what order, and
//!   whether an API exposes it.

pub mod checks;
pub mod expr;
pub mod model;
pub mod project;
pub mod read;

pub use model::{Catalog, Key, Site};
pub use project::{Database, DatabaseKind};

/// What a fresh Supabase database holds that decides who can read and
/// write; the catalog of a Supabase project starts from it, and `nudge
/// prove` installs the same text into a throwaway PostgreSQL.
pub const SUPABASE_DATABASE_SQL: &str = include_str!("supabase_database.sql");
