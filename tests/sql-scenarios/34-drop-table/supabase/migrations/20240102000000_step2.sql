drop table public.gone;
drop table if exists public.never;
