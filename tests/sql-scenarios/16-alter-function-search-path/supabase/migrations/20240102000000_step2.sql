alter function public.a(uuid) set search_path = '';
