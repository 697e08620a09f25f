-- Inquiries: the front of the sales pipeline. A guest submits an inquiry from a venue's website
-- form (public.submit_inquiry, callable by anon); the inquiry finds or creates its contact
-- (normalized email, E.164 phone), follows a state machine, and notifies the venue: a
-- notification row plus an 'email.send' job for the daemon, whose write-back marks the
-- notification sent (or failed).
--
-- Error codes (catalogue in docs/database.md): BQ100 name missing, BQ101 no email or phone,
-- BQ102 party size < 1, BQ103 event date missing or past in the venue's time zone, BQ104 unknown
-- venue, BQ105 rate limited, BQ106 invalid email, BQ107 invalid phone, BQ108 message too long,
-- BQ003 invalid status transition, BQ001 invalid argument, BQ002 not found, 42501 role missing.

-- Helpers -------------------------------------------------------------------------------------

create function app.normalize_email(p_email text)
returns text
language sql
immutable
set search_path = ''
as $$
  select nullif(lower(btrim(p_email)), '')
$$;
comment on function app.normalize_email(text) is 'Email as stored: trimmed and lower-cased; blank becomes null.';
grant execute on function app.normalize_email(text) to anon, authenticated, service_role;

create function app.normalize_phone(p_phone text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- Drop formatting, turn the international 00 prefix into +; anything else is left for the
  -- caller to validate against E.164 (app.is_e164).
  select nullif(regexp_replace(regexp_replace(btrim(p_phone), '[\s().\-/]', '', 'g'), '^00', '+'), '')
$$;
comment on function app.normalize_phone(text) is 'Phone as stored: formatting removed, 00 prefix turned into +. Validate with app.is_e164.';
grant execute on function app.normalize_phone(text) to anon, authenticated, service_role;

create function app.is_e164(p_phone text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_phone ~ '^\+[1-9][0-9]{6,14}$'
$$;
comment on function app.is_e164(text) is 'True for an E.164 number: +, country code, up to 15 digits.';
grant execute on function app.is_e164(text) to anon, authenticated, service_role;

-- Tables --------------------------------------------------------------------------------------

create table app.contacts (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  full_name text,
  email text check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  phone text check (app.is_e164(phone)),
  -- Instagram-scoped user id: guests who write on Instagram may give neither email nor phone.
  instagram_id text,
  company text,
  notes text,
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  unique (organization_id, email),
  unique (organization_id, phone),
  unique (organization_id, instagram_id),
  check (email is not null or phone is not null or instagram_id is not null)
);
create index contacts_phone_idx on app.contacts (phone);
create index contacts_organization_id_created_at_idx on app.contacts (organization_id, created_at desc, id desc);
comment on table app.contacts is 'A guest, unique per organization by normalized email and by E.164 phone.';

create table app.inquiries (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  venue_id uuid not null,
  contact_id uuid,
  status text not null default 'new'
    check (status in ('new', 'qualified', 'proposal_sent', 'won', 'lost', 'spam')),
  source text not null default 'web_form' check (source in ('web_form', 'manual', 'email', 'whatsapp', 'instagram')),
  guest_name text not null,
  guest_email text,
  guest_phone text,
  event_date date not null,
  start_time time,
  party_size integer not null check (party_size >= 1),
  event_type text,
  budget_minor bigint check (budget_minor >= 0),
  message text check (length(message) <= 5000),
  assigned_to uuid references auth.users (id) on delete set null,
  source_ip inet,
  lost_reason text,
  first_response_at timestamptz,
  status_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  check (guest_email is not null or guest_phone is not null),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade,
  foreign key (organization_id, contact_id) references app.contacts (organization_id, id)
);
create index inquiries_organization_id_created_at_idx on app.inquiries (organization_id, created_at desc, id desc);
-- Covering: the per-venue reports and the dashboard's counts per status read this index alone.
create index inquiries_organization_id_venue_id_created_at_idx on app.inquiries (organization_id, venue_id, created_at)
  include (status, id, first_response_at);
create index inquiries_organization_id_contact_id_idx on app.inquiries (organization_id, contact_id);
create index inquiries_venue_id_idx on app.inquiries (venue_id);
create index inquiries_assigned_to_idx on app.inquiries (assigned_to);
-- Rate limits count recent inquiries per email and per client IP.
create index inquiries_guest_email_created_at_idx on app.inquiries (guest_email, created_at);
create index inquiries_source_ip_created_at_idx on app.inquiries (source_ip, created_at);
comment on table app.inquiries is
  'A request for an event (date, party size) at a venue. Status: new → qualified → proposal_sent → won | lost; new → spam.';

create table app.notifications (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  venue_id uuid,
  -- null: for every member of the organization
  user_id uuid references auth.users (id) on delete cascade,
  kind text not null,
  title text not null,
  body text not null default '',
  entity_type text,
  entity_id uuid,
  channel text not null default 'in_app' check (channel in ('in_app', 'email')),
  email_to text,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'skipped')),
  sent_at timestamptz,
  provider_message_id text,
  transport text,
  error text,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  check (channel <> 'email' or email_to is not null),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade
);
create index notifications_organization_id_created_at_idx on app.notifications (organization_id, created_at desc);
create index notifications_organization_id_venue_id_idx on app.notifications (organization_id, venue_id);
create index notifications_user_id_idx on app.notifications (user_id);
comment on table app.notifications is 'Something staff should know (new inquiry, accepted proposal, failed message); delivered in-app and, when channel = email, by the daemon.';

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_contacts__normalize()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.email := app.normalize_email(new.email);
  new.phone := app.normalize_phone(new.phone);
  new.full_name := nullif(btrim(new.full_name), '');
  if new.phone is not null and not app.is_e164(new.phone) then
    raise exception using errcode = 'BQ107', message = format('%L is not a phone number in international format', new.phone),
      hint = 'Include the country code, e.g. +44 20 7946 0958.';
  end if;
  if new.email is not null and new.email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception using errcode = 'BQ106', message = format('%L is not an email address', new.email);
  end if;
  return new;
