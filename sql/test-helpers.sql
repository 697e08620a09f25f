-- Test helpers for the pgTAP suite (supabase/tests/database). Load ONCE into the test database,
-- after the migrations and before pg_prove; never part of the migration history.
--
--   psql -v ON_ERROR_STOP=1 -d <test db> -f sql/test-helpers.sql
--
-- Each pgTAP file runs in its own transaction and rolls back, so helpers cannot be shared by
-- defining them in a test file; they live here, in schema `tests`.

create extension if not exists pgtap with schema extensions;
-- The foundation revokes EXECUTE from PUBLIC by default, which also hit pgTAP's functions: the
-- tests assert while acting as anon/authenticated/service_role, so those roles need them.
grant execute on all functions in schema extensions to anon, authenticated, service_role;
-- As on Supabase, extension functions resolve without a schema prefix (plan(), is(), throws_ok()).
do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- A user in auth.users (and its profile); returns its id.
create or replace function tests.create_user(p_email text, p_full_name text default null, p_id uuid default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid := coalesce(p_id, gen_random_uuid());
begin
  insert into auth.users (id, aud, role, email, raw_user_meta_data)
  values (v_id, 'authenticated', 'authenticated', lower(p_email), jsonb_build_object('full_name', p_full_name));
  insert into app.profiles (id, full_name) values (v_id, coalesce(p_full_name, split_part(p_email, '@', 1)));
  return v_id;
end
$$;

-- Act as a signed-in user for the rest of the transaction, exactly as the gateway does.
create or replace function tests.act_as(p_user_id uuid)
returns void
language plpgsql
as $$
begin
  -- Switch back first: the previous role may not read auth.users.
  execute 'reset role';
  perform set_config('request.jwt.claims',
    json_build_object('sub', p_user_id, 'role', 'authenticated',
                      'email', (select email from auth.users where id = p_user_id))::text, true);
  execute 'set local role authenticated';
end
$$;

create or replace function tests.act_as_anon()
returns void
language plpgsql
as $$
begin
  execute 'reset role';
  perform set_config('request.jwt.claims', json_build_object('role', 'anon')::text, true);
  execute 'set local role anon';
end
$$;

create or replace function tests.act_as_service()
returns void
language plpgsql
as $$
begin
  execute 'reset role';
  perform set_config('request.jwt.claims', json_build_object('role', 'service_role')::text, true);
  execute 'set local role service_role';
end
$$;

-- Back to the superuser the test started as.
create or replace function tests.reset_role()
returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', '', true);
  execute 'reset role';
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

-- A deterministic uuid for a fixture name: tests.id('org_a').
create or replace function tests.id(p_name text)
returns uuid
language sql
immutable
as $$
  select md5('banquet-test:' || p_name)::uuid
$$;

-- The shared fixture most test files start from (call as superuser, inside the test's transaction):
--   users   owner_a, manager_a, staff_a (organization org_a); owner_b, staff_b (org_b)
--   org_a   venue_a (Europe/London, GBP, 10% service, 20% tax, 30% deposit) with space_a (10–50 guests,
--           room fee 100.00, F&B minimum 2000.00) and space_a2 (2–10); menu_a with item_starter
--           (15.00 per person) and item_cheese (50.00 per item); package_a (50.00 per guest, min 10);
--           inquiry_a (20 guests in 30 days, guest@example.com / +447700900001); whatsapp account wa_a
--   org_b   venue_b (America/New_York, USD) with space_b; inquiry_b; whatsapp account wa_b
--   fx      EUR→GBP 0.85 and EUR→USD 1.10, yesterday
create or replace function tests.fixture()
returns void
language plpgsql
as $$
begin
  perform tests.create_user(u || '@test.local', initcap(replace(u, '_', ' ')), tests.id(u))
  from unnest(array['owner_a', 'manager_a', 'staff_a', 'owner_b', 'staff_b']) u;

  insert into app.organizations (id, name, default_currency, commission_bps) values
    (tests.id('org_a'), 'Org A', 'GBP', 1000), (tests.id('org_b'), 'Org B', 'USD', 500);
  insert into app.memberships (organization_id, user_id, role) values
    (tests.id('org_a'), tests.id('owner_a'), 'owner'),
    (tests.id('org_a'), tests.id('manager_a'), 'manager'),
    (tests.id('org_a'), tests.id('staff_a'), 'staff'),
    (tests.id('org_b'), tests.id('owner_b'), 'owner'),
    (tests.id('org_b'), tests.id('staff_b'), 'staff');
  insert into app.venues (id, organization_id, name, timezone, currency, notification_email, service_charge_bps, tax_bps, deposit_bps) values
    (tests.id('venue_a'), tests.id('org_a'), 'Venue A', 'Europe/London', 'GBP', 'events@venue-a.test', 1000, 2000, 3000),
    (tests.id('venue_b'), tests.id('org_b'), 'Venue B', 'America/New_York', 'USD', 'events@venue-b.test', 0, 0, 3000);
  insert into app.spaces (id, organization_id, venue_id, name, min_guests, max_guests, room_fee_minor, fnb_minimum_minor) values
    (tests.id('space_a'), tests.id('org_a'), tests.id('venue_a'), 'Space A', 10, 50, 10000, 200000),
    (tests.id('space_a2'), tests.id('org_a'), tests.id('venue_a'), 'Space A2', 2, 10, 0, 0),
    (tests.id('space_b'), tests.id('org_b'), tests.id('venue_b'), 'Space B', 10, 100, 0, 0);
  insert into app.menus (id, organization_id, venue_id, name) values
    (tests.id('menu_a'), tests.id('org_a'), tests.id('venue_a'), 'Menu A'),
    (tests.id('menu_b'), tests.id('org_b'), tests.id('venue_b'), 'Menu B');
  insert into app.menu_items (id, organization_id, menu_id, name, price_minor, unit) values
    (tests.id('item_starter'), tests.id('org_a'), tests.id('menu_a'), 'Starter', 1500, 'per_person'),
    (tests.id('item_cheese'), tests.id('org_a'), tests.id('menu_a'), 'Cheese board', 5000, 'per_item'),
    (tests.id('item_b'), tests.id('org_b'), tests.id('menu_b'), 'Brisket', 2500, 'per_person');
  insert into app.packages (id, organization_id, venue_id, menu_id, name, price_per_guest_minor, min_guests) values
    (tests.id('package_a'), tests.id('org_a'), tests.id('venue_a'), tests.id('menu_a'), 'Package A', 5000, 10);
  insert into app.inquiries (id, organization_id, venue_id, guest_name, guest_email, guest_phone, event_date, start_time, party_size) values
    (tests.id('inquiry_a'), tests.id('org_a'), tests.id('venue_a'), 'Guest A', 'guest@example.com', '+447700900001', current_date + 30, '19:00', 20),
    (tests.id('inquiry_b'), tests.id('org_b'), tests.id('venue_b'), 'Guest B', 'guest-b@example.com', null, current_date + 30, '19:00', 30);
  insert into app.channel_accounts (id, organization_id, venue_id, channel, external_id) values
    (tests.id('wa_a'), tests.id('org_a'), tests.id('venue_a'), 'whatsapp', 'wa-a'),
    (tests.id('wa_b'), tests.id('org_b'), tests.id('venue_b'), 'whatsapp', 'wa-b');
  insert into app.fx_rates (base, quote, as_of, rate) values
    ('EUR', 'GBP', current_date - 1, 0.85), ('EUR', 'USD', current_date - 1, 1.10);
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
