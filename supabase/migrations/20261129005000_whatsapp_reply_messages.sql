-- WhatsApp reply messages: staff answer a specific inbound message, and the guest's phone shows
-- the quoted message above the answer (Cloud API `context.message_id`). `send_message` takes an
-- optional message of the same conversation to reply to; the outbound row records it and the
-- enqueued `whatsapp.send` payload carries that message's wamid as `reply_to`.
--
-- Error codes: BQ001 (the replied-to message has no WhatsApp id, or the conversation is not on
-- WhatsApp), BQ002 (the replied-to message is not visible or not in this conversation).

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.messages add column reply_to_message_id uuid;
comment on column app.messages.reply_to_message_id is 'The message of the same conversation this one quotes (WhatsApp reply context); null for a plain message.';
-- The column is null in every existing row, so there is nothing to validate; new rows are checked.
alter table app.messages add constraint messages_reply_to_message_id_fkey
  foreign key (reply_to_message_id) references app.messages (id) on delete set null not valid;
-- For the foreign key's `on delete set null` (a deleted message finds its replies). Full, not
-- partial, so the foreign-key index check sees it. CONCURRENTLY cannot run inside the migration's
-- transaction.
-- squawk-ignore require-concurrent-index-creation
create index messages_reply_to_message_id_idx on app.messages (reply_to_message_id);

-- Triggers ------------------------------------------------------------------------------------

create or replace function app.tg_messages__enqueue_send()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_conversation app.conversations;
  v_contact app.contacts;
  v_account app.channel_accounts;
  v_template app.message_templates;
  v_reply_to text;
  v_payload jsonb;
begin
  select * into v_conversation from app.conversations c where c.id = new.conversation_id;
  select * into v_contact from app.contacts c where c.id = v_conversation.contact_id;
  select * into v_account from app.channel_accounts a where a.id = v_conversation.channel_account_id;
  select * into v_template from app.message_templates t where t.id = new.template_id;
  select m.provider_message_id into v_reply_to from app.messages m
  where m.id = new.reply_to_message_id and m.conversation_id = new.conversation_id;
  v_payload := jsonb_build_object(
    'message_id', new.id,
    'conversation_id', new.conversation_id,
    'account', v_account.external_id,
    'to', case v_conversation.channel when 'whatsapp' then v_contact.phone when 'instagram' then v_contact.instagram_id else v_contact.email end,
    'text', new.body
  ) || case when new.kind = 'template' then jsonb_build_object(
    'template', v_template.name, 'language', v_template.language, 'params', coalesce(new.template_params, '[]'))
  else '{}' end
    || case when v_conversation.channel = 'email' then jsonb_build_object('subject', 'Message from ' || coalesce(v_account.display_name, v_account.external_id), 'reply_to', v_account.external_id)
  else '{}' end
    || case when v_conversation.channel = 'instagram' and new.kind = 'text'
                 and (v_conversation.window_expires_at is null or v_conversation.window_expires_at < now())
            then jsonb_build_object('tag', 'HUMAN_AGENT')
  else '{}' end
    -- WhatsApp quotes the replied-to message by its wamid (`context.message_id`).
    || case when v_conversation.channel = 'whatsapp' and v_reply_to is not null
            then jsonb_build_object('reply_to', v_reply_to)
  else '{}' end;
  perform bridge.enqueue(v_conversation.channel || '.send', v_payload, new.organization_id, 'message:' || new.id);
  update app.conversations set last_message_at = new.created_at where id = new.conversation_id;
  return null;
end
$$;
comment on function app.tg_messages__enqueue_send() is
  'Rule: an outbound message is enqueued for the daemon as whatsapp.send (with reply_to = the quoted message''s wamid), instagram.send or email.send.';

-- Public functions ----------------------------------------------------------------------------

-- The new optional argument changes the signature; dropping the two-argument form keeps one
-- function, so a call with two arguments still resolves (to this one, with the default).
-- squawk-ignore ban-drop-function
drop function public.send_message(uuid, text);

create function public.send_message(p_conversation_id uuid, p_body text, p_reply_to_message_id uuid default null)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_conversation app.conversations := app.conversation_for_update(p_conversation_id);
  v_reply_to app.messages;
  v_message_id uuid;
begin
  perform app.require_text(p_body, 'p_body', 'message');
  if p_reply_to_message_id is not null then
    -- Runs as the caller: RLS hides another organization's messages, which answer like a missing one.
    select * into v_reply_to from app.messages m
    where m.id = p_reply_to_message_id and m.conversation_id = p_conversation_id;
    if not found then
      raise exception using errcode = 'BQ002',
        message = format('p_reply_to_message_id: message %s not found in this conversation', p_reply_to_message_id);
    end if;
    if v_conversation.channel <> 'whatsapp' then
      raise exception using errcode = 'BQ001', message = format('p_reply_to_message_id: a %s message cannot quote another', v_conversation.channel),
        hint = 'Quoting a message is a WhatsApp feature; send the text without p_reply_to_message_id.';
    end if;
    if v_reply_to.provider_message_id is null then
      raise exception using errcode = 'BQ001', message = 'p_reply_to_message_id: that message has no WhatsApp id yet',
        hint = 'Reply to a received message, or to a sent one once WhatsApp accepted it.';
    end if;
  end if;
  insert into app.messages (organization_id, conversation_id, direction, kind, body, status, sent_by, reply_to_message_id)
  values (v_conversation.organization_id, p_conversation_id, 'out', 'text', p_body, 'queued', (select auth.uid()), p_reply_to_message_id)
  returning id into v_message_id;
  return v_message_id;
end
$$;
comment on function public.send_message(uuid, text, uuid) is
  'Sends a free-form text in a conversation (enqueued for the daemon); p_reply_to_message_id quotes a message of the same WhatsApp conversation (BQ002 when not in it, BQ001 without a WhatsApp id). BQ501 outside the 24-hour WhatsApp/Instagram window. Any member.';
grant execute on function public.send_message(uuid, text, uuid) to authenticated;
