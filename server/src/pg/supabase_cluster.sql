-- Roles of a Supabase project, once per cluster. Nothing logs in: tests
-- and `nudge prove` become them with SET ROLE.
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator nologin noinherit;
grant anon, authenticated, service_role to authenticator;
create role supabase_admin nologin;
create role supabase_auth_admin nologin;
create role supabase_storage_admin nologin;
create role supabase_realtime_admin nologin;
create role dashboard_user nologin;
create role pgbouncer nologin;
alter role postgres set search_path = "$user", public, extensions;
