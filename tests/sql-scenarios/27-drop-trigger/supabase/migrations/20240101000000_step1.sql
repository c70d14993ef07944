create table public.t (id int);
create function public.tf() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger a before insert on public.t for each row execute function public.tf();
create trigger b before update on public.t for each row execute function public.tf();
drop trigger a on public.t;
drop trigger if exists zzz on public.t;
