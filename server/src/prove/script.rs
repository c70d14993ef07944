//! The attempt as one SQL script: helpers in a schema of their own, two
//! users A and B, a row of A's (and B's own) in every exposed table, then
//! every unhappy path as a visitor (the anon key) and as B. Each attempt
//! runs in a subtransaction that is rolled back, under the role and JWT
//! claims PostgREST would use, and records what happened in
//! `nudge_prove.results`; the whole script runs in a transaction the caller
//! rolls back.

use super::schema::{Column, Function, Schema, Table, literal, quote};

/// The two test users, fixed so a run is repeatable.
pub const USER_A: &str = "00000000-0000-4000-8000-00000000000a";
pub const USER_B: &str = "00000000-0000-4000-8000-00000000000b";
/// An id nobody has: a function's answer for it is its answer for no one.
pub const USER_NOBODY: &str = "00000000-0000-4000-8000-0000000000ff";

/// Who tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Actor {
    /// Anyone with the public anon key, signed in or not.
    Visitor,
    /// User B, signed in, trying A's rows (and their own privileged columns).
    OtherUser,
}

impl Actor {
    pub fn name(self) -> &'static str {
        match self {
            Actor::Visitor => "visitor",
            Actor::OtherUser => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Actor> {
        match name {
            "visitor" => Some(Actor::Visitor),
            "other" => Some(Actor::OtherUser),
            _ => None,
        }
    }
}

const HELPERS: &str = r#"
create schema nudge_prove;
create table nudge_prove.seeded (tbl text, who text, pk text);
create table nudge_prove.results (
  seq serial primary key, kind text, actor text, object text, detail text,
  ok boolean, n bigint, error text, writes bigint
);
grant usage on schema nudge_prove to anon, authenticated;
grant select on nudge_prove.seeded to anon, authenticated;

-- Runs a seeding statement; the first column it returns is the new row's key.
-- `fallback` (the required columns only) is tried when `sql` (every
-- column filled) is refused, say by a CHECK that wants some left empty.
create function nudge_prove.seed(tbl text, who text, sql text, fallback text default null) returns void language plpgsql as $nudge$
declare v text;
begin
  begin
    execute sql into v;
  exception when others then
    if fallback is null then
      insert into nudge_prove.results (kind, actor, object, ok, n, error) values ('seed', who, tbl, false, 0, sqlerrm);
      return;
    end if;
    begin
      execute fallback into v;
    exception when others then
      insert into nudge_prove.results (kind, actor, object, ok, n, error) values ('seed', who, tbl, false, 0, sqlerrm);
      return;
    end;
  end;
  if v is not null then
    insert into nudge_prove.seeded values (tbl, who, v);
  end if;
end $nudge$;

-- One unhappy path, as `actor`, undone afterwards: whether it worked, how
-- many rows it read or touched, how many rows it wrote anywhere.
-- `verify`, when given, counts afterwards (as the owner) what really changed.
create function nudge_prove.attempt(kind text, actor text, object text, detail text, claims text, sql text, verify text default null)
returns void language plpgsql as $nudge$
declare
  n bigint := 0;
  before bigint;
  after bigint;
  msg text;
  wrote text;
  count text;
begin
  begin
    perform set_config('request.jwt.claims', claims, true);
    perform set_config('request.jwt.claim.sub', coalesce(claims::jsonb ->> 'sub', ''), true);
    perform set_config('request.jwt.claim.role', claims::jsonb ->> 'role', true);
    select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) into before from pg_stat_xact_user_tables;
    if actor = 'visitor' then set local role anon; else set local role authenticated; end if;
    if kind in ('read', 'list', 'call') then
      execute sql into n;
    else
      execute sql;
      get diagnostics n = row_count;
    end if;
    reset role;
    if verify is not null and n > 0 then
      execute verify into n;
    end if;
    select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) into after from pg_stat_xact_user_tables;
    raise exception using errcode = 'P0001', message = 'nudge-undo', detail = (after - before)::text, hint = coalesce(n, 0)::text;
  exception when others then
    get stacked diagnostics msg = message_text, wrote = pg_exception_detail, count = pg_exception_hint;
    if msg = 'nudge-undo' then
      insert into nudge_prove.results (kind, actor, object, detail, ok, n, writes)
        values (kind, actor, object, detail, true, count::bigint, wrote::bigint);
    else
      insert into nudge_prove.results (kind, actor, object, detail, ok, n, error, writes)
        values (kind, actor, object, detail, false, 0, msg, 0);
    end if;
  end;
