create table public.items (id uuid primary key default gen_random_uuid(), user_id uuid references auth.users, title text, status text default 'draft');
alter table public.items enable row level security;
create policy "svc" on public.items for all to service_role using (true) with check (true);
create policy "two roles" on public.items for select to anon, authenticated using (status = 'published');
