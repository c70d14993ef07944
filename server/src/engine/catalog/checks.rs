//! Questions a rule asks of a project's final catalog: which tables anyone
//! can read, which policies let everyone write, which users can write their
//! own privileged columns, which definer functions anyone can call. Each
//! answer points at the statement that caused it, with the statement that
//! undid an earlier fix as related information.
//!
//! A rule names its question with `catalog = "..."` (see
//! [`CatalogCheck::parse`]); the answers become candidates of the file they
//! point into, so suppressions, severities and fixes work as for any rule.

use super::expr::Condition;
use super::model::{Catalog, Function, Key, Policy, Site, Table};
use super::project::Database;
use super::read::{Cmd, Privilege};
use crate::engine::names::{self, NameClass};
use crate::engine::types::Span;

/// The questions rules can ask of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogCheck {
    TableWithoutRls,
    SensitiveTableWithoutRls,
    PolicyWithoutRls,
    RlsWithoutPolicy,
    PolicyAllowsEveryone,
    PolicyAnonWrites,
    PolicyAnyAuthenticatedUser,
    PolicyTrustsUserMetadata,
    SelectEveryoneOnPrivateRows,
    GrantWriteToAnon,
    UsersWriteOwnEntitlement,
    UsersWriteOwnRole,
    DefinerWithoutSearchPath,
    DefinerCallableByAnyone,
    ViewWithoutSecurityInvoker,
    ViewExposesAuthUsers,
    PublicBucket,
    StorageObjectsOpenPolicy,
}

impl CatalogCheck {
    pub fn parse(name: &str) -> Option<CatalogCheck> {
        Some(match name {
            "tables-without-rls" => CatalogCheck::TableWithoutRls,
            "sensitive-tables-without-rls" => CatalogCheck::SensitiveTableWithoutRls,
            "policies-without-rls" => CatalogCheck::PolicyWithoutRls,
            "rls-without-policies" => CatalogCheck::RlsWithoutPolicy,
            "policies-letting-everyone-write" => CatalogCheck::PolicyAllowsEveryone,
            "policies-for-anon-writes" => CatalogCheck::PolicyAnonWrites,
            "policies-for-any-signed-in-user" => CatalogCheck::PolicyAnyAuthenticatedUser,
            "policies-trusting-user-metadata" => CatalogCheck::PolicyTrustsUserMetadata,
            "policies-letting-everyone-read-private-rows" => CatalogCheck::SelectEveryoneOnPrivateRows,
            "write-grants-to-anon" => CatalogCheck::GrantWriteToAnon,
            "users-writing-own-entitlement" => CatalogCheck::UsersWriteOwnEntitlement,
            "users-writing-own-role" => CatalogCheck::UsersWriteOwnRole,
            "definer-functions-without-search-path" => CatalogCheck::DefinerWithoutSearchPath,
            "definer-functions-anyone-can-call" => CatalogCheck::DefinerCallableByAnyone,
            "views-bypassing-rls" => CatalogCheck::ViewWithoutSecurityInvoker,
            "views-exposing-auth-users" => CatalogCheck::ViewExposesAuthUsers,
            "public-buckets" => CatalogCheck::PublicBucket,
            "open-storage-policies" => CatalogCheck::StorageObjectsOpenPolicy,
            _ => return None,
        })
    }

    pub const NAMES: &'static [&'static str] = &[
        "tables-without-rls",
        "sensitive-tables-without-rls",
        "policies-without-rls",
        "rls-without-policies",
        "policies-letting-everyone-write",
        "policies-for-anon-writes",
        "policies-for-any-signed-in-user",
        "policies-trusting-user-metadata",
        "policies-letting-everyone-read-private-rows",
        "write-grants-to-anon",
        "users-writing-own-entitlement",
        "users-writing-own-role",
        "definer-functions-without-search-path",
        "definer-functions-anyone-can-call",
        "views-bypassing-rls",
        "views-exposing-auth-users",
        "public-buckets",
        "open-storage-policies",
    ];
}

/// One answer: where it points, named spans for templates and fixes
/// (`match` is the whole statement), values for messages, related places.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub report: Span,
    pub spans: Vec<(&'static str, Span)>,
    pub vars: Vec<(String, String)>,
    pub related: Vec<(Site, String)>,
}

impl Hit {
    fn at(site: &Site) -> Hit {
        Hit {
            path: site.path.clone(),
            report: site.span,
            spans: vec![("match", site.span)],
            vars: Vec::new(),
            related: Vec::new(),
        }
    }

    fn span(mut self, name: &'static str, site: &Site) -> Hit {
        if site.path == self.path {
            self.spans.push((name, site.span));
        }
        self
    }

    fn report_at(mut self, site: &Site) -> Hit {
        if site.path == self.path {
            self.report = site.span;
        }
        self
    }

    fn var(mut self, name: &str, value: impl Into<String>) -> Hit {
        self.vars.push((name.to_string(), value.into()));
        self
    }

    /// The table's name for messages and as SQL writes it (for fixes).
    fn table(self, key: &Key) -> Hit {
        self.var("table", key.display()).var("table_sql", key.sql())
    }

    fn related(mut self, site: &Site, message: impl Into<String>) -> Hit {
        if !site.is_builtin() {
            self.related.push((site.clone(), message.into()));
        }
        self
    }
}

// ---------------------------------------------------------------------------
// What tables hold

const OWNER_COLUMNS: &[&str] = &[
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
    "employee_id",
    "seller_id",
    "buyer_id",
    "sender_id",
    "recipient_id",
    "auth_user_id",
    "uid",
];

const SENSITIVE_COLUMN_WORDS: &[&str] = &[
    "password",
    "passwd",
    "token",
    "secret",
    "ssn",
    "social_security",
    "card_number",
    "cardnumber",
    "cvv",
    "iban",
    "tax_id",
    "passport",
    "api_key",
    "apikey",
    "private_key",
    "date_of_birth",
    "birth_date",
    "dob",
];

/// Words of table names whose rows are private to someone.
const PRIVATE_TABLE_WORDS: &[&str] = &[
    "code",
    "codes",
    "otp",
    "otps",
    "token",
    "tokens",
    "audit",
    "audits",
    "log",
    "logs",
    "lead",
    "leads",
    "message",
    "messages",
    "chat",
    "chats",
    "conversation",
    "conversations",
    "support",
    "ticket",
    "tickets",
    "invoice",
    "invoices",
    "payment",
    "payments",
    "order",
    "orders",
    "transaction",
    "transactions",
    "subscription",
    "subscriptions",
    "billing",
    "notification",
    "notifications",
    "invitation",
    "invitations",
    "invite",
    "invites",
    "verification",
    "verifications",
    "session",
    "sessions",
    "secret",
    "secrets",
    "key",
    "keys",
    "credential",
    "credentials",
    "contact",
    "contacts",
    "application",
    "applications",
    "booking",
    "bookings",
    "appointment",
    "appointments",
    "patient",
    "patients",
    "medical",
    "health",
    "salary",
    "salaries",
    "payroll",
    "bank",
    "document",
    "documents",
    "contract",
    "contracts",
    "address",
    "addresses",
    "note",
    "notes",
    "wallet",
    "wallets",
    "ledger",
    "ledgers",
    "coupon",
    "coupons",
    "cash",
    "payout",
    "payouts",
    "refund",
    "refunds",
    "report",
    "reports",
    "submission",
    "submissions",
    "inquiry",
    "inquiries",
    "enquiries",
    "request",
    "requests",
    "customer",
    "customers",
    "client",
    "clients",
    "employee",
    "employees",
    "expense",
    "expenses",
    "receipt",
    "receipts",
    "quote",
    "quotes",
    "diary",
    "journal",
    "journals",
    "feedback",
    "private",
    "personal",
    "users",
    "profiles",
    "accounts",
];

