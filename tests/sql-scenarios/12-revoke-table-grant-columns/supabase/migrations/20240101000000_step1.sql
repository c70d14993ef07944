create table public.profiles (id uuid primary key, display_name text, avatar_url text, plan text default 'free');
revoke update on public.profiles from authenticated;
grant update (display_name, avatar_url) on public.profiles to authenticated;
grant select (id, display_name) on public.profiles to anon;
