create function public.f(a int) returns int language sql as $$ select a $$;
create function public.f(a text) returns text language sql as $$ select a $$;
drop function public.f(integer);
drop function if exists public.nothing();
