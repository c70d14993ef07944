//! The schema as PostgreSQL holds it after a project's migrations ran, in
//! order: tables and columns, row-level security, policies by name,
//! privileges per role (table and column level, defaults included),
//! functions, views, triggers and storage buckets. Built by replaying
//! [`Stmt`]s; every object remembers the statement that made it what it is.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use super::expr::Condition;
use super::read::{
    self, BucketRow, Cmd, ColumnDef, DefaultObjects, ExprSrc, FuncRef, GrantTarget, Privilege, PrivilegeList, QualName,
    Stmt, StmtKind, TableCmd, Volatility,
};
use crate::engine::types::Span;

/// A place in the workspace: a file, a byte span in it, and its 0-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    pub path: String,
    pub span: Span,
    pub line: usize,
}

impl Site {
    /// Sites of the Supabase defaults the catalog starts from: no file.
    pub fn builtin() -> Site {
        Site {
            path: String::new(),
            span: Span::default(),
            line: 0,
        }
    }

    pub fn is_builtin(&self) -> bool {
        self.path.is_empty()
    }
}

/// A schema-qualified name; unqualified names resolve to `public`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub schema: String,
    pub name: String,
}

impl Key {
    pub fn of(name: &QualName) -> Key {
        Key {
            schema: name.schema.clone().unwrap_or_else(|| "public".to_string()),
            name: name.name.clone(),
        }
    }

    /// Parses a name as written in SQL or in `.from('x')`.
    pub fn parse(raw: &str) -> Key {
        Key::of(&read::qual_name(raw))
    }

    pub fn display(&self) -> String {
        if self.schema == "public" {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }

    /// The name as SQL must write it (quoted where folding would change it).
    pub fn sql(&self) -> String {
        let quote = |part: &str| {
            let plain = !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !part.starts_with(|c: char| c.is_ascii_digit());
            if plain {
                part.to_string()
            } else {
                format!("\"{}\"", part.replace('"', "\"\""))
            }
        };
        if self.schema == "public" {
            quote(&self.name)
        } else {
            format!("{}.{}", quote(&self.schema), quote(&self.name))
        }
    }
}

/// Privileges per role (`public` stands for PUBLIC), at table level and
/// per column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acl {
    pub table: BTreeMap<String, BTreeSet<Privilege>>,
    pub columns: BTreeMap<(String, String), BTreeSet<Privilege>>,
}

impl Acl {
    /// Whether `role` holds `privilege` on the whole table (itself or
    /// through PUBLIC).
    pub fn table_level(&self, role: &str, privilege: Privilege) -> bool {
        [role, "public"]
            .iter()
            .any(|r| self.table.get(*r).is_some_and(|p| p.contains(&privilege)))
    }

    /// Whether `role` may use `privilege` on `column`: table level, or a
    /// grant on that column.
    pub fn column_level(&self, role: &str, privilege: Privilege, column: &str) -> bool {
        self.table_level(role, privilege)
            || [role, "public"].iter().any(|r| {
                self.columns
                    .get(&(r.to_string(), column.to_string()))
                    .is_some_and(|p| p.contains(&privilege))
            })
    }

    /// Whether `role` may use `privilege` on the table at all (on some column).
    pub fn any_level(&self, role: &str, privilege: Privilege) -> bool {
        self.table_level(role, privilege)
            || self
                .columns
                .iter()
                .any(|((r, _), p)| (r == role || r == "public") && p.contains(&privilege))
    }

    fn grant(&mut self, role: &str, privilege: Privilege, columns: Option<&[String]>) {
        match columns {
            None => {
                self.table.entry(role.to_string()).or_default().insert(privilege);
            }
            Some(columns) => {
                for column in columns {
                    self.columns
                        .entry((role.to_string(), column.clone()))
                        .or_default()
                        .insert(privilege);
                }
            }
        }
    }

