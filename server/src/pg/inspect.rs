//! What a real PostgreSQL holds, read from its own catalog, and the same
//! picture drawn from Nudge's model: one line per fact that decides who
//! can read and write, so the two can be compared line by line.
//!
//! Objects of the Supabase defaults themselves (`auth.*`, `storage.*`
//! tables and functions, `extensions`) are left out; what migrations add
//! to them (policies on `storage.objects`, buckets, triggers on
//! `auth.users`) is in.

use std::collections::BTreeSet;

use super::Psql;
use crate::engine::catalog::Catalog;
use crate::engine::catalog::expr::Condition;
use crate::engine::catalog::read::{Cmd, Privilege};

/// Schemas whose own objects are not the project's.
const SYSTEM_SCHEMAS: &[&str] = &[
    "pg_catalog",
    "information_schema",
    "pg_toast",
    "auth",
    "storage",
    "extensions",
];

/// Roles whose privileges decide what the API can do.
const API_ROLES: &[&str] = &["anon", "authenticated", "service_role", "public"];

fn is_project_schema(schema: &str) -> bool {
    !SYSTEM_SCHEMAS.contains(&schema) && !schema.starts_with("pg_temp") && !schema.starts_with("pg_toast")
}

/// What a condition does, in a word the two sides can agree on.
pub fn condition_summary(text: Option<&str>) -> String {
    let Some(text) = text else {
        return "-".to_string();
    };
    let c = Condition::read(text);
    let mut parts = Vec::new();
    if c.always_true {
        parts.push("true".to_string());
    }
    if c.always_false {
        parts.push("false".to_string());
    }
    if c.any_signed_in {
        parts.push("signed-in".to_string());
    }
    if c.visitors_only {
        parts.push("visitors".to_string());
    }
    if c.trusts_user_metadata {
        parts.push("metadata".to_string());
    }
    let mut owners = c.owner_columns.clone();
    owners.sort();
    if !owners.is_empty() {
        parts.push(format!("owner:{}", owners.join(",")));
    }
    if parts.is_empty() {
        parts.push("other".to_string());
    }
    parts.join("+")
}

fn privilege_name(p: Privilege) -> &'static str {
    p.as_str()
}

fn events_text(events: &[Cmd]) -> String {
    let mut names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    names.sort();
    names.dedup();
    names.join(",")
}

/// The model's picture.
pub fn fingerprint_of_catalog(catalog: &Catalog) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    for table in catalog.tables.values() {
        let key = &table.key;
        if is_project_schema(&key.schema) {
            lines.insert(format!(
                "table {}.{} rls={} force={}",
                key.schema,
                key.name,
                on_off(table.rls),
                on_off(table.forced)
            ));
            for (role, privileges) in &table.acl.table {
                if API_ROLES.contains(&role.as_str()) {
                    for privilege in privileges {
                        lines.insert(format!(
                            "grant {}.{} {role} {}",
                            key.schema,
                            key.name,
                            privilege_name(*privilege)
                        ));
                    }
                }
            }
            for ((role, column), privileges) in &table.acl.columns {
                if API_ROLES.contains(&role.as_str()) {
                    for privilege in privileges {
                        lines.insert(format!(
                            "column-grant {}.{}.{column} {role} {}",
                            key.schema,
                            key.name,
                            privilege_name(*privilege)
                        ));
                    }
                }
            }
        }
        for policy in table.policies.values() {
            let mut roles = policy.roles.clone();
            roles.sort();
            lines.insert(format!(
                "policy {}.{} \"{}\" {} {} to={} using={} check={}",
                key.schema,
                key.name,
                policy.name,
                policy.command.as_str(),
                if policy.permissive { "permissive" } else { "restrictive" },
                roles.join(","),
                condition_summary(policy.using.as_ref().map(|e| e.text.as_str())),
                condition_summary(policy.with_check.as_ref().map(|e| e.text.as_str())),
            ));
        }
        for trigger in table.triggers.values() {
            lines.insert(format!(
                "trigger {}.{} {} {} {}",
                key.schema,
                key.name,
                trigger.name,
                if trigger.before { "before" } else { "after" },
                events_text(&trigger.events)
            ));
        }
    }
    for view in catalog.views.values() {
        let key = &view.key;
        if !is_project_schema(&key.schema) {
            continue;
        }
        lines.insert(format!(
            "view {}.{} {} invoker={}",
            key.schema,
            key.name,
            if view.materialized { "materialized" } else { "plain" },
            on_off(view.security_invoker)
        ));
        for (role, privileges) in &view.acl.table {
            if API_ROLES.contains(&role.as_str()) {
                for privilege in privileges {
                    lines.insert(format!(
                        "grant {}.{} {role} {}",
                        key.schema,
                        key.name,
                        privilege_name(*privilege)
                    ));
                }
            }
        }
    }
    for function in &catalog.functions {
        if !is_project_schema(&function.key.schema) {
            continue;
        }
        lines.insert(format!(
            "function {}.{}({}) definer={} search_path={} anon={} authenticated={}",
            function.key.schema,
            function.key.name,
            function.args.join(", "),
            yes_no(function.security_definer),
            function
                .search_path
                .as_deref()
                .map(normalize_path)
                .unwrap_or_else(|| "-".to_string()),
            yes_no(function.executable_by("anon")),
            yes_no(function.executable_by("authenticated")),
        ));
    }
    for bucket in catalog.buckets.values() {
        lines.insert(format!("bucket {} public={}", bucket.id, yes_no(bucket.public)));
    }
    lines
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `search_path` values as `a,b` without quotes or spaces.
fn normalize_path(raw: &str) -> String {
    let parts: Vec<String> = raw
        .split(',')
        .map(|p| p.trim().trim_matches('"').trim_matches('\'').to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        "''".to_string()
    } else {
        parts.join(",")
    }
}

