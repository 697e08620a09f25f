-- Scale seed: a realistic volume for bench/sql/run.py and for reading query plans.
--
--   psql "$DATABASE_URL" -X -v ON_ERROR_STOP=1 -f scripts/seed-scale.sql [-v scale=0.1]
--
-- At scale 1: 1,000 organizations (each an owner, a manager and a staff member), ~2,500 venues with
-- spaces, menus and items, ~140,000 contacts, 200,000 inquiries (with their 200,000 in-app
-- notifications), ~100,000 conversations and 2,000,000 messages. `-v scale=0.1` loads a tenth.
-- Run it on a freshly migrated database; it is deterministic (setseed) and takes a few minutes.
--
-- Tenant sizes are skewed the way real customer bases are: organization n receives inquiries in
-- proportion to the density of random()^3, so organization 1 (the largest, the one the benchmark
-- acts as) holds about a tenth of everything, and most tenants are small.
--
-- Set-based throughout: one insert … select … from generate_series per table, rows joined to their
-- parents through numbered scratch tables (seed_*), never a loop.
--
-- Triggers: the inserts into organizations, memberships, venues, contacts and inquiries run with
-- every trigger on, so what they derive (audit rows, normalized contacts, one notification per
-- inquiry) is really derived. Venues get no notification email and no auto-draft, so no job is
-- enqueued for history. Messages are the exception, see that step.
\set ON_ERROR_STOP 1
\set QUIET on
\if :{?scale}
\else
  \set scale 1
\endif

\pset format unaligned
\pset tuples_only on
set client_min_messages = warning;
select setseed(0.42) \g /dev/null

create temp table seed_clock (started timestamptz, last timestamptz);
insert into seed_clock values (clock_timestamp(), clock_timestamp());
-- One progress line per step: rows now in the table, time for the step, time so far.
create function pg_temp.progress(tbl regclass) returns text language plpgsql as $$
declare
  n bigint;
  line text;
begin
  execute format('select count(*) from %s', tbl) into n;
  select format('seed: %-22s %10s rows %s s  (total %s s)', tbl, to_char(n, 'FM999,999,999'),
                to_char(extract(epoch from clock_timestamp() - last), '9990.0'),
                to_char(extract(epoch from clock_timestamp() - started), '9990.0'))
    into line from seed_clock;
  update seed_clock set last = clock_timestamp();
  return line;
end $$;

select (1000 * :scale)::int as n_orgs, (200000 * :scale)::int as n_inquiries,
       (2000000 * :scale)::int as n_messages \gset
\echo seed: :n_orgs organizations, :n_inquiries inquiries, :n_messages messages

-- Organizations and their people ------------------------------------------------------------------
create temp table seed_orgs as
select n, gen_random_uuid() as id,
       gen_random_uuid() as owner_id, gen_random_uuid() as manager_id, gen_random_uuid() as staff_id
from generate_series(1, :n_orgs) n;
create unique index on seed_orgs (n);

insert into auth.users (id, aud, role, email, email_confirmed_at, created_at)
select u.id, 'authenticated', 'authenticated', format('%s%s@seed.banquet.test', u.role, o.n), now(), now() - interval '2 years'
from seed_orgs o,
  lateral (values (o.owner_id, 'owner'), (o.manager_id, 'manager'), (o.staff_id, 'staff')) u(id, role);
select pg_temp.progress('auth.users');

insert into app.organizations (id, name, default_currency, commission_bps, created_at)
select id, format('Seed Hospitality Group %s', n), (array['EUR', 'GBP', 'USD'])[1 + n % 3], 500,
       now() - interval '2 years'
from seed_orgs;
select pg_temp.progress('app.organizations');

insert into app.profiles (id, full_name)
select u.id, format('%s %s', initcap(u.role), o.n)
from seed_orgs o,
  lateral (values (o.owner_id, 'owner'), (o.manager_id, 'manager'), (o.staff_id, 'staff')) u(id, role)
on conflict (id) do nothing;
select pg_temp.progress('app.profiles');

insert into app.memberships (organization_id, user_id, role)
select o.id, u.id, u.role
from seed_orgs o,
  lateral (values (o.owner_id, 'owner'), (o.manager_id, 'manager'), (o.staff_id, 'staff')) u(id, role)
on conflict do nothing;
select pg_temp.progress('app.memberships');

-- Venues, spaces, menus ---------------------------------------------------------------------------
-- 1 to 4 venues per organization; the largest tenant gets 12.
create temp table seed_venues as
select o.n as org_n, k, o.id as organization_id, gen_random_uuid() as id
from seed_orgs o, generate_series(1, case when o.n = 1 then 12 else 1 + o.n % 4 end) k;
create unique index on seed_venues (org_n, k);

insert into app.venues (id, organization_id, name, timezone, currency, service_charge_bps, tax_bps, address, created_at)
select v.id, v.organization_id, format('Venue %s-%s', v.org_n, v.k),
       (array['Europe/London', 'Europe/Paris', 'America/New_York', 'Europe/Berlin'])[1 + v.k % 4],
       (array['EUR', 'GBP', 'USD'])[1 + v.org_n % 3], 1250, 2000, format('%s Seed Street', v.k),
       now() - interval '2 years'
