//! The Supabase compatibility layer: what a fresh Supabase database holds
//! that decides who can read and write (roles, `auth.uid()` and friends
//! reading `request.jwt.claims`, `auth.users`, `storage.buckets` and
//! `storage.objects`, the default grants on `public`).

/// Cluster-wide: the roles.
pub const CLUSTER_SQL: &str = include_str!("supabase_cluster.sql");

/// Per database: schemas, tables, functions, grants. Also the starting
/// point of Nudge's own catalog for a Supabase project.
pub const DATABASE_SQL: &str = crate::engine::catalog::SUPABASE_DATABASE_SQL;

/// Name of the template database that holds [`DATABASE_SQL`].
pub const TEMPLATE: &str = "nudge_supabase_template";

/// Installs the roles and a template database in a fresh cluster; each
/// project then gets `create database ... template nudge_supabase_template`.
pub fn install(cluster: &super::Cluster) -> Result<(), String> {
    let postgres = cluster.psql("postgres");
    let roles = postgres.script("supabase_cluster.sql", CLUSTER_SQL, true)?;
    if !roles.ok {
        return Err(format!(
            "the compatibility roles did not install: {}",
            roles.stderr.trim()
        ));
    }
    postgres.rows(&format!("create database {TEMPLATE}"))?;
    let database = cluster
        .psql(TEMPLATE)
        .script("supabase_database.sql", DATABASE_SQL, true)?;
    if !database.ok {
        return Err(format!(
            "the compatibility layer did not install: {}",
            database.stderr.trim()
        ));
    }
    Ok(())
}

/// A fresh database holding the compatibility layer.
pub fn create_database(cluster: &super::Cluster, name: &str) -> Result<super::Psql, String> {
    cluster
        .psql("postgres")
        .rows(&format!("create database \"{name}\" template {TEMPLATE}"))?;
    Ok(cluster.psql(name))
}
