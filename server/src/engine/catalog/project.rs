//! Which SQL files form one database, in what order PostgreSQL sees them,
//! and whether an API exposes it.
//!
//! A Supabase project (a `supabase/` directory, or a package that depends
//! on Supabase) is one database, exposed through PostgREST in the schemas
//! its `supabase/config.toml` lists (`public` and `graphql_public` by
//! default). A folder holding two projects has two catalogs; each file
//! belongs to the nearest. A plain PostgreSQL app (Prisma, Drizzle, raw
//! SQL) has a catalog too, but nothing exposes it to the public.

use std::collections::BTreeMap;

use super::model::{Catalog, Site};
use super::read::Stmt;
use crate::engine::types::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    /// Reached by browsers through Supabase's API with the public anon key.
    Supabase,
    /// Reached only by the app's own server code.
    Postgres,
}

/// One project's database after its migrations.
#[derive(Clone, Debug)]
pub struct Database {
    /// The project directory (workspace-relative, `""` for the root).
    pub root: String,
    pub kind: DatabaseKind,
    /// Schemas the API serves (empty for plain PostgreSQL).
    pub exposed_schemas: Vec<String>,
    /// The SQL files replayed, in order.
    pub files: Vec<String>,
    pub catalog: Catalog,
}

impl Database {
    /// Whether objects in `schema` are reachable through the API.
    pub fn exposes(&self, schema: &str) -> bool {
        self.kind == DatabaseKind::Supabase && self.exposed_schemas.iter().any(|s| s == schema)
    }

    /// Whether `path` lies in this project.
    pub fn contains(&self, path: &str) -> bool {
        self.root.is_empty() || path.starts_with(&format!("{}/", self.root))
    }
}

/// One SQL file's part in a database.
pub struct SqlFile<'a> {
    pub path: &'a str,
    pub statements: &'a [Stmt],
    /// 0-based line of a byte offset in this file.
    pub line_of: &'a dyn Fn(usize) -> usize,
    /// Uses Supabase's own objects (`auth.uid()`, `auth.users`,
    /// `storage.buckets`, roles `anon`/`authenticated`).
    pub mentions_supabase: bool,
}

/// What else says where projects are and what they use.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Directories holding a `supabase/` folder, with the API schemas its
    /// `config.toml` lists, if it says.
    pub supabase_roots: BTreeMap<String, Option<Vec<String>>>,
    /// `package.json` directories, and whether the package depends on a
    /// Supabase client.
    pub packages: BTreeMap<String, bool>,
}

/// The directory a path is in, if it lies under `root`.
fn under(path: &str, root: &str) -> bool {
    root.is_empty() || path.starts_with(&format!("{root}/"))
}

/// The project directory a SQL file belongs to: the one holding the
/// `supabase/` folder it is in, else the nearest project of any kind.
pub fn root_of(path: &str, layout: &Layout) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    if let Some(index) = segments.iter().position(|s| *s == "supabase") {
        return segments[..index].join("/");
    }
    layout
        .supabase_roots
        .keys()
        .chain(layout.packages.keys())
        .filter(|root| under(path, root))
        .max_by_key(|root| root.len())
        .cloned()
        .unwrap_or_default()
}

/// Where a file comes in the order migrations run: Supabase migrations by
/// file name (their timestamp), other migration folders by path, loose SQL
/// files after them, the seed last.
fn order_key(path: &str, root: &str) -> (u8, String) {
    let rel = if root.is_empty() {
        path
    } else {
        path.strip_prefix(&format!("{root}/")).unwrap_or(path)
    };
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if let Some(rest) = rel.strip_prefix("supabase/migrations/") {
        return (0, rest.to_string());
    }
    if rel == "supabase/seed.sql" || name == "seed.sql" {
        return (3, rel.to_string());
    }
    let in_migrations = rel
        .split('/')
        .any(|segment| segment == "migrations" || segment == "drizzle" || segment == "migration");
    if in_migrations {
        return (1, rel.to_string());
    }
    (2, rel.to_string())
}

/// Builds every project's database from its SQL files.
pub fn databases(
    files: &[SqlFile<'_>],
    layout: &Layout,
    configured_schemas: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Vec<Database> {
    let mut groups: BTreeMap<String, Vec<&SqlFile<'_>>> = BTreeMap::new();
    for file in files {
        groups.entry(root_of(file.path, layout)).or_default().push(file);
    }
    // A Supabase folder with no SQL yet is still a project (its client
    // code may query tables the dashboard made).
    for root in layout.supabase_roots.keys() {
        groups.entry(root.clone()).or_default();
    }
    let mut out = Vec::new();
    for (root, mut members) in groups {
        members.sort_by_key(|f| order_key(f.path, &root));
        let supabase = layout.supabase_roots.contains_key(&root)
            || layout.packages.get(&root).copied().unwrap_or(false)
            || members.iter().any(|f| f.mentions_supabase);
        let kind = if supabase {
            DatabaseKind::Supabase
        } else {
            DatabaseKind::Postgres
        };
        let exposed_schemas = match kind {
            DatabaseKind::Postgres => Vec::new(),
            DatabaseKind::Supabase => configured_schemas(&root)
                .or_else(|| layout.supabase_roots.get(&root).cloned().flatten())
                .unwrap_or_else(|| vec!["public".to_string(), "graphql_public".to_string()]),
        };
        let mut catalog = match kind {
            DatabaseKind::Supabase => Catalog::supabase(),
            DatabaseKind::Postgres => Catalog::postgres(),
        };
        for file in &members {
            let site_of = |span: Span| Site {
                path: file.path.to_string(),
                span,
                line: (file.line_of)(span.start),
            };
            for stmt in file.statements {
                catalog.apply(stmt, &site_of);
            }
        }
        out.push(Database {
            root,
            kind,
            exposed_schemas,
            files: members.iter().map(|f| f.path.to_string()).collect(),
            catalog,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_find_their_project_and_order() {
        let layout = Layout {
            supabase_roots: BTreeMap::from([("apps/a".to_string(), None), ("apps/b".to_string(), None)]),
            packages: BTreeMap::from([("".to_string(), false)]),
        };
        assert_eq!(root_of("apps/a/supabase/migrations/1.sql", &layout), "apps/a");
        assert_eq!(root_of("apps/b/db/schema.sql", &layout), "apps/b");
        assert_eq!(root_of("prisma/migrations/0_init/migration.sql", &layout), "");
        let mut paths = vec![
            "supabase/seed.sql",
            "supabase/schema.sql",
            "supabase/migrations/20240102_b.sql",
            "supabase/migrations/20240101_a.sql",
        ];
        paths.sort_by_key(|p| order_key(p, ""));
        assert_eq!(
            paths,
            [
                "supabase/migrations/20240101_a.sql",
                "supabase/migrations/20240102_b.sql",
                "supabase/schema.sql",
                "supabase/seed.sql"
            ]
        );
    }
}
