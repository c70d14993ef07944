create or replace function public.f() returns int language sql security definer as $$ select 2 $$;
