-- WhatsApp statuses that overtake their send's write-back. Meta may deliver the `sent` (and even
-- `delivered` or `read`) webhook for a message before the whatsapp.send job has written the wamid
-- back; until now such a status was stored as ignored ("no outbound message …") and lost, so a
-- message could stay `sent` after the guest had read it.
--
-- Now the webhook calls public.record_webhook_message_status: it applies the status when the
-- outbound message is known, and otherwise holds it in app.held_message_statuses; the send's
-- write-back (app.channel_send_writeback) applies what was held for its wamid, in the same
-- transaction, and marks those webhook events processed. Both take the same transaction-level
-- advisory lock on the wamid before looking, so a status and a write-back that cross cannot both
-- miss each other: whichever commits second sees the first. Lock order is the advisory lock, then
-- the message row, in both.
--
-- Held statuses for messages we never sent (another app on the same number) are pruned after a day
-- whenever a new one is held.
--
-- Error codes: BQ001 (bad input), BQ004 (a provider message id over 200 characters).

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

create table app.held_message_statuses (
  provider text not null check (provider in ('whatsapp', 'instagram')),
  provider_message_id text not null,
  status text not null check (status in ('sent', 'delivered', 'read', 'failed')),
  error text,
  held_at timestamptz not null default now(),
  primary key (provider_message_id, status)
);
comment on table app.held_message_statuses is
  'Delivery statuses that arrived before their outbound message''s provider id was recorded; applied by the send''s write-back. '
  'Service role only.';
comment on column app.held_message_statuses.error is 'The provider''s error, formatted as on a failed message ("WhatsApp error <code>: …").';

-- The table is new and empty, so a plain index is safe here.
-- squawk-ignore require-concurrent-index-creation
create index held_message_statuses_held_at_idx on app.held_message_statuses (held_at);

alter table app.held_message_statuses enable row level security;
-- No policies: only the webhook and the write-back (security definer functions) touch it.
grant all on app.held_message_statuses to service_role;

-- Helpers -------------------------------------------------------------------------------------

create function app.lock_provider_message(p_provider_message_id text)
returns void
language sql
set search_path = ''
as $$
  select pg_advisory_xact_lock(hashtextextended('provider_message:' || p_provider_message_id, 0))
$$;
comment on function app.lock_provider_message(text) is
  'Transaction-level advisory lock on one provider message id: serializes a status webhook with its send''s write-back.';

-- Webhook write-backs -------------------------------------------------------------------------

create function public.record_webhook_message_status(
  p_provider text,
  p_provider_message_id text,
  p_status text,
  p_error text default null
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform app.require_one_of(p_provider, 'p_provider', array['whatsapp', 'instagram']);
  perform app.require_text(p_provider_message_id, 'p_provider_message_id', 'token');
  perform app.require_one_of(p_status, 'p_status', array['sent', 'delivered', 'read', 'failed']);
  perform app.lock_provider_message(p_provider_message_id);
  if exists (select 1 from app.messages m where m.provider_message_id = p_provider_message_id and m.direction = 'out') then
    perform public.record_message_status(null, p_provider_message_id, p_status, p_error);
    return 'applied';
  end if;
  delete from app.held_message_statuses h where h.held_at < now() - interval '1 day';
  insert into app.held_message_statuses (provider, provider_message_id, status, error)
  values (p_provider, p_provider_message_id, p_status, p_error)
  on conflict (provider_message_id, status) do nothing;
  return 'held';
end
$$;
comment on function public.record_webhook_message_status(text, text, text, text) is
  'A delivery status from a provider webhook: applied to the outbound message with that provider id (returns ''applied''), or, '
  'when its send has not been written back yet, held for that write-back (returns ''held''). Service role only.';
grant execute on function public.record_webhook_message_status(text, text, text, text) to service_role;

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function app.channel_send_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_provider_message_id text := p_result ->> 'provider_message_id';
  v_held app.held_message_statuses;
begin
  if p_payload ? 'message_id' then
    if v_provider_message_id is not null then
      perform app.lock_provider_message(v_provider_message_id);
    end if;
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, v_provider_message_id, 'sent');
    -- Statuses that arrived before this write-back, in any order: record_message_status moves
    -- forward only and lets failed win, so the order cannot change the outcome.
    for v_held in
      delete from app.held_message_statuses h where h.provider_message_id = v_provider_message_id returning h.*
    loop
      perform public.record_message_status(null, v_provider_message_id, v_held.status, v_held.error);
      update app.webhook_events w set status = 'processed', error = null, processed_at = now()
      where w.provider = v_held.provider and w.event_id = v_provider_message_id || ':' || v_held.status and w.status = 'ignored';
    end loop;
  elsif p_payload ? 'proposal_id' then
    perform app.mark_proposal_delivered((p_payload ->> 'proposal_id')::uuid);
  end if;
end
$$;
comment on function app.channel_send_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for whatsapp.send and instagram.send: records the provider message id, marks the message sent and applies '
  'the delivery statuses held for it (public.record_webhook_message_status); a proposal is handed to app.mark_proposal_delivered.';
