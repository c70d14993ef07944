//! `nudge prove` on a typical app, the whole command as a user runs it:
//! process start, a throwaway PostgreSQL (initdb, start, the compatibility
//! layer), the migrations, the seed, every attempt, the report, and the
//! cluster stopped and deleted. Next to it, in the same run, the cluster's
//! start-up alone, so the ratio shows what the attempt itself costs.
//!
//! The typical app is written here: 24 tables of a Lovable-style SaaS
//! (profiles with a plan, organisations and members, projects, tasks,
//! invoices, messages, a public catalog, a contact form), with the usual
//! mix of owner policies, open policies, a table without row-level
//! security, definer functions, a view and buckets, in 6 migrations.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use nudge::pg::{Binaries, Cluster, compat};

const OWNED_TABLES: &[&str] = &[
    "projects",
    "tasks",
    "invoices",
    "payments",
    "documents",
    "notes",
    "messages",
    "notifications",
    "api_keys",
    "orders",
    "bookings",
    "subscriptions",
    "usage_events",
    "reports",
    "favorites",
    "addresses",
];

fn write_typical_app(root: &Path) {
    let migrations = root.join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(
        root.join("package.json"),
        r#"{ "dependencies": { "@supabase/supabase-js": "^2.45.0", "react": "^18.3.1" } }"#,
    )
    .unwrap();
    let mut init = String::from(
        "create table public.profiles (id uuid primary key references auth.users on delete cascade, full_name text, email text, avatar_url text, plan text not null default 'free' check (plan in ('free', 'pro', 'team')), credits int not null default 10, role text not null default 'user', created_at timestamptz default now());\n\
         alter table public.profiles enable row level security;\n\
         create policy \"read own profile\" on public.profiles for select using (auth.uid() = id);\n\
         create policy \"update own profile\" on public.profiles for update using (auth.uid() = id);\n\
         create table public.organizations (id uuid primary key default gen_random_uuid(), name text not null, owner_id uuid not null references auth.users, created_at timestamptz default now());\n\
         alter table public.organizations enable row level security;\n\
         create policy \"owners\" on public.organizations for all using (auth.uid() = owner_id) with check (auth.uid() = owner_id);\n\
         create table public.members (id uuid primary key default gen_random_uuid(), organization_id uuid not null references public.organizations on delete cascade, user_id uuid not null references auth.users, role text not null default 'member');\n\
         alter table public.members enable row level security;\n\
         create policy \"see members\" on public.members for select to authenticated using (true);\n",
    );
    for (i, table) in OWNED_TABLES.iter().enumerate() {
        init.push_str(&format!(
            "create table public.{table} (id uuid primary key default gen_random_uuid(), user_id uuid not null references auth.users, title text, amount_cents int, status text default 'draft', details jsonb, created_at timestamptz not null default now());\n"
        ));
        // Most are done right; a few are the usual mistakes.
        match i % 5 {
            0 => init.push_str(&format!(
                "alter table public.{table} enable row level security;\ncreate policy \"read {table}\" on public.{table} for select using (true);\ncreate policy \"own {table}\" on public.{table} for all using (auth.uid() = user_id) with check (auth.uid() = user_id);\n"
            )),
            3 if i > 10 => {}
            _ => init.push_str(&format!(
                "alter table public.{table} enable row level security;\ncreate policy \"own {table}\" on public.{table} for all using (auth.uid() = user_id) with check (auth.uid() = user_id);\n"
            )),
        }
    }
    std::fs::write(migrations.join("20240101000000_init.sql"), init).unwrap();
    std::fs::write(
        migrations.join("20240102000000_catalog.sql"),
        "create table public.products (id bigint generated always as identity primary key, name text not null, price_cents int not null default 0, published boolean not null default false);\n\
         alter table public.products enable row level security;\n\
         create policy \"browse\" on public.products for select using (published);\n\
         create table public.categories (id bigint generated always as identity primary key, name text not null unique);\n\
         alter table public.categories enable row level security;\n\
         create policy \"browse categories\" on public.categories for select using (true);\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("20240103000000_contact.sql"),
        "create table public.contact_messages (id bigint generated always as identity primary key, email text not null, body text not null, created_at timestamptz default now());\n\
         alter table public.contact_messages enable row level security;\n\
         create policy \"anyone can write\" on public.contact_messages for insert with check (true);\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("20240104000000_functions.sql"),
        "create function public.add_credits(target uuid, amount int) returns void language plpgsql security definer set search_path = '' as $$ begin update public.profiles set credits = credits + amount where id = target; end $$;\n\
         create function public.my_invoices() returns setof public.invoices language sql security definer set search_path = '' as $$ select * from public.invoices where user_id = auth.uid() $$;\n\
         create function public.is_admin() returns boolean language sql security definer set search_path = '' stable as $$ select exists (select 1 from public.profiles where id = auth.uid() and role = 'admin') $$;\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("20240105000000_views.sql"),
        "create view public.invoice_totals as select user_id, sum(amount_cents) as total from public.invoices group by user_id;\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("20240106000000_storage.sql"),
        "insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true), ('documents', 'documents', false);\n\
         create policy \"own documents\" on storage.objects for all to authenticated using (bucket_id = 'documents' and (storage.foldername(name))[1] = auth.uid()::text) with check (bucket_id = 'documents' and (storage.foldername(name))[1] = auth.uid()::text);\n",
    )
    .unwrap();
}

fn prove(c: &mut Criterion) {
    let binaries = match Binaries::find() {
        Ok(b) => b,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let project = tempfile::tempdir().unwrap();
    write_typical_app(project.path());
    let nudge = env!("CARGO_BIN_EXE_nudge");
    // Once, to show what it found (and that it works).
    let first = Command::new(nudge)
        .args(["prove", "--format", "json"])
        .arg(project.path())
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let results = report["databases"][0]["results"].as_array().unwrap();
    let leaks = results.iter().filter(|r| r["verdict"] == "leak").count();
    eprintln!(
        "typical app: {} results, {leaks} leaks, {} tables",
        results.len(),
        3 + OWNED_TABLES.len() + 5
    );

    for leak in results.iter().filter(|r| r["verdict"] == "leak") {
        eprintln!("  leak: {}", leak["message"].as_str().unwrap_or(""));
    }

    let mut group = c.benchmark_group("prove");
    group.sample_size(10).measurement_time(Duration::from_secs(40));
    group.bench_function("typical app, 24 tables, whole command", |b| {
        b.iter(|| {
            let out = Command::new(nudge)
                .args(["prove", "--format", "json"])
                .arg(project.path())
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(out.success());
        })
    });
    group.bench_function(
        "cluster start-up alone (initdb, start, compatibility layer, stop)",
        |b| {
            b.iter(|| {
                let cluster = Cluster::start(&binaries).unwrap();
                compat::install(&cluster).unwrap();
                cluster.stop();
            })
        },
    );
    group.finish();
}

criterion_group!(benches, prove);
criterion_main!(benches);
