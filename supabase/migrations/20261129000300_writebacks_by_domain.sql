-- Write-backs: each one writes only its own domain's tables and calls the owning domain's
-- function for the rest.
--
-- email.send's write-back (inquiries migration) marks its notification sent itself — notifications
-- are that domain's — and now hands a proposal to app.mark_proposal_delivered (proposals) and a
-- guest message to public.record_message_status (messaging). The channel write-back (messaging)
-- hands a proposal over the same way. Behaviour is unchanged.

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function app.email_send_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_payload ? 'notification_id' then
    update app.notifications
    set status = 'sent', sent_at = now(),
        provider_message_id = p_result ->> 'provider_message_id',
        transport = p_result ->> 'transport', error = null
    where id = (p_payload ->> 'notification_id')::uuid;
  end if;
  if p_payload ? 'proposal_id' then
    perform app.mark_proposal_delivered((p_payload ->> 'proposal_id')::uuid);
  end if;
  if p_payload ? 'message_id' then
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, p_result ->> 'provider_message_id', 'sent');
  end if;
end
$$;
comment on function app.email_send_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for email.send: p_result {provider_message_id, transport} marks the notification sent; a '
  'proposal or guest message is handed to its own domain''s function.';

create or replace function app.channel_send_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_payload ? 'message_id' then
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, p_result ->> 'provider_message_id', 'sent');
  elsif p_payload ? 'proposal_id' then
    perform app.mark_proposal_delivered((p_payload ->> 'proposal_id')::uuid);
  end if;
end
$$;
comment on function app.channel_send_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for whatsapp.send and instagram.send: records the provider message id and marks the message '
  'sent; a proposal is handed to app.mark_proposal_delivered.';