end $nudge$;
"#;

fn claims(actor: Actor) -> String {
    match actor {
        Actor::Visitor => r#"{"role":"anon"}"#.to_string(),
        Actor::OtherUser => format!(r#"{{"sub":"{USER_B}","role":"authenticated","email":"b@nudge.test"}}"#),
    }
}

/// A dollar-quoted string that no generated SQL contains.
fn dollar(sql: &str) -> String {
    format!("$nudge_sql${sql}$nudge_sql$")
}

/// Columns that tie a row to its user.
pub fn owner_columns(table: &Table) -> Vec<String> {
    const NAMES: &[&str] = &[
        "user_id",
        "owner_id",
        "profile_id",
        "author_id",
        "created_by",
        "account_id",
        "customer_id",
        "member_id",
        "userid",
        "owner",
        "creator_id",
        "client_id",
        "patient_id",
        "seller_id",
        "buyer_id",
        "sender_id",
        "auth_user_id",
    ];
    let mut out: Vec<String> = table
        .foreign_keys
        .iter()
        .filter(|fk| fk.target == "auth.users" && fk.columns.len() == 1)
        .map(|fk| fk.columns[0].clone())
        .collect();
    for column in &table.columns {
        if NAMES.contains(&column.name.as_str()) && column.udt == "uuid" && !out.contains(&column.name) {
            out.push(column.name.clone());
        }
    }
    let profile_like = ["profiles", "users", "user_profiles", "accounts"].contains(&table.name.as_str());
    if out.is_empty()
        && profile_like
        && table.primary_key == ["id"]
        && table.column("id").is_some_and(|c| c.udt == "uuid")
    {
        out.push("id".to_string());
    }
    out
}

/// The value a column gets in a row of `who` (`A` or `B`).
fn value_for(table: &Table, column: &Column, who: &str, owners: &[String]) -> Option<String> {
    let user = if who == "B" { USER_B } else { USER_A };
    if owners.contains(&column.name) {
        return Some(format!("'{user}'::uuid"));
    }
    if let Some(fk) = table.foreign_keys.iter().find(|fk| fk.columns == [column.name.clone()]) {
        if fk.target == "auth.users" {
            return Some(format!("'{user}'::uuid"));
        }
        return Some(format!(
            "(select pk::{} from nudge_prove.seeded where tbl = {} and who = 'A' limit 1)",
            column.type_name,
            literal(&fk.target)
        ));
    }
    if let Some(label) = column.enum_labels.first() {
        return Some(format!("{}::{}", literal(label), column.type_name));
    }
    if let Some(allowed) = allowed_values(table, &column.name).into_iter().next() {
        return Some(format!("{}::{}", literal(&allowed), column.type_name));
    }
    let name = column.name.to_ascii_lowercase();
    let text_value = if name.contains("email") {
        format!("{}@nudge.test", who.to_ascii_lowercase())
    } else if name.contains("phone") {
        "+15550100".to_string()
    } else if name.contains("url") || name.contains("website") {
        "https://nudge.test".to_string()
    } else if name.contains("slug") || name.contains("username") || name.contains("handle") {
        format!("nudge-{}", who.to_ascii_lowercase())
    } else {
        format!("nudge test {who}")
    };
    let udt = column.udt.as_str();
    Some(match udt {
        "uuid" => "gen_random_uuid()".to_string(),
        "text" | "varchar" | "bpchar" | "name" | "citext" => {
            let mut value = text_value;
            if let Some(limit) = length_limit(&column.type_name) {
                value.truncate(limit);
            }
            format!("{}::{}", literal(&value), column.type_name)
        }
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "money" => format!("1::{}", column.type_name),
        // Every flag off: A's row is a draft, not published, so a policy
        // that shows published rows must not show it.
        "bool" => "false".to_string(),
        "date" => "current_date".to_string(),
        "timestamp" | "timestamptz" => "now()".to_string(),
        "time" | "timetz" => "'12:00'::time".to_string(),
        "interval" => "'1 day'::interval".to_string(),
        "json" | "jsonb" => format!("'{{}}'::{udt}"),
        "inet" | "cidr" => "'127.0.0.1'::inet".to_string(),
        "bytea" => "'\\x00'::bytea".to_string(),
        _ if udt.starts_with('_') => format!("'{{}}'::{}", column.type_name),
        _ => return None,
    })
}

fn length_limit(type_name: &str) -> Option<usize> {
    let open = type_name.find('(')?;
    type_name[open + 1..].trim_end_matches(')').trim().parse().ok()
}

/// Values a CHECK constraint lists for a column (`status IN ('a', 'b')`,
/// `= ANY (ARRAY['a'::text, ...])`).
fn allowed_values(table: &Table, column: &str) -> Vec<String> {
    for check in &table.checks {
        let lower = check.to_ascii_lowercase();
        if !(lower.contains(&format!("({column} "))
            || lower.contains(&format!("({column})"))
            || lower.contains(&format!(" {column} ")))
        {
            continue;
        }
        if !(lower.contains("any (array[") || lower.contains(" in (")) {
            continue;
        }
        let mut values = Vec::new();
        let mut rest = check.as_str();
        while let Some(open) = rest.find('\'') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('\'') else { break };
            values.push(after[..close].to_string());
            rest = &after[close + 1..];
        }
        if !values.is_empty() {
            return values;
        }
    }
    Vec::new()
}