    /// PostgreSQL: revoking a table-level privilege also revokes it from
    /// every column; revoking a column privilege leaves the table's alone.
    fn revoke(&mut self, role: &str, privilege: Privilege, columns: Option<&[String]>) {
        match columns {
            None => {
                if let Some(set) = self.table.get_mut(role) {
                    set.remove(&privilege);
                }
                for ((r, _), set) in self.columns.iter_mut() {
                    if r == role {
                        set.remove(&privilege);
                    }
                }
            }
            Some(columns) => {
                for column in columns {
                    if let Some(set) = self.columns.get_mut(&(role.to_string(), column.clone())) {
                        set.remove(&privilege);
                    }
                }
            }
        }
        self.table.retain(|_, p| !p.is_empty());
        self.columns.retain(|_, p| !p.is_empty());
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub type_name: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub primary_key: bool,
    /// One row per value (`unique` on this column alone).
    pub unique: bool,
    pub references: Option<Key>,
    pub generated: bool,
}

impl Column {
    fn from_def(def: &ColumnDef) -> Column {
        Column {
            name: def.name.clone(),
            type_name: def.type_name.clone(),
            not_null: def.not_null,
            default: def.default.clone(),
            primary_key: def.primary_key,
            unique: def.unique,
            references: def.references.as_ref().map(Key::of),
            generated: def.generated,
        }
    }
}

/// A policy condition with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyExpr {
    pub text: String,
    pub site: Site,
    pub condition: Condition,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub command: Cmd,
    pub roles: Vec<String>,
    pub permissive: bool,
    pub using: Option<PolicyExpr>,
    pub with_check: Option<PolicyExpr>,
    /// The `CREATE POLICY`, then the last `ALTER POLICY` if any.
    pub site: Site,
    pub changed: Option<Site>,
}

