create or replace view public.v as select id from public.items;
