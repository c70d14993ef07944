create table public.items (id uuid primary key default gen_random_uuid(), user_id uuid references auth.users, title text, status text default 'draft');
alter table public.items add column plan text, add column credits int;
alter table public.items drop column status;
alter table public.items add column if not exists title text;