end
$$;
comment on function app.tg_contacts__normalize() is 'Rule: contacts store email trimmed and lower-cased, phone in E.164.';

create trigger _100_normalize
  before insert or update of email, phone, full_name on app.contacts
  for each row execute function app.tg_contacts__normalize();

create function app.tg_inquiries__match_contact()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.guest_email := app.normalize_email(new.guest_email);
  new.guest_phone := app.normalize_phone(new.guest_phone);
  if new.contact_id is null then
    select c.id into new.contact_id
    from app.contacts c
    where c.organization_id = new.organization_id
      and (c.email = new.guest_email or c.phone = new.guest_phone)
    order by (c.email = new.guest_email) desc nulls last, c.created_at
    limit 1;
  end if;
  if new.contact_id is null then
    insert into app.contacts (organization_id, full_name, email, phone)
    values (new.organization_id, new.guest_name, new.guest_email, new.guest_phone)
    returning id into new.contact_id;
  end if;
  return new;
end
$$;
comment on function app.tg_inquiries__match_contact() is
  'Rule: a new inquiry matches its contact by email or phone within the organization, or creates one.';

create trigger _100_match_contact
  before insert on app.inquiries
  for each row execute function app.tg_inquiries__match_contact();

create function app.tg_inquiries__enforce_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not (
    (old.status = 'new' and new.status in ('qualified', 'proposal_sent', 'lost', 'spam'))
    or (old.status = 'qualified' and new.status in ('proposal_sent', 'won', 'lost'))
    or (old.status = 'proposal_sent' and new.status in ('qualified', 'won', 'lost'))
    or (old.status = 'lost' and new.status in ('qualified'))
  ) then
    raise exception using errcode = 'BQ003',
      message = format('an inquiry cannot go from %s to %s', old.status, new.status),
      hint = 'Allowed: new → qualified | proposal_sent | lost | spam; qualified → proposal_sent | won | lost; proposal_sent → qualified | won | lost; lost → qualified.';
  end if;
  new.status_changed_at := now();
  if old.status = 'new' then
    new.first_response_at := coalesce(new.first_response_at, now());
  end if;
  return new;
end
$$;
comment on function app.tg_inquiries__enforce_transition() is 'Rule: inquiry status follows its state machine; leaving new stamps the first response time.';

create trigger _200_state_machine
  before update of status on app.inquiries
  for each row when (old.status is distinct from new.status)
  execute function app.tg_inquiries__enforce_transition();