/// Words of table names that are public by design (a catalog, a blog).
const PUBLIC_TABLE_WORDS: &[&str] = &[
    "post",
    "posts",
    "product",
    "products",
    "category",
    "categories",
    "tag",
    "tags",
    "plan",
    "plans",
    "pricing",
    "price",
    "prices",
    "faq",
    "faqs",
    "testimonial",
    "testimonials",
    "article",
    "articles",
    "blog",
    "blogs",
    "course",
    "courses",
    "lesson",
    "lessons",
    "menu",
    "menus",
    "service",
    "services",
    "listing",
    "listings",
    "job",
    "jobs",
    "announcement",
    "announcements",
    "event",
    "events",
    "review",
    "reviews",
    "comment",
    "comments",
    "country",
    "countries",
    "city",
    "cities",
    "currency",
    "currencies",
    "language",
    "languages",
    "public",
    "published",
    "catalog",
    "catalogue",
    "item",
    "items",
    "brand",
    "brands",
    "feature",
    "features",
    "banner",
    "banners",
    "page",
    "pages",
    "setting",
    "settings",
    "config",
    "configuration",
    "template",
    "templates",
    "skill",
    "skills",
    "portfolio",
    "portfolios",
    "gallery",
    "galleries",
    "showcase",
    "partner",
    "partners",
    "sponsor",
    "sponsors",
    "team",
    "teams",
    "location",
    "locations",
    "venue",
    "venues",
    "genre",
    "genres",
    "song",
    "songs",
    "track",
    "tracks",
    "album",
    "albums",
    "video",
    "videos",
    "playlist",
    "playlists",
    "recipe",
    "recipes",
    "property",
    "properties",
    "vehicle",
    "vehicles",
    "tier",
    "tiers",
    "module",
    "modules",
    "leaderboard",
    "stats",
    "statistics",
    "slot",
    "slots",
    "availability",
    "schedule",
    "schedules",
];

/// Last words of table names for shared lookup rows (`payment_methods`,
/// `content_section_thresholds`, `clip_likes`).
const PUBLIC_HEAD_WORDS: &[&str] = &[
    "methods",
    "types",
    "options",
    "thresholds",
    "likes",
    "reactions",
    "scores",
    "rankings",
    "upsells",
    "images",
    "controls",
    "levels",
    "badges",
    "rewards_catalog",
    "statuses",
    "units",
    "library",
    "libraries",
    "resources",
];

fn table_words(key: &Key) -> Vec<String> {
    names::words(&key.name)
}

/// The column tying a row to its user (`user_id`, a reference to
/// `auth.users`, or `id` of `profiles`).
pub fn owner_column(table: &Table) -> Option<String> {
    let auth_users = Key {
        schema: "auth".to_string(),
        name: "users".to_string(),
    };
    for column in &table.columns {
        if OWNER_COLUMNS.contains(&column.name.as_str()) {
            return Some(column.name.clone());
        }
    }
    if let Some(column) = table
        .columns
        .iter()
        .find(|c| c.references.as_ref() == Some(&auth_users))
    {
        return Some(column.name.clone());
    }
    let words = table_words(&table.key);
    (words
        .iter()
        .any(|w| w == "profiles" || w == "profile" || w == "users" || w == "user")
        && table.column("id").is_some())
    .then(|| "id".to_string())
}

pub fn sensitive_columns(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| {
            let lower = c.name.to_lowercase();
            SENSITIVE_COLUMN_WORDS.iter().any(|w| lower.contains(w))
        })
        .map(|c| c.name.clone())
        .collect()
}

fn personal_columns(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| names::is_in_class(&c.name, NameClass::PersonalData))
        .map(|c| c.name.clone())
        .collect()
}

/// Rows of this table belong to someone, or its name says they are private.
pub fn private_rows(table: &Table) -> bool {
    let words = table_words(&table.key);
    let private_name = words.iter().any(|w| PRIVATE_TABLE_WORDS.contains(&w.as_str()));
    let public_name = words.iter().any(|w| PUBLIC_TABLE_WORDS.contains(&w.as_str()));
    // The last word says what a row is: `expense_categories` are categories,
    // `booking_settings` settings, `translation_keys` UI text.
    let head = words.last().map(String::as_str).unwrap_or("");
    let ui_text = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "translation" | "translations" | "i18n" | "locale" | "locales"
        )
    });
    if (PUBLIC_TABLE_WORDS.contains(&head) || PUBLIC_HEAD_WORDS.contains(&head) || ui_text)
        && personal_columns(table).is_empty()
        && sensitive_columns(table).is_empty()
    {
        return false;
    }
    // A run log with nobody's id or details in it (`prompt_optimizer_log`).
    if matches!(head, "log" | "logs")
        && owner_column(table).is_none()
        && personal_columns(table).is_empty()
        && !table.columns.iter().any(|c| {
            names::words(&c.name).iter().any(|w| {
                matches!(
                    w.as_str(),
                    "user" | "tenant" | "company" | "organization" | "email" | "ip"
                )
            })
        })
        && !table.columns.is_empty()
    {
        return false;
    }
    let profile_like = words
        .iter()
        .any(|w| matches!(w.as_str(), "profile" | "profiles" | "users" | "user"));
    if profile_like {
        // Public profiles are common by design; contact details in them are not.
        return !personal_columns(table).is_empty() || !sensitive_columns(table).is_empty();
    }
    if public_name && !private_name {
        return false;
    }
    private_name || owner_column(table).is_some() || !sensitive_columns(table).is_empty()
}

/// Tables whose INSERT by anyone is the point (a contact form).
pub fn submission_table(table: &Table) -> bool {
    const WORDS: &[&str] = &[
        "contact",
        "contacts",
        "lead",
        "leads",
        "newsletter",
        "subscribers",
        "waitlist",
        "feedback",
        "inquiry",
        "inquiries",
        "enquiries",
        "submission",
        "submissions",
        "signups",
        "interest",
        "demo",
        "requests",
        "request",
        "analytics",
        "events",
        "pageviews",
        "views",
        "clicks",
        "logs",
        "log",
        "errors",
        "reports",
        "application",
        "applications",
        "booking",
        "bookings",
        "reservation",
        "reservations",
        "registration",
        "registrations",
        "rsvp",
        "rsvps",
        "impression",
        "impressions",
        "telemetry",
        "metrics",
        "tracking",
        "usage",
        "attempts",
        "sessions",
    ];
    // Rows about money are never a mere submission.
    table_words(&table.key).iter().any(|w| WORDS.contains(&w.as_str())) && !about_money(&table.key)
}

/// Columns whose value decides what a user may do or has paid for.
///
/// Dates, JSON and counts are records, not rights (`subscription_start_date`,
/// a workflow's `plan` JSON, `products_auto_approved`). A balance or a paid
/// flag is a right only in a table about the user's account (`user_credits`,
/// `subscriptions`); in a tenant's own books (`bank_accounts.opening_balance`,
/// `bookings.deposit_paid`) editing it is the feature. A `role` is a right in
/// a table of users or members, not in a CRM's `deal_stakeholders`.
fn privileged_columns(table: &Table, kind: Privileged) -> Vec<String> {
    let table_words = table_words(&table.key);
    let table_has = |w: &str| table_words.iter().any(|x| x == w);
    let about_the_account = ENTITLEMENT_TABLE_WORDS.iter().any(|w| table_has(w)) && !table_has("bank");
    let about_people = PEOPLE_TABLE_WORDS.iter().any(|w| table_has(w));
    table
        .columns
        .iter()
        .filter(|c| !c.generated && !c.primary_key)
        .filter(|c| {
            let words = names::words(&c.name);
            let has = |w: &str| words.iter().any(|x| x == w);
            let type_name = c.type_name.to_ascii_lowercase();
            let record_type = ["date", "time", "json", "interval", "uuid", "bytea", "inet"]
                .iter()
                .any(|t| type_name.contains(t));
            if record_type || has("date") || has("at") || has("id") || has("ids") || has("url") || has("name") {
                return false;
            }
            let numeric = [
                "int", "numeric", "decimal", "real", "double", "float", "serial", "money",
            ]
            .iter()
            .any(|t| type_name.contains(t));
            match kind {
                Privileged::Entitlement => {
                    let strong = has("credits")
                        || has("credit")
                        || has("quota")
                        || has("tier")
                        || has("plan")
                        || names::is_in_class(&c.name, NameClass::Entitlement) && !has("paid") && !has("amount");
                    let account_only = has("balance") || has("paid") || (has("tokens") && !has("push") && !has("fcm"));
                    // `bookings.payment_status = 'paid'`: what a scanner or a
                    // fulfilment step trusts.
                    let paid_state = has("payment") && has("status");
                    (strong && (about_the_account || !has("amount")) || account_only && about_the_account || paid_state)
                        && !(has("tokens") && (has("prompt") || has("completion") || has("used")))
                }
                Privileged::Role => {
                    let role = has("role")
                        || has("roles")
                        || has("admin")
                        || has("superuser")
                        || has("staff")
                        || has("moderator");
                    let standing = has("verified")
                        || has("approved")
                        || has("banned")
                        || (has("approval") || has("verification") || has("kyc")) && has("status");
                    !numeric && !has("by") && (role && about_people || standing)
                }
            }
        })
        .map(|c| c.name.clone())
        .collect()
}

