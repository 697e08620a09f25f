-- Messaging: conversations with guests over WhatsApp, Instagram and email. Provider webhooks are
-- ingested idempotently; an inbound message refreshes the conversation's 24-hour
-- customer-service window, runs keyword automation first (a matching rule replies at once,
-- subject to its cooldown) and only when no rule matched asks the LLM to classify the message.
-- An outbound message outside the window must be an approved template; every outbound message is
-- enqueued for the daemon (whatsapp.send, instagram.send, email.send), whose write-backs and the
-- providers' status webhooks move it through queued → sent → delivered → read, or failed.
--
-- Error codes: BQ501 outside the 24-hour window (use a template), BQ502 template unknown or not
-- approved, BQ503 channel cannot reach this contact, BQ001, BQ002, 42501.

-- Tables --------------------------------------------------------------------------------------

create table app.channel_accounts (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  venue_id uuid,
  channel text not null check (channel in ('whatsapp', 'instagram', 'email')),
  -- WhatsApp phone-number id, Instagram account id, or the sender email address.
  external_id text not null,
  display_name text,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  unique (channel, external_id),
  foreign key (organization_id) references app.organizations (id) on delete cascade,
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade
);
create index channel_accounts_organization_id_venue_id_idx on app.channel_accounts (organization_id, venue_id);
comment on table app.channel_accounts is 'An organization''s sender on a channel (WhatsApp number, Instagram account, email address). Secrets live in the daemon''s environment, never here.';

create table app.conversations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  channel_account_id uuid not null,
  contact_id uuid not null,
  channel text not null check (channel in ('whatsapp', 'instagram', 'email')),
  status text not null default 'open' check (status in ('open', 'closed')),
  assigned_to uuid references auth.users (id) on delete set null,
  last_inbound_at timestamptz,
  -- Free-form replies are allowed until then (24 hours after the guest's last message).
  window_expires_at timestamptz,
  last_message_at timestamptz,
  unread_count integer not null default 0 check (unread_count >= 0),
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  unique (channel_account_id, contact_id),
  foreign key (organization_id, channel_account_id) references app.channel_accounts (organization_id, id) on delete cascade,
  foreign key (organization_id, contact_id) references app.contacts (organization_id, id) on delete cascade
);
create index conversations_organization_id_last_message_at_idx on app.conversations (organization_id, last_message_at desc nulls last);
create index conversations_organization_id_channel_account_id_idx on app.conversations (organization_id, channel_account_id);
create index conversations_organization_id_contact_id_idx on app.conversations (organization_id, contact_id);
create index conversations_assigned_to_idx on app.conversations (assigned_to);
-- The dashboard's unread count.
create index conversations_unread_idx on app.conversations (organization_id) where unread_count > 0;
comment on table app.conversations is 'One thread per channel account and contact, with its 24-hour customer-service window.';

create table app.message_templates (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  channel text not null check (channel in ('whatsapp', 'instagram', 'email')),
  name text not null check (name ~ '^[a-z0-9_]+$' and length(name) <= 512),
  language text not null default 'en',
  -- Placeholders {{1}}, {{2}}, … are filled from the params of send_template_message.
  body text not null check (length(body) between 1 and 1024),
  approval_status text not null default 'approved' check (approval_status in ('pending', 'approved', 'rejected')),
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  unique (organization_id, channel, name, language)
);
comment on table app.message_templates is 'Pre-approved message templates: the only messages allowed outside the 24-hour window.';

create table app.automation_rules (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  -- null: every channel
  channel text check (channel in ('whatsapp', 'instagram', 'email')),
  keywords text[] not null check (cardinality(keywords) >= 1),
  intent text not null,
  reply_body text not null check (length(reply_body) between 1 and 4096),
  cooldown_minutes integer not null default 60 check (cooldown_minutes >= 0),
  priority integer not null default 0,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (organization_id, id)
);
create index automation_rules_organization_id_idx on app.automation_rules (organization_id, priority desc) where active;
comment on table app.automation_rules is 'Keyword → intent → canned reply, with a per-conversation cooldown. Checked before any LLM classification.';

