alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon;
create function public.f() returns int language sql as $$ select 1 $$;
create function public.g(x int) returns int language sql as $$ select x $$;
