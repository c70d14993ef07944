-- Initial schema, generated with an AI assistant.
create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  full_name text,
  email text,
  plan text not null default 'free',
  credits int not null default 3
);
alter table public.profiles enable row level security;
create policy "profiles are readable" on public.profiles for select using (true);
create policy "profiles are editable" on public.profiles for update using (true);

create table public.invoices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users,
  customer_email text not null,
  amount_cents int not null,
  status text not null default 'draft'
);

create table public.notes (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users,
  body text
);