/// Words of tables about a user's account, plan or allowance.
const ENTITLEMENT_TABLE_WORDS: &[&str] = &[
    "profile",
    "profiles",
    "user",
    "users",
    "account",
    "accounts",
    "member",
    "members",
    "membership",
    "memberships",
    "subscriber",
    "subscribers",
    "subscription",
    "subscriptions",
    "wallet",
    "wallets",
    "credit",
    "credits",
    "balance",
    "balances",
    "usage",
    "quota",
    "quotas",
    "customer",
    "customers",
    "tenant",
    "tenants",
    "organization",
    "organizations",
    "workspace",
    "workspaces",
    "license",
    "licenses",
    "entitlement",
    "entitlements",
    "purchases",
    "billing",
    "plans",
];

/// Words of tables whose rows are people in the app (where a `role` is a right).
const PEOPLE_TABLE_WORDS: &[&str] = &[
    "profile",
    "profiles",
    "user",
    "users",
    "account",
    "accounts",
    "member",
    "members",
    "membership",
    "memberships",
    "roles",
    "role",
    "admins",
    "admin",
    "staff",
    "employees",
    "employee",
    "team",
    "teams",
    "collaborators",
    "participants",
    "permissions",
    "organization",
    "organizations",
    "workspace",
    "workspaces",
    "tenant",
    "tenants",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Privileged {
    Entitlement,
    Role,
}

// ---------------------------------------------------------------------------
// Who gets through

const CALLERS: &[&str] = &["anon", "authenticated"];

fn can(table: &Table, role: &str, privilege: Privilege) -> bool {
    table.acl.any_level(role, privilege)
}

/// Policies that apply to `role` for `command`, permissive and restrictive.
fn policies_for<'a>(table: &'a Table, role: &str, command: Cmd) -> (Vec<&'a Policy>, Vec<&'a Policy>) {
    let applicable: Vec<&Policy> = table
        .policies
        .values()
        .filter(|p| p.applies_to(role) && p.covers(command))
        .collect();
    applicable.into_iter().partition(|p| p.permissive)
}

/// A restrictive policy for this command and role that really narrows.
fn narrowed(table: &Table, role: &str, command: Cmd) -> bool {
    let (_, restrictive) = policies_for(table, role, command);
    restrictive.iter().any(|p| {
        let condition = if command == Cmd::Insert {
            p.effective_check()
        } else {
            p.using.as_ref()
        };
        condition.is_some_and(|c| !c.condition.always_true)
    })
}

/// Whether `role` can see any row of the table through the API. The API's
/// updates and deletes always filter on a column (Supabase refuses them
/// without one), so they reach only rows the SELECT policies show: without
/// any, a write policy lets nothing through.
fn rows_readable(table: &Table, role: &str) -> bool {
    if !can(table, role, Privilege::Select) {
        return false;
    }
    if !table.rls {
        return true;
    }
    let (permissive, restrictive) = policies_for(table, role, Cmd::Select);
    let shut = restrictive
        .iter()
        .any(|p| p.using.as_ref().is_some_and(|u| u.condition.always_false));
    !shut
        && permissive
            .iter()
            .any(|p| p.using.as_ref().is_none_or(|u| !u.condition.always_false))
}

/// Whether `role` can see rows that are not its own (so an update or delete
/// through the API can reach them).
fn others_rows_readable(table: &Table, role: &str) -> bool {
    if !rows_readable(table, role) {
        return false;
    }
    if !table.rls {
        return true;
    }
    let (permissive, _) = policies_for(table, role, Cmd::Select);
    permissive.iter().any(|p| {
        p.using.as_ref().is_none_or(|u| {
            !u.condition.always_false && (u.condition.owner_columns.is_empty() || u.condition.admits_everyone())
        })
    })
}

fn exposed<'a>(db: &'a Database, catalog: &'a Catalog) -> impl Iterator<Item = &'a Table> + 'a {
    catalog
        .tables
        .values()
        .filter(move |t| !t.created.is_builtin() && db.exposes(&t.key.schema))
        .filter(move |t| CALLERS.iter().any(|r| catalog.schema_usable_by(&t.key.schema, r)))
}

fn reachable_by_api(table: &Table) -> bool {
    CALLERS.iter().any(|role| {
        [
            Privilege::Select,
            Privilege::Insert,
            Privilege::Update,
            Privilege::Delete,
        ]
        .iter()
        .any(|p| can(table, role, *p))
    })
}

// ---------------------------------------------------------------------------
// The checks

