-- Input validation: one helper per rule, so every RPC refuses bad input the same way, before it
-- writes anything, with one of Banquet's own SQLSTATEs and a message naming the field and the rule
-- (issue 7). The later migrations of this series redefine the RPCs to call these helpers.
--
-- The limits live here and only here (docs/database.md, "Input limits", lists them):
--   text       one maximum length per kind of field (app.text_limit)
--   money      0 .. 100,000,000,000 minor units for any amount, and for a price times a quantity,
--              so no total a proposal or booking adds up can overflow bigint
--   counts     guests, quantities: 1 .. 10,000
--   dates      finite, from 2000-01-01 to five years after today
--
-- SQLSTATEs added to the catalogue: BQ004 text too long, BQ005 number out of range, BQ006 date
-- out of range, BQ007 still in use, BQ008 duplicate. A missing or malformed argument stays BQ001.
--
-- Also: app.is_email, the one email rule (it was written out four times), and the contacts
-- table's email check rewritten to call it (validated in 20261129001100). app.is_email is exactly
-- the old regex, so validating existing contacts cannot fail; the 254-character limit is applied
-- by app.require_email to new input only.
set local lock_timeout = '5s';

-- Formats -------------------------------------------------------------------------------------

create function app.is_email(p_email text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
$$;
comment on function app.is_email(text) is
  'True for something@domain.tld: the one email format rule (null stays null). Length is app.require_email''s.';
grant execute on function app.is_email(text) to anon, authenticated, service_role;

-- The contacts table's email check calls the same rule as every function does. Added NOT VALID
-- here (new rows are checked at once, no scan under lock); 20261129001100 validates the existing
-- rows in its own transaction and drops the old regex check it replaces.
alter table app.contacts add constraint contacts_email_is_email check (app.is_email(email)) not valid;

-- Limits --------------------------------------------------------------------------------------

create function app.text_limit(p_kind text)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_kind
    when 'name' then 200        -- names and titles: a person, organization, venue, space, menu, item, rule, file
    when 'label' then 100       -- short labels and codes: keyword, tag, intent, course, event type, language, method, reference, channel id
    when 'text' then 5000       -- free text: descriptions, notes, reasons, instructions, an inquiry's message
    when 'message' then 4096    -- a message sent to a guest (WhatsApp's limit for one text)
    when 'path' then 1024       -- a storage object path
    when 'search' then 200      -- a search string
    when 'token' then 200       -- an invitation or proposal token
  end
$$;
comment on function app.text_limit(text) is
  'Maximum length of a kind of text field: name 200, label 100, text 5000, message 4096, path 1024, search 200, token 200.';
grant execute on function app.text_limit(text) to anon, authenticated, service_role;

create function app.money_limit()
returns bigint
language sql
immutable
set search_path = ''
as $$
  select 100000000000::bigint
$$;
comment on function app.money_limit() is
  'Largest amount in minor units (10^11, a billion in a two-decimal currency); sums of 90 million such amounts still fit bigint.';
grant execute on function app.money_limit() to anon, authenticated, service_role;

-- Helpers: each raises or returns nothing -----------------------------------------------------

create function app.require_text(p_value text, p_field text, p_kind text default 'name', p_required boolean default true)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_limit integer := app.text_limit(p_kind);
begin
  if p_required and (p_value is null or btrim(p_value) = '') then
    raise exception using errcode = 'BQ001', message = format('%s is required', p_field),
      hint = format('Send a non-blank %s.', p_field);
  end if;
  if length(p_value) > v_limit then
    raise exception using errcode = 'BQ004', message = format('%s must be at most %s characters', p_field, v_limit),
      hint = format('Got %s characters.', length(p_value));
  end if;
end
$$;
comment on function app.require_text(text, text, text, boolean) is
  'BQ001 when a required text is null or blank, BQ004 when longer than the limit of its kind (app.text_limit).';
grant execute on function app.require_text(text, text, text, boolean) to anon, authenticated, service_role;

create function app.require_texts(p_values text[], p_field text, p_kind text default 'label', p_max_items integer default 50)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_value text;
begin
  if cardinality(p_values) > p_max_items then
    raise exception using errcode = 'BQ005', message = format('%s takes at most %s entries', p_field, p_max_items),
      hint = format('Got %s.', cardinality(p_values));
  end if;
  foreach v_value in array coalesce(p_values, '{}') loop
    perform app.require_text(v_value, p_field || ' entry', p_kind);
  end loop;
end
$$;
comment on function app.require_texts(text[], text, text, integer) is
  'A list of short texts: BQ005 above p_max_items entries; each entry non-blank (BQ001) and within its kind''s limit (BQ004). Null is allowed.';
grant execute on function app.require_texts(text[], text, text, integer) to anon, authenticated, service_role;

create function app.require_one_of(p_value text, p_field text, p_allowed text[], p_required boolean default true)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null then
    if p_required then
      raise exception using errcode = 'BQ001', message = format('%s is required', p_field),
        hint = format('Use one of: %s.', array_to_string(p_allowed, ', '));
    end if;
    return;
  end if;
  if not p_value = any (p_allowed) then
    raise exception using errcode = 'BQ001', message = format('%s: %L is not one of %s', p_field, left(p_value, 100), array_to_string(p_allowed, ', ')),
      hint = format('Use one of: %s.', array_to_string(p_allowed, ', '));
  end if;
end
$$;
comment on function app.require_one_of(text, text, text[], boolean) is
  'BQ001 unless the value is one of the allowed words (a status, channel, kind); null passes unless required.';
grant execute on function app.require_one_of(text, text, text[], boolean) to anon, authenticated, service_role;

create function app.require_all_of(p_values text[], p_field text, p_allowed text[])
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_values is not null and not p_values <@ p_allowed then
    raise exception using errcode = 'BQ001',
      message = format('%s takes only %s', p_field, array_to_string(p_allowed, ', ')),
      hint = format('Unknown: %s.', left(array_to_string(array(select unnest(p_values) except select unnest(p_allowed)), ', '), 200));
  end if;
end
$$;
comment on function app.require_all_of(text[], text, text[]) is
  'BQ001 unless every element of a filter list is one of the allowed words; null (no filter) passes.';
grant execute on function app.require_all_of(text[], text, text[]) to anon, authenticated, service_role;

create function app.require_email(p_value text, p_field text, p_required boolean default false)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_required and app.normalize_email(p_value) is null then
    raise exception using errcode = 'BQ001', message = format('%s is required', p_field);
  end if;
  if app.normalize_email(p_value) is not null
     and (not app.is_email(app.normalize_email(p_value)) or length(app.normalize_email(p_value)) > 254) then
    raise exception using errcode = 'BQ106', message = format('%s is not an email address of at most 254 characters', p_field),
      hint = 'Use the form name@example.com (RFC 5321 allows at most 254 characters).';
  end if;
end
$$;
comment on function app.require_email(text, text, boolean) is
  'BQ106 unless the value (trimmed, lower-cased) is an email address (app.is_email) of at most 254 characters; BQ001 when required and blank.';
grant execute on function app.require_email(text, text, boolean) to anon, authenticated, service_role;

create function app.require_money(p_value bigint, p_field text, p_required boolean default true)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null then
    if p_required then
      raise exception using errcode = 'BQ001', message = format('%s is required', p_field);
    end if;
    return;
  end if;
  if p_value not between 0 and app.money_limit() then
    raise exception using errcode = 'BQ005', message = format('%s must be between 0 and %s minor units', p_field, app.money_limit()),
      hint = format('Got %s. Amounts are integer minor units: 1250 is 12.50.', p_value);
  end if;
end
$$;
comment on function app.require_money(bigint, text, boolean) is
  'BQ005 unless 0 <= amount <= app.money_limit() minor units; BQ001 when required and null.';
grant execute on function app.require_money(bigint, text, boolean) to anon, authenticated, service_role;

create function app.require_count(p_value bigint, p_field text, p_min bigint default 1, p_max bigint default 10000, p_required boolean default true)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null then
    if p_required then
      raise exception using errcode = 'BQ001', message = format('%s is required', p_field);
    end if;
    return;
  end if;
  if p_value not between p_min and p_max then
    raise exception using errcode = 'BQ005', message = format('%s must be between %s and %s', p_field, p_min, p_max),
      hint = format('Got %s.', p_value);
  end if;
end
$$;
comment on function app.require_count(bigint, text, bigint, bigint, boolean) is
  'BQ005 unless p_min <= value <= p_max (default 1 .. 10,000: guests, quantities); BQ001 when required and null. Basis points: 0 .. 10000.';
grant execute on function app.require_count(bigint, text, bigint, bigint, boolean) to anon, authenticated, service_role;

create function app.require_date(p_value date, p_field text, p_required boolean default true)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_value is null then
    if p_required then
      raise exception using errcode = 'BQ001', message = format('%s is required', p_field);
    end if;
    return;
  end if;
  if not isfinite(p_value) or p_value < date '2000-01-01' or p_value > (current_date + interval '5 years')::date then
    raise exception using errcode = 'BQ006', message = format('%s must be a date from 2000-01-01 to five years from today', p_field),
      hint = format('Got %s.', p_value);
  end if;
end
$$;
comment on function app.require_date(date, text, boolean) is
  'BQ006 unless the date is finite, on or after 2000-01-01 and at most five years ahead; BQ001 when required and null.';
grant execute on function app.require_date(date, text, boolean) to anon, authenticated, service_role;

create function app.require_time(p_value timestamptz, p_field text, p_required boolean default true)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_value is null then
    if p_required then
      raise exception using errcode = 'BQ001', message = format('%s is required', p_field);
    end if;
    return;
  end if;
  if not isfinite(p_value) or p_value < timestamptz '2000-01-01 00:00+00' or p_value > now() + interval '5 years' then
    raise exception using errcode = 'BQ006', message = format('%s must be a time from 2000-01-01 to five years from now', p_field),
      hint = format('Got %s.', p_value);
  end if;
end
$$;
comment on function app.require_time(timestamptz, text, boolean) is
  'BQ006 unless the time is finite, on or after 2000-01-01 and at most five years ahead; BQ001 when required and null.';
grant execute on function app.require_time(timestamptz, text, boolean) to anon, authenticated, service_role;

create function app.require_time_range(p_starts_at timestamptz, p_ends_at timestamptz)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  perform app.require_time(p_starts_at, 'p_starts_at');
  perform app.require_time(p_ends_at, 'p_ends_at');
  if p_ends_at <= p_starts_at then
    raise exception using errcode = 'BQ001', message = 'p_ends_at must be after p_starts_at',
      hint = format('Got %s to %s.', p_starts_at, p_ends_at);
  end if;
end
$$;
comment on function app.require_time_range(timestamptz, timestamptz) is
  'An event''s [start, end): both plausible times (BQ006), end after start (BQ001).';
grant execute on function app.require_time_range(timestamptz, timestamptz) to anon, authenticated, service_role;

-- Report periods: the same plausible dates, then the period's own rule -----------------------

create or replace function app.require_period(p_from date, p_to date)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  perform app.require_date(p_from, 'p_from');
  perform app.require_date(p_to, 'p_to');
  if p_to < p_from or p_to - p_from > 3 * 366 then
    raise exception using errcode = 'BQ001', message = 'a report needs p_from <= p_to, at most three years apart',
      hint = format('Got %s to %s.', p_from, p_to);
  end if;
end
$$;
comment on function app.require_period(date, date) is
  'BQ001 unless [p_from, p_to] is a valid report period (at most three years); BQ006 for a date before 2000, far ahead or infinite.';
grant execute on function app.require_period(date, date) to authenticated, service_role;
