alter view public.v set (security_invoker = true);
create view public.w with (security_invoker = on) as select id from public.items;
