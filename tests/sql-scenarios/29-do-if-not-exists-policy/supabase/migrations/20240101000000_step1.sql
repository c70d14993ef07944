create table public.items (id uuid primary key default gen_random_uuid(), user_id uuid references auth.users, title text, status text default 'draft');
alter table public.items enable row level security;
do $$
begin
  if not exists (select 1 from pg_policies where tablename = 'items' and policyname = 'own') then
    create policy "own" on public.items for select using (auth.uid() = user_id);
  end if;
end $$;
do $$ begin
  create policy "dup" on public.items for delete using (auth.uid() = user_id);
exception when duplicate_object then null;
end $$;
