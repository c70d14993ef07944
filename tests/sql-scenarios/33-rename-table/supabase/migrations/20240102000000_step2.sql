alter table public.items rename to things;
alter table if exists public.nothing rename to x;
