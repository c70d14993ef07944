alter policy "p" on public.items to authenticated using (auth.uid() = user_id) with check (auth.uid() = user_id);
