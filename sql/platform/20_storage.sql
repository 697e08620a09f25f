-- Platform stand-in: the parts of Supabase Storage's `storage` schema Banquet uses
-- (buckets, objects, and the path helper policies call).
create schema if not exists storage;
comment on schema storage is 'banquet platform stand-in for Supabase storage';
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  public boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  unique (bucket_id, name)
);
create index if not exists objects_bucket_id_idx on storage.objects (bucket_id);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- storage.foldername('org/venue/file.pdf') = {org,venue}, as in Supabase.
create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;

grant execute on function storage.foldername(text), storage.filename(text) to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to service_role;
grant select, insert, update, delete on storage.objects to authenticated;
-- As on Supabase, anon holds the table privileges too and RLS alone decides (no policy names anon,
-- so anon sees and writes nothing; a list by anon is empty rather than an error).
grant select, insert, update, delete on storage.objects to anon;
grant select on storage.buckets to anon, authenticated;