pub fn run(check: CatalogCheck, db: &Database) -> Vec<Hit> {
    let catalog = &db.catalog;
    let mut hits = Vec::new();
    match check {
        CatalogCheck::TableWithoutRls | CatalogCheck::SensitiveTableWithoutRls => {
            for table in exposed(db, catalog) {
                let sensitive = sensitive_columns(table);
                let wants_sensitive = check == CatalogCheck::SensitiveTableWithoutRls;
                if table.rls
                    || !reachable_by_api(table)
                    || sensitive.is_empty() == wants_sensitive
                    || !table.policies.is_empty()
                    || has_write_grant_to_anon(table)
                {
                    continue;
                }
                hits.push(without_rls_hit(table).var("columns", sensitive.join(", ")));
            }
        }
        CatalogCheck::PolicyWithoutRls => {
            for table in exposed(db, catalog) {
                if table.rls || !reachable_by_api(table) {
                    continue;
                }
                // One nudge per table: at the statement that turned RLS off
                // again, else at its first policy.
                let Some(first) = table
                    .policies
                    .values()
                    .filter(|p| !p.site.is_builtin())
                    .min_by_key(|p| &p.site)
                else {
                    continue;
                };
                let hit = match &table.rls_site {
                    Some(disabled) => {
                        Hit::at(disabled).related(&first.site, format!("policy \"{}\" is created here", first.name))
                    }
                    None => Hit::at(&first.site),
                };
                hits.push(
                    hit.table(&table.key)
                        .var("policies", table.policies.len().to_string())
                        .related(
                            &table.created,
                            format!("table `{}` is created here", table.key.display()),
                        ),
                );
            }
        }
        CatalogCheck::RlsWithoutPolicy => {
            for table in exposed(db, catalog) {
                if !table.rls || !table.policies.is_empty() || !reachable_by_api(table) {
                    continue;
                }
                let site = table.rls_site.as_ref().unwrap_or(&table.created);
                hits.push(Hit::at(site).table(&table.key).related(
                    &table.created,
                    format!("table `{}` is created here", table.key.display()),
                ));
            }
        }
        CatalogCheck::PolicyAllowsEveryone => {
            for table in exposed(db, catalog).filter(|t| t.rls) {
                for policy in table.policies.values().filter(|p| p.permissive && !p.site.is_builtin()) {
                    if policy.command == Cmd::Select || !CALLERS.iter().any(|r| policy.applies_to(r)) {
                        continue;
                    }
                    // The condition new or existing rows pass, for each command it covers.
                    let open = [
                        (Cmd::Update, policy.using.as_ref()),
                        (Cmd::Delete, policy.using.as_ref()),
                        (Cmd::Insert, policy.effective_check()),
                        (Cmd::Update, policy.effective_check()),
                    ]
                    .into_iter()
                    .filter(|(cmd, _)| policy.covers(*cmd))
                    .filter_map(|(cmd, expr)| expr.filter(|e| e.condition.admits_everyone()).map(|e| (cmd, e)))
                    .find(|(cmd, _)| {
                        CALLERS.iter().any(|role| {
                            policy.applies_to(role)
                                && can(table, role, command_privilege(*cmd))
                                && !narrowed(table, role, *cmd)
                                && (*cmd == Cmd::Insert || others_rows_readable(table, role))
                        })
                    });
                    let Some((cmd, expr)) = open else { continue };
                    if cmd == Cmd::Insert && policy.command == Cmd::Insert && submission_table(table) {
                        continue;
                    }
                    let mut hit = Hit::at(&policy.changed.clone().unwrap_or_else(|| policy.site.clone()))
                        .span("condition", &expr.site)
                        .report_at(&expr.site)
                        .table(&table.key)
                        .var("policy", policy.name.clone())
                        .var("command", cmd.as_str().to_uppercase())
                        .var("condition", expr.text.trim().to_string());
                    if let Some(owner) = owner_column(table) {
                        hit = hit.var("owner_column", owner);
                    }
                    hits.push(hit);
                }
            }
        }
        CatalogCheck::PolicyAnonWrites => {
            for table in exposed(db, catalog).filter(|t| t.rls) {
                for policy in table.policies.values().filter(|p| p.permissive && !p.site.is_builtin()) {
                    let names_anon = policy.roles.iter().any(|r| r == "anon");
                    if !names_anon || !matches!(policy.command, Cmd::Update | Cmd::Delete | Cmd::All) {
                        continue;
                    }
                    let Some(using) = &policy.using else { continue };
                    if using.condition.admits_everyone() || using.condition.always_false {
                        // Everyone: the policy-letting-everyone-write nudge says it.
                        continue;
                    }
                    let command = if policy.command == Cmd::All {
                        Cmd::Update
                    } else {
                        policy.command
                    };
                    if !can(table, "anon", command_privilege(command))
                        || narrowed(table, "anon", command)
                        || !rows_readable(table, "anon")
                    {
                        continue;
                    }
                    hits.push(
                        Hit::at(&policy.site)
                            .span("roles", &policy.site)
                            .table(&table.key)
                            .var("policy", policy.name.clone())
                            .var("command", command.as_str().to_uppercase()),
                    );
                }
            }
        }
        CatalogCheck::PolicyAnyAuthenticatedUser => {
            for table in exposed(db, catalog).filter(|t| t.rls) {
                // Shared rows (`calendars`) may be read by every member; letting
                // any new sign-up change or delete all of them is still a hole.
                let private = private_rows(table);
                for policy in table.policies.values().filter(|p| p.permissive && !p.site.is_builtin()) {
                    if !policy.applies_to("authenticated") || policy.command == Cmd::Insert {
                        continue;
                    }
                    if !private && policy.command == Cmd::Select {
                        continue;
                    }
                    let Some(using) = &policy.using else { continue };
                    let signed_in = using.condition.any_signed_in
                        || (using.condition.always_true && policy.roles.iter().all(|r| r == "authenticated"));
                    let command = match policy.command {
                        Cmd::All if private => Cmd::Select,
                        Cmd::All => Cmd::Update,
                        other => other,
                    };
                    if !signed_in
                        || !can(table, "authenticated", command_privilege(command))
                        || narrowed(table, "authenticated", command)
                        || (command != Cmd::Select && !others_rows_readable(table, "authenticated"))
                    {
                        continue;
                    }
                    let mut hit = Hit::at(&policy.changed.clone().unwrap_or_else(|| policy.site.clone()))
                        .span("condition", &using.site)
                        .report_at(&using.site)
                        .table(&table.key)
                        .var("policy", policy.name.clone())
                        .var("command", command.as_str().to_uppercase())
                        .var("condition", using.text.trim().to_string())
                        .var(
                            "holds",
                            if private {
                                "holds private rows"
                            } else {
                                "is shared by all its users"
                            },
                        );
                    if let Some(owner) = owner_column(table) {
                        hit = hit.var("owner_column", owner);
                    }
                    hits.push(hit);
                }
            }
        }
        CatalogCheck::PolicyTrustsUserMetadata => {
            for table in catalog.tables.values() {
                for policy in table.policies.values().filter(|p| !p.site.is_builtin()) {
                    let trusted = [policy.using.as_ref(), policy.with_check.as_ref()]
                        .into_iter()
                        .flatten()
                        .find(|e| e.condition.trusts_user_metadata);
                    if let Some(expr) = trusted {
                        hits.push(
                            Hit::at(&policy.site)
                                .span("condition", &expr.site)
                                .report_at(&expr.site)
                                .table(&table.key)
                                .var("policy", policy.name.clone()),
                        );
                    }
                }
            }
        }
        CatalogCheck::SelectEveryoneOnPrivateRows => {
            for table in exposed(db, catalog).filter(|t| t.rls && private_rows(t)) {
                for policy in table.policies.values().filter(|p| p.permissive && !p.site.is_builtin()) {
                    if !policy.covers(Cmd::Select) || !policy.applies_to("anon") {
                        continue;
                    }
                    let Some(using) = &policy.using else { continue };
                    if !using.condition.admits_everyone()
                        || !can(table, "anon", Privilege::Select)
                        || narrowed(table, "anon", Cmd::Select)
                    {
                        continue;
                    }
                    let mut hit = Hit::at(&policy.changed.clone().unwrap_or_else(|| policy.site.clone()))
                        .span("condition", &using.site)
                        .report_at(&using.site)
                        .table(&table.key)
                        .var("policy", policy.name.clone())
                        .var("condition", using.text.trim().to_string());
                    if let Some(owner) = owner_column(table) {
                        hit = hit.var("owner_column", owner);
                    }
                    hits.push(hit);
                }
            }
        }
        CatalogCheck::GrantWriteToAnon => {
            for table in exposed(db, catalog).filter(|t| !t.rls) {
                for grant in table
                    .explicit_grants
                    .iter()
                    .filter(|g| g.role == "anon" || g.role == "public")
                {
                    let writes: Vec<&str> = grant
                        .privileges
                        .iter()
                        .filter(|p| {
                            matches!(
                                p,
                                Privilege::Insert | Privilege::Update | Privilege::Delete | Privilege::Truncate
                            )
                        })
                        .filter(|p| can(table, &grant.role, **p))
                        .map(|p| p.as_str())
                        .collect();
                    if writes.is_empty() {
                        continue;
                    }
                    hits.push(
                        Hit::at(&grant.site)
                            .table(&table.key)
                            .var("privileges", writes.join(", "))
                            .var("grantee", grant.role.clone())
                            .related(
                                &table.created,
                                format!("table `{}` is created here", table.key.display()),
                            ),
                    );
                    break;
                }
            }
        }
        CatalogCheck::UsersWriteOwnEntitlement | CatalogCheck::UsersWriteOwnRole => {
            let kind = if check == CatalogCheck::UsersWriteOwnEntitlement {
                Privileged::Entitlement
            } else {
                Privileged::Role
            };
            for table in exposed(db, catalog).filter(|t| t.rls) {
                if let Some(hit) = own_privileged_write(db, table, kind) {
                    hits.push(hit);
                }
            }
        }
        CatalogCheck::DefinerWithoutSearchPath => {
            for function in catalog
                .functions
                .iter()
                .filter(|f| f.security_definer && !f.site.is_builtin())
            {
                if function.search_path.is_none() {
                    hits.push(
                        Hit::at(&function.site)
                            .span("name", &function.name_site)
                            .report_at(&function.name_site)
                            .var("function", function.key.display())
                            .var(
                                "signature",
                                format!("{}({})", function.key.sql(), function.args.join(", ")),
                            ),
                    );
                }
            }
        }
        CatalogCheck::DefinerCallableByAnyone => {
            let checking = caller_checking_functions(catalog);
            for function in catalog.functions.iter() {
                if let Some(hit) = definer_anyone_can_call(db, function, &checking) {
                    hits.push(hit);
                }
            }
        }
        CatalogCheck::ViewWithoutSecurityInvoker => {
            for view in catalog.views.values() {
                if view.site.is_builtin() || view.security_invoker || !db.exposes(&view.key.schema) {
                    continue;
                }
                let readable = CALLERS.iter().any(|r| view.acl.table_level(r, Privilege::Select));
                let reads_auth_users = view.reads.iter().any(|k| k.schema == "auth" && k.name == "users");
                let reads_protected = view
                    .reads
                    .iter()
                    .filter_map(|k| catalog.table(k))
                    .any(|t| t.rls && private_rows(t));
                // `public_calendars`, `agents_directory`: a projection made to be
                // read by everyone; `*_stats`: counts, not rows.
                let view_words = names::words(&view.key.name);
                let deliberate = view_words.first().is_some_and(|w| w == "public")
                    || view_words
                        .iter()
                        .any(|w| matches!(w.as_str(), "directory" | "stats" | "statistics" | "health" | "metrics"));
                if !readable || reads_auth_users || !reads_protected || deliberate {
                    continue;
                }
                hits.push(
                    Hit::at(&view.site)
                        .span("name", &view.name_site)
                        .report_at(&view.name_site)
                        .var("view", view.key.display())
                        .var("view_sql", view.key.sql())
                        .var(
                            "tables",
                            view.reads.iter().map(Key::display).collect::<Vec<_>>().join(", "),
                        ),
                );
            }
        }
        CatalogCheck::ViewExposesAuthUsers => {
            for view in catalog.views.values() {
                let reads_auth_users = view.reads.iter().any(|k| k.schema == "auth" && k.name == "users");
                let readable = CALLERS.iter().any(|r| view.acl.table_level(r, Privilege::Select));
                if view.site.is_builtin()
                    || !reads_auth_users
                    || !readable
                    || !db.exposes(&view.key.schema)
                    || view.security_invoker
                {
                    continue;
                }
                hits.push(
                    Hit::at(&view.site)
                        .span("name", &view.name_site)
                        .report_at(&view.name_site)
                        .var("view", view.key.display())
                        .var("view_sql", view.key.sql()),
                );
            }
        }
        CatalogCheck::PublicBucket => {
            if db.kind != super::project::DatabaseKind::Supabase {
                return hits;
            }
            for bucket in catalog.buckets.values().filter(|b| b.public && !b.site.is_builtin()) {
                if public_by_design_bucket(&bucket.id) {
                    continue;
                }
                hits.push(Hit::at(&bucket.site).var("bucket", bucket.id.clone()));
            }
        }
        CatalogCheck::StorageObjectsOpenPolicy => {
            let objects = Key {
                schema: "storage".to_string(),
                name: "objects".to_string(),
            };
            let Some(table) = catalog.table(&objects) else {
                return hits;
            };
            if db.kind != super::project::DatabaseKind::Supabase {
                return hits;
            }
            // `is_staff()` and the like check the caller.
            let checking = caller_checking_functions(catalog);
            for policy in table.policies.values().filter(|p| p.permissive && !p.site.is_builtin()) {
                if !policy.applies_to("anon") {
                    continue;
                }
                let conditions: Vec<&Condition> = [policy.using.as_ref(), policy.effective_check()]
                    .into_iter()
                    .flatten()
                    .map(|e| &e.condition)
                    .collect();
                let scoped = conditions.iter().any(|c| {
                    c.normalized.contains("auth.")
                        || c.normalized.contains("owner")
                        || c.normalized.contains("foldername")
                        || checking.iter().any(|f| calls(&c.normalized.to_ascii_lowercase(), f))
                });
                if scoped || conditions.iter().any(|c| c.always_false) {
                    continue;
                }
                let bucket = bucket_named(policy);
                let reads_only = policy.command == Cmd::Select;
                if reads_only && bucket.as_deref().is_some_and(public_by_design_bucket) {
                    continue;
                }
                let condition = policy.using.as_ref().or(policy.with_check.as_ref());
                let mut hit = Hit::at(&policy.site)
                    .var("policy", policy.name.clone())
                    .var("command", policy.command.as_str().to_uppercase())
                    .var("bucket", bucket.unwrap_or_else(|| "every bucket".to_string()));
                if let Some(condition) = condition {
                    hit = hit.span("condition", &condition.site).report_at(&condition.site);
                }
                hits.push(hit);
            }
        }
    }
    hits
}