/// An insert of one row of `who`, or `None` when a required column has no
/// value we can make.
/// `full`: every column without a default gets a value, not only the
/// required ones, so that policies reading a column (`length(body) < 500`,
/// `published`) see a row like a real one.
fn insert_sql(table: &Table, who: &str, owners: &[String], full: bool) -> Option<String> {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for column in &table.columns {
        if column.generated || column.identity {
            continue;
        }
        let required = column.not_null && !column.has_default;
        let wanted = required
            || (full && !column.has_default)
            || owners.contains(&column.name)
            || table.foreign_keys.iter().any(|fk| fk.columns == [column.name.clone()]);
        if !wanted {
            continue;
        }
        match value_for(table, column, who, owners) {
            Some(value) => {
                columns.push(quote(&column.name));
                values.push(value);
            }
            None if required => return None,
            None => {}
        }
    }
    let target = table.qualified();
    if columns.is_empty() {
        return Some(format!("insert into {target} default values"));
    }
    Some(format!(
        "insert into {target} ({}) values ({})",
        columns.join(", "),
        values.join(", ")
    ))
}

/// How to pick out the row of `who`: by its key (as seeded) or its owner.
fn row_filter(table: &Table, who: &str, owners: &[String]) -> Option<String> {
    if let [key] = table.primary_key.as_slice()
        && let Some(column) = table.column(key)
    {
        return Some(format!(
            "{} = (select pk::{} from nudge_prove.seeded where tbl = {} and who = '{who}' limit 1)",
            quote(key),
            column.type_name,
            literal(&table.qualified())
        ));
    }
    let user = if who == "B" { USER_B } else { USER_A };
    if let Some(owner) = owners.first() {
        return Some(format!("{} = '{user}'::uuid", quote(owner)));
    }
    // No key and no owner: any row, by a filter that reads a column, as
    // the API's filters always do (so SELECT policies apply, as there).
    table
        .columns
        .first()
        .map(|c| format!("({0} = {0} or {0} is null)", quote(&c.name)))
}

/// A different, valid value for B's own row: the escalation for columns
/// whose name says they decide rights or money.
fn changed_value(table: &Table, column: &Column) -> Option<String> {
    let name = column.name.to_ascii_lowercase();
    if let Some(label) = column
        .enum_labels
        .iter()
        .find(|l| escalation_label(l))
        .or(column.enum_labels.last())
    {
        return Some(format!("{}::{}", literal(label), column.type_name));
    }
    let allowed = allowed_values(table, &column.name);
    if !allowed.is_empty() {
        let pick = allowed.iter().find(|v| escalation_label(v)).or(allowed.last())?;
        return Some(format!("{}::{}", literal(pick), column.type_name));
    }
    Some(match column.udt.as_str() {
        "bool" => format!("not coalesce({}, false)", quote(&column.name)),
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" => {
            format!("coalesce({}, 0) + 1000", quote(&column.name))
        }
        "text" | "varchar" | "citext" => {
            let value = if name.contains("role") {
                "admin"
            } else if name.contains("plan") || name.contains("tier") || name.contains("subscription") {
                "pro"
            } else if name.contains("status") {
                "active"
            } else {
                "changed by another user"
            };
            format!("{}::{}", literal(value), column.type_name)
        }
        "timestamp" | "timestamptz" => "now() + interval '10 years'".to_string(),
        "date" => "current_date + 3650".to_string(),
        _ => return None,
    })
}

