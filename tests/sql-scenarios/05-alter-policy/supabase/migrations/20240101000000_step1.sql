create table public.items (id uuid primary key default gen_random_uuid(), user_id uuid references auth.users, title text, status text default 'draft');
alter table public.items enable row level security;
create policy "p" on public.items for all to anon using (true) with check (true);