fn command_privilege(cmd: Cmd) -> Privilege {
    match cmd {
        Cmd::Select | Cmd::All => Privilege::Select,
        Cmd::Insert => Privilege::Insert,
        Cmd::Update => Privilege::Update,
        Cmd::Delete => Privilege::Delete,
    }
}

fn has_write_grant_to_anon(table: &Table) -> bool {
    table.explicit_grants.iter().any(|g| {
        (g.role == "anon" || g.role == "public")
            && g.privileges.iter().any(|p| {
                matches!(p, Privilege::Insert | Privilege::Update | Privilege::Delete) && can(table, &g.role, *p)
            })
    })
}

fn without_rls_hit(table: &Table) -> Hit {
    // Turned off again after being on: point at what turned it off.
    if let Some(site) = table
        .rls_site
        .as_ref()
        .filter(|_| !table.rls && !table.rls_history.is_empty())
    {
        let mut hit = Hit::at(site).table(&table.key).var("undone", "yes").related(
            &table.created,
            format!("table `{}` is created here", table.key.display()),
        );
        if let Some((_, enabled_at)) = table.rls_history.iter().rev().find(|(on, _)| *on) {
            hit = hit.related(enabled_at, "row-level security was enabled here");
        }
        return hit;
    }
    Hit::at(&table.created)
        .span("table", &table.name_site)
        .report_at(&table.name_site)
        .table(&table.key)
}

/// Buckets meant to be read by anyone: avatars, logos, product images.
pub fn public_by_design_bucket(id: &str) -> bool {
    const WORDS: &[&str] = &[
        "avatar",
        "avatars",
        "logo",
        "logos",
        "image",
        "images",
        "img",
        "imgs",
        "public",
        "assets",
        "asset",
        "media",
        "photo",
        "photos",
        "picture",
        "pictures",
        "product",
        "products",
        "thumbnail",
        "thumbnails",
        "cover",
        "covers",
        "banner",
        "banners",
        "icon",
        "icons",
        "gallery",
        "blog",
        "static",
        "creatives",
        "creative",
        "ads",
        "marketing",
        "qr",
        "profile",
        "profiles",
        "content",
        "video",
        "videos",
        "audio",
        "music",
        "songs",
        "podcast",
        "podcasts",
        "menu",
        "site",
        "marketing",
        "brand",
        "branding",
        "portfolio",
        "clips",
        "previews",
        "preview",
        "listing",
        "listings",
        "property",
        "properties",
        "vehicle",
        "post",
        "posts",
        "course",
        "courses",
        "event",
        "events",
    ];
    names::words(id).iter().any(|w| WORDS.contains(&w.as_str()))
}

/// The bucket a storage policy is about (`bucket_id = 'x'`).
fn bucket_named(policy: &Policy) -> Option<String> {
    for expr in [policy.using.as_ref(), policy.with_check.as_ref()]
        .into_iter()
        .flatten()
    {
        let text = &expr.condition.normalized;
        if let Some(at) = text.find("bucket_id") {
            let rest = &text[at..];
            if let Some(open) = rest.find('\'') {
                let after = &rest[open + 1..];
                if let Some(close) = after.find('\'') {
                    return Some(after[..close].to_string());
                }
            }
        }
    }
    None
}

/// A signed-in user can change a privileged column of their own row: an
/// UPDATE policy admits their row, its check does not pin the column, no
/// column privilege or trigger stops them.
fn own_privileged_write(db: &Database, table: &Table, kind: Privileged) -> Option<Hit> {
    let columns = privileged_columns(table, kind);
    if columns.is_empty() {
        return None;
    }
    let role = "authenticated";
    if !rows_readable(table, role) {
        // An insert needs no row to be visible.
        return own_privileged_insert(db, table, &columns, kind);
    }
    let (permissive, restrictive) = policies_for(table, role, Cmd::Update);
    for policy in permissive {
        let Some(using) = &policy.using else { continue };
        // Owner-scoped updates. When everyone may update every row, the
        // policy-letting-everyone-write nudge says more; but when SELECT shows
        // each user only their own rows, `using (true)` reaches just those,
        // and the hole is the same as an owner-scoped update's.
        let own_row = !using.condition.owner_columns.is_empty();
        let open_but_own_rows_visible = (using.condition.admits_everyone() || using.condition.any_signed_in)
            && owner_column(table).is_some()
            && !others_rows_readable(table, role);
        if !own_row && !open_but_own_rows_visible {
            continue;
        }
        let check = policy.effective_check();
        for column in &columns {
            let pinned = check.is_some_and(|c| {
                c.condition.mentions(column) || c.condition.opaque && !c.condition.owner_alone_passes()
            }) || restrictive.iter().any(|r| {
                [r.using.as_ref(), r.effective_check()]
                    .into_iter()
                    .flatten()
                    .any(|c| c.condition.mentions(column))
            });
            if pinned
                || !table.acl.column_level(role, Privilege::Update, column)
                || reset_by_trigger(db, table, Cmd::Update, column)
                // The row's owner column itself is not what the user escalates.
                || using.condition.owner_columns.iter().any(|o| o == column)
            {
                continue;
            }
            let owner = using
                .condition
                .owner_columns
                .first()
                .cloned()
                .or_else(|| owner_column(table))
                .unwrap_or_else(|| "id".to_string());
            let attack = format!(
                "supabase.from('{}').update({{ {column}: {} }}).eq('{owner}', user.id)",
                table.key.name,
                escalation_value(column, kind)
            );
            return Some(self_write_hit(table, policy, column, &owner, kind, "update", attack));
        }
    }
    own_privileged_insert(db, table, &columns, kind)
}