create function app.tg_inquiries__notify_venue()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_venue app.venues;
begin
  select * into v_venue from app.venues v where v.id = new.venue_id;
  insert into app.notifications (organization_id, venue_id, kind, title, body, entity_type, entity_id, channel, email_to)
  values (
    new.organization_id, new.venue_id, 'inquiry.new',
    format('New inquiry: %s, %s guests on %s', new.guest_name, new.party_size, to_char(new.event_date, 'YYYY-MM-DD')),
    concat_ws(e'\n',
      format('A new inquiry arrived for %s.', v_venue.name),
      '',
      'Name: ' || new.guest_name,
      'Email: ' || new.guest_email,
      'Phone: ' || new.guest_phone,
      'Date: ' || to_char(new.event_date, 'YYYY-MM-DD') || coalesce(' at ' || to_char(new.start_time, 'HH24:MI'), ''),
      'Guests: ' || new.party_size,
      'Event: ' || new.event_type,
      '',
      new.message
    ),
    'inquiry', new.id,
    case when v_venue.notification_email is null then 'in_app' else 'email' end,
    v_venue.notification_email
  );
  return null;
end
$$;
comment on function app.tg_inquiries__notify_venue() is 'Rule: a new inquiry notifies the venue (by email when the venue has a notification email).';

create trigger _500_notify_venue
  after insert on app.inquiries
  for each row execute function app.tg_inquiries__notify_venue();

create function app.tg_notifications__enqueue_email()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reply_to text;
begin
  -- A new inquiry's email replies straight to the guest.
  if new.entity_type = 'inquiry' then
    select i.guest_email into v_reply_to from app.inquiries i where i.id = new.entity_id;
  end if;
  perform bridge.enqueue(
    'email.send',
    jsonb_strip_nulls(jsonb_build_object(
      'notification_id', new.id,
      'to', new.email_to,
      'subject', new.title,
      'text', new.body,
      'reply_to', v_reply_to
    )),
    new.organization_id,
    'notification:' || new.id
  );
  return null;
end
$$;
comment on function app.tg_notifications__enqueue_email() is 'Rule: an email notification enqueues an email.send job (payload: notification_id, to, subject, text, reply_to).';

create trigger _500_enqueue_email
  after insert on app.notifications
  for each row when (new.channel = 'email' and new.status = 'pending')
  execute function app.tg_notifications__enqueue_email();

-- RLS policies --------------------------------------------------------------------------------

alter table app.contacts enable row level security;
alter table app.inquiries enable row level security;
alter table app.notifications enable row level security;

grant select, insert, update, delete on app.contacts to authenticated;
grant select, insert, update, delete on app.inquiries to authenticated;
grant select, update (read_at) on app.notifications to authenticated;
grant all on app.contacts, app.inquiries, app.notifications to service_role;

create policy "Members can read their organization's contacts" on app.contacts
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Members can create contacts" on app.contacts
  for insert to authenticated with check (organization_id in (select app.user_organization_ids()));
create policy "Members can update contacts" on app.contacts
  for update to authenticated
  using (organization_id in (select app.user_organization_ids()))
  with check (organization_id in (select app.user_organization_ids()));
create policy "Managers can delete contacts" on app.contacts
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's inquiries" on app.inquiries
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Members can record inquiries" on app.inquiries
  for insert to authenticated with check (organization_id in (select app.user_organization_ids()));
create policy "Members can work on inquiries" on app.inquiries
  for update to authenticated
  using (organization_id in (select app.user_organization_ids()))
  with check (organization_id in (select app.user_organization_ids()));
create policy "Managers can delete inquiries" on app.inquiries
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read notifications meant for them" on app.notifications
  for select to authenticated
  using (organization_id in (select app.user_organization_ids()) and (user_id is null or user_id = (select auth.uid())));
create policy "Members can mark notifications meant for them read" on app.notifications
  for update to authenticated
  using (organization_id in (select app.user_organization_ids()) and (user_id is null or user_id = (select auth.uid())))
  with check (organization_id in (select app.user_organization_ids()) and (user_id is null or user_id = (select auth.uid())));

-- Public functions ----------------------------------------------------------------------------

create function app.client_ip()
returns inet
language plpgsql
stable
set search_path = ''
as $$
declare
  v_headers jsonb := nullif(current_setting('request.headers', true), '')::jsonb;
  v_ip text;
begin
  v_ip := btrim(coalesce(
    v_headers ->> 'cf-connecting-ip',
    v_headers ->> 'x-real-ip',
    split_part(v_headers ->> 'x-forwarded-for', ',', 1)
  ));
  return nullif(v_ip, '')::inet;
exception when invalid_text_representation then
  return null;
end
$$;
comment on function app.client_ip() is
  'The client IP from the gateway''s request.headers (cf-connecting-ip, x-real-ip, first x-forwarded-for hop), or null.';
grant execute on function app.client_ip() to anon, authenticated, service_role;

