-- Email delivery events from the email API's webhooks (Resend, Svix-signed): delivered, bounced
-- and complained update the staff notification or guest message the email carried, and a bounce
-- or complaint marks the guest's address undeliverable in the organization that sent it, so
-- staff see why a guest never answers.
--
-- Error codes: BQ001 (missing email id or unknown event).

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.contacts
  add column email_undeliverable_at timestamptz,
  add column email_undeliverable_reason text;
comment on column app.contacts.email_undeliverable_at is 'When the contact''s email address bounced or complained; null while deliverable.';

-- An email event finds its notification by the provider's id. CONCURRENTLY cannot run inside the
-- migration's transaction; the partial index covers only notifications sent by email.
-- squawk-ignore require-concurrent-index-creation
create index notifications_provider_message_id_idx on app.notifications (provider_message_id) where provider_message_id is not null;

-- Daemon write-backs --------------------------------------------------------------------------

create function public.record_email_event(p_email_id text, p_event text, p_recipients text[], p_detail text default null)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_organizations uuid[];
  v_message_id uuid;
  v_touched integer := 0;
  v_count integer;
begin
  if nullif(btrim(p_email_id), '') is null then
    raise exception using errcode = 'BQ001', message = 'an email event needs the provider''s email id';
  end if;
  if p_event is null or p_event not in ('delivered', 'bounced', 'complained') then
    raise exception using errcode = 'BQ001', message = format('%L is not an email event this function records', p_event),
      hint = 'Use delivered, bounced or complained.';
  end if;
  -- 1. Staff notifications sent as this email.
  if p_event in ('bounced', 'complained') then
    update app.notifications set status = 'failed', error = p_event || coalesce(': ' || p_detail, '')
    where provider_message_id = p_email_id;
    get diagnostics v_count = row_count;
    v_touched := v_touched + v_count;
  end if;
  select array_agg(distinct n.organization_id) into v_organizations from app.notifications n where n.provider_message_id = p_email_id;
  -- 2. A guest message in an email conversation.
  select m.id into v_message_id from app.messages m where m.provider_message_id = p_email_id and m.direction = 'out';
  if v_message_id is not null then
    perform public.record_message_status(v_message_id, null, case p_event when 'delivered' then 'delivered' else 'failed' end,
                                         case when p_event <> 'delivered' then 'email ' || p_event || coalesce(': ' || p_detail, '') end);
    v_organizations := coalesce(v_organizations, '{}') || (select m.organization_id from app.messages m where m.id = v_message_id);
    v_touched := v_touched + 1;
  end if;
  -- 3. The address itself, in the organizations that sent the email.
  if p_event in ('bounced', 'complained') and v_organizations is not null then
    update app.contacts c set email_undeliverable_at = now(), email_undeliverable_reason = p_event || coalesce(': ' || p_detail, '')
    where c.organization_id = any (v_organizations) and c.email = any (select lower(btrim(r)) from unnest(p_recipients) r);
    get diagnostics v_count = row_count;
    v_touched := v_touched + v_count;
  end if;
  return v_touched;
end
$$;
comment on function public.record_email_event(text, text, text[], text) is
  'Email API delivery event by the provider''s email id: delivered/bounced/complained update the notification or guest message; '
  'a bounce or complaint marks the address undeliverable in the sending organization. Returns rows touched. Service role only.';
grant execute on function public.record_email_event(text, text, text[], text) to service_role;