/// An INSERT policy that checks only whose row it is lets a user create a
/// row with the privileged value already set (`status: 'confirmed'`,
/// `payment_status: 'paid'`), where the app expected the column's default.
/// One-row-per-user tables keyed by the user (profiles made at sign-up)
/// refuse a second row, so they are left to the UPDATE check.
fn own_privileged_insert(db: &Database, table: &Table, columns: &[String], kind: Privileged) -> Option<Hit> {
    let role = "authenticated";
    let (permissive, restrictive) = policies_for(table, role, Cmd::Insert);
    let owner = owner_column(table)?;
    if table.column(&owner).is_some_and(|c| c.primary_key || c.unique) {
        return None;
    }
    for policy in permissive {
        let Some(check) = policy.effective_check() else {
            continue;
        };
        if check.condition.owner_columns.is_empty() || !check.condition.owner_alone_passes() {
            continue;
        }
        for column in columns {
            let Some(def) = table.column(column) else { continue };
            let expected_default = def.default.is_some();
            let pinned = check.condition.mentions(column)
                || restrictive
                    .iter()
                    .any(|r| r.effective_check().is_some_and(|c| c.condition.mentions(column)));
            if !expected_default
                || pinned
                || !table.acl.column_level(role, Privilege::Insert, column)
                || reset_by_trigger(db, table, Cmd::Insert, column)
                || check.condition.owner_columns.iter().any(|o| o == column)
            {
                continue;
            }
            let attack = format!(
                "supabase.from('{}').insert({{ {owner}: user.id, {column}: {} }})",
                table.key.name,
                escalation_value(column, kind)
            );
            return Some(self_write_hit(table, policy, column, &owner, kind, "insert", attack));
        }
    }
    None
}

/// A `BEFORE` trigger on `command` whose function names the column: it
/// resets or checks what the user wrote.
fn reset_by_trigger(db: &Database, table: &Table, command: Cmd, column: &str) -> bool {
    table.triggers.values().any(|t| {
        t.before
            && t.events.contains(&command)
            && db
                .catalog
                .functions_named(&t.function)
                .any(|f| f.body.as_deref().is_some_and(|b| mentions_word(b, column)))
    })
}

/// The nudge for a user writing a privileged column of their own row.
fn self_write_hit(
    table: &Table,
    policy: &Policy,
    column: &str,
    owner: &str,
    kind: Privileged,
    write: &str,
    attack: String,
) -> Hit {
    let site = policy.changed.clone().unwrap_or_else(|| policy.site.clone());
    Hit::at(&site)
        .table(&table.key)
        .var("column", column.to_string())
        .var("policy", policy.name.clone())
        .var("owner_column", owner.to_string())
        .var("value", escalation_value(column, kind))
        .var("write", write)
        .var("attack", attack)
        .related(
            &table.created,
            format!("table `{}` is created here", table.key.display()),
        )
}

fn escalation_value(column: &str, kind: Privileged) -> String {
    let words = names::words(column);
    let has = |w: &str| words.iter().any(|x| x == w);
    match kind {
        Privileged::Role if has("role") || has("roles") => "'admin'".to_string(),
        Privileged::Role if has("status") && has("verification") => "'verified'".to_string(),
        Privileged::Role if has("status") => "'approved'".to_string(),
        Privileged::Role => "true".to_string(),
        Privileged::Entitlement if has("payment") && has("status") => "'paid'".to_string(),
        Privileged::Entitlement if has("plan") || has("tier") || has("subscription") || has("status") => {
            "'pro'".to_string()
        }
        Privileged::Entitlement if has("premium") || has("pro") || has("paid") || has("subscribed") => {
            "true".to_string()
        }
        Privileged::Entitlement => "999999".to_string(),
    }
}

fn mentions_word(text: &str, word: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(found) = lower[from..].find(word) {
        let at = from + found;
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + word.len()).copied();
        let part = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !part(before) && !part(after) {
            return true;
        }
        from = at + word.len();
    }
    false
}

/// Words of parameter names that say whose data a call is about: a definer
/// function trusting such an argument acts for whoever the caller names.
const IDENTITY_PARAM_WORDS: &[&str] = &[
    "user",
    "uid",
    "owner",
    "profile",
    "account",
    "customer",
    "member",
    "buyer",
    "seller",
    "admin",
    "creator",
    "artist",
    "listener",
    "recipient",
    "author",
    "email",
    "tenant",
    "company",
    "organization",
    "org",
    "workspace",
    "wallet",
    "sender",
    "receiver",
    "employee",
    "client",
    "patient",
    "student",
    "merchant",
    "vendor",
    "driver",
];

/// Whether a parameter names whose data the call is about (`p_user_id`,
/// `owner_uuid`, `target_user`, an email to act on), rather than data the
/// caller submits about themselves (`customer_email` of `create_booking`).
fn names_someone(param: &[String], function: &[String]) -> bool {
    const SUBMITS: &[&str] = &[
        "create",
        "add",
        "submit",
        "book",
        "register",
        "join",
        "signup",
        "subscribe",
        "insert",
        "request",
        "send",
    ];
    let has = |w: &str| param.iter().any(|x| x == w);
    let identity = param.iter().any(|w| IDENTITY_PARAM_WORDS.contains(&w.as_str()));
    let is_id = has("id") || has("ids") || has("uuid") || has("uid");
    let bare = param
        .iter()
        .filter(|w| !matches!(w.as_str(), "p" | "in" | "target" | "param" | "arg" | "_"))
        .count()
        == 1;
    if has("email") {
        return !function.iter().any(|w| SUBMITS.contains(&w.as_str()));
    }
    identity && (is_id || bare) || has("uid")
}

/// `RETURNS TABLE (...)` whose columns hold nothing personal: ids, names,
/// dates, counts (a public slot list, a channel header).
fn returns_only_harmless_columns(returns: &str) -> bool {
    const REVEALING: &[&str] = &[
        "email",
        "phone",
        "address",
        "birth",
        "dob",
        "ssn",
        "password",
        "token",
        "secret",
        "message",
        "messages",
        "content",
        "body",
        "text",
        "amount",
        "balance",
        "salary",
        "iban",
        "card",
        "note",
        "notes",
        "earnings",
        "revenue",
        "ip",
        "data",
        "payload",
        "details",
        "metadata",
        "json",
        "jsonb",
        "key",
        "total",
        "price",
        "income",
        "reason",
        "description",
        "comment",
    ];
    let Some(columns) = returns.strip_prefix("table (").and_then(|r| r.strip_suffix(')')) else {
        return false;
    };
    // Each item is `name type`; a type's own commas (`numeric(10,2)`) leave
    // fragments that name nothing.
    !columns.split(',').any(|column| {
        let name = column.split_whitespace().next().unwrap_or("").trim_matches('"');
        names::words(name).iter().any(|w| REVEALING.contains(&w.as_str()))
    })
}

/// A parameter only its holder knows (`p_token`, `code_hash`, `otp`), or a
/// code that a `verify_`/`redeem_` function checks: calling it without the
/// secret does nothing.
fn gated_by_a_secret(function: &str, params: &[String], body: &str) -> bool {
    const SECRET: &[&str] = &["token", "hash", "secret", "password", "passcode", "otp", "nonce", "pin"];
    const CHECKS_A_CODE: &[&str] = &[
        "verify",
        "validate",
        "redeem",
        "recovery",
        "confirm",
        "check",
        "verification",
    ];
    let name = names::words(function);
    params.iter().any(|param| {
        let words = names::words(param);
        let has = |w: &str| words.iter().any(|x| x == w);
        let secret = SECRET.iter().any(|w| has(w))
            || has("key") && ["api", "access", "secret", "private", "license"].iter().any(|w| has(w))
            || has("code") && name.iter().any(|w| CHECKS_A_CODE.contains(&w.as_str()));
        // A secret the caller sets (`create_session(admin_id, token)`) gates nothing.
        secret && compared(body, param)
    })
}

