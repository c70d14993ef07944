drop policy "write any" on public.items;
drop policy if exists "never existed" on public.items;
