create table public."Invoices" (id int);
create table public.invoices (id int);
alter table if exists public.INVOICES enable row level security;