/// Whether `body` compares `param` with something (`token = p_token`,
/// `crypt(p_password, ...)`), rather than only storing it.
fn compared(body: &str, param: &str) -> bool {
    if param.is_empty() {
        return false;
    }
    let bytes = body.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(found) = body[from..].find(param) {
        let at = from + found;
        let end = at + param.len();
        from = end;
        if at > 0 && is_ident(bytes[at - 1]) || end < bytes.len() && is_ident(bytes[end]) {
            continue;
        }
        let before = body[..at].trim_end();
        let after = body[end..].trim_start();
        let compares_before = before.ends_with('=') && !before.ends_with(":=")
            || before.ends_with("crypt(")
            || before.ends_with("digest(");
        let compares_after =
            after.starts_with('=') && !after.starts_with("=>") || after.starts_with("<>") || after.starts_with("!=");
        if compares_before || compares_after {
            return true;
        }
    }
    false
}

/// Whether what a definer function writes can be worth a nudge. Jobs without
/// parameters (cleanups, cron recomputes) do the same whoever runs them;
/// `ensure_`/`get_or_create_` functions only add an empty row; counters and
/// logs (`increment_`, `log_`, `track_`) matter only when they take someone's id.
fn writes_worth_a_nudge(name: &[String], params: &[Vec<String>], acts_for_someone: bool) -> bool {
    const BOOKKEEPING_VERBS: &[&str] = &[
        "log",
        "increment",
        "bump",
        "touch",
        "track",
        "record",
        "mark",
        "cleanup",
        "purge",
        "recompute",
        "refresh",
    ];
    if params.is_empty() {
        return false;
    }
    let first = name.first().map(String::as_str).unwrap_or("");
    let creates_if_missing = first == "ensure"
        || name.windows(3).any(|w| w[1] == "or" && w[2] == "create")
        || name
            .windows(2)
            .any(|w| w[0] == "if" && (w[1] == "missing" || w[1] == "absent"));
    if creates_if_missing {
        return false;
    }
    acts_for_someone || !BOOKKEEPING_VERBS.contains(&first)
}

/// Table names about money (`ad_revenue_events`, `user_wallets`).
fn about_money(key: &Key) -> bool {
    const MONEY: &[&str] = &[
        "revenue",
        "earnings",
        "payout",
        "payouts",
        "balance",
        "balances",
        "credit",
        "credits",
        "wallet",
        "wallets",
        "transactions",
        "payments",
        "coins",
        "points",
        "ledger",
    ];
    table_words(key).iter().any(|w| MONEY.contains(&w.as_str()))
}

/// Tables of counters, rate limits and caches.
fn bookkeeping_table(table: &Table) -> bool {
    const WORDS: &[&str] = &[
        "rate",
        "limit",
        "limits",
        "attempt",
        "attempts",
        "impression",
        "impressions",
        "click",
        "clicks",
        "metric",
        "metrics",
        "cache",
        "counter",
        "counters",
        "views",
        "visits",
        "errors",
        "throttle",
    ];
    table_words(&table.key).iter().any(|w| WORDS.contains(&w.as_str()))
}

/// A dashboard figure (`get_user_stats`, `get_cron_status`): counts rather
/// than rows, unless it is about money.
fn reports_figures(name: &[String], body: &str) -> bool {
    const FIGURES: &[&str] = &[
        "stats",
        "statistics",
        "analytics",
        "metrics",
        "count",
        "counts",
        "summary",
        "overview",
        "status",
        "preview",
        "intelligence",
    ];
    const MONEY: &[&str] = &[
        "revenue",
        "financial",
        "finance",
        "payout",
        "payouts",
        "earnings",
        "balance",
        "balances",
        "payments",
        "invoices",
    ];
    name.iter().any(|w| FIGURES.contains(&w.as_str()))
        && !name.iter().any(|w| MONEY.contains(&w.as_str()))
        && ["count(", "sum(", "avg("].iter().any(|a| body.contains(a))
}

/// Whether rows of `key` a definer function returns are private: a private
/// table name, personal or sensitive columns the body selects, or rows tied
/// to a user whose id the caller chooses. Rows of a public catalog that only
/// carry their creator's id are not.
fn returns_private_rows(catalog: &Catalog, key: &Key, body: &str, acts_for_someone: bool, figures: bool) -> bool {
    if key.schema == "auth" {
        return [
            "email",
            "phone",
            "raw_user_meta_data",
            "raw_app_meta_data",
            "encrypted_password",
            "select *",
        ]
        .iter()
        .any(|c| body.contains(c));
    }
    let Some(table) = catalog.table(key) else {
        return false;
    };
    let words = table_words(&table.key);
    let everything =
        body.contains("select *") || body.contains("row_to_json") || body.contains("to_jsonb(") || body.contains(".*");
    let selects = |column: &String| everything || mentions_word(body, &column.to_ascii_lowercase());
    if personal_columns(table).iter().any(selects) || sensitive_columns(table).iter().any(selects) {
        return true;
    }
    if figures {
        return false;
    }
    if about_money(key) {
        return true;
    }
    let private_name = words.iter().any(|w| PRIVATE_TABLE_WORDS.contains(&w.as_str()));
    let public_name = words.iter().any(|w| PUBLIC_TABLE_WORDS.contains(&w.as_str()));
    let profile_like = words
        .iter()
        .any(|w| matches!(w.as_str(), "profile" | "profiles" | "users" | "user"));
    if private_name && !public_name && !profile_like {
        return true;
    }
    acts_for_someone && owner_column(table).is_some() && !public_name
}

/// A `SECURITY DEFINER` function in an exposed schema that anon or any
/// signed-in user can call through the API, which reads or writes rows
/// without checking who is calling.
/// Words in a function body that show it asks who is calling.
const CALLER_CHECKS: &[&str] = &[
    "auth.uid()",
    "auth.jwt()",
    "auth.role()",
    "auth.email()",
    // Not `current_user`: inside a definer function it is always the owner.
    "session_user",
    "current_setting('request.jwt",
    "current_setting('request.",
];

/// Functions whose bodies check the caller, directly or through another
/// such function (`is_admin()`, `has_role(...)`, `is_finance_role()`):
/// calling one counts as checking.
fn caller_checking_functions(catalog: &Catalog) -> Vec<String> {
    let mut checking: Vec<String> = Vec::new();
    // A chain of helpers is short; three rounds reach the end of it.
    for _ in 0..3 {
        for function in &catalog.functions {
            if checking.contains(&function.key.name) {
                continue;
            }
            let body = function.body.as_deref().unwrap_or("").to_ascii_lowercase();
            let direct = CALLER_CHECKS.iter().any(|c| body.contains(c));
            let through = checking.iter().any(|name| calls(&body, name));
            if direct || through {
                checking.push(function.key.name.clone());
            }
        }
    }
    checking
}

/// Whether `body` calls a function named `name` (`name(`, whole word).
fn calls(body: &str, name: &str) -> bool {
    let bytes = body.as_bytes();
    let mut from = 0;
    while let Some(found) = body[from..].find(name) {
        let at = from + found;
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let word_start = before.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_'));
        let rest = body[at + name.len()..].trim_start();
        if word_start && rest.starts_with('(') {
            return true;
        }
        from = at + name.len();
    }
    false
}

/// Tables a body names after `keyword` (`from x`, `update x`...).
fn tables_after(body: &str, keywords: &[&str], catalog: &Catalog) -> Vec<Key> {
    let mut out = Vec::new();
    for keyword in keywords {
        let mut from = 0;
        while let Some(found) = body[from..].find(keyword) {
            let at = from + found + keyword.len();
            let rest = body[at..].trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '"')
                .collect();
            let key = Key::parse(&name);
            if catalog.table(&key).is_some() && !out.contains(&key) {
                out.push(key);
            }
            from = at;
        }
    }
    out
}

