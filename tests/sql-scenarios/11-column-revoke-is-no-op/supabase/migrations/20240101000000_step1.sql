create table public.profiles (id uuid primary key, display_name text, plan text default 'free');
alter table public.profiles enable row level security;
create policy "own" on public.profiles for update using (auth.uid() = id);
revoke update (plan) on public.profiles from authenticated;
