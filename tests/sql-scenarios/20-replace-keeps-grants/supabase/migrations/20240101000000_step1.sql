create function public.f() returns int language sql as $$ select 1 $$;
revoke execute on function public.f() from public, anon, authenticated;
