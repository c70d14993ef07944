create table public.a (id int, user_id uuid);
create table public.b (id int, user_id uuid);
do $$
declare t text;
begin
  foreach t in array array['a', 'b'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('create policy %I on public.%I for select using (auth.uid() = user_id)', t || '_own', t);
  end loop;
end $$;