/// A `SECURITY DEFINER` function in an exposed schema that anon or any
/// signed-in user can call through the API, which changes rows of tables
/// row-level security protects, or returns private rows, without checking
/// who is calling.
fn definer_anyone_can_call(db: &Database, function: &Function, checking: &[String]) -> Option<Hit> {
    if !function.security_definer
        || function.returns_trigger
        || function.site.is_builtin()
        || !db.exposes(&function.key.schema)
    {
        return None;
    }
    let callers: Vec<&str> = CALLERS.iter().copied().filter(|r| function.executable_by(r)).collect();
    if callers.is_empty() {
        return None;
    }
    let body = function.body.as_deref().unwrap_or("").to_ascii_lowercase();
    if checking.contains(&function.key.name) || checking.iter().any(|name| calls(&body, name)) {
        return None;
    }
    if gated_by_a_secret(&function.key.name, &function.params, &body) {
        return None;
    }
    let params: Vec<Vec<String>> = function.params.iter().map(|p| names::words(p)).collect();
    let name_words = names::words(&function.key.name);
    let acts_for_someone = params.iter().any(|words| names_someone(words, &name_words));
    let catalog = &db.catalog;
    let protected = |key: &Key| {
        catalog
            .table(key)
            .is_some_and(|t| t.rls && !t.created.is_builtin() || key.schema == "auth")
    };
    let written = if writes_worth_a_nudge(&name_words, &params, acts_for_someone) {
        let inserted = tables_after(&body, &["insert into "], catalog);
        let changed = tables_after(&body, &["update ", "delete from "], catalog);
        let mut written: Vec<Key> = Vec::new();
        for key in inserted.iter().chain(&changed) {
            if !protected(key) || written.contains(key) {
                continue;
            }
            let table = catalog.table(key);
            // Without someone else's id, a counter, a log line or a form
            // submission is what anyone may add.
            let bookkeeping = table.is_some_and(|t| {
                (bookkeeping_table(t) || submission_table(t) && !changed.contains(key)) && !about_money(&t.key)
            });
            if acts_for_someone || !bookkeeping {
                written.push(key.clone());
            }
        }
        written
    } else {
        Vec::new()
    };
    // A boolean or count about the caller (`is_admin()`) leaks little; rows do.
    let returns_rows = ["setof", "table", "json", "record"]
        .iter()
        .any(|w| function.returns.contains(w))
        || function.returns.ends_with("[]");
    let read: Vec<Key> = if returns_rows && !returns_only_harmless_columns(&function.returns) {
        let figures = reports_figures(&name_words, &body);
        tables_after(&body, &["from ", "join "], catalog)
            .into_iter()
            .filter(|k| protected(k))
            .filter(|k| acts_for_someone || !catalog.table(k).is_some_and(bookkeeping_table))
            .filter(|k| returns_private_rows(catalog, k, &body, acts_for_someone, figures))
            .collect()
    } else {
        Vec::new()
    };
    let (effect, tables) = if !written.is_empty() {
        ("changes rows of", written)
    } else if !read.is_empty() {
        ("returns rows of", read)
    } else {
        return None;
    };
    let visitors = callers.contains(&"anon");
    Some(
        Hit::at(&function.site)
            .span("name", &function.name_site)
            .report_at(&function.name_site)
            .var("function", function.key.display())
            .var(
                "callers",
                if visitors {
                    "Anyone with your public key"
                } else {
                    "Any signed-in user"
                },
            )
            .var(
                "effect",
                format!(
                    "{effect} {}",
                    tables
                        .iter()
                        .map(|k| format!("`{}`", k.display()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .var("attack", format!("supabase.rpc('{}')", function.key.name)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::catalog::project::{self, Layout, SqlFile};
    use crate::engine::catalog::read;

    fn hits(sql: &str, check: CatalogCheck) -> Vec<Hit> {
        let statements = read::statements(sql);
        let index = crate::engine::source::LineIndex::new(sql);
        let line_of = |o: usize| index.line_of(o);
        let files = [SqlFile {
            path: "supabase/migrations/1.sql",
            statements: &statements,
            line_of: &line_of,
            mentions_supabase: true,
        }];
        let dbs = project::databases(&files, &Layout::default(), &|_| None);
        run(check, &dbs[0])
    }

    #[test]
    fn a_later_migration_changes_the_answer() {
        let on_then_off = "create table public.t (id uuid, user_id uuid);\nalter table public.t enable row level security;\nalter table public.t disable row level security;\n";
        let found = hits(on_then_off, CatalogCheck::TableWithoutRls);
        assert_eq!(found.len(), 1);
        assert!(found[0].vars.contains(&("undone".to_string(), "yes".to_string())));
        let disable = on_then_off.find("alter table public.t disable").unwrap();
        assert_eq!(found[0].report.start, disable, "points at the DISABLE");
        let fixed = "create table public.t (id uuid);\ndo $$ begin execute 'alter table public.t enable row level security'; end $$;\n";
        assert!(hits(fixed, CatalogCheck::TableWithoutRls).is_empty());
    }

    #[test]
    fn profiles_users_can_promote_themselves_unless_a_column_grant_stops_them() {
        let open = "create table public.profiles (id uuid primary key references auth.users, name text, role text default 'user', plan text default 'free');\nalter table public.profiles enable row level security;\ncreate policy \"own\" on public.profiles for update using (auth.uid() = id);\ncreate policy \"read own\" on public.profiles for select using (auth.uid() = id);\n";
        let found = hits(open, CatalogCheck::UsersWriteOwnRole);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .vars
                .iter()
                .any(|(k, v)| k == "attack" && v.contains("update({ role: 'admin' })"))
        );
        assert_eq!(hits(open, CatalogCheck::UsersWriteOwnEntitlement).len(), 1);
        // Without a SELECT policy the API's filtered update finds no row to change.
        let unreadable = open.replace(
            "create policy \"read own\" on public.profiles for select using (auth.uid() = id);\n",
            "",
        );
        assert!(hits(&unreadable, CatalogCheck::UsersWriteOwnRole).is_empty());
        // A column-level REVOKE changes nothing while the table-level grant stands.
        let revoked_column = format!("{open}revoke update (role) on public.profiles from authenticated;\n");
        assert_eq!(hits(&revoked_column, CatalogCheck::UsersWriteOwnRole).len(), 1);
        let narrowed = format!(
            "{open}revoke update on public.profiles from authenticated;\ngrant update (name) on public.profiles to authenticated;\n"
        );
        assert!(hits(&narrowed, CatalogCheck::UsersWriteOwnRole).is_empty());
        let pinned = open.replace("using (auth.uid() = id)", "using (auth.uid() = id) with check (auth.uid() = id and role = (select role from public.profiles where id = auth.uid()) and plan = (select plan from public.profiles where id = auth.uid()))");
        assert!(hits(&pinned, CatalogCheck::UsersWriteOwnRole).is_empty());
    }

    #[test]
    fn restrictive_and_service_role_policies_are_not_holes() {
        let base = "create table public.orders (id uuid, user_id uuid, status text);\nalter table public.orders enable row level security;\n";
        let update_any = format!("{base}create policy \"any\" on public.orders for update using (true);\n");
        // Updates reach only the rows SELECT shows: none, then only one's own.
        assert!(hits(&update_any, CatalogCheck::PolicyAllowsEveryone).is_empty());
        let own_visible = format!(
            "{update_any}create policy \"see own\" on public.orders for select using (auth.uid() = user_id);\n"
        );
        assert!(hits(&own_visible, CatalogCheck::PolicyAllowsEveryone).is_empty());
        let open = format!("{update_any}create policy \"see all\" on public.orders for select using (true);\n");
        assert_eq!(hits(&open, CatalogCheck::PolicyAllowsEveryone).len(), 1);
        let narrowed = format!(
            "{open}create policy \"own\" on public.orders as restrictive for update using (auth.uid() = user_id);\n"
        );
        assert!(hits(&narrowed, CatalogCheck::PolicyAllowsEveryone).is_empty());
        let service = format!("{base}create policy \"svc\" on public.orders for all to service_role using (true);\n");
        assert!(hits(&service, CatalogCheck::PolicyAllowsEveryone).is_empty());
    }

    #[test]
    fn definer_functions_anyone_can_call_and_those_that_check() {
        let open = "create table public.profiles (id uuid primary key, credits int);\nalter table public.profiles enable row level security;\ncreate function public.increment_credits(uid uuid, n int) returns void language plpgsql security definer set search_path = '' as $$ begin update public.profiles set credits = credits + n where id = uid; end $$;\n";
        let found = hits(open, CatalogCheck::DefinerCallableByAnyone);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .vars
                .contains(&("callers".to_string(), "Anyone with your public key".to_string()))
        );
        // Revoking from anon alone leaves it callable through PUBLIC.
        let anon_only = format!("{open}revoke execute on function public.increment_credits(uuid, int) from anon;\n");
        assert_eq!(hits(&anon_only, CatalogCheck::DefinerCallableByAnyone).len(), 1);
        let revoked = format!(
            "{open}revoke execute on function public.increment_credits(uuid, integer) from public, anon, authenticated;\n"
        );
        assert!(hits(&revoked, CatalogCheck::DefinerCallableByAnyone).is_empty());
        let checked = open.replace(
            "begin update",
            "begin if auth.uid() is null then raise exception 'no'; end if; update",
        );
        assert!(hits(&checked, CatalogCheck::DefinerCallableByAnyone).is_empty());
    }
}