impl Policy {
    pub fn applies_to(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role || r == "public")
    }

    pub fn covers(&self, command: Cmd) -> bool {
        self.command == command || self.command == Cmd::All
    }

    /// The check new rows must pass: `WITH CHECK`, or for UPDATE and ALL
    /// without one, the `USING` condition (as PostgreSQL reuses it).
    pub fn effective_check(&self) -> Option<&PolicyExpr> {
        self.with_check.as_ref().or(match self.command {
            Cmd::Update | Cmd::All => self.using.as_ref(),
            _ => None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub name: String,
    pub before: bool,
    pub events: Vec<Cmd>,
    pub function: Key,
    pub site: Site,
}

/// A privilege granted by a statement in the migrations (not a default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplicitGrant {
    pub role: String,
    pub privileges: Vec<Privilege>,
    pub site: Site,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub key: Key,
    pub columns: Vec<Column>,
    pub created: Site,
    pub name_site: Site,
    pub rls: bool,
    /// The statement that last enabled or disabled row-level security.
    pub rls_site: Option<Site>,
    /// Each change of RLS, in order: (enabled, where).
    pub rls_history: Vec<(bool, Site)>,
    pub forced: bool,
    pub owner: String,
    pub policies: BTreeMap<String, Policy>,
    pub acl: Acl,
    pub triggers: BTreeMap<String, Trigger>,
    pub explicit_grants: Vec<ExplicitGrant>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub key: Key,
    pub args: Vec<String>,
    pub security_definer: bool,
    pub search_path: Option<String>,
    pub language: String,
    pub volatility: Volatility,
    pub returns_trigger: bool,
    pub returns: String,
    /// Input parameter names, lower-case (`""` when unnamed).
    pub params: Vec<String>,
    pub body: Option<String>,
    pub site: Site,
    pub name_site: Site,
    /// Roles with EXECUTE (`public` for PUBLIC).
    pub execute: BTreeSet<String>,
    /// The last statement that changed it after its creation.
    pub changed: Option<Site>,
}

impl Function {
    pub fn executable_by(&self, role: &str) -> bool {
        self.execute.contains(role) || self.execute.contains("public")
    }

    pub fn signature(&self) -> String {
        format!("{}({})", self.key.display(), self.args.join(", "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub key: Key,
    pub site: Site,
    pub name_site: Site,
    pub materialized: bool,
    pub security_invoker: bool,
    pub reads: Vec<Key>,
    pub acl: Acl,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub id: String,
    pub public: bool,
    pub created: Site,
    /// The statement that last set `public`.
    pub site: Site,
}

/// A statement that changed nothing, and why (a missing object, a
/// duplicate): PostgreSQL would have raised an error or a notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub site: Site,
    pub message: String,
}

/// What `ALTER DEFAULT PRIVILEGES` set: per creating role, schema (`None`:
/// every schema) and kind of object, the privileges new objects get.
type DefaultAcls = BTreeMap<(String, Option<String>, ObjectKind), BTreeMap<String, BTreeSet<Privilege>>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ObjectKind {
    Tables,
    Functions,
}

/// The catalog of one database.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub schemas: BTreeSet<String>,
    pub tables: BTreeMap<Key, Table>,
    pub views: BTreeMap<Key, View>,
    pub functions: Vec<Function>,
    pub buckets: BTreeMap<String, Bucket>,
    /// Roles with USAGE on each schema.
    pub schema_usage: BTreeMap<String, BTreeSet<String>>,
    pub notes: Vec<Note>,
    defaults: DefaultAcls,
}

/// The role migrations run as.
const MIGRATION_ROLE: &str = "postgres";

/// Statements of the Supabase defaults, read once.
static SUPABASE_DEFAULTS: LazyLock<Vec<Stmt>> =
    LazyLock::new(|| read::statements(crate::engine::catalog::SUPABASE_DATABASE_SQL));

impl Catalog {
    /// An empty database, as `initdb` leaves it (plain PostgreSQL).
    pub fn postgres() -> Catalog {
        let mut catalog = Catalog::default();
        catalog.schemas.insert("public".to_string());
        catalog
    }

    /// A fresh Supabase project's database: the compatibility layer's
    /// statements replayed (the same text `nudge prove` installs).
    pub fn supabase() -> Catalog {
        let mut catalog = Catalog::postgres();
        for stmt in SUPABASE_DEFAULTS.iter() {
            catalog.apply(stmt, &|_| Site::builtin());
        }
        catalog.notes.clear();
        catalog
    }

    pub fn table(&self, key: &Key) -> Option<&Table> {
        self.tables.get(key)
    }

    /// Functions named `key`, any signature.
    pub fn functions_named<'a>(&'a self, key: &'a Key) -> impl Iterator<Item = &'a Function> + 'a {
        self.functions.iter().filter(move |f| &f.key == key)
    }

    fn note(&mut self, site: &Site, message: String) {
        self.notes.push(Note {
            site: site.clone(),
            message,
        });
    }

    fn default_acl(&self, schema: &str, kind: ObjectKind) -> BTreeMap<String, BTreeSet<Privilege>> {
        let role = MIGRATION_ROLE.to_string();
        // Hard-wired defaults unless a global ALTER DEFAULT PRIVILEGES
        // replaced them: functions are executable by PUBLIC, tables by no one
        // but their owner.
        let mut acl = match self.defaults.get(&(role.clone(), None, kind)) {
            Some(global) => global.clone(),
            None => hard_wired(kind),
        };
        if let Some(in_schema) = self.defaults.get(&(role, Some(schema.to_string()), kind)) {
            for (grantee, privileges) in in_schema {
                acl.entry(grantee.clone())
                    .or_default()
                    .extend(privileges.iter().copied());
            }
        }
        acl
    }

    /// Applies one statement; `site_of` turns its spans into sites.
    pub fn apply(&mut self, stmt: &Stmt, site_of: &dyn Fn(Span) -> Site) {
        let site = site_of(stmt.span);
        match &stmt.kind {
            StmtKind::CreateSchema(name) => {
                self.schemas.insert(name.clone());
            }
            StmtKind::CreateTable {
                name,
                name_span,
                if_not_exists,
                columns,
            } => {
                let key = Key::of(name);
                if self.tables.contains_key(&key) || self.views.contains_key(&key) {
                    if !if_not_exists {
                        self.note(&site, format!("`{}` already exists", key.display()));
                    }
                    return;
                }
                if !self.schemas.contains(&key.schema) {
                    self.note(&site, format!("schema `{}` does not exist", key.schema));
                    return;
                }
                let mut acl = Acl::default();
                for (grantee, privileges) in self.default_acl(&key.schema, ObjectKind::Tables) {
                    for privilege in privileges {
                        acl.grant(&grantee, privilege, None);
                    }
                }
                self.tables.insert(
                    key.clone(),
                    Table {
                        key,
                        columns: columns.iter().map(Column::from_def).collect(),
                        created: site.clone(),
                        name_site: site_of(*name_span),
                        rls: false,
                        rls_site: None,
                        rls_history: Vec::new(),
                        forced: false,
                        owner: MIGRATION_ROLE.to_string(),
                        policies: BTreeMap::new(),
                        acl,
                        triggers: BTreeMap::new(),
                        explicit_grants: Vec::new(),
                    },
                );
            }
            StmtKind::AlterTable { name, if_exists, cmds } => {
                let key = Key::of(name);
                if let Some(view) = self.views.get_mut(&key) {
                    for cmd in cmds {
                        if let TableCmd::SecurityInvoker(on) = cmd {
                            view.security_invoker = *on;
                        }
                    }
                    return;
                }
                let Some(table) = self.tables.get_mut(&key) else {
                    if !if_exists {
                        self.note(&site, format!("no table `{}` to alter", key.display()));
                    }
                    return;
                };
                for cmd in cmds {
                    match cmd {
                        TableCmd::EnableRls | TableCmd::DisableRls => {
                            let on = *cmd == TableCmd::EnableRls;
                            table.rls = on;
                            table.rls_site = Some(site.clone());
                            table.rls_history.push((on, site.clone()));
                        }
                        TableCmd::ForceRls => table.forced = true,
                        TableCmd::NoForceRls => table.forced = false,
                        TableCmd::AddColumn(def) => {
                            if table.column(&def.name).is_none() {
                                table.columns.push(Column::from_def(def));
                            }
                        }
                        TableCmd::DropColumn(column) => {
                            table.columns.retain(|c| &c.name != column);
                            table.acl.columns.retain(|(_, c), _| c != column);
                        }
                        TableCmd::OwnerTo(role) => table.owner = role.clone(),
                        TableCmd::SecurityInvoker(_) => {}
                    }
                }
            }
            StmtKind::RenameTable { name, if_exists, to } => {
                let key = Key::of(name);
                let new_key = Key {
                    schema: key.schema.clone(),
                    name: to.clone(),
                };
                if let Some(mut table) = self.tables.remove(&key) {
                    table.key = new_key.clone();
                    self.tables.insert(new_key, table);
                } else if let Some(mut view) = self.views.remove(&key) {
                    view.key = new_key.clone();
                    self.views.insert(new_key, view);
                } else if !if_exists {
                    self.note(&site, format!("no table `{}` to rename", key.display()));
                }
            }
            StmtKind::RenameColumn { table, from, to } => {
                if let Some(table) = self.tables.get_mut(&Key::of(table))
                    && let Some(column) = table.columns.iter_mut().find(|c| &c.name == from)
                {
                    column.name = to.clone();
                }
            }
            StmtKind::DropRelations {
                names,
                if_exists,
                views,
            } => {
                for name in names {
                    let key = Key::of(name);
                    let removed = if *views {
                        self.views.remove(&key).is_some()
                    } else {
                        self.tables.remove(&key).is_some()
                    };
                    if !removed && !if_exists {
                        self.note(&site, format!("nothing named `{}` to drop", key.display()));
                    }
                }
            }
            StmtKind::CreatePolicy {
                name,
                table,
                command,
                roles,
                permissive,
                using,
                with_check,
                ..
            } => {
                let key = Key::of(table);
                let Some(target) = self.tables.get_mut(&key) else {
                    self.note(&site, format!("no table `{}` for policy \"{name}\"", key.display()));
                    return;
                };
                if target.policies.contains_key(name) {
                    self.note(
                        &site,
                        format!("policy \"{name}\" already exists on `{}`", key.display()),
                    );
                    return;
                }
                target.policies.insert(
                    name.clone(),
                    Policy {
                        name: name.clone(),
                        command: *command,
                        roles: roles.clone(),
                        permissive: *permissive,
                        using: using.as_ref().map(|e| policy_expr(e, site_of)),
                        with_check: with_check.as_ref().map(|e| policy_expr(e, site_of)),
                        site: site.clone(),
                        changed: None,
                    },
                );
            }
            StmtKind::AlterPolicy {
                name,
                table,
                roles,
                using,
                with_check,
            } => {
                let key = Key::of(table);
                let Some(policy) = self.tables.get_mut(&key).and_then(|t| t.policies.get_mut(name)) else {
                    self.note(&site, format!("no policy \"{name}\" on `{}`", key.display()));
                    return;
                };
                if let Some(roles) = roles {
                    policy.roles = roles.clone();
                }
                if let Some(using) = using {
                    policy.using = Some(policy_expr(using, site_of));
                }
                if let Some(check) = with_check {
                    policy.with_check = Some(policy_expr(check, site_of));
                }
                policy.changed = Some(site.clone());
            }
            StmtKind::RenamePolicy { name, table, to } => {
                if let Some(table) = self.tables.get_mut(&Key::of(table))
                    && let Some(mut policy) = table.policies.remove(name)
                {
                    policy.name = to.clone();
                    table.policies.insert(to.clone(), policy);
                }
            }
            StmtKind::DropPolicy { name, table, if_exists } => {
                let key = Key::of(table);
                let removed = self
                    .tables
                    .get_mut(&key)
                    .and_then(|t| t.policies.remove(name))
                    .is_some();
                if !removed && !if_exists {
                    self.note(&site, format!("no policy \"{name}\" on `{}` to drop", key.display()));
                }
            }
            StmtKind::Grant {
                revoke,
                privileges,
                target,
                grantees,
            } => self.apply_grant(*revoke, privileges, target, grantees, &site),
            StmtKind::DefaultPrivileges {
                for_roles,
                schemas,
                revoke,
                privileges,
                objects,
                grantees,
            } => {
                let kind = match objects {
                    DefaultObjects::Tables => ObjectKind::Tables,
                    DefaultObjects::Functions => ObjectKind::Functions,
                    DefaultObjects::Other => return,
                };
                let roles = if for_roles.is_empty() {
                    vec![MIGRATION_ROLE.to_string()]
                } else {
                    for_roles.clone()
                };
                let schema_list: Vec<Option<String>> = if schemas.is_empty() {
                    vec![None]
                } else {
                    schemas.iter().cloned().map(Some).collect()
                };
                let listed: Vec<Privilege> = expand(privileges, kind);
                for role in roles {
                    for schema in &schema_list {
                        let entry = self
                            .defaults
                            .entry((role.clone(), schema.clone(), kind))
                            .or_insert_with(|| {
                                if schema.is_none() {
                                    hard_wired(kind)
                                } else {
                                    BTreeMap::new()
                                }
                            });
                        for grantee in grantees {
                            let set = entry.entry(grantee.clone()).or_default();
                            for privilege in &listed {
                                if *revoke {
                                    set.remove(privilege);
                                } else {
                                    set.insert(*privilege);
                                }
                            }
                        }
                        entry.retain(|_, p| !p.is_empty());
                    }
                }
            }
            StmtKind::CreateFunction {
                func,
                name_span,
                or_replace,
                security_definer,
                search_path,
                language,
                volatility,
                returns_trigger,
                returns,
                params,
                body,
            } => {
                let key = Key::of(&func.name);
                let args = func.args.clone().unwrap_or_default();
                if let Some(existing) = self.functions.iter_mut().find(|f| f.key == key && f.args == args) {
                    if !or_replace {
                        self.note(&site, format!("function `{}` already exists", key.display()));
                        return;
                    }
                    // Replacing keeps the owner and the privileges.
                    existing.security_definer = *security_definer;
                    existing.search_path = search_path.clone();
                    existing.language = language.clone();
                    existing.volatility = *volatility;
                    existing.returns_trigger = *returns_trigger;
                    existing.returns = returns.clone();
                    existing.params = params.clone();
                    existing.body = body.as_ref().map(|b| b.text.clone());
                    existing.site = site.clone();
                    existing.name_site = site_of(*name_span);
                    existing.changed = None;
                    return;
                }
                if !self.schemas.contains(&key.schema) {
                    self.note(&site, format!("schema `{}` does not exist", key.schema));
                    return;
                }
                let execute: BTreeSet<String> = self
                    .default_acl(&key.schema, ObjectKind::Functions)
                    .into_iter()
                    .filter(|(_, p)| p.contains(&Privilege::Execute))
                    .map(|(r, _)| r)
                    .collect();
                self.functions.push(Function {
                    key,
                    args,
                    security_definer: *security_definer,
                    search_path: search_path.clone(),
                    language: language.clone(),
                    volatility: *volatility,
                    returns_trigger: *returns_trigger,
                    returns: returns.clone(),
                    params: params.clone(),
                    body: body.as_ref().map(|b| b.text.clone()),
                    site: site.clone(),
                    name_site: site_of(*name_span),
                    execute,
                    changed: None,
                });
            }
            StmtKind::AlterFunction {
                func,
                security_definer,
                search_path,
            } => {
                let matching: Vec<usize> = self.matching_functions(func);
                if matching.len() != 1 {
                    self.note(
                        &site,
                        format!("no single function `{}` to alter", Key::of(&func.name).display()),
                    );
                    return;
                }
                let function = &mut self.functions[matching[0]];
                if let Some(definer) = security_definer {
                    function.security_definer = *definer;
                }
                if let Some(path) = search_path {
                    function.search_path = path.clone();
                }
                function.changed = Some(site.clone());
            }
            StmtKind::DropFunctions { funcs, if_exists } => {
                for func in funcs {
                    let matching = self.matching_functions(func);
                    if matching.is_empty() && !if_exists {
                        self.note(
                            &site,
                            format!("no function `{}` to drop", Key::of(&func.name).display()),
                        );
                    }
                    if matching.len() == 1 || func.args.is_some() {
                        for index in matching.into_iter().rev() {
                            self.functions.remove(index);
                        }
                    }
                }
            }
            StmtKind::CreateView {
                name,
                name_span,
                or_replace,
                materialized,
                security_invoker,
                reads,
            } => {
                let key = Key::of(name);
                let reads: Vec<Key> = reads.iter().map(Key::of).collect();
                if let Some(view) = self.views.get_mut(&key) {
                    if !or_replace {
                        self.note(&site, format!("view `{}` already exists", key.display()));
                        return;
                    }
                    view.site = site.clone();
                    view.name_site = site_of(*name_span);
                    view.reads = reads;
                    // Replacing a view resets options it does not restate.
                    view.security_invoker = security_invoker.unwrap_or(false);
                    return;
                }
                if self.tables.contains_key(&key) {
                    self.note(&site, format!("`{}` is a table", key.display()));
                    return;
                }
                if !self.schemas.contains(&key.schema) {
                    self.note(&site, format!("schema `{}` does not exist", key.schema));
                    return;
                }
                let mut acl = Acl::default();
                for (grantee, privileges) in self.default_acl(&key.schema, ObjectKind::Tables) {
                    for privilege in privileges {
                        acl.grant(&grantee, privilege, None);
                    }
                }
                self.views.insert(
                    key.clone(),
                    View {
                        key,
                        site: site.clone(),
                        name_site: site_of(*name_span),
                        materialized: *materialized,
                        security_invoker: security_invoker.unwrap_or(false),
                        reads,
                        acl,
                    },
                );
            }
            StmtKind::CreateTrigger {
                name,
                table,
                before,
                events,
                function,
            } => {
                let key = Key::of(table);
                if let Some(table) = self.tables.get_mut(&key) {
                    table.triggers.insert(
                        name.clone(),
                        Trigger {
                            name: name.clone(),
                            before: *before,
                            events: events.clone(),
                            function: Key::of(function),
                            site: site.clone(),
                        },
                    );
                } else {
                    self.note(&site, format!("no table `{}` for trigger {name}", key.display()));
                }
            }
            StmtKind::DropTrigger { name, table } => {
                if let Some(table) = self.tables.get_mut(&Key::of(table)) {
                    table.triggers.remove(name);
                }
            }
            StmtKind::InsertBuckets { rows, upsert_public } => {
                for BucketRow { id, public } in rows {
                    match self.buckets.get_mut(id) {
                        Some(bucket) => {
                            if *upsert_public {
                                bucket.public = public.unwrap_or(false);
                                bucket.site = site.clone();
                            }
                        }
                        None => {
                            self.buckets.insert(
                                id.clone(),
                                Bucket {
                                    id: id.clone(),
                                    public: public.unwrap_or(false),
                                    created: site.clone(),
                                    site: site.clone(),
                                },
                            );
                        }
                    }
                }
            }
            StmtKind::UpdateBuckets { public, ids } => {
                for bucket in self.buckets.values_mut() {
                    if ids.as_ref().is_none_or(|ids| ids.contains(&bucket.id)) {
                        bucket.public = *public;
                        bucket.site = site.clone();
                    }
                }
            }
            StmtKind::DeleteBuckets { ids } => {
                self.buckets
                    .retain(|id, _| ids.as_ref().is_some_and(|ids| !ids.contains(id)));
            }
            StmtKind::ForEach { over, template } => {
                let items: Vec<(String, String, String)> = match over {
                    read::LoopOver::Tables { schema } => self
                        .tables
                        .keys()
                        .filter(|k| &k.schema == schema)
                        .map(|k| (k.schema.clone(), k.name.clone(), String::new()))
                        .collect(),
                    read::LoopOver::Functions { schema, definer_only } => self
                        .functions
                        .iter()
                        .filter(|f| &f.key.schema == schema && (!definer_only || f.security_definer))
                        .map(|f| (f.key.schema.clone(), f.key.name.clone(), f.args.join(", ")))
                        .collect(),
                };
                for (schema, name, args) in items {
                    let item = read::LoopItem {
                        schema: &schema,
                        name: &name,
                        args: &args,
                    };
                    for kind in read::instantiate(template, &item) {
                        let inner = Stmt { span: stmt.span, kind };
                        self.apply(&inner, site_of);
                    }
                }
            }
        }
    }

    fn matching_functions(&self, func: &FuncRef) -> Vec<usize> {
        let key = Key::of(&func.name);
        self.functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.key == key && func.args.as_ref().is_none_or(|a| &f.args == a))
            .map(|(i, _)| i)
            .collect()
    }

    fn apply_grant(
        &mut self,
        revoke: bool,
        privileges: &PrivilegeList,
        target: &GrantTarget,
        grantees: &[String],
        site: &Site,
    ) {
        let table_items: Vec<(Privilege, Option<Vec<String>>)> = if privileges.all {
            Privilege::TABLE.iter().map(|p| (*p, None)).collect()
        } else {
            privileges.items.clone()
        };
        let on_acl = |acl: &mut Acl, explicit: Option<&mut Vec<ExplicitGrant>>| {
            for grantee in grantees {
                for (privilege, columns) in &table_items {
                    if revoke {
                        acl.revoke(grantee, *privilege, columns.as_deref());
                    } else {
                        acl.grant(grantee, *privilege, columns.as_deref());
                    }
                }
            }
            if let (false, Some(explicit)) = (revoke, explicit) {
                for grantee in grantees {
                    explicit.push(ExplicitGrant {
                        role: grantee.clone(),
                        privileges: table_items.iter().map(|(p, _)| *p).collect(),
                        site: site.clone(),
                    });
                }
            }
        };
        match target {
            GrantTarget::Tables(names) => {
                for name in names {
                    let key = Key::of(name);
                    if let Some(table) = self.tables.get_mut(&key) {
                        on_acl(&mut table.acl, Some(&mut table.explicit_grants));
                    } else if let Some(view) = self.views.get_mut(&key) {
                        on_acl(&mut view.acl, None);
                    } else {
                        self.notes.push(Note {
                            site: site.clone(),
                            message: format!("no table `{}` to grant on", key.display()),
                        });
                    }
                }
            }
            GrantTarget::AllTablesIn(schemas) => {
                for table in self.tables.values_mut().filter(|t| schemas.contains(&t.key.schema)) {
                    on_acl(&mut table.acl, Some(&mut table.explicit_grants));
                }
                for view in self.views.values_mut().filter(|v| schemas.contains(&v.key.schema)) {
                    on_acl(&mut view.acl, None);
                }
            }
            GrantTarget::Functions(funcs) => {
                let executes = privileges.all || privileges.items.iter().any(|(p, _)| *p == Privilege::Execute);
                if !executes {
                    return;
                }
                for func in funcs {
                    let matching = self.matching_functions(func);
                    if matching.is_empty() {
                        self.notes.push(Note {
                            site: site.clone(),
                            message: format!("no function `{}` to grant on", Key::of(&func.name).display()),
                        });
                    }
                    for index in matching {
                        let execute = &mut self.functions[index].execute;
                        for grantee in grantees {
                            if revoke {
                                execute.remove(grantee);
                            } else {
                                execute.insert(grantee.clone());
                            }
                        }
                        self.functions[index].changed = Some(site.clone());
                    }
                }
            }
            GrantTarget::AllFunctionsIn(schemas) => {
                let executes = privileges.all || privileges.items.iter().any(|(p, _)| *p == Privilege::Execute);
                for function in self.functions.iter_mut().filter(|f| schemas.contains(&f.key.schema)) {
                    if !executes {
                        continue;
                    }
                    for grantee in grantees {
                        if revoke {
                            function.execute.remove(grantee);
                        } else {
                            function.execute.insert(grantee.clone());
                        }
                    }
                    function.changed = Some(site.clone());
                }
            }
            GrantTarget::Schemas(schemas) => {
                let usage = privileges.all || privileges.items.iter().any(|(p, _)| *p == Privilege::Usage);
                if !usage {
                    return;
                }
                for schema in schemas {
                    let set = self.schema_usage.entry(schema.clone()).or_default();
                    for grantee in grantees {
                        if revoke {
                            set.remove(grantee);
                        } else {
                            set.insert(grantee.clone());
                        }
                    }
                }
            }
            GrantTarget::Other => {}
        }
    }

    /// Whether `role` can use objects in `schema` (USAGE; `public` has it
    /// for everyone unless revoked, which a fresh database does not do).
    pub fn schema_usable_by(&self, schema: &str, role: &str) -> bool {
        match self.schema_usage.get(schema) {
            Some(set) => set.contains(role) || set.contains("public"),
            None => schema == "public",
        }
    }
}

fn hard_wired(kind: ObjectKind) -> BTreeMap<String, BTreeSet<Privilege>> {
    match kind {
        ObjectKind::Functions => BTreeMap::from([("public".to_string(), BTreeSet::from([Privilege::Execute]))]),
        ObjectKind::Tables => BTreeMap::new(),
    }
}

fn expand(privileges: &PrivilegeList, kind: ObjectKind) -> Vec<Privilege> {
    if privileges.all {
        match kind {
            ObjectKind::Tables => Privilege::TABLE.to_vec(),
            ObjectKind::Functions => vec![Privilege::Execute],
        }
    } else {
        privileges.items.iter().map(|(p, _)| *p).collect()
    }
}

fn policy_expr(expr: &ExprSrc, site_of: &dyn Fn(Span) -> Site) -> PolicyExpr {
    PolicyExpr {
        text: expr.text.clone(),
        site: site_of(expr.span),
        condition: expr.condition(),
    }
}
