-- The venue's own web entry points, served as edge functions: the inquiry form on the venue's
-- website (CORS allowed only for the origins listed on the venue) and an iCalendar feed of its
-- bookings at a secret URL (a calendar app subscribes to it; rotating the token revokes old URLs).
--
-- Error codes: BQ001 bad origin, BQ002 venue not found, 42501.

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.venues
  add column website_origins text[] not null default '{}',
  add column calendar_token text;
-- One row per venue: the index over a column that is null everywhere builds at once.
-- squawk-ignore disallowed-unique-constraint, constraint-missing-not-valid
alter table app.venues add constraint venues_calendar_token_key unique (calendar_token);
-- Every existing row holds the default '{}', so nothing needs validating; new rows are checked.
alter table app.venues add constraint venues_website_origins_check
  check (cardinality(website_origins) <= 10) not valid;
comment on column app.venues.website_origins is 'Origins (https://example.com) whose pages may post the inquiry form from the browser (CORS).';
comment on column app.venues.calendar_token is 'Capability in the venue''s iCalendar feed URL; null until a manager creates one.';

-- Public functions ----------------------------------------------------------------------------

create function public.set_venue_web_settings(p_venue_id uuid, p_website_origins text[], p_rotate_calendar_token boolean default false)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_venue app.venues;
  v_origin text;
begin
  -- Invoker rights: another tenant's venue is as invisible as one that does not exist (BQ002).
  perform app.require_role(app.venue_organization_id(p_venue_id), '{owner,manager}');
  foreach v_origin in array coalesce(p_website_origins, '{}') loop
    if v_origin !~ '^https?://[a-z0-9.-]+(:[0-9]{1,5})?$' then
      raise exception using errcode = 'BQ001', message = format('%L is not an origin', v_origin),
        hint = 'An origin is a scheme and host without a path, e.g. https://www.example.com';
    end if;
  end loop;
  if cardinality(coalesce(p_website_origins, '{}')) > 10 then
    raise exception using errcode = 'BQ001', message = 'at most 10 website origins';
  end if;
  update app.venues set
    website_origins = coalesce(p_website_origins, '{}'),
    calendar_token = case when p_rotate_calendar_token or calendar_token is null
                          then replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') else calendar_token end
  where id = p_venue_id
  returning * into v_venue;
  return v_venue.calendar_token;
end
$$;
comment on function public.set_venue_web_settings(uuid, text[], boolean) is
  'Sets the origins allowed to post the venue''s inquiry form, and creates (or with p_rotate_calendar_token replaces) the calendar feed token; returns the token. Owners and managers.';
grant execute on function public.set_venue_web_settings(uuid, text[], boolean) to authenticated;

-- Daemon write-backs --------------------------------------------------------------------------

create function public.venue_calendar(p_token text)
returns table (venue_name text, venue_timezone text, booking_id uuid, status text, starts_at timestamptz, ends_at timestamptz,
               guest_count integer, guest_name text, space_name text, updated_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select v.name, v.timezone, b.id, b.status, b.starts_at, b.ends_at, b.guest_count,
         coalesce(c.full_name, 'Guest'), s.name, greatest(b.created_at, b.confirmed_at, b.cancelled_at, b.completed_at)
  from app.venues v
  left join app.bookings b on b.venue_id = v.id and b.status in ('held', 'confirmed', 'completed')
    and b.ends_at > now() - interval '90 days'
  left join app.contacts c on c.id = b.contact_id
  left join app.spaces s on s.id = b.space_id
  where v.calendar_token = p_token and length(p_token) >= 32
  order by b.starts_at
$$;
comment on function public.venue_calendar(text) is
  'The bookings (held, confirmed, completed; last 90 days onward) of the venue whose calendar token this is; no rows for an unknown token. Service role only (the calendar edge function).';
grant execute on function public.venue_calendar(text) to service_role;

create function public.venue_inquiry_origins(p_venue_id uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  select v.website_origins from app.venues v where v.id = p_venue_id and v.archived_at is null
$$;
comment on function public.venue_inquiry_origins(uuid) is 'The origins allowed to post a venue''s inquiry form (null for an unknown venue). Service role only (the inquiry edge function).';
grant execute on function public.venue_inquiry_origins(uuid) to service_role;
