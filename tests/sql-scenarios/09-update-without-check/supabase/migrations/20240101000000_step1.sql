create table public.items (id uuid primary key default gen_random_uuid(), user_id uuid references auth.users, title text, status text default 'draft');
alter table public.items enable row level security;
create policy "own" on public.items for update using (auth.uid() = user_id);
create policy "ins" on public.items for insert with check (auth.uid() = user_id);
