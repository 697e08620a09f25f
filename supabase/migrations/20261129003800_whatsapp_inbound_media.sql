-- Inbound WhatsApp media (image, document, audio, video, sticker): the webhook carries only a
-- media id; the daemon downloads the file through the Media API (whatsapp.media_fetch) into the
-- media store and records where it is on the message. The message itself is stored at once (its
-- caption or "[image]"), so staff see it arrive before the download finishes.
--
-- Error codes: BQ001 missing media id, BQ002 message not found.

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.messages add column media jsonb;
comment on column app.messages.media is 'Attached media: {"media_id", "mime_type", "kind"} from the webhook, then {"path", "size", "sha256"} once downloaded.';

-- Daemon write-backs --------------------------------------------------------------------------

create function public.attach_inbound_media(p_message_id uuid, p_media_id text, p_kind text, p_mime_type text default null)
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
    jsonb_build_object('message_id', p_message_id, 'media_id', p_media_id, 'account', v_account, 'mime_type', p_mime_type),
    v_message.organization_id, 'media:' || p_media_id);
end
$$;
comment on function public.attach_inbound_media(uuid, text, text, text) is
  'Inbound WhatsApp webhook: records a message''s media id and enqueues its download (whatsapp.media_fetch). Service role only.';
grant execute on function public.attach_inbound_media(uuid, text, text, text) to service_role;

create function app.whatsapp_media_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  update app.messages set media = coalesce(media, '{}') || jsonb_strip_nulls(jsonb_build_object(
    'path', p_result ->> 'path', 'size', (p_result ->> 'size')::bigint, 'sha256', p_result ->> 'sha256',
    'mime_type', coalesce(p_result ->> 'mime_type', media ->> 'mime_type')))
  where id = (p_payload ->> 'message_id')::uuid
$$;
comment on function app.whatsapp_media_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for whatsapp.media_fetch: p_result {path, size, sha256, mime_type} goes on the message''s media.';
grant execute on function app.whatsapp_media_writeback(bigint, jsonb, jsonb) to service_role;

select bridge.register_kind(p_kind => 'whatsapp.media_fetch', p_queue => 'whatsapp',
  p_writeback => 'app.whatsapp_media_writeback', p_max_attempts => 5, p_timeout_seconds => 120, p_concurrency => 4);
