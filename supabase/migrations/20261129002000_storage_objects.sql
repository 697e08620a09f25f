-- Storage objects (issue 8): the rules that make `storage.objects` the one record of an uploaded
-- file, whoever writes it (Banquet's gateway on plain PostgreSQL, Supabase Storage on Supabase).
--
-- 1. `register_document`'s logic moves into `app.register_document`, unchanged; the public RPC and
--    the storage trigger below both call it, so there is one body.
-- 2. A brochure uploaded to `venue-brochures` at `<organization id>/<venue id>/<file>` registers
--    its document (and so enqueues `menu.extract`) in the uploader's own transaction: the object
--    row, the document row and the job commit together or not at all. Removing the object removes
--    its document; moving it moves the document's path.
-- 3. Managers may replace their organization's files (an upsert and a move are updates), and
--    anyone may read the buckets' settings (name, public, limits), as the client's bucket calls need.

-- Internal functions --------------------------------------------------------------------------

create function app.register_document(
  p_venue_id uuid,
  p_kind text,
  p_object_path text,
  p_file_name text default null,
  p_mime_type text default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid := app.venue_organization_id(p_venue_id);
  v_document_id uuid;
begin
  perform app.require_role(v_organization_id, '{owner,manager}');
  if p_kind is null or p_kind not in ('brochure', 'logo', 'image') then
    raise exception using errcode = 'BQ001', message = format('p_kind: %L is not a document kind', left(p_kind, 100)),
      hint = 'Use brochure, logo or image.';
  end if;
  perform app.require_text(p_object_path, 'p_object_path', 'path');
  if split_part(p_object_path, '/', 1) <> v_organization_id::text then
    raise exception using errcode = 'BQ001', message = 'p_object_path must start with the organization id',
      hint = format('Upload to %s/<venue>/<file>.', v_organization_id);
  end if;
  perform app.require_text(p_file_name, 'p_file_name', 'name', false);
  perform app.require_text(p_mime_type, 'p_mime_type', 'label', false);
  -- The path starts with the caller's organization id, so a clash is always with its own document.
  if exists (select 1 from app.documents d
             where d.bucket_id = case p_kind when 'brochure' then 'venue-brochures' when 'logo' then 'logos' else 'venue-images' end
               and d.object_path = p_object_path) then
    raise exception using errcode = 'BQ008', message = format('p_object_path: a document is already registered at %s', left(p_object_path, 200)),
      hint = 'Upload the new file under another name, or delete the existing document first.';
  end if;
  insert into app.documents (organization_id, venue_id, kind, bucket_id, object_path, file_name, mime_type, uploaded_by)
  values (
    v_organization_id, p_venue_id, p_kind,
    case p_kind when 'brochure' then 'venue-brochures' when 'logo' then 'logos' else 'venue-images' end,
    p_object_path, p_file_name, p_mime_type, (select auth.uid())
  )
  returning id into v_document_id;
  return v_document_id;
end
$$;
comment on function app.register_document(uuid, text, text, text, text) is
  'Records an uploaded file as a document of its venue (owners and managers); a brochure enqueues menu extraction. Shared by public.register_document and the storage trigger.';
grant execute on function app.register_document(uuid, text, text, text, text) to authenticated, service_role;

-- Public functions ----------------------------------------------------------------------------

create or replace function public.register_document(
  p_venue_id uuid,
  p_kind text,
  p_object_path text,
  p_file_name text default null,
  p_mime_type text default null
)
returns uuid
language sql
set search_path = ''
as $$
  select app.register_document(p_venue_id, p_kind, p_object_path, p_file_name, p_mime_type)
$$;
comment on function public.register_document(uuid, text, text, text, text) is
  'Records an uploaded file (after the storage upload); a brochure enqueues menu extraction. Owners and managers. Brochures uploaded to venue-brochures at <organization>/<venue>/<file> are registered by the upload itself.';
grant execute on function public.register_document(uuid, text, text, text, text) to authenticated;

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_objects__register_brochure()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_parts text[] := string_to_array(new.name, '/');
begin
  -- Runs as the uploader, so register_document's role check and the documents policies apply.
  if array_length(v_parts, 1) <> 3
     or v_parts[2] !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception using errcode = 'BQ001',
      message = format('a brochure must be uploaded to <organization id>/<venue id>/<file name>, not %s', left(new.name, 200)),
      hint = 'Put the file in the folder of the venue whose menu it holds.';
  end if;
  perform app.register_document(v_parts[2]::uuid, 'brochure', new.name, v_parts[3], new.metadata ->> 'mimetype');
  return null;
end
$$;
comment on function app.tg_objects__register_brochure() is
  'Rule: a brochure uploaded to venue-brochures registers its document (which enqueues menu.extract), in the upload''s transaction.';

create function app.tg_objects__follow_brochure()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    delete from app.documents d where d.bucket_id = old.bucket_id and d.object_path = old.name;
  else
    update app.documents d set object_path = new.name, file_name = storage.filename(new.name)
    where d.bucket_id = old.bucket_id and d.object_path = old.name;
  end if;
  return null;
end
$$;
comment on function app.tg_objects__follow_brochure() is
  'Rule: removing a brochure object removes its document; moving it moves the document''s path (so the path can be uploaded again).';

create trigger _500_register_brochure
  after insert on storage.objects
  for each row when (new.bucket_id = 'venue-brochures')
  execute function app.tg_objects__register_brochure();

create trigger _510_follow_brochure
  after update of name or delete on storage.objects
  for each row when (old.bucket_id = 'venue-brochures')
  execute function app.tg_objects__follow_brochure();

-- RLS policies --------------------------------------------------------------------------------

create policy "Managers can replace their organization's files" on storage.objects
  for update to authenticated
  using (
    bucket_id in ('venue-images', 'logos', 'venue-brochures')
    and (storage.foldername(name))[1] in (select o::text from app.user_organization_ids('{owner,manager}') o)
  )
  with check (
    bucket_id in ('venue-images', 'logos', 'venue-brochures')
    and (storage.foldername(name))[1] in (select o::text from app.user_organization_ids('{owner,manager}') o)
  );

create policy "Anyone can read the buckets' settings" on storage.buckets
  for select to anon, authenticated
  using (true);