fn escalation_label(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    [
        "admin",
        "super",
        "owner",
        "pro",
        "premium",
        "enterprise",
        "paid",
        "active",
        "verified",
        "approved",
        "business",
        "unlimited",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// An argument value for a function call, by type.
fn argument(type_name: &str) -> String {
    match type_name {
        "uuid" => format!("'{USER_A}'::uuid"),
        "text" | "character varying" => "'nudge test'".to_string(),
        "integer" | "bigint" | "smallint" | "numeric" | "real" | "double precision" => "1".to_string(),
        "boolean" => "true".to_string(),
        "json" | "jsonb" => format!("'{{}}'::{type_name}"),
        "date" => "current_date".to_string(),
        "timestamp with time zone" | "timestamp without time zone" => "now()".to_string(),
        t if t.ends_with("[]") => format!("'{{}}'::{t}"),
        t => format!("null::{t}"),
    }
}

/// The whole attempt: helpers, seed, every unhappy path, the results.
pub fn build(schema: &Schema, in_transaction: bool) -> String {
    let mut sql = String::new();
    if in_transaction {
        sql.push_str("begin;\n");
    }
    sql.push_str(HELPERS);
    // Every call runs in one DO block, so nothing but the results is printed.
    sql.push_str("do $nudge_do$\nbegin\n");
    // The two users; an `on auth.users` trigger (a profile row) runs too.
    if schema.storage {
        for (id, who) in [(USER_A, "a"), (USER_B, "b")] {
            sql.push_str(&format!(
                "perform nudge_prove.seed('auth.users', '{}', {});\n",
                who.to_uppercase(),
                dollar(&format!(
                    "insert into auth.users (id, email, role, aud) values ('{id}', '{who}@nudge.test', 'authenticated', 'authenticated') on conflict (id) do nothing returning id::text"
                ))
            ));
        }
    }
    let order = super::schema::dependency_order(&schema.tables);
    for &index in &order {
        let table = &schema.tables[index];
        let owners = owner_columns(table);
        let key = table.primary_key.first().map(|k| quote(k));
        let owners_for = if owners.is_empty() { vec!["A"] } else { vec!["A", "B"] };
        for who in owners_for {
            let Some(insert) = insert_sql(table, who, &owners, false) else {
                sql.push_str(&format!(
                    "insert into nudge_prove.results (kind, actor, object, ok, n, error) values ('seed', '{who}', {}, false, 0, 'a required column has a type Nudge cannot fill');\n",
                    literal(&table.qualified())
                ));
                continue;
            };
            let full = insert_sql(table, who, &owners, true).unwrap_or_else(|| insert.clone());
            let returning = key
                .clone()
                .map(|k| format!(" returning {k}::text"))
                .unwrap_or_else(|| " returning 'row'".to_string());
            // A row of A's may exist already (made by a trigger on auth.users).
            let statement = |insert: &str| match (owners.first(), &key) {
                (Some(owner), Some(k)) => {
                    let user = if who == "B" { USER_B } else { USER_A };
                    format!(
                        "with existing as (select {k}::text as pk from {t} where {o} = '{user}'::uuid limit 1), made as ({insert} on conflict do nothing{returning}) select coalesce((select pk from existing), (select * from made limit 1))",
                        t = table.qualified(),
                        o = quote(owner),
                    )
                }
                _ => format!("{insert}{returning}"),
            };
            sql.push_str(&format!(
                "perform nudge_prove.seed({}, '{who}', {}, {});\n",
                literal(&table.qualified()),
                dollar(&statement(&full)),
                dollar(&statement(&insert))
            ));
        }
    }
    // Storage: a file of A's in every bucket.
    if schema.storage {
        for bucket in &schema.buckets {
            sql.push_str(&format!(
                "perform nudge_prove.seed('bucket:{id}', 'A', {});\n",
                dollar(&format!(
                    "insert into storage.objects (bucket_id, name, owner, owner_id) values ({b}, '{USER_A}/nudge-proof.txt', '{USER_A}', '{USER_A}') returning id::text",
                    b = literal(&bucket.id)
                )),
                id = bucket.id.replace('\'', "")
            ));
        }
    }
    for table in &schema.tables {
        sql.push_str(&format!(
            "insert into nudge_prove.results (kind, actor, object, ok, n) select 'total', 'postgres', {}, true, count(*) from {};\n",
            literal(&table.qualified()),
            table.qualified()
        ));
    }
    let attempt = |kind: &str, actor: Actor, object: &str, detail: &str, statement: &str| {
        format!(
            "perform nudge_prove.attempt('{kind}', '{}', {}, {}, {}, {});\n",
            actor.name(),
            literal(object),
            literal(detail),
            literal(&claims(actor)),
            dollar(statement)
        )
    };
    let attempt_verified = |kind: &str, actor: Actor, object: &str, detail: &str, statement: &str, verify: &str| {
        format!(
            "perform nudge_prove.attempt('{kind}', '{}', {}, {}, {}, {}, {});\n",
            actor.name(),
            literal(object),
            literal(detail),
            literal(&claims(actor)),
            dollar(statement),
            dollar(verify)
        )
    };
    for table in &schema.tables {
        let object = table.qualified();
        let owners = owner_columns(table);
        let t = table.qualified();
        // Where rows belong to nobody in particular, a signed-in user is
        // tried like a visitor: reading everything and adding rows.
        let everyone = if owners.is_empty() {
            vec![Actor::Visitor, Actor::OtherUser]
        } else {
            vec![Actor::Visitor]
        };
        for &actor in &everyone {
            sql.push_str(&attempt(
                "read",
                actor,
                &object,
                "all",
                &format!("select count(*) from {t}"),
            ));
        }
        if let Some(insert) = insert_sql(table, "A", &owners, false) {
            for &actor in &everyone {
                sql.push_str(&attempt("insert", actor, &object, "", &insert));
            }
            if !owners.is_empty() {
                sql.push_str(&attempt("insert", Actor::OtherUser, &object, "as-A", &insert));
            }
        }
        if let Some(filter) = row_filter(table, "A", &owners) {
            if !owners.is_empty() {
                sql.push_str(&attempt(
                    "read",
                    Actor::OtherUser,
                    &object,
                    "A-row",
                    &format!("select count(*) from {t} where {filter}"),
                ));
            }
            let touch = table
                .columns
                .iter()
                .find(|c| !c.generated && !c.identity && !table.primary_key.contains(&c.name))
                .map(|c| quote(&c.name));
            if let Some(column) = touch {
                for actor in [Actor::Visitor, Actor::OtherUser] {
                    sql.push_str(&attempt(
                        "update",
                        actor,
                        &object,
                        "A-row",
                        &format!("update {t} set {column} = {column} where {filter}"),
                    ));
                }
            }
            for actor in [Actor::Visitor, Actor::OtherUser] {
                sql.push_str(&attempt(
                    "delete",
                    actor,
                    &object,
                    "A-row",
                    &format!("delete from {t} where {filter}"),
                ));
            }
        }
        // B changes each column of their own row.
        if !owners.is_empty()
            && let Some(filter) = row_filter(table, "B", &owners)
        {
            for column in &table.columns {
                if column.generated
                    || column.identity
                    || table.primary_key.contains(&column.name)
                    || owners.contains(&column.name)
                {
                    continue;
                }
                if table.foreign_keys.iter().any(|fk| fk.columns.contains(&column.name)) {
                    continue;
                }
                if let Some(value) = changed_value(table, column) {
                    // Counted by what the row holds afterwards: a trigger
                    // that puts the old value back means it held.
                    let c = quote(&column.name);
                    sql.push_str(&attempt_verified(
                        "self-update",
                        Actor::OtherUser,
                        &object,
                        &column.name,
                        &format!("update {t} set {c} = {value} where {filter}"),
                        &format!("select count(*) from {t} where {filter} and {c} is not distinct from {value}"),
                    ));
                }
            }
        }
    }
    // Views are read like tables: all rows as a visitor, A's rows as B.
    for view in &schema.views {
        let v = view.qualified();
        sql.push_str(&format!(
            "insert into nudge_prove.results (kind, actor, object, ok, n) select 'total', 'postgres', {}, true, count(*) from {v};\n",
            literal(&v),
        ));
        // B's own rows are B's to read, so only the visitor counts them all.
        sql.push_str(&attempt(
            "read",
            Actor::Visitor,
            &v,
            "all",
            &format!("select count(*) from {v}"),
        ));
        if let Some(owner) = owner_columns(view).first() {
            sql.push_str(&attempt(
                "read",
                Actor::OtherUser,
                &v,
                "A-row",
                &format!("select count(*) from {v} where {} = '{USER_A}'::uuid", quote(owner)),
            ));
        }
    }
    for function in &schema.functions {
        if !function.definer {
            continue;
        }
        let call = call_sql(function);
        // The same call with a stranger's id in place of A's: more rows
        // with A's id means the function handed A's data to the caller.
        if function.args.iter().any(|a| a == "uuid") {
            let stranger = call_sql(function).replace(USER_A, USER_NOBODY);
            for (actor, allowed) in [
                (Actor::Visitor, function.anon),
                (Actor::OtherUser, function.authenticated),
            ] {
                if allowed {
                    sql.push_str(&attempt(
                        "call",
                        actor,
                        &function_object(function),
                        "stranger-id",
                        &stranger,
                    ));
                }
            }
        }
        if function.anon {
            sql.push_str(&attempt("call", Actor::Visitor, &function_object(function), "", &call));
        }
        if function.authenticated {
            sql.push_str(&attempt(
                "call",
                Actor::OtherUser,
                &function_object(function),
                "",
                &call,
            ));
        }
    }
    if schema.storage {
        for bucket in &schema.buckets {
            let object = format!("bucket:{}", bucket.id);
            let b = literal(&bucket.id);
            for actor in [Actor::Visitor, Actor::OtherUser] {
                sql.push_str(&attempt(
                    "list",
                    actor,
                    &object,
                    "",
                    &format!("select count(*) from storage.objects where bucket_id = {b}"),
                ));
                sql.push_str(&attempt(
                    "upload",
                    actor,
                    &object,
                    "",
                    &format!(
                        "insert into storage.objects (bucket_id, name) values ({b}, '{USER_A}/planted-by-{}.txt')",
                        actor.name()
                    ),
                ));
                sql.push_str(&attempt(
                    "delete-file",
                    actor,
                    &object,
                    "",
                    &format!("delete from storage.objects where bucket_id = {b} and name = '{USER_A}/nudge-proof.txt'"),
                ));
            }
        }
    }
    sql.push_str("end $nudge_do$;\n");
    sql.push_str(
        "\\pset format unaligned\n\\pset tuples_only on\n\\pset fieldsep '\\037'\n\\pset recordsep '\\036'\n\
         select kind, actor, object, coalesce(detail, ''), ok, coalesce(n, 0), coalesce(error, ''), coalesce(writes, 0) from nudge_prove.results order by seq;\n",
    );
    if in_transaction {
        sql.push_str("rollback;\n");
    }
    sql
}

/// `schema.name(argtypes)` as results name a function.
pub fn function_object(function: &Function) -> String {
    format!(
        "function:{}.{}({})",
        function.schema,
        function.name,
        function.args.join(", ")
    )
}

fn call_sql(function: &Function) -> String {
    let args: Vec<String> = function.args.iter().map(|t| argument(t)).collect();
    let call = format!(
        "{}.{}({})",
        quote(&function.schema),
        quote(&function.name),
        args.join(", ")
    );
    if function.returns_set {
        format!("select count(*) from {call} as nudge_rows")
    } else {
        // A null answer is no answer.
        format!("select count(*) from (select {call} as v) as nudge_call where nudge_call.v is not null")
    }
}
