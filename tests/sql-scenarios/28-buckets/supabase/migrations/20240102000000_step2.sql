update storage.buckets set public = true where id = 'docs';
delete from storage.buckets where id = 'private';
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false) on conflict (id) do nothing;
