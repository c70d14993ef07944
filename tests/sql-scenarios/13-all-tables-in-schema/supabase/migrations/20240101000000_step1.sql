create table public.a (id int);
create table public.b (id int);
revoke all on all tables in schema public from anon;
create table public.c (id int);
