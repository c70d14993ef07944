create view public.members as select id, email from auth.users;
create view public.safe with (security_invoker = true) as select id from auth.users;
