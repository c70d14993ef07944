-- Notes got row-level security in a later migration: Nudge reads both.
alter table public.notes enable row level security;
create policy "own notes" on public.notes for all
  using (auth.uid() = user_id)
  with check (auth.uid() = user_id);
