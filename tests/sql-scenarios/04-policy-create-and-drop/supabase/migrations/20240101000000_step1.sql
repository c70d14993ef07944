create table public.items (id uuid primary key default gen_random_uuid(), user_id uuid references auth.users, title text, status text default 'draft');
alter table public.items enable row level security;
create policy "read own" on public.items for select using (auth.uid() = user_id);
create policy "write any" on public.items for update using (true);
