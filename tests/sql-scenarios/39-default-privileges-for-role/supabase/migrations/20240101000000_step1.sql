alter default privileges for role postgres in schema public revoke all on tables from anon;
create table public.after_revoke (id int);
alter default privileges in schema public grant select on tables to anon;
create table public.after_grant (id int);