create table app.messages (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  conversation_id uuid not null,
  direction text not null check (direction in ('in', 'out')),
  kind text not null default 'text' check (kind in ('text', 'template')),
  body text not null,
  template_id uuid,
  template_params jsonb,
  status text not null check (status in ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  provider_message_id text unique,
  error text,
  intent text,
  automation_rule_id uuid,
  sent_by uuid references auth.users (id) on delete set null,
  status_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  check ((direction = 'in') = (status = 'received')),
  check (kind <> 'template' or template_id is not null),
  foreign key (organization_id, conversation_id) references app.conversations (organization_id, id) on delete cascade,
  foreign key (organization_id, template_id) references app.message_templates (organization_id, id),
  foreign key (organization_id, automation_rule_id) references app.automation_rules (organization_id, id) on delete set null (automation_rule_id)
);
create index messages_organization_id_conversation_id_created_at_idx on app.messages (organization_id, conversation_id, created_at desc);
create index messages_conversation_id_created_at_idx on app.messages (conversation_id, created_at desc);
create index messages_organization_id_template_id_idx on app.messages (organization_id, template_id);
create index messages_organization_id_automation_rule_id_idx on app.messages (organization_id, automation_rule_id);
create index messages_sent_by_idx on app.messages (sent_by);
comment on table app.messages is 'A message in a conversation, inbound (received) or outbound (queued → sent → delivered → read | failed).';

create table app.webhook_events (
  id bigint generated always as identity primary key,
  provider text not null check (provider in ('whatsapp', 'instagram', 'email', 'payments')),
  event_id text not null,
  organization_id uuid references app.organizations (id) on delete cascade,
  payload jsonb not null,
  status text not null default 'received' check (status in ('received', 'processed', 'ignored', 'failed')),
  error text,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  unique (provider, event_id)
);
create index webhook_events_organization_id_idx on app.webhook_events (organization_id);
create index webhook_events_unprocessed_idx on app.webhook_events (received_at) where status = 'received';
comment on table app.webhook_events is 'Every provider webhook, stored once per (provider, event id) so redeliveries are no-ops.';

-- Helpers -------------------------------------------------------------------------------------

create function app.fill_template(p_body text, p_params jsonb)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_text text := p_body;
begin
  for v_index in 1 .. coalesce(jsonb_array_length(p_params), 0) loop
    v_text := replace(v_text, '{{' || v_index || '}}', p_params ->> (v_index - 1));
  end loop;
  return v_text;
end
$$;
comment on function app.fill_template(text, jsonb) is 'Replaces {{1}}, {{2}}, … in a template body with the params array.';
grant execute on function app.fill_template(text, jsonb) to authenticated, service_role;

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_messages__require_window_or_template()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_conversation app.conversations;
begin
  select * into v_conversation from app.conversations c where c.id = new.conversation_id;
  if v_conversation.channel in ('whatsapp', 'instagram') and new.kind <> 'template'
     and (v_conversation.window_expires_at is null or v_conversation.window_expires_at < now())
     -- Instagram lets a human agent answer for 7 days after the guest's last message (HUMAN_AGENT tag).
     and not (v_conversation.channel = 'instagram' and new.sent_by is not null
              and v_conversation.last_inbound_at > now() - interval '7 days') then
    raise exception using errcode = 'BQ501',
      message = 'the 24-hour window for free-form messages is closed',
      hint = case v_conversation.channel
        when 'whatsapp' then 'Send an approved template with send_template_message; the window reopens when the guest writes.'
        else 'On Instagram a person may still reply for 7 days after the guest''s last message; after that, wait for the guest to write.' end;
  end if;
  new.status := 'queued';
  return new;
end
$$;
comment on function app.tg_messages__require_window_or_template() is
  'Rule: outside the 24-hour window an outbound WhatsApp/Instagram message must be a template (Instagram: a human reply is allowed for 7 days, tagged HUMAN_AGENT); outbound messages start queued.';

create trigger _100_require_window_or_template
  before insert on app.messages
  for each row when (new.direction = 'out')
  execute function app.tg_messages__require_window_or_template();

create function app.tg_messages__enqueue_send()
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
  v_payload jsonb;
begin
  select * into v_conversation from app.conversations c where c.id = new.conversation_id;
  select * into v_contact from app.contacts c where c.id = v_conversation.contact_id;
  select * into v_account from app.channel_accounts a where a.id = v_conversation.channel_account_id;
  select * into v_template from app.message_templates t where t.id = new.template_id;
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
  else '{}' end;
  perform bridge.enqueue(v_conversation.channel || '.send', v_payload, new.organization_id, 'message:' || new.id);
  update app.conversations set last_message_at = new.created_at where id = new.conversation_id;
  return null;
end
$$;
comment on function app.tg_messages__enqueue_send() is 'Rule: an outbound message is enqueued for the daemon as whatsapp.send, instagram.send or email.send.';

create trigger _500_enqueue_send
  after insert on app.messages
  for each row when (new.direction = 'out')
  execute function app.tg_messages__enqueue_send();

create function app.tg_messages__handle_inbound()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_conversation app.conversations;
  v_rule app.automation_rules;
begin
  update app.conversations set
    last_inbound_at = new.created_at,
    window_expires_at = new.created_at + interval '24 hours',
    last_message_at = new.created_at,
    unread_count = unread_count + 1,
    status = 'open'
  where id = new.conversation_id
  returning * into v_conversation;

  -- Keyword automation first: the highest-priority active rule with a keyword in the message,
  -- unless it already answered this conversation within its cooldown.
  select r.* into v_rule
  from app.automation_rules r
  where r.organization_id = new.organization_id and r.active
    and (r.channel is null or r.channel = v_conversation.channel)
    and exists (select 1 from unnest(r.keywords) k where lower(new.body) ~ ('\m' || regexp_replace(lower(k), '([.^$*+?()\[\]{}|\\])', '\\\1', 'g') || '\M'))
    and not exists (
      select 1 from app.messages m
      where m.conversation_id = new.conversation_id and m.automation_rule_id = r.id
        and m.created_at > now() - make_interval(mins => r.cooldown_minutes)
    )
  order by r.priority desc, r.created_at
  limit 1;

  if v_rule.id is not null then
    update app.messages set intent = v_rule.intent, automation_rule_id = v_rule.id where id = new.id;
    insert into app.messages (organization_id, conversation_id, direction, kind, body, status, automation_rule_id, intent)
    values (new.organization_id, new.conversation_id, 'out', 'text', v_rule.reply_body, 'queued', v_rule.id, v_rule.intent);
  else
    perform bridge.enqueue('llm.classify_message',
      jsonb_build_object('message_id', new.id, 'conversation_id', new.conversation_id, 'channel', v_conversation.channel, 'text', new.body),
      new.organization_id, 'classify:' || new.id);
  end if;
  return null;
end
$$;
comment on function app.tg_messages__handle_inbound() is
  'Rule: an inbound message refreshes the 24-hour window, runs keyword automation (with cooldown) and, only when no rule matched, enqueues llm.classify_message.';

create trigger _500_handle_inbound
  after insert on app.messages
  for each row when (new.direction = 'in')
  execute function app.tg_messages__handle_inbound();

-- RLS policies --------------------------------------------------------------------------------

alter table app.channel_accounts enable row level security;
alter table app.conversations enable row level security;
alter table app.message_templates enable row level security;
alter table app.automation_rules enable row level security;
alter table app.messages enable row level security;
alter table app.webhook_events enable row level security;

grant select, insert, update, delete on app.channel_accounts, app.message_templates, app.automation_rules to authenticated;
grant select, update on app.conversations to authenticated;
grant select, insert on app.messages to authenticated;
grant select on app.webhook_events to authenticated;
grant all on app.channel_accounts, app.conversations, app.message_templates, app.automation_rules, app.messages, app.webhook_events to service_role;

create policy "Members can read their organization's channel accounts" on app.channel_accounts
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can add channel accounts" on app.channel_accounts
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update channel accounts" on app.channel_accounts
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete channel accounts" on app.channel_accounts
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's conversations" on app.conversations
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Members can update conversations" on app.conversations
  for update to authenticated
  using (organization_id in (select app.user_organization_ids()))
  with check (organization_id in (select app.user_organization_ids()));

create policy "Members can read their organization's templates" on app.message_templates
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can create templates" on app.message_templates
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update templates" on app.message_templates
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete templates" on app.message_templates
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's automation rules" on app.automation_rules
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can create automation rules" on app.automation_rules
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update automation rules" on app.automation_rules
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete automation rules" on app.automation_rules
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's messages" on app.messages
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Members can send messages" on app.messages
  for insert to authenticated
  with check (organization_id in (select app.user_organization_ids()) and direction = 'out' and sent_by = (select auth.uid()));

create policy "Managers can read their organization's webhook events" on app.webhook_events
  for select to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

-- Public functions ----------------------------------------------------------------------------

create function app.conversation_for_update(p_conversation_id uuid)
returns app.conversations
language plpgsql
set search_path = ''
as $$
declare
  v_conversation app.conversations;
begin
  select * into v_conversation from app.conversations c where c.id = p_conversation_id for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('conversation %s not found', p_conversation_id);
  end if;
  perform app.require_role(v_conversation.organization_id);
  return v_conversation;
end
$$;
comment on function app.conversation_for_update(uuid) is 'Locks a conversation visible to the caller; BQ002 otherwise.';
grant execute on function app.conversation_for_update(uuid) to authenticated, service_role;

create function public.save_channel_account(
  p_organization_id uuid,
  p_channel text,
  p_external_id text,
  p_display_name text default null,
  p_venue_id uuid default null,
  p_channel_account_id uuid default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  if p_channel is null or p_channel not in ('whatsapp', 'instagram', 'email') then
    raise exception using errcode = 'BQ001', message = format('%L is not a channel', p_channel), hint = 'Use whatsapp, instagram or email.';
  end if;
  if nullif(btrim(p_external_id), '') is null then
    raise exception using errcode = 'BQ001', message = 'the provider account id is required',
      hint = 'WhatsApp phone-number id, Instagram account id, or the sender email.';
  end if;
  if p_channel_account_id is null then
    insert into app.channel_accounts (organization_id, venue_id, channel, external_id, display_name)
    values (p_organization_id, p_venue_id, p_channel, btrim(p_external_id), p_display_name)
    returning id into v_id;
  else
    update app.channel_accounts set channel = p_channel, external_id = btrim(p_external_id), display_name = p_display_name, venue_id = p_venue_id
    where id = p_channel_account_id and organization_id = p_organization_id
    returning id into v_id;
    if v_id is null then
      raise exception using errcode = 'BQ002', message = format('channel account %s not found', p_channel_account_id);
    end if;
  end if;
  return v_id;
end
$$;
comment on function public.save_channel_account(uuid, text, text, text, uuid, uuid) is
  'Connects (or updates) a WhatsApp number, Instagram account or email sender for the organization. Owners and managers.';
grant execute on function public.save_channel_account(uuid, text, text, text, uuid, uuid) to authenticated;

create function public.list_conversations(
  p_organization_id uuid,
  p_status text default 'open',
  p_assigned_to uuid default null,
  p_limit integer default 50
)
returns table (
  id uuid, channel text, status text, contact_id uuid, contact_name text, assigned_to uuid,
  unread_count integer, last_message_at timestamptz, window_expires_at timestamptz, last_message text
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_custom_plan  -- optional filters: see docs/quality.md, SQL benchmark
as $$
begin
  perform app.require_role(p_organization_id);
  if p_limit is null or p_limit not between 1 and 200 then
    raise exception using errcode = 'BQ001', message = 'p_limit must be between 1 and 200';
  end if;
  return query
    select c.id, c.channel, c.status, c.contact_id, ct.full_name, c.assigned_to, c.unread_count,
           c.last_message_at, c.window_expires_at,
           (select m.body from app.messages m where m.conversation_id = c.id order by m.created_at desc limit 1)
    from app.conversations c
    join app.contacts ct on ct.id = c.contact_id
    where c.organization_id = p_organization_id
      and (p_status is null or c.status = p_status)
      and (p_assigned_to is null or c.assigned_to = p_assigned_to)
    order by c.last_message_at desc nulls last
    limit p_limit;
end
$$;
comment on function public.list_conversations(uuid, text, uuid, integer) is
  'An organization''s conversations, most recent first, with the last message and the window''s expiry. Any member.';
grant execute on function public.list_conversations(uuid, text, uuid, integer) to authenticated;

create function public.list_messages(p_conversation_id uuid, p_before timestamptz default null, p_limit integer default 50)
returns table (id uuid, direction text, kind text, body text, status text, intent text, created_at timestamptz)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_custom_plan  -- optional filters: see docs/quality.md, SQL benchmark
as $$
begin
  if not exists (select 1 from app.conversations c where c.id = p_conversation_id) then
    raise exception using errcode = 'BQ002', message = format('conversation %s not found', p_conversation_id);
  end if;
  if p_limit is null or p_limit not between 1 and 200 then
    raise exception using errcode = 'BQ001', message = 'p_limit must be between 1 and 200';
  end if;
  return query
    select m.id, m.direction, m.kind, m.body, m.status, m.intent, m.created_at
    from app.messages m
    where m.conversation_id = p_conversation_id and (p_before is null or m.created_at < p_before)
    order by m.created_at desc
    limit p_limit;
end
$$;
comment on function public.list_messages(uuid, timestamptz, integer) is
  'A conversation''s messages, newest first; page back with p_before = the oldest created_at seen. Any member.';
grant execute on function public.list_messages(uuid, timestamptz, integer) to authenticated;

create function public.send_message(p_conversation_id uuid, p_body text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_conversation app.conversations := app.conversation_for_update(p_conversation_id);
  v_message_id uuid;
begin
  if nullif(btrim(p_body), '') is null or length(p_body) > 4096 then
    raise exception using errcode = 'BQ001', message = 'a message is 1 to 4096 characters';
  end if;
  insert into app.messages (organization_id, conversation_id, direction, kind, body, status, sent_by)
  values (v_conversation.organization_id, p_conversation_id, 'out', 'text', p_body, 'queued', (select auth.uid()))
  returning id into v_message_id;
  return v_message_id;
end
$$;
comment on function public.send_message(uuid, text) is
  'Sends a free-form text in a conversation (enqueued for the daemon). BQ501 outside the 24-hour WhatsApp/Instagram window. Any member.';
grant execute on function public.send_message(uuid, text) to authenticated;

create function public.send_template_message(p_conversation_id uuid, p_template_id uuid, p_params jsonb default '[]')
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_conversation app.conversations := app.conversation_for_update(p_conversation_id);
  v_template app.message_templates;
  v_message_id uuid;
begin
  select * into v_template from app.message_templates t
  where t.id = p_template_id and t.organization_id = v_conversation.organization_id;
  if not found or v_template.approval_status <> 'approved' or v_template.channel <> v_conversation.channel then
    raise exception using errcode = 'BQ502', message = 'that template is unknown, not approved, or for another channel',
      hint = format('Pick an approved %s template.', v_conversation.channel);
  end if;
  if p_params is null or jsonb_typeof(p_params) <> 'array' then
    raise exception using errcode = 'BQ001', message = 'template params are a JSON array of strings';
  end if;
  insert into app.messages (organization_id, conversation_id, direction, kind, body, template_id, template_params, status, sent_by)
  values (v_conversation.organization_id, p_conversation_id, 'out', 'template', app.fill_template(v_template.body, p_params),
          p_template_id, p_params, 'queued', (select auth.uid()))
  returning id into v_message_id;
  return v_message_id;
end
$$;
comment on function public.send_template_message(uuid, uuid, jsonb) is
  'Sends an approved template (allowed outside the 24-hour window) with {{n}} params. BQ502 for a bad template. Any member.';
grant execute on function public.send_template_message(uuid, uuid, jsonb) to authenticated;

create function public.mark_conversation_read(p_conversation_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform app.conversation_for_update(p_conversation_id);
  update app.conversations set unread_count = 0 where id = p_conversation_id;
end
$$;
comment on function public.mark_conversation_read(uuid) is 'Resets a conversation''s unread count. Any member.';
grant execute on function public.mark_conversation_read(uuid) to authenticated;

create function public.assign_conversation(p_conversation_id uuid, p_user_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_conversation app.conversations := app.conversation_for_update(p_conversation_id);
begin
  if p_user_id is not null and not exists (
    select 1 from app.memberships m where m.organization_id = v_conversation.organization_id and m.user_id = p_user_id
  ) then
    raise exception using errcode = 'BQ001', message = 'conversations can only be assigned to members of the organization',
      hint = 'Pass null to unassign.';
  end if;
  update app.conversations set assigned_to = p_user_id where id = p_conversation_id;
end
$$;
comment on function public.assign_conversation(uuid, uuid) is 'Assigns a conversation to a member (null unassigns). Any member.';
grant execute on function public.assign_conversation(uuid, uuid) to authenticated;

create function public.save_message_template(
  p_organization_id uuid,
  p_channel text,
  p_name text,
  p_body text,
  p_language text default 'en',
  p_template_id uuid default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  if p_channel is null or p_channel not in ('whatsapp', 'instagram', 'email') then
    raise exception using errcode = 'BQ001', message = format('%L is not a channel', p_channel);
  end if;
  if p_name is null or p_name !~ '^[a-z0-9_]+$' or length(p_name) > 512 then
    raise exception using errcode = 'BQ001', message = 'template names are lower-case letters, digits and underscores',
      hint = 'e.g. proposal_ready';
  end if;
  if p_body is null or length(p_body) not between 1 and 1024 then
    raise exception using errcode = 'BQ001', message = 'a template body is 1 to 1024 characters';
  end if;
  if p_template_id is null then
    insert into app.message_templates (organization_id, channel, name, language, body)
    values (p_organization_id, p_channel, p_name, coalesce(p_language, 'en'), p_body)
    returning id into v_id;
  else
    update app.message_templates set channel = p_channel, name = p_name, language = coalesce(p_language, 'en'), body = p_body
    where id = p_template_id and organization_id = p_organization_id
    returning id into v_id;
    if v_id is null then
      raise exception using errcode = 'BQ002', message = format('template %s not found', p_template_id);
    end if;
  end if;
  return v_id;
end
$$;
comment on function public.save_message_template(uuid, text, text, text, text, uuid) is
  'Creates or updates a message template ({{1}} placeholders). Owners and managers.';
grant execute on function public.save_message_template(uuid, text, text, text, text, uuid) to authenticated;

create function public.delete_message_template(p_template_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select t.organization_id into v_organization_id from app.message_templates t where t.id = p_template_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('template %s not found', p_template_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  delete from app.message_templates where id = p_template_id;
end
$$;
comment on function public.delete_message_template(uuid) is 'Deletes a template that no message uses yet. Owners and managers.';
grant execute on function public.delete_message_template(uuid) to authenticated;

create function public.save_automation_rule(
  p_organization_id uuid,
  p_name text,
  p_keywords text[],
  p_intent text,
  p_reply_body text,
  p_channel text default null,
  p_cooldown_minutes integer default 60,
  p_priority integer default 0,
  p_active boolean default true,
  p_rule_id uuid default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  if p_name is null or length(btrim(p_name)) = 0 or nullif(btrim(p_intent), '') is null then
    raise exception using errcode = 'BQ001', message = 'a rule needs a name and an intent';
  end if;
  if p_keywords is null or cardinality(p_keywords) = 0 or exists (select 1 from unnest(p_keywords) k where nullif(btrim(k), '') is null) then
    raise exception using errcode = 'BQ001', message = 'a rule needs at least one non-blank keyword';
  end if;
  if p_reply_body is null or length(p_reply_body) not between 1 and 4096 then
    raise exception using errcode = 'BQ001', message = 'a reply is 1 to 4096 characters';
  end if;
  if p_channel is not null and p_channel not in ('whatsapp', 'instagram', 'email') then
    raise exception using errcode = 'BQ001', message = format('%L is not a channel', p_channel);
  end if;
  if p_cooldown_minutes is null or p_cooldown_minutes < 0 then
    raise exception using errcode = 'BQ001', message = 'the cooldown is a non-negative number of minutes';
  end if;
  if p_rule_id is null then
    insert into app.automation_rules (organization_id, name, channel, keywords, intent, reply_body, cooldown_minutes, priority, active)
    values (p_organization_id, btrim(p_name), p_channel, (select array_agg(lower(btrim(k))) from unnest(p_keywords) k),
            btrim(p_intent), p_reply_body, p_cooldown_minutes, coalesce(p_priority, 0), coalesce(p_active, true))
    returning id into v_id;
  else
    update app.automation_rules set name = btrim(p_name), channel = p_channel,
      keywords = (select array_agg(lower(btrim(k))) from unnest(p_keywords) k), intent = btrim(p_intent),
      reply_body = p_reply_body, cooldown_minutes = p_cooldown_minutes, priority = coalesce(p_priority, 0), active = coalesce(p_active, true)
    where id = p_rule_id and organization_id = p_organization_id
    returning id into v_id;
    if v_id is null then
      raise exception using errcode = 'BQ002', message = format('automation rule %s not found', p_rule_id);
    end if;
  end if;
  return v_id;
end
$$;
comment on function public.save_automation_rule(uuid, text, text[], text, text, text, integer, integer, boolean, uuid) is
  'Creates or updates a keyword automation rule (keywords → intent → reply, with a per-conversation cooldown). Owners and managers.';
grant execute on function public.save_automation_rule(uuid, text, text[], text, text, text, integer, integer, boolean, uuid) to authenticated;

create function public.delete_automation_rule(p_rule_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select r.organization_id into v_organization_id from app.automation_rules r where r.id = p_rule_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('automation rule %s not found', p_rule_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  delete from app.automation_rules where id = p_rule_id;
end
$$;
comment on function public.delete_automation_rule(uuid) is 'Deletes an automation rule. Owners and managers.';
grant execute on function public.delete_automation_rule(uuid) to authenticated;

create function public.list_channel_accounts(p_organization_id uuid)
returns setof app.channel_accounts
language sql
stable
set search_path = ''
as $$
  select a.* from app.channel_accounts a where a.organization_id = p_organization_id order by a.channel, a.external_id
$$;
comment on function public.list_channel_accounts(uuid) is 'The organization''s connected WhatsApp numbers, Instagram accounts and email senders (empty for non-members). Any member.';
grant execute on function public.list_channel_accounts(uuid) to authenticated;

create function public.list_message_templates(p_organization_id uuid, p_channel text default null)
returns setof app.message_templates
language sql
stable
set search_path = ''
as $$
  select t.* from app.message_templates t
  where t.organization_id = p_organization_id and (p_channel is null or t.channel = p_channel)
  order by t.channel, t.name, t.language
$$;
comment on function public.list_message_templates(uuid, text) is 'The organization''s message templates, optionally for one channel (empty for non-members). Any member.';
grant execute on function public.list_message_templates(uuid, text) to authenticated;

create function public.list_automation_rules(p_organization_id uuid)
returns setof app.automation_rules
language sql
stable
set search_path = ''
as $$
  select r.* from app.automation_rules r where r.organization_id = p_organization_id order by r.priority desc, r.created_at
$$;
comment on function public.list_automation_rules(uuid) is 'The organization''s keyword automation rules in the order they are tried (empty for non-members). Any member.';
grant execute on function public.list_automation_rules(uuid) to authenticated;

-- Daemon write-backs --------------------------------------------------------------------------

create function public.receive_message(
  p_channel text,
  p_account_external_id text,
  p_from text,
  p_body text,
  p_provider_message_id text,
  p_from_name text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.channel_accounts;
  v_contact_id uuid;
  v_conversation_id uuid;
  v_message_id uuid;
  v_from text;
begin
  if nullif(btrim(p_provider_message_id), '') is null or nullif(btrim(p_from), '') is null then
    raise exception using errcode = 'BQ001', message = 'an inbound message needs its sender and provider message id';
  end if;
  -- Providers redeliver: the same provider message id is the same message.
  select m.id into v_message_id from app.messages m where m.provider_message_id = p_provider_message_id;
  if v_message_id is not null then
    return v_message_id;
  end if;
  select * into v_account from app.channel_accounts a where a.channel = p_channel and a.external_id = p_account_external_id and a.active;
  if not found then
    raise exception using errcode = 'BQ503', message = format('no active %s account %s', p_channel, p_account_external_id),
      hint = 'Connect the account with save_channel_account.';
  end if;
  v_from := case p_channel
    when 'whatsapp' then app.normalize_phone(case when p_from like '+%' then p_from else '+' || p_from end)
    when 'email' then app.normalize_email(p_from)
    else btrim(p_from) end;
  select c.id into v_contact_id from app.contacts c
  where c.organization_id = v_account.organization_id
    and case p_channel when 'whatsapp' then c.phone when 'email' then c.email else c.instagram_id end = v_from;
  if v_contact_id is null then
    insert into app.contacts (organization_id, full_name, phone, email, instagram_id)
    values (v_account.organization_id, p_from_name,
            case when p_channel = 'whatsapp' then v_from end,
            case when p_channel = 'email' then v_from end,
            case when p_channel = 'instagram' then v_from end)
    returning id into v_contact_id;
  end if;
  insert into app.conversations (organization_id, channel_account_id, contact_id, channel)
  values (v_account.organization_id, v_account.id, v_contact_id, p_channel)
  on conflict (channel_account_id, contact_id) do update set status = 'open'
  returning id into v_conversation_id;
  insert into app.messages (organization_id, conversation_id, direction, body, status, provider_message_id)
  values (v_account.organization_id, v_conversation_id, 'in', coalesce(p_body, ''), 'received', p_provider_message_id)
  returning id into v_message_id;
  return v_message_id;
end
$$;
comment on function public.receive_message(text, text, text, text, text, text) is
  'Inbound message from a provider webhook: finds or creates the contact and conversation and stores the message once per provider id (automation runs by trigger). Service role only.';
grant execute on function public.receive_message(text, text, text, text, text, text) to service_role;

create function public.record_message_status(
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
  if p_status = 'failed' then
    insert into app.notifications (organization_id, kind, title, body, entity_type, entity_id)
    values (v_message.organization_id, 'message.failed', 'A message to a guest failed', coalesce(p_error, ''), 'conversation', v_message.conversation_id);
  end if;
end
$$;
comment on function public.record_message_status(uuid, text, text, text) is
  'Delivery status of an outbound message, by message id or provider message id: sent, delivered, read (forward only) or failed (notifies staff). Service role only.';
grant execute on function public.record_message_status(uuid, text, text, text) to service_role;

create function public.ingest_webhook_event(p_provider text, p_event_id text, p_payload jsonb, p_organization_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_provider is null or p_provider not in ('whatsapp', 'instagram', 'email', 'payments') then
    raise exception using errcode = 'BQ001', message = format('%L is not a webhook provider', p_provider);
  end if;
  if nullif(btrim(p_event_id), '') is null or p_payload is null then
    raise exception using errcode = 'BQ001', message = 'a webhook event needs its provider event id and payload',
      hint = 'Use the provider''s event or delivery id; it makes redeliveries no-ops.';
  end if;
  insert into app.webhook_events (provider, event_id, organization_id, payload)
  values (p_provider, p_event_id, p_organization_id, p_payload)
  on conflict (provider, event_id) do nothing
  returning id into v_id;
  if v_id is null then
    select w.id into v_id from app.webhook_events w where w.provider = p_provider and w.event_id = p_event_id;
    return jsonb_build_object('id', v_id, 'duplicate', true);
  end if;
  return jsonb_build_object('id', v_id, 'duplicate', false);
end
$$;
comment on function public.ingest_webhook_event(text, text, jsonb, uuid) is
  'Stores a provider webhook once per (provider, event id); returns {id, duplicate}. A duplicate must not be processed again. Service role only.';
grant execute on function public.ingest_webhook_event(text, text, jsonb, uuid) to service_role;

create function app.channel_send_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_payload ? 'message_id' then
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, p_result ->> 'provider_message_id', 'sent');
  elsif p_payload ? 'proposal_id' then
    update app.proposals set delivered_at = coalesce(delivered_at, now()) where id = (p_payload ->> 'proposal_id')::uuid;
  end if;
end
$$;
comment on function app.channel_send_writeback(bigint, jsonb, jsonb) is 'Bridge write-back for whatsapp.send and instagram.send: records the provider message id and marks the message sent.';
grant execute on function app.channel_send_writeback(bigint, jsonb, jsonb) to service_role;

create function app.channel_send_failed(p_job_id bigint, p_payload jsonb, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_payload ? 'message_id' then
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, null, 'failed', p_error);
  end if;
end
$$;
comment on function app.channel_send_failed(bigint, jsonb, text) is 'Bridge on-failure handler for whatsapp.send and instagram.send: marks the message failed and notifies staff.';
grant execute on function app.channel_send_failed(bigint, jsonb, text) to service_role;

create function app.classify_message_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  update app.messages set intent = nullif(btrim(p_result ->> 'intent'), '')
  where id = (p_payload ->> 'message_id')::uuid
$$;
comment on function app.classify_message_writeback(bigint, jsonb, jsonb) is 'Bridge write-back for llm.classify_message: p_result {"intent": "…"} labels the inbound message.';
grant execute on function app.classify_message_writeback(bigint, jsonb, jsonb) to service_role;

select bridge.register_kind('whatsapp.send', 'whatsapp',
  'app.channel_send_writeback(bigint, jsonb, jsonb)'::regprocedure, 'app.channel_send_failed(bigint, jsonb, text)'::regprocedure, 5, 30, 20);
select bridge.register_kind('instagram.send', 'instagram',
  'app.channel_send_writeback(bigint, jsonb, jsonb)'::regprocedure, 'app.channel_send_failed(bigint, jsonb, text)'::regprocedure, 5, 30, 10);
select bridge.register_kind('llm.classify_message', 'llm',
  'app.classify_message_writeback(bigint, jsonb, jsonb)'::regprocedure, null, 3, 60, 4);