create function public.submit_inquiry(
  p_venue_id uuid,
  p_name text,
  p_email text default null,
  p_phone text default null,
  p_event_date date default null,
  p_party_size integer default null,
  p_message text default null,
  p_event_type text default null,
  p_start_time time default null,
  p_website text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- Abuse limits per rolling hour.
  c_max_per_email constant integer := 5;
  c_max_per_ip constant integer := 20;
  v_venue app.venues;
  v_email text := app.normalize_email(p_email);
  v_phone text := app.normalize_phone(p_phone);
  v_ip inet := app.client_ip();
  v_inquiry_id uuid;
begin
  -- Honeypot: a hidden form field people leave empty. A bot that fills it gets an id that looks
  -- real, and nothing is stored, so it learns nothing.
  if nullif(btrim(p_website), '') is not null then
    return gen_random_uuid();
  end if;

  select * into v_venue from app.venues v where v.id = p_venue_id and v.archived_at is null;
  if not found then
    raise exception using errcode = 'BQ104', message = 'this venue does not exist or no longer takes inquiries',
      hint = 'Check the venue id in the form.';
  end if;
  if p_name is null or length(btrim(p_name)) not between 1 and 200 then
    raise exception using errcode = 'BQ100', message = 'please tell us your name';
  end if;
  if v_email is null and v_phone is null then
    raise exception using errcode = 'BQ101', message = 'please give an email address or a phone number',
      hint = 'The venue needs one of them to reply.';
  end if;
  if v_email is not null and v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception using errcode = 'BQ106', message = format('%L is not an email address', p_email);
  end if;
  if v_phone is not null and not app.is_e164(v_phone) then
    raise exception using errcode = 'BQ107', message = format('%L is not a phone number in international format', p_phone),
      hint = 'Include the country code, e.g. +44 20 7946 0958.';
  end if;
  if p_party_size is null or p_party_size < 1 then
    raise exception using errcode = 'BQ102', message = 'the party size must be at least 1';
  end if;
  if p_event_date is null or p_event_date < (now() at time zone v_venue.timezone)::date then
    raise exception using errcode = 'BQ103', message = 'the event date must be today or later',
      hint = format('Today at the venue is %s (%s).', (now() at time zone v_venue.timezone)::date, v_venue.timezone);
  end if;
  if length(p_message) > 5000 then
    raise exception using errcode = 'BQ108', message = 'the message is longer than 5000 characters';
  end if;

  if v_email is not null and (
    select count(*) from app.inquiries i
    where i.guest_email = v_email and i.created_at > now() - interval '1 hour'
  ) >= c_max_per_email then
    raise exception using errcode = 'BQ105', message = 'too many inquiries from this email address',
      hint = 'Please try again in an hour.';
  end if;
  if v_ip is not null and (
    select count(*) from app.inquiries i
    where i.source_ip = v_ip and i.created_at > now() - interval '1 hour'
  ) >= c_max_per_ip then
    raise exception using errcode = 'BQ105', message = 'too many inquiries from this network',
      hint = 'Please try again in an hour.';
  end if;

  insert into app.inquiries (
    organization_id, venue_id, guest_name, guest_email, guest_phone, event_date, start_time,
    party_size, event_type, message, source, source_ip
  ) values (
    v_venue.organization_id, v_venue.id, btrim(p_name), v_email, v_phone, p_event_date, p_start_time,
    p_party_size, nullif(btrim(p_event_type), ''), nullif(btrim(p_message), ''), 'web_form', v_ip
  )
  returning id into v_inquiry_id;
  return v_inquiry_id;
end
$$;
comment on function public.submit_inquiry(uuid, text, text, text, date, integer, text, text, time, text) is
  'Public website form: records an inquiry for a venue and notifies it; returns the inquiry id. Callable by anon. '
  'Errors: BQ100 name, BQ101 no email/phone, BQ102 party size, BQ103 past date (venue time zone), BQ104 unknown venue, '
  'BQ105 rate limit (5/hour per email, 20/hour per IP), BQ106 email, BQ107 phone, BQ108 message length. '
  'A non-empty p_website (honeypot) returns a fake id and stores nothing.
@lint-allow anon_security_definer_function_executable: the public website form; it validates every argument, writes only an inquiry for an existing venue, and is rate limited per email and IP.';
grant execute on function public.submit_inquiry(uuid, text, text, text, date, integer, text, text, time, text) to anon, authenticated;

create function public.list_inquiries(
  p_organization_id uuid,
  p_status text[] default null,
  p_venue_id uuid default null,
  p_assigned_to uuid default null,
  p_search text default null,
  p_after uuid default null,
  p_limit integer default 50
)
returns table (
  id uuid, venue_id uuid, contact_id uuid, status text, guest_name text, guest_email text,
  guest_phone text, event_date date, party_size integer, assigned_to uuid, created_at timestamptz
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
  if p_after is not null and not exists (select 1 from app.inquiries a where a.id = p_after) then
    raise exception using errcode = 'BQ002', message = 'the p_after cursor is not an inquiry you can see',
      hint = 'Pass the id of the last row of the previous page.';
  end if;
  return query
    select i.id, i.venue_id, i.contact_id, i.status, i.guest_name, i.guest_email, i.guest_phone,
           i.event_date, i.party_size, i.assigned_to, i.created_at
    from app.inquiries i
    where i.organization_id = p_organization_id
      and (p_status is null or i.status = any (p_status))
      and (p_venue_id is null or i.venue_id = p_venue_id)
      and (p_assigned_to is null or i.assigned_to = p_assigned_to)
      and (p_search is null or i.guest_name ilike '%' || p_search || '%' or i.guest_email ilike '%' || p_search || '%')
      and (p_after is null or (i.created_at, i.id) < (select a.created_at, a.id from app.inquiries a where a.id = p_after))
    order by i.created_at desc, i.id desc
    limit p_limit;
end
$$;
comment on function public.list_inquiries(uuid, text[], uuid, uuid, text, uuid, integer) is
  'Lists an organization''s inquiries, newest first, with optional filters; keyset pagination: pass the last id seen as p_after. Any member.';
grant execute on function public.list_inquiries(uuid, text[], uuid, uuid, text, uuid, integer) to authenticated;

create function public.list_contacts(
  p_organization_id uuid,
  p_search text default null,
  p_after uuid default null,
  p_limit integer default 50
)
returns table (id uuid, full_name text, email text, phone text, company text, inquiries bigint, created_at timestamptz)
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
  if p_after is not null and not exists (select 1 from app.contacts a where a.id = p_after) then
    raise exception using errcode = 'BQ002', message = 'the p_after cursor is not a contact you can see',
      hint = 'Pass the id of the last row of the previous page.';
  end if;
  return query
    select c.id, c.full_name, c.email, c.phone, c.company,
           (select count(*) from app.inquiries i where i.organization_id = c.organization_id and i.contact_id = c.id), c.created_at
    from app.contacts c
    where c.organization_id = p_organization_id
      and (p_search is null or c.full_name ilike '%' || p_search || '%' or c.email ilike '%' || p_search || '%' or c.phone like '%' || p_search || '%')
      and (p_after is null or (c.created_at, c.id) < (select a.created_at, a.id from app.contacts a where a.id = p_after))
    order by c.created_at desc, c.id desc
    limit p_limit;
end
$$;
comment on function public.list_contacts(uuid, text, uuid, integer) is
  'An organization''s guests, newest first, with their number of inquiries; search by name, email or phone; keyset pagination with p_after. Any member.';
grant execute on function public.list_contacts(uuid, text, uuid, integer) to authenticated;

create function public.get_inquiry(p_inquiry_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  select to_jsonb(i) || jsonb_build_object('contact', to_jsonb(c), 'venue_name', v.name)
  into v_result
  from app.inquiries i
  join app.venues v on v.id = i.venue_id
  left join app.contacts c on c.id = i.contact_id
  where i.id = p_inquiry_id;
  if v_result is null then
    raise exception using errcode = 'BQ002', message = format('inquiry %s not found', p_inquiry_id);
  end if;
  return v_result;
end
$$;
comment on function public.get_inquiry(uuid) is 'One inquiry with its contact and venue name, as JSON. Any member of its organization.';
grant execute on function public.get_inquiry(uuid) to authenticated;

create function app.inquiry_organization_id(p_inquiry_id uuid)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select i.organization_id into v_organization_id from app.inquiries i where i.id = p_inquiry_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('inquiry %s not found', p_inquiry_id);
  end if;
  return v_organization_id;
end
$$;
comment on function app.inquiry_organization_id(uuid) is 'The organization of an inquiry visible to the caller, or BQ002.';
grant execute on function app.inquiry_organization_id(uuid) to authenticated, service_role;

create function public.assign_inquiry(p_inquiry_id uuid, p_user_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid := app.inquiry_organization_id(p_inquiry_id);
begin
  perform app.require_role(v_organization_id);
  if p_user_id is not null and not exists (
    select 1 from app.memberships m where m.organization_id = v_organization_id and m.user_id = p_user_id
  ) then
    raise exception using errcode = 'BQ001', message = 'inquiries can only be assigned to members of the organization',
      hint = 'Pass null to unassign.';
  end if;
  update app.inquiries set assigned_to = p_user_id where id = p_inquiry_id;
end
$$;
comment on function public.assign_inquiry(uuid, uuid) is 'Assigns an inquiry to a member (null unassigns). Any member.';
grant execute on function public.assign_inquiry(uuid, uuid) to authenticated;

create function public.set_inquiry_status(p_inquiry_id uuid, p_status text, p_reason text default null)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform app.require_role(app.inquiry_organization_id(p_inquiry_id));
  if p_status is null or p_status not in ('new', 'qualified', 'proposal_sent', 'won', 'lost', 'spam') then
    raise exception using errcode = 'BQ001', message = format('%L is not an inquiry status', p_status),
      hint = 'Use qualified, proposal_sent, won, lost or spam.';
  end if;
  update app.inquiries
  set status = p_status, lost_reason = case when p_status = 'lost' then p_reason else lost_reason end
  where id = p_inquiry_id;
end
$$;
comment on function public.set_inquiry_status(uuid, text, text) is
  'Moves an inquiry through its state machine (BQ003 on a forbidden transition). Any member.';
grant execute on function public.set_inquiry_status(uuid, text, text) to authenticated;

create function public.list_notifications(p_organization_id uuid default null, p_unread_only boolean default false, p_limit integer default 50)
returns table (id uuid, organization_id uuid, kind text, title text, body text, entity_type text, entity_id uuid, read_at timestamptz, created_at timestamptz)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_custom_plan  -- optional filters: see docs/quality.md, SQL benchmark
as $$
begin
  if p_limit is null or p_limit not between 1 and 200 then
    raise exception using errcode = 'BQ001', message = 'p_limit must be between 1 and 200';
  end if;
  return query
    select n.id, n.organization_id, n.kind, n.title, n.body, n.entity_type, n.entity_id, n.read_at, n.created_at
    from app.notifications n
    where (p_organization_id is null or n.organization_id = p_organization_id)
      and (not p_unread_only or n.read_at is null)
    order by n.created_at desc
    limit p_limit;
end
$$;
comment on function public.list_notifications(uuid, boolean, integer) is
  'The caller''s notifications (their own and organization-wide), newest first. Signed-in users.';
grant execute on function public.list_notifications(uuid, boolean, integer) to authenticated;

create function public.mark_notification_read(p_notification_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update app.notifications set read_at = coalesce(read_at, now()) where id = p_notification_id;
  if not found then
    raise exception using errcode = 'BQ002', message = format('notification %s not found', p_notification_id);
  end if;
end
$$;
comment on function public.mark_notification_read(uuid) is 'Marks a notification read. Anyone it is meant for.';
grant execute on function public.mark_notification_read(uuid) to authenticated;

-- Daemon write-backs --------------------------------------------------------------------------

create function app.email_send_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
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
    update app.proposals set delivered_at = coalesce(delivered_at, now()) where id = (p_payload ->> 'proposal_id')::uuid;
  end if;
  if p_payload ? 'message_id' then
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, p_result ->> 'provider_message_id', 'sent');
  end if;
end
$$;
comment on function app.email_send_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for email.send: p_result {provider_message_id, transport} marks the notification, guest message or delivered proposal as sent.';
grant execute on function app.email_send_writeback(bigint, jsonb, jsonb) to service_role;

create function app.email_send_failed(p_job_id bigint, p_payload jsonb, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_payload ? 'notification_id' then
    update app.notifications set status = 'failed', error = p_error
    where id = (p_payload ->> 'notification_id')::uuid;
  end if;
  if p_payload ? 'message_id' then
    perform public.record_message_status((p_payload ->> 'message_id')::uuid, null, 'failed', p_error);
  end if;
end
$$;
comment on function app.email_send_failed(bigint, jsonb, text) is 'Bridge on-failure handler for email.send: marks the notification (or guest message) failed with the error.';
grant execute on function app.email_send_failed(bigint, jsonb, text) to service_role;

select bridge.register_kind(
  'email.send', 'email',
  'app.email_send_writeback(bigint, jsonb, jsonb)'::regprocedure,
  'app.email_send_failed(bigint, jsonb, text)'::regprocedure,
  5, 30, 10
);
