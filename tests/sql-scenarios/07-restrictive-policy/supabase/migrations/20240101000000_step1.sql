create table public.items (id uuid primary key default gen_random_uuid(), user_id uuid references auth.users, title text, status text default 'draft');
alter table public.items enable row level security;
create policy "open" on public.items for select using (true);
create policy "owners" on public.items as restrictive for select to authenticated using (auth.uid() = user_id);
create policy "r2" on public.items as permissive for delete using (auth.uid() = user_id);
