-- Inbound WhatsApp media into storage: `whatsapp.media_fetch` writes the downloaded file through
-- the daemon's object store into the private bucket `message-media`, at
-- `<organization id>/<conversation id>/<wamid>.<ext>`, and its write-back records the object
-- (a `storage.objects` row, as the storage gateway writes one) and the path on the message, in one
-- transaction. Members of the organization read the files through `/storage/v1` (RLS below);
-- nobody uploads there but the daemon.
--
-- Error codes: BQ001 (a result path outside the message's organization and conversation folder).

set local lock_timeout = '5s';

-- Storage -------------------------------------------------------------------------------------

-- The types WhatsApp delivers (Cloud API, "Supported media types"): images, stickers, documents,
-- audio and video. 25 MiB, as venue-brochures: WhatsApp's images and audio/video stay under it,
-- the daemon's download cap (4 MiB, docs/connectors.md) is far below it, and the gateway's
-- request body limit (the largest bucket limit) does not grow.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values
  ('message-media', 'message-media', false, 26214400, '{image/jpeg,image/png,image/webp,application/pdf,text/plain,application/msword,application/vnd.ms-excel,application/vnd.ms-powerpoint,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.presentationml.presentation,audio/aac,audio/amr,audio/mpeg,audio/mp4,audio/ogg,video/mp4,video/3gpp}')
on conflict (id) do nothing;

create policy "Members can read their organization's message media" on storage.objects
  for select to authenticated
  using (
    bucket_id = 'message-media'
    and (storage.foldername(name))[1] in (select o::text from app.user_organization_ids() o)
  );

-- Daemon write-backs --------------------------------------------------------------------------

-- The payload now names where the file goes (organization, conversation, wamid), so the handler
-- builds the object key without a database read.
create or replace function public.attach_inbound_media(p_message_id uuid, p_media_id text, p_kind text, p_mime_type text default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_message app.messages;
  v_account text;
begin
  if nullif(btrim(p_media_id), '') is null then
    raise exception using errcode = 'BQ001', message = 'a media attachment needs its media id';
  end if;
  select * into v_message from app.messages m where m.id = p_message_id and m.direction = 'in' for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('inbound message %s not found', p_message_id);
  end if;
  select a.external_id into v_account
  from app.conversations c join app.channel_accounts a on a.id = c.channel_account_id
  where c.id = v_message.conversation_id;
  update app.messages set media = coalesce(media, '{}') || jsonb_build_object('media_id', p_media_id, 'kind', p_kind, 'mime_type', p_mime_type)
  where id = p_message_id;
  perform bridge.enqueue('whatsapp.media_fetch',
    jsonb_build_object('message_id', p_message_id, 'media_id', p_media_id, 'account', v_account, 'mime_type', p_mime_type,
                       'organization_id', v_message.organization_id, 'conversation_id', v_message.conversation_id,
                       'wamid', v_message.provider_message_id),
    v_message.organization_id, 'media:' || p_media_id);
end
$$;
comment on function public.attach_inbound_media(uuid, text, text, text) is
  'Inbound WhatsApp webhook: records a message''s media id and enqueues its download (whatsapp.media_fetch) into the message-media bucket. Service role only.';

create or replace function app.whatsapp_media_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_message app.messages;
  v_bucket text := coalesce(p_result ->> 'bucket', 'message-media');
  v_path text := p_result ->> 'path';
begin
  select * into v_message from app.messages m where m.id = (p_payload ->> 'message_id')::uuid;
  if not found then
    return;  -- the message (or its conversation) was deleted while the file downloaded
  end if;
  -- The key decides who may read the file (RLS on the first folder): it must be this message's.
  if v_path is null or v_path not like v_message.organization_id || '/' || v_message.conversation_id || '/%' then
    raise exception using errcode = 'BQ001',
      message = format('media path %s is not under %s/%s/', left(v_path, 200), v_message.organization_id, v_message.conversation_id);
  end if;
  -- The row the storage gateway would write for an upload: no owner (the daemon is no user), and
  -- Storage's metadata names, so /storage/v1 serves its type, size and ETag. A retried job
  -- replaces the same key.
  insert into storage.objects (bucket_id, name, owner, metadata)
  values (v_bucket, v_path, null, jsonb_strip_nulls(jsonb_build_object(
    'eTag', p_result ->> 'etag', 'size', (p_result ->> 'size')::bigint, 'mimetype', p_result ->> 'mime_type',
    'cacheControl', coalesce(p_result ->> 'cache_control', 'max-age=3600'),
    'lastModified', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'contentLength', (p_result ->> 'size')::bigint, 'httpStatusCode', 200)))
  on conflict (bucket_id, name) do update
    set metadata = excluded.metadata, updated_at = now(), last_accessed_at = now();
  update app.messages set media = coalesce(media, '{}') || jsonb_strip_nulls(jsonb_build_object(
    'bucket', v_bucket, 'path', v_path, 'size', (p_result ->> 'size')::bigint, 'sha256', p_result ->> 'sha256',
    'mime_type', coalesce(p_result ->> 'mime_type', media ->> 'mime_type')))
  where id = v_message.id;
end
$$;
comment on function app.whatsapp_media_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for whatsapp.media_fetch: p_result {bucket, path, size, sha256, mime_type, etag, cache_control} becomes the storage.objects row (owner null) and the message''s media.';
