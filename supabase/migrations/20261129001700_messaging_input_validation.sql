-- Messaging: the messaging RPCs validate with the shared helpers (20261129001000_input_validation.sql)
-- before writing: names, labels and message bodies within their kind's limit (a template's filled
-- in params too, at most 20 of them), keywords at most 50, cooldown and priority within range, a
-- duplicate answered with BQ008 naming the fields (never the unique constraint), a venue of another
-- tenant answered as not found (BQ002), and a template still used by messages refused with BQ007.
-- A WhatsApp number, Instagram account or email sender already connected by another organization is
-- refused without saying which organization, its ids or its names. Each function is redefined in
-- full.

-- Helpers -------------------------------------------------------------------------------------

-- Where a provider account id is already connected: 'own' (the caller's organization), 'other'
-- (some other organization), or null (free). Definer because the caller cannot see other tenants'
-- rows; it returns only that word, and 'own' only to a member of p_organization_id.
create function app.channel_account_taken(p_organization_id uuid, p_channel text, p_external_id text, p_except_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case when a.organization_id = p_organization_id and app.has_role(p_organization_id) then 'own' else 'other' end
  from app.channel_accounts a
  where a.channel = p_channel and a.external_id = p_external_id
    and a.id is distinct from p_except_id
  limit 1
$$;
comment on function app.channel_account_taken(uuid, text, text, uuid) is
  'Internal: own / other / null for a provider account id, revealing nothing else about another organization.';
grant execute on function app.channel_account_taken(uuid, text, text, uuid) to authenticated, service_role;

-- Public functions ----------------------------------------------------------------------------

-- Connects or updates a provider account; duplicates answer BQ008.
create or replace function public.save_channel_account(
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
  perform app.require_one_of(p_channel, 'p_channel', '{whatsapp,instagram,email}');
  if nullif(btrim(p_external_id), '') is null then
    raise exception using errcode = 'BQ001', message = 'p_external_id (the provider account id) is required',
      hint = 'WhatsApp phone-number id, Instagram account id, or the sender email.';
  end if;
  perform app.require_text(p_external_id, 'p_external_id', 'name');
  perform app.require_text(p_display_name, 'p_display_name', 'name', false);
  if p_venue_id is not null
     and not exists (select 1 from app.venues v where v.id = p_venue_id and v.organization_id = p_organization_id) then
    raise exception using errcode = 'BQ002', message = format('venue %s not found', p_venue_id);
  end if;
  -- One account per provider id across all organizations (a number delivers to one place). The
  -- caller may see only its own rows, so this asks app.channel_account_taken (definer), which
  -- answers where the id is taken and nothing else about another organization.
  case app.channel_account_taken(p_organization_id, p_channel, btrim(p_external_id), p_channel_account_id)
    when 'own' then
      raise exception using errcode = 'BQ008', message = format('p_external_id: this %s account is already connected in your organization', p_channel),
        hint = 'Update the existing account (pass its p_channel_account_id) instead of connecting it again.';
    when 'other' then
      raise exception using errcode = 'BQ008', message = format('p_external_id: this %s account is already connected to another organization', p_channel),
        hint = 'Disconnect it there first; an account delivers to one organization only.';
    else
      null;
  end case;
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

-- Creates or updates a template; name, body and language within limits, duplicates BQ008.
create or replace function public.save_message_template(
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
  perform app.require_one_of(p_channel, 'p_channel', '{whatsapp,instagram,email}');
  perform app.require_text(p_name, 'p_name', 'name');
  if p_name !~ '^[a-z0-9_]+$' then
    raise exception using errcode = 'BQ001', message = 'template names are lower-case letters, digits and underscores',
      hint = 'e.g. proposal_ready';
  end if;
  perform app.require_text(p_body, 'p_body', 'message');
  if length(p_body) > 1024 then
    raise exception using errcode = 'BQ004', message = 'p_body: a template body must be at most 1024 characters',
      hint = 'WhatsApp''s limit for a template body.';
  end if;
  perform app.require_text(p_language, 'p_language', 'label', false);
  if exists (select 1 from app.message_templates t
             where t.organization_id = p_organization_id and t.channel = p_channel and t.name = p_name
               and t.language = coalesce(p_language, 'en') and t.id is distinct from p_template_id) then
    raise exception using errcode = 'BQ008',
      message = format('a %s template named %s in language %s already exists', p_channel, p_name, coalesce(p_language, 'en')),
      hint = 'Change p_name or p_language, or update the existing template with p_template_id.';
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

-- Deletes a template no message uses (BQ007 otherwise).
create or replace function public.delete_message_template(p_template_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
  v_messages bigint;
begin
  select t.organization_id into v_organization_id from app.message_templates t where t.id = p_template_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('template %s not found', p_template_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  select count(*) into v_messages from app.messages m where m.organization_id = v_organization_id and m.template_id = p_template_id;
  if v_messages > 0 then
    raise exception using errcode = 'BQ007', message = format('template %s is still used by %s message(s)', p_template_id, v_messages),
      hint = 'Sent messages keep their template for the record; save a new version under another name instead.';
  end if;
  delete from app.message_templates where id = p_template_id;
end
$$;
comment on function public.delete_message_template(uuid) is 'Deletes a template that no message uses yet (BQ007 says how many messages use it). Owners and managers.';
grant execute on function public.delete_message_template(uuid) to authenticated;

-- Creates or updates a keyword rule; texts, keywords, cooldown (up to 30 days) and priority within limits.
create or replace function public.save_automation_rule(
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
  perform app.require_text(p_name, 'p_name', 'name');
  perform app.require_text(p_intent, 'p_intent', 'label');
  if p_keywords is null or cardinality(p_keywords) = 0 or exists (select 1 from unnest(p_keywords) k where nullif(btrim(k), '') is null) then
    raise exception using errcode = 'BQ001', message = 'a rule needs at least one non-blank keyword';
  end if;
  perform app.require_texts(p_keywords, 'p_keywords', 'label', 50);
  perform app.require_text(p_reply_body, 'p_reply_body', 'message');
  perform app.require_one_of(p_channel, 'p_channel', '{whatsapp,instagram,email}', false);
  perform app.require_count(p_cooldown_minutes, 'p_cooldown_minutes', 0, 43200);
  perform app.require_count(p_priority, 'p_priority', -1000, 1000, false);
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

-- Sends a free-form text; the body within the message limit.
create or replace function public.send_message(p_conversation_id uuid, p_body text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_conversation app.conversations := app.conversation_for_update(p_conversation_id);
  v_message_id uuid;
begin
  perform app.require_text(p_body, 'p_body', 'message');
  insert into app.messages (organization_id, conversation_id, direction, kind, body, status, sent_by)
  values (v_conversation.organization_id, p_conversation_id, 'out', 'text', p_body, 'queued', (select auth.uid()))
  returning id into v_message_id;
  return v_message_id;
end
$$;
comment on function public.send_message(uuid, text) is
  'Sends a free-form text in a conversation (enqueued for the daemon). BQ501 outside the 24-hour WhatsApp/Instagram window. Any member.';
grant execute on function public.send_message(uuid, text) to authenticated;

-- Sends a template; params are at most 20 strings and the filled message within the message limit.
create or replace function public.send_template_message(p_conversation_id uuid, p_template_id uuid, p_params jsonb default '[]')
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_conversation app.conversations := app.conversation_for_update(p_conversation_id);
  v_template app.message_templates;
  v_message_id uuid;
  v_body text;
begin
  select * into v_template from app.message_templates t
  where t.id = p_template_id and t.organization_id = v_conversation.organization_id;
  if not found or v_template.approval_status <> 'approved' or v_template.channel <> v_conversation.channel then
    raise exception using errcode = 'BQ502', message = 'that template is unknown, not approved, or for another channel',
      hint = format('Pick an approved %s template.', v_conversation.channel);
  end if;
  if p_params is null or jsonb_typeof(p_params) <> 'array'
     or exists (select 1 from jsonb_array_elements(p_params) e where jsonb_typeof(e) not in ('string', 'number')) then
    raise exception using errcode = 'BQ001', message = 'p_params is a JSON array of strings',
      hint = 'e.g. ["Ada", "12 June"] for {{1}} and {{2}}.';
  end if;
  if jsonb_array_length(p_params) > 20 then
    raise exception using errcode = 'BQ005', message = 'p_params takes at most 20 entries',
      hint = format('Got %s.', jsonb_array_length(p_params));
  end if;
  v_body := app.fill_template(v_template.body, p_params);
  perform app.require_text(v_body, 'the message with p_params filled in', 'message');
  insert into app.messages (organization_id, conversation_id, direction, kind, body, template_id, template_params, status, sent_by)
  values (v_conversation.organization_id, p_conversation_id, 'out', 'template', v_body,
          p_template_id, p_params, 'queued', (select auth.uid()))
  returning id into v_message_id;
  return v_message_id;
end
$$;
comment on function public.send_template_message(uuid, uuid, jsonb) is
  'Sends an approved template (allowed outside the 24-hour window) with {{n}} params. BQ502 for a bad template. Any member.';
grant execute on function public.send_template_message(uuid, uuid, jsonb) to authenticated;

-- A conversation's messages; p_before a plausible time (BQ006).
create or replace function public.list_messages(p_conversation_id uuid, p_before timestamptz default null, p_limit integer default 50)
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
  perform app.require_time(p_before, 'p_before', false);
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

-- Lists conversations; the status filter open or closed (BQ001).
create or replace function public.list_conversations(
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
  perform app.require_one_of(p_status, 'p_status', '{open,closed}', false);
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

-- The organization's templates, optionally for one channel (BQ001 for an unknown channel).
-- PL/pgSQL now, so the channel is checked before the query.
create or replace function public.list_message_templates(p_organization_id uuid, p_channel text default null)
returns setof app.message_templates
language plpgsql
stable
set search_path = ''
as $$
begin
  perform app.require_one_of(p_channel, 'p_channel', '{whatsapp,instagram,email}', false);
  return query
    select t.* from app.message_templates t
    where t.organization_id = p_organization_id and (p_channel is null or t.channel = p_channel)
    order by t.channel, t.name, t.language;
end
$$;
comment on function public.list_message_templates(uuid, text) is 'The organization''s message templates, optionally for one channel (empty for non-members). Any member.';
grant execute on function public.list_message_templates(uuid, text) to authenticated;
