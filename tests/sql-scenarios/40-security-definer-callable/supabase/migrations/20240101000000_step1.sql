create table public.profiles (id uuid primary key, credits int default 0);
alter table public.profiles enable row level security;
create function public.increment_credits(uid uuid, n int) returns void language plpgsql security definer set search_path = '' as $$ begin update public.profiles set credits = credits + n where id = uid; end $$;
create function public.is_admin() returns boolean language sql security definer set search_path = '' as $$ select true $$;
