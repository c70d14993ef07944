create schema if not exists private;
create table private.secrets (id int, value text);
create table public.open (id int);
grant usage on schema private to authenticated;
grant select on private.secrets to authenticated;
