create function public.credit(uid uuid, n integer) returns void language plpgsql security definer set search_path = '' as $$ begin perform 1; end $$;
revoke execute on function public.credit(uuid, integer) from anon;
