create function public.a() returns int language sql security definer as $$ select 1 $$;
create function public.b() returns int language sql as $$ select 1 $$;
alter function public.a security invoker;
alter function public.b() security definer;
