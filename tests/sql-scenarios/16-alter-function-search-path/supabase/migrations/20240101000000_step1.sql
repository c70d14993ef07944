create function public.a(x uuid) returns int language sql security definer as $$ select 1 $$;
