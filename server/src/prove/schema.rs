//! What the database holds, read from PostgreSQL's own catalog before the
//! attempt: tables of the exposed schemas with their columns, keys,
//! references and checks, enum labels, the functions the API can call, and
//! the buckets. Everything the seed and the attempts are generated from.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::pg::Psql;

#[derive(Clone, Debug, Deserialize)]
pub struct Column {
    pub name: String,
    /// `format_type`, e.g. `character varying(20)`, `uuid`, `text[]`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The type's own name (`uuid`, `_text` for arrays, an enum's name).
    pub udt: String,
    pub not_null: bool,
    pub has_default: bool,
    pub generated: bool,
    pub identity: bool,
    /// Labels when the type is an enum.
    #[serde(default)]
    pub enum_labels: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub target: String,
    pub target_columns: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
    #[serde(default)]
    pub primary_key: Vec<String>,
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKey>,
    /// `pg_get_constraintdef` of each CHECK constraint.
    #[serde(default)]
    pub checks: Vec<String>,
    pub rls: bool,
}

impl Table {
    pub fn qualified(&self) -> String {
        format!("{}.{}", quote(&self.schema), quote(&self.name))
    }

    pub fn display(&self) -> String {
        if self.schema == "public" {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Function {
    pub schema: String,
    pub name: String,
    /// Input argument types, in order (`format_type` of each).
    pub args: Vec<String>,
    pub arg_names: Vec<String>,
    pub definer: bool,
    pub returns_set: bool,
    pub returns: String,
    pub anon: bool,
    pub authenticated: bool,
}

impl Function {
    pub fn display(&self) -> String {
        if self.schema == "public" {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Bucket {
    pub id: String,
    pub public: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Schema {
    #[serde(default)]
    pub tables: Vec<Table>,
    /// Views and materialized views, read-only here (their columns only;
    /// no keys or checks).
    #[serde(default)]
    pub views: Vec<Table>,
    #[serde(default)]
    pub functions: Vec<Function>,
    #[serde(default)]
    pub buckets: Vec<Bucket>,
    /// Whether `storage.objects` exists (a Supabase database).
    #[serde(default)]
    pub storage: bool,
}

/// An identifier as SQL writes it.
pub fn quote(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A string as a SQL literal.
pub fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Reads the schemas `exposed` (as the API serves them) in one query.
pub fn read(psql: &Psql, exposed: &[String]) -> Result<Schema, String> {
    let schemas = exposed.iter().map(|s| literal(s)).collect::<Vec<_>>().join(", ");
    let query = format!(
        r#"
with tables as (
  select c.oid, n.nspname as schema, c.relname as name, c.relrowsecurity as rls
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and n.nspname in ({schemas})
)
select json_build_object(
  'tables', coalesce((select json_agg(json_build_object(
      'schema', t.schema, 'name', t.name, 'rls', t.rls,
      'columns', (select coalesce(json_agg(json_build_object(
          'name', a.attname,
          'type', format_type(a.atttypid, a.atttypmod),
          'udt', ty.typname,
          'not_null', a.attnotnull,
          'has_default', a.atthasdef,
          'generated', a.attgenerated <> '',
          'identity', a.attidentity <> '',
          'enum_labels', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]'::json) from pg_enum e where e.enumtypid = ty.oid)
        ) order by a.attnum), '[]'::json)
        from pg_attribute a join pg_type ty on ty.oid = a.atttypid
        where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped),
      'primary_key', (select coalesce(json_agg(a.attname order by k.ord), '[]'::json)
        from pg_constraint co cross join lateral unnest(co.conkey) with ordinality k(attnum, ord)
        join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.attnum
        where co.conrelid = t.oid and co.contype = 'p'),
      'foreign_keys', (select coalesce(json_agg(json_build_object(
          'columns', (select json_agg(a.attname order by k.ord) from unnest(co.conkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.attnum),
          'target', (select quote_ident(n2.nspname) || '.' || quote_ident(c2.relname) from pg_class c2 join pg_namespace n2 on n2.oid = c2.relnamespace where c2.oid = co.confrelid),
          'target_columns', (select json_agg(a.attname order by k.ord) from unnest(co.confkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = co.confrelid and a.attnum = k.attnum)
        )), '[]'::json) from pg_constraint co where co.conrelid = t.oid and co.contype = 'f'),
      'checks', (select coalesce(json_agg(pg_get_constraintdef(co.oid)), '[]'::json) from pg_constraint co where co.conrelid = t.oid and co.contype = 'c')
    ) order by t.schema, t.name) from tables t), '[]'::json),
  'views', coalesce((select json_agg(json_build_object(
      'schema', n.nspname, 'name', c.relname, 'rls', false,
      'columns', (select coalesce(json_agg(json_build_object(
          'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'udt', ty.typname,
          'not_null', false, 'has_default', false, 'generated', false, 'identity', false
        ) order by a.attnum), '[]'::json)
        from pg_attribute a join pg_type ty on ty.oid = a.atttypid
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped)
    ) order by n.nspname, c.relname)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('v', 'm') and n.nspname in ({schemas})
      and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')), '[]'::json),
  'functions', coalesce((select json_agg(json_build_object(
      'schema', n.nspname, 'name', p.proname,
      'args', (select coalesce(json_agg(format_type(x.t, null) order by x.ord), '[]'::json) from unnest(p.proargtypes) with ordinality x(t, ord)),
      'arg_names', coalesce(to_json(p.proargnames), '[]'::json),
      'definer', p.prosecdef,
      'returns_set', p.proretset,
      'returns', format_type(p.prorettype, null),
      'anon', has_function_privilege('anon', p.oid, 'execute'),
      'authenticated', has_function_privilege('authenticated', p.oid, 'execute')
    ) order by n.nspname, p.proname)
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ({schemas}) and p.prokind = 'f'
      and format_type(p.prorettype, null) not in ('trigger', 'event_trigger')
      and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')), '[]'::json),
  'buckets', coalesce((select json_agg(json_build_object('id', b.id, 'public', coalesce(b.public, false)) order by b.id)
    from storage.buckets b where to_regclass('storage.buckets') is not null), '[]'::json),
  'storage', to_regclass('storage.objects') is not null
)
"#
    );
    let rows = match psql.rows(&query) {
        Ok(rows) => rows,
        // A database without the storage schema: read it again without buckets.
        Err(e) if e.contains("storage.buckets") => psql.rows(&query.replace(
            "from storage.buckets b where to_regclass('storage.buckets') is not null",
            "from (select null::text as id, null::boolean as public where false) b",
        ))?,
        Err(e) => return Err(e),
    };
    let text = rows
        .first()
        .and_then(|r| r.first())
        .ok_or("the schema query returned nothing")?;
    serde_json::from_str(text).map_err(|e| format!("cannot read the schema description: {e}"))
}

/// Tables in the order their references need them (referenced tables
/// first); cycles are broken by name.
pub fn dependency_order(tables: &[Table]) -> Vec<usize> {
    let index: BTreeMap<String, usize> = tables.iter().enumerate().map(|(i, t)| (t.qualified(), i)).collect();
    let mut order = Vec::new();
    let mut state = vec![0u8; tables.len()];
    for start in 0..tables.len() {
        // Iterative depth-first visit: (table, next reference to look at).
        let mut stack = vec![(start, 0usize)];
        while let Some((current, next)) = stack.pop() {
            if state[current] == 2 {
                continue;
            }
            state[current] = 1;
            let references: Vec<usize> = tables[current]
                .foreign_keys
                .iter()
                .filter_map(|fk| index.get(&fk.target).copied())
                .filter(|&target| target != current)
                .collect();
            if let Some(&target) = references.get(next) {
                stack.push((current, next + 1));
                if state[target] == 0 {
                    stack.push((target, 0));
                }
            } else {
                state[current] = 2;
                order.push(current);
            }
        }
    }
    order
}