/// The real server's picture of the database `psql` points at.
pub fn fingerprint_of_database(psql: &Psql) -> Result<BTreeSet<String>, String> {
    let mut lines = BTreeSet::new();
    let system = SYSTEM_SCHEMAS
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let project_schema = format!("n.nspname not in ({system}) and n.nspname not like 'pg\\_%'");
    for row in psql.rows(&format!(
        "select n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c \
         join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and {project_schema}"
    ))? {
        lines.insert(format!(
            "table {}.{} rls={} force={}",
            row[0],
            row[1],
            on_off(row[2] == "t"),
            on_off(row[3] == "t")
        ));
    }
    for row in psql.rows(
        "select schemaname, tablename, policyname, permissive, array_to_string(roles, ','), cmd, \
         coalesce(qual, E'\\x02'), coalesce(with_check, E'\\x02') from pg_policies",
    )? {
        let text = |s: &str| (s != "\u{2}").then(|| s.to_string());
        let mut roles: Vec<&str> = row[4].split(',').collect();
        roles.sort();
        lines.insert(format!(
            "policy {}.{} \"{}\" {} {} to={} using={} check={}",
            row[0],
            row[1],
            row[2],
            row[5].to_ascii_lowercase(),
            row[3].to_ascii_lowercase(),
            roles.join(","),
            condition_summary(text(&row[6]).as_deref()),
            condition_summary(text(&row[7]).as_deref()),
        ));
    }
    let roles_filter = API_ROLES
        .iter()
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ");
    for row in psql.rows(&format!(
        "select n.nspname, c.relname, coalesce(r.rolname, 'public'), a.privilege_type from pg_class c \
         join pg_namespace n on n.oid = c.relnamespace \
         cross join lateral aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a \
         left join pg_roles r on r.oid = a.grantee \
         where c.relkind in ('r', 'p', 'v', 'm') and {project_schema} and coalesce(r.rolname, 'public') in ({roles_filter})"
    ))? {
        lines.insert(format!("grant {}.{} {} {}", row[0], row[1], row[2], row[3]));
    }
    for row in psql.rows(&format!(
        "select n.nspname, c.relname, att.attname, coalesce(r.rolname, 'public'), a.privilege_type from pg_attribute att \
         join pg_class c on c.oid = att.attrelid join pg_namespace n on n.oid = c.relnamespace \
         cross join lateral aclexplode(att.attacl) a left join pg_roles r on r.oid = a.grantee \
         where att.attacl is not null and att.attnum > 0 and not att.attisdropped and {project_schema} \
         and coalesce(r.rolname, 'public') in ({roles_filter})"
    ))? {
        lines.insert(format!("column-grant {}.{}.{} {} {}", row[0], row[1], row[2], row[3], row[4]));
    }
    for row in psql.rows(&format!(
        "select n.nspname, c.relname, c.relkind, coalesce(array_to_string(c.reloptions, ','), '') from pg_class c \
         join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('v', 'm') and {project_schema}"
    ))? {
        let invoker = row[3].split(',').any(|o| {
            matches!(
                o.to_ascii_lowercase().as_str(),
                "security_invoker=true" | "security_invoker=on" | "security_invoker=1"
            )
        });
        lines.insert(format!(
            "view {}.{} {} invoker={}",
            row[0],
            row[1],
            if row[2] == "m" { "materialized" } else { "plain" },
            on_off(invoker)
        ));
    }
    for row in psql.rows(&format!(
        "select n.nspname, p.proname, oidvectortypes(p.proargtypes), p.prosecdef, \
         coalesce((select substr(c, 13) from unnest(p.proconfig) c where c like 'search_path=%'), E'\\x02'), \
         has_function_privilege('anon', p.oid, 'execute'), has_function_privilege('authenticated', p.oid, 'execute') \
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace \
         where p.prokind in ('f', 'p') and {project_schema} \
         and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')"
    ))? {
        let path = if row[4] == "\u{2}" {
            "-".to_string()
        } else {
            normalize_path(&row[4])
        };
        lines.insert(format!(
            "function {}.{}({}) definer={} search_path={} anon={} authenticated={}",
            row[0],
            row[1],
            row[2],
            yes_no(row[3] == "t"),
            path,
            yes_no(row[5] == "t"),
            yes_no(row[6] == "t"),
        ));
    }
    for row in psql.rows(
        "select n.nspname, c.relname, t.tgname, (t.tgtype & 2) <> 0, t.tgtype from pg_trigger t \
         join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where not t.tgisinternal",
    )? {
        let bits: i64 = row[4].parse().unwrap_or(0);
        let mut events = Vec::new();
        for (bit, cmd) in [(4, Cmd::Insert), (8, Cmd::Delete), (16, Cmd::Update)] {
            if bits & bit != 0 {
                events.push(cmd);
            }
        }
        lines.insert(format!(
            "trigger {}.{} {} {} {}",
            row[0],
            row[1],
            row[2],
            if row[3] == "t" { "before" } else { "after" },
            events_text(&events)
        ));
    }
    if let Ok(rows) = psql.rows("select id, public from storage.buckets") {
        for row in rows {
            lines.insert(format!("bucket {} public={}", row[0], yes_no(row[1] == "t")));
        }
    }
    Ok(lines)
}
