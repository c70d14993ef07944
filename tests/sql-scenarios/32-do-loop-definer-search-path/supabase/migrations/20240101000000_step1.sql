create function public.a() returns int language sql security definer as $$ select 1 $$;
create function public.b(x integer) returns int language sql security definer as $$ select x $$;
create function public.c() returns int language sql as $$ select 1 $$;
do $$
declare f record;
begin
  for f in select p.proname, pg_get_function_identity_arguments(p.oid) as args from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.prosecdef loop
    execute format('alter function public.%I(%s) set search_path = %L', f.proname, f.args, '');
  end loop;
end $$;
