-- Channel delivery failures that need a person: the WhatsApp connector and status webhooks write a
-- failed message's error as "WhatsApp error <code>: <reason>" (Instagram likewise). Two codes
-- need more than "a message failed":
--   131047  the 24-hour window had closed (the send may even have returned 200 and failed later,
--           on a status webhook): staff are told to send an approved template, and which one;
--   190     the access token expired or was revoked: the channel account is flagged for an
--           operator, since every later send from it will fail the same way.
-- record_message_status is redefined in full with those rules; the rest is unchanged.
--
-- Error codes: BQ001, BQ002 (as before).

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.channel_accounts
  add column attention text,
  add column attention_at timestamptz;
comment on column app.channel_accounts.attention is 'Why an operator must look at this account (e.g. its provider token expired); null when healthy.';

-- Helpers -------------------------------------------------------------------------------------

create function app.channel_error_code(p_error text)
returns integer
language sql
immutable
set search_path = ''
as $$
  select (substring(p_error from '^(?:WhatsApp|Instagram) error ([0-9]{1,9})\M'))::integer
$$;
comment on function app.channel_error_code(text) is
  'The provider error code in a channel failure text ("WhatsApp error 131047: …" → 131047), or null.';
grant execute on function app.channel_error_code(text) to service_role;

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function public.record_message_status(
  p_message_id uuid,
  p_provider_message_id text,
  p_status text,
  p_error text default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_message app.messages;
  v_conversation app.conversations;
  v_code integer := app.channel_error_code(p_error);
  v_templates text;
begin
  if p_status is null or p_status not in ('sent', 'delivered', 'read', 'failed') then
    raise exception using errcode = 'BQ001', message = format('%L is not a delivery status', p_status),
      hint = 'Use sent, delivered, read or failed.';
  end if;
  if p_message_id is not null then
    select * into v_message from app.messages m where m.id = p_message_id for update;
  else
    select * into v_message from app.messages m where m.provider_message_id = p_provider_message_id for update;
  end if;
  if v_message.id is null or v_message.direction <> 'out' then
    raise exception using errcode = 'BQ002', message = format('outbound message %s not found', coalesce(p_message_id::text, p_provider_message_id));
  end if;
  -- A failure reported twice (the job's on-failure handler, then the status webhook) notifies once.
  if p_status = 'failed' and v_message.status = 'failed' then
    return;
  end if;
  -- Statuses only move forward (webhooks arrive out of order); failed wins even late (WhatsApp 131047).
  if p_status = 'failed'
     or array_position(array['queued', 'sent', 'delivered', 'read'], p_status) > array_position(array['queued', 'sent', 'delivered', 'read'], v_message.status) then
    update app.messages set
      status = p_status,
      provider_message_id = coalesce(provider_message_id, p_provider_message_id),
      error = case when p_status = 'failed' then p_error else error end,
      status_changed_at = now()
    where id = v_message.id;
  elsif v_message.provider_message_id is null and p_provider_message_id is not null then
    update app.messages set provider_message_id = p_provider_message_id where id = v_message.id;
  end if;
  if p_status <> 'failed' then
    return;
  end if;
  select * into v_conversation from app.conversations c where c.id = v_message.conversation_id;
  if v_code = 131047 then
    select string_agg(format('%s (%s)', t.name, t.language), ', ' order by t.name) into v_templates
    from app.message_templates t
    where t.organization_id = v_message.organization_id and t.channel = v_conversation.channel and t.approval_status = 'approved';
    insert into app.notifications (organization_id, kind, title, body, entity_type, entity_id)
    values (v_message.organization_id, 'message.window_closed', 'A message could not be delivered: the 24-hour window had closed',
            coalesce(p_error, '') || E'\n' || coalesce('Send an approved template instead: ' || v_templates || '.',
                                                       'No approved template exists yet: create one and wait for its approval.'),
            'conversation', v_message.conversation_id);
    return;
  end if;
  if v_code = 190 then
    update app.channel_accounts set attention = 'the provider refused the access token (expired or revoked): ' || coalesce(p_error, ''),
      attention_at = now()
    where id = v_conversation.channel_account_id;
  end if;
  insert into app.notifications (organization_id, kind, title, body, entity_type, entity_id)
  values (v_message.organization_id, 'message.failed', 'A message to a guest failed', coalesce(p_error, ''), 'conversation', v_message.conversation_id);
end
$$;
comment on function public.record_message_status(uuid, text, text, text) is
  'Delivery status of an outbound message, by message id or provider message id: sent, delivered, read (forward only) or '
  'failed (notifies staff once; WhatsApp 131047 suggests the approved templates, 190 flags the channel account). Service role only.';

create or replace function app.channel_send_failed(p_job_id bigint, p_payload jsonb, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_payload ? 'message_id' then
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, null, 'failed', p_error);
  elsif app.channel_error_code(p_error) = 190 then
    -- A send with no message row (a proposal's template) still flags the account.
    update app.channel_accounts set attention = 'the provider refused the access token (expired or revoked): ' || p_error, attention_at = now()
    where external_id = p_payload ->> 'account' and channel in ('whatsapp', 'instagram');
  end if;
end
$$;
comment on function app.channel_send_failed(bigint, jsonb, text) is
  'Bridge on-failure handler for whatsapp.send and instagram.send: marks the message failed and notifies staff; a refused token flags the channel account.';