from seed_venues v;
select pg_temp.progress('app.venues');

insert into app.spaces (organization_id, venue_id, name, min_guests, max_guests, room_fee_minor, fnb_minimum_minor)
select v.organization_id, v.id, s.name, s.min_guests, s.max_guests, s.fee, s.fnb
from seed_venues v,
  lateral (values ('Private dining room', 8, 24, 25000, 150000), ('Terrace', 20, 120, 50000, 500000)) s(name, min_guests, max_guests, fee, fnb);
select pg_temp.progress('app.spaces');

create temp table seed_menus as
select v.organization_id, v.id as venue_id, gen_random_uuid() as id from seed_venues v;

insert into app.menus (id, organization_id, venue_id, name, description)
select id, organization_id, venue_id, 'Group dining', 'Seasonal set menu for groups' from seed_menus;
select pg_temp.progress('app.menus');

insert into app.menu_items (organization_id, menu_id, name, course, price_minor, sort_order)
select m.organization_id, m.id, format('Dish %s', i), (array['starter', 'main', 'dessert'])[1 + i % 3],
       1000 + (i * 731) % 4000, i
from seed_menus m, generate_series(1, 10) i;
select pg_temp.progress('app.menu_items');

insert into app.packages (organization_id, venue_id, menu_id, name, price_per_guest_minor, min_guests)
select m.organization_id, m.venue_id, m.id, p.name, p.price, p.min_guests
from seed_menus m,
  lateral (values ('Three courses', 6500, 8), ('Three courses with wine pairing', 9500, 8)) p(name, price, min_guests);
select pg_temp.progress('app.packages');

-- Contacts and inquiries --------------------------------------------------------------------------
-- Every inquiry is assigned its tenant first (skewed), so contacts can be sized per tenant:
-- about 0.7 contacts per inquiry, i.e. some guests come back.
create temp table seed_inquiries as
select i, 1 + floor(:n_orgs * random() ^ 3)::int as org_n
from generate_series(1, :n_inquiries) i;

create temp table seed_contact_counts as
select org_n, greatest(1, ceil(count(*) * 0.7))::int as n_contacts, count(*) as n_inquiries
from seed_inquiries group by org_n;

create temp table seed_contacts as
select c.org_n, k, o.id as organization_id, gen_random_uuid() as id
from seed_contact_counts c join seed_orgs o on o.n = c.org_n, generate_series(1, c.n_contacts) k;
create unique index on seed_contacts (org_n, k);

insert into app.contacts (id, organization_id, full_name, email, phone, created_at)
select c.id, c.organization_id, format('Guest %s-%s', c.org_n, c.k),
       format('guest%s.%s@example.com', c.org_n, c.k),
       case when c.k % 3 = 0 then format('+4477%s', lpad(((c.org_n * 100003 + c.k) % 100000000)::text, 8, '0')) end,
       now() - interval '2 years' + random() * interval '700 days'
from seed_contacts c;
select pg_temp.progress('app.contacts');

-- Status mix of a live pipeline: most old inquiries are settled, recent ones still open.
insert into app.inquiries (organization_id, venue_id, contact_id, status, source, guest_name, guest_email,
                           guest_phone, event_date, start_time, party_size, event_type, budget_minor, message,
                           first_response_at, status_changed_at, created_at)
select s.organization_id, v.id, c.id, s.status,
       (array['web_form', 'web_form', 'web_form', 'email', 'whatsapp', 'instagram', 'manual'])[1 + s.i % 7],
       format('Guest %s-%s', s.org_n, s.contact_k), format('guest%s.%s@example.com', s.org_n, s.contact_k), null,
       (s.created_at + (7 + s.i % 180) * interval '1 day')::date, time '19:00', 8 + s.i % 80,
       (array['birthday', 'corporate dinner', 'wedding reception', 'christmas party', 'launch'])[1 + s.i % 5],
       (50000 + (s.i * 7919) % 950000)::bigint,
       'We would like to book for our group. Could you send a proposal with menu options?',
       case when s.status <> 'new' then s.created_at + interval '3 hours' end,
       s.created_at + case when s.status <> 'new' then interval '3 hours' else interval '0' end,
       s.created_at
from (
    select i.i, i.org_n, o.id as organization_id,
           1 + (i.i * 7919) % cc.n_contacts as contact_k,
           1 + i.i % (case when i.org_n = 1 then 12 else 1 + i.org_n % 4 end) as venue_k,
           now() - (random() ^ 2) * interval '730 days' as created_at,
           (array['new', 'qualified', 'proposal_sent', 'won', 'won', 'lost', 'lost', 'spam'])[1 + floor(random() * 8)::int] as status
    from seed_inquiries i
        join seed_orgs o on o.n = i.org_n
        join seed_contact_counts cc on cc.org_n = i.org_n
) s
    join seed_venues v on v.org_n = s.org_n and v.k = s.venue_k
    join seed_contacts c on c.org_n = s.org_n and c.k = s.contact_k;
select pg_temp.progress('app.inquiries');
select pg_temp.progress('app.notifications');

--@@MESSAGING@@

-- Statistics --------------------------------------------------------------------------------------
analyze;
select pg_temp.progress('app.inquiries') || '  (after analyze)';
