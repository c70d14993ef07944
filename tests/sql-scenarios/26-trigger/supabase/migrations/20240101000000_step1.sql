create table public.profiles (id uuid primary key, plan text);
create function public.keep_plan() returns trigger language plpgsql as $$ begin new.plan := old.plan; return new; end $$;
create trigger keep_plan before update on public.profiles for each row execute function public.keep_plan();
create trigger audit after insert or delete on public.profiles for each row execute function public.keep_plan();
