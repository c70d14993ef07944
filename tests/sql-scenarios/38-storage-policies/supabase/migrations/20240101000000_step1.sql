insert into storage.buckets (id, name, public) values ('docs', 'docs', false);
create policy "upload own" on storage.objects for insert to authenticated with check (bucket_id = 'docs' and (storage.foldername(name))[1] = auth.uid()::text);
create policy "read all docs" on storage.objects for select using (bucket_id = 'docs');
