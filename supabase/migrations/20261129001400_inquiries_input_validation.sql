-- Inquiries: the public form and the inquiry RPCs validate with the shared helpers
-- (20261129001000_input_validation.sql), and every email check is app.is_email. submit_inquiry keeps
-- its own BQ1xx codes (the website form shows them) and now also refuses a party above 10,000
-- (BQ102), an event more than five years ahead or at infinity (BQ103), and an over-long event type
-- (BQ004); the list RPCs refuse unknown status words and over-long searches. Each function is
-- redefined in full.

-- Triggers ------------------------------------------------------------------------------------

-- Rule: contacts store email trimmed and lower-cased, phone in E.164 (the one email rule).
create or replace function app.tg_contacts__normalize()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.email := app.normalize_email(new.email);
  new.phone := app.normalize_phone(new.phone);
  new.full_name := nullif(btrim(new.full_name), '');
  if new.phone is not null and not app.is_e164(new.phone) then
    raise exception using errcode = 'BQ107', message = format('%L is not a phone number in international format', left(new.phone, 50)),
      hint = 'Include the country code, e.g. +44 20 7946 0958.';
  end if;
  if new.email is not null and not app.is_email(new.email) then
    raise exception using errcode = 'BQ106', message = format('%L is not an email address', left(new.email, 300));
  end if;
  return new;
end
$$;
comment on function app.tg_contacts__normalize() is 'Rule: contacts store email trimmed and lower-cased, phone in E.164.';

-- Public functions ----------------------------------------------------------------------------

-- The public website form (anon): validates every field before the one insert.
create or replace function public.submit_inquiry(
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
  v_today date;
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
  v_today := (now() at time zone v_venue.timezone)::date;
  if p_name is null or length(btrim(p_name)) not between 1 and app.text_limit('name') then
    raise exception using errcode = 'BQ100', message = format('please tell us your name (at most %s characters)', app.text_limit('name'));
  end if;
  if v_email is null and v_phone is null then
    raise exception using errcode = 'BQ101', message = 'please give an email address or a phone number',
      hint = 'The venue needs one of them to reply.';
  end if;
  perform app.require_email(p_email, 'p_email');
  if v_phone is not null and not app.is_e164(v_phone) then
    raise exception using errcode = 'BQ107', message = format('%L is not a phone number in international format', left(p_phone, 50)),
      hint = 'Include the country code, e.g. +44 20 7946 0958.';
  end if;
  if p_party_size is null or p_party_size not between 1 and 10000 then
    raise exception using errcode = 'BQ102', message = 'the party size must be between 1 and 10000';
  end if;
  if p_event_date is null or not isfinite(p_event_date) or p_event_date < v_today
     or p_event_date > (v_today + interval '5 years')::date then
    raise exception using errcode = 'BQ103', message = 'the event date must be today or later, and at most five years ahead',
      hint = format('Today at the venue is %s (%s).', v_today, v_venue.timezone);
  end if;
  if length(p_message) > app.text_limit('text') then
    raise exception using errcode = 'BQ108', message = format('the message is longer than %s characters', app.text_limit('text'));
  end if;
  perform app.require_text(p_event_type, 'p_event_type', 'label', false);

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
  'Errors: BQ100 name (at most 200 characters), BQ101 no email/phone, BQ102 party size (1 to 10000), BQ103 date not today or later within five years (venue time zone), BQ104 unknown venue, '
  'BQ105 rate limit (5/hour per email, 20/hour per IP), BQ106 email, BQ107 phone, BQ108 message over 5000 characters, BQ004 event type over 100. '
  'A non-empty p_website (honeypot) returns a fake id and stores nothing.
@bad-input-accepted p_website: the honeypot; a filled one gets a fake id, whatever it holds, and nothing is stored.
@lint-allow anon_security_definer_function_executable: the public website form; it validates every argument, writes only an inquiry for an existing venue, and is rate limited per email and IP.';
grant execute on function public.submit_inquiry(uuid, text, text, text, date, integer, text, text, time, text) to anon, authenticated;

-- Moves an inquiry through its state machine; a lost reason is free text.
create or replace function public.set_inquiry_status(p_inquiry_id uuid, p_status text, p_reason text default null)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform app.require_role(app.inquiry_organization_id(p_inquiry_id));
  if p_status is null or p_status not in ('new', 'qualified', 'proposal_sent', 'won', 'lost', 'spam') then
    raise exception using errcode = 'BQ001', message = format('p_status: %L is not an inquiry status', left(p_status, 100)),
      hint = 'Use qualified, proposal_sent, won, lost or spam.';
  end if;
  perform app.require_text(p_reason, 'p_reason', 'text', false);
  update app.inquiries
  set status = p_status, lost_reason = case when p_status = 'lost' then p_reason else lost_reason end
  where id = p_inquiry_id;
end
$$;
comment on function public.set_inquiry_status(uuid, text, text) is
  'Moves an inquiry through its state machine (BQ003 on a forbidden transition). Any member.';
grant execute on function public.set_inquiry_status(uuid, text, text) to authenticated;

-- Lists inquiries; status filter words known (BQ001), search within the search limit (BQ004).
create or replace function public.list_inquiries(
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
  perform app.require_all_of(p_status, 'p_status', '{new,qualified,proposal_sent,won,lost,spam}');
  perform app.require_text(p_search, 'p_search', 'search', false);
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

-- Lists contacts; search within the search limit (BQ004).
create or replace function public.list_contacts(
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
  perform app.require_text(p_search, 'p_search', 'search', false);
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
