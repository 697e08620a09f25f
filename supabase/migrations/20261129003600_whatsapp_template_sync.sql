-- WhatsApp template approval, synced daily from the WhatsApp Business Management API
-- (GET /{waba-id}/message_templates): Meta approves or rejects each template, and only approved
-- templates may be sent outside the 24-hour window (send_template_message checks
-- approval_status). A daily schedule fans out one whatsapp.templates_sync job per WhatsApp
-- account that names its business account (WABA); each job's write-back applies Meta's statuses
-- to the organization's templates of the same name and language, and adds templates created in
-- Meta's tools with their body text.
--
-- Error codes: none new.

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.channel_accounts add column business_account_id text;
comment on column app.channel_accounts.business_account_id is 'WhatsApp Business Account (WABA) id whose templates are synced to this account''s organization; null: no sync.';

-- Daemon write-backs --------------------------------------------------------------------------

create function app.whatsapp_templates_fanout_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform bridge.enqueue('whatsapp.templates_sync',
    jsonb_build_object('account', a.external_id, 'business_account_id', a.business_account_id),
    a.organization_id, 'templates-sync:' || a.id || ':' || current_date)
  from app.channel_accounts a
  where a.channel = 'whatsapp' and a.active and a.business_account_id is not null;
end
$$;
comment on function app.whatsapp_templates_fanout_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for whatsapp.templates_fanout (daily schedule): one whatsapp.templates_sync per WhatsApp account with a WABA id.';
grant execute on function app.whatsapp_templates_fanout_writeback(bigint, jsonb, jsonb) to service_role;

create function app.whatsapp_templates_sync_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select a.organization_id into v_organization_id
  from app.channel_accounts a where a.channel = 'whatsapp' and a.external_id = p_payload ->> 'account';
  if v_organization_id is null then
    return;
  end if;
  insert into app.message_templates (organization_id, channel, name, language, body, approval_status)
  select v_organization_id, 'whatsapp', t ->> 'name', t ->> 'language', left(coalesce(nullif(t ->> 'body', ''), t ->> 'name'), 1024),
         case t ->> 'status' when 'APPROVED' then 'approved' when 'REJECTED' then 'rejected' else 'pending' end
  from jsonb_array_elements(coalesce(p_result -> 'templates', '[]')) t
  where t ->> 'name' ~ '^[a-z0-9_]+$' and coalesce(t ->> 'language', '') <> ''
  on conflict (organization_id, channel, name, language) do update set approval_status = excluded.approval_status;
end
$$;
comment on function app.whatsapp_templates_sync_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for whatsapp.templates_sync: p_result {templates: [{name, language, status, body}]} sets each template''s approval '
  '(APPROVED → approved, REJECTED → rejected, anything else → pending) and adds templates created at Meta.';
grant execute on function app.whatsapp_templates_sync_writeback(bigint, jsonb, jsonb) to service_role;

select bridge.register_kind(p_kind => 'whatsapp.templates_fanout', p_queue => 'maintenance',
  p_writeback => 'app.whatsapp_templates_fanout_writeback', p_max_attempts => 3, p_timeout_seconds => 60, p_concurrency => 1);
select bridge.register_kind(p_kind => 'whatsapp.templates_sync', p_queue => 'whatsapp',
  p_writeback => 'app.whatsapp_templates_sync_writeback', p_max_attempts => 5, p_timeout_seconds => 60, p_concurrency => 2);
select bridge.upsert_schedule('whatsapp.templates.daily', 'whatsapp.templates_fanout', interval '1 day', interval '3 hours');
