insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true), ('docs', 'docs', false);
insert into storage.buckets (id, name) values ('private', 'private');
