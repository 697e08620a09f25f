-- Scale seed: a realistic volume for bench/sql/run.py and for reading query plans.
--
--   psql "$DATABASE_URL" -X -v ON_ERROR_STOP=1 -f scripts/seed-scale.sql [-v scale=0.1]
--
-- At scale 1: 1,000 organizations (each an owner, a manager and a staff member), ~2,500 venues with
-- spaces, menus and items, ~140,000 contacts, 200,000 inquiries (with their 200,000 in-app
-- notifications), ~125,000 proposals, ~50,000 bookings with ~100,000 payments and ~33,000
-- settlements, ~100,000 conversations and 2,000,000 messages. `-v scale=0.1` loads a tenth.
-- Run it once, on a freshly migrated database (it refuses a seeded one); it runs in one
-- transaction and takes a few minutes. Its shape is reproducible (setseed); uuids differ per run.
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
-- enqueued for history. Proposals, bookings, payments, settlements and messages are history and
-- are written with triggers off; the reason, and what is computed in their place, is at those steps.
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

do $$
begin
  if exists (select 1 from auth.users where email like '%@seed.banquet.test') then
    raise exception 'seed: this database already holds the scale seed'
      using hint = 'Load it into a freshly migrated database.';
  end if;
end $$;

-- One transaction: a failure part way leaves the database as it was.
begin;

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

-- Proposals, bookings, payments, settlements ------------------------------------------------------
-- The reports and dashboards read these, so they get history too: one proposal for every inquiry
-- that reached proposal_sent, won or lost (sent, accepted, declined), a booking with its deposit
-- and balance for every won one, a settlement for every booking already held.
--
-- These rows are history, written as their triggers would have left them, so they are inserted
-- with `session_replication_role = replica`, which skips triggers in this session only (and,
-- with them, foreign-key checks: every reference here is built by joining its parent, and the
-- organization id always comes from that parent). Firing the triggers instead would replay the
-- workflow, not record it: proposal items cannot be added to a sent proposal, an accepted proposal
-- would book again, every sent proposal would email the guest. Unique and exclusion constraints
-- (one live booking per space and time) are still enforced.
set session_replication_role = replica;

create temp table seed_proposals as
select gen_random_uuid() as id, i.id as inquiry_id, i.organization_id, i.venue_id, i.contact_id,
       i.status as inquiry_status, i.party_size, i.created_at, i.event_date,
       v.currency, v.service_charge_bps, v.tax_bps, v.deposit_bps,
       (select s.id from app.spaces s where s.venue_id = i.venue_id order by s.max_guests limit 1) as space_id,
       6500::bigint * i.party_size as subtotal_minor
from app.inquiries i join app.venues v on v.id = i.venue_id
where i.status in ('proposal_sent', 'won', 'lost')
    and i.organization_id in (select id from seed_orgs);  -- not the demo seed's, if it is loaded

insert into app.proposals (id, organization_id, venue_id, inquiry_id, space_id, version, status, title, guest_count,
                           starts_at, ends_at, currency, service_charge_bps, tax_bps, deposit_bps,
                           subtotal_minor, service_charge_minor, tax_minor, total_minor, deposit_minor,
                           public_token, sent_at, viewed_at, decided_at, expires_at, created_at, updated_at)
select p.id, p.organization_id, p.venue_id, p.inquiry_id, p.space_id, 1,
       case p.inquiry_status when 'won' then 'accepted' when 'lost' then 'declined' else 'sent' end,
       'Group dining proposal', p.party_size,
       p.event_date + time '19:00', p.event_date + time '23:00', p.currency,
       p.service_charge_bps, p.tax_bps, p.deposit_bps,
       p.subtotal_minor, t.service, t.tax, t.total, t.total * p.deposit_bps / 10000,
       md5(p.id::text || 'seed'), p.created_at + interval '3 hours', p.created_at + interval '1 day',
       case when p.inquiry_status in ('won', 'lost') then p.created_at + interval '3 days' end,
       p.created_at + interval '14 days', p.created_at + interval '2 hours', p.created_at + interval '3 days'
from seed_proposals p,
  lateral (select p.subtotal_minor * p.service_charge_bps / 10000 as service) s,
  lateral (select s.service, (p.subtotal_minor + s.service) * p.tax_bps / 10000 as tax,
                  p.subtotal_minor + s.service + (p.subtotal_minor + s.service) * p.tax_bps / 10000 as total) t;
select pg_temp.progress('app.proposals');

insert into app.proposal_items (organization_id, proposal_id, kind, description, quantity, base_unit_price_minor,
                                unit_price_minor, sort_order, created_at)
select p.organization_id, p.id, 'package', 'Three courses', p.party_size, 6500, 6500, 1, p.created_at + interval '2 hours'
from seed_proposals p;
select pg_temp.progress('app.proposal_items');

-- Several won inquiries can want one space on one evening; the n-th takes the n-th 5-hour slot from
-- 11:00 (at most five), so the no-double-booking constraint holds.
create temp table seed_bookings as
select gen_random_uuid() as booking_id, p.*, pr.total_minor,
       p.event_date + time '11:00' + (row_number() over (partition by p.space_id, p.event_date order by p.inquiry_id) - 1) * interval '5 hours' as starts_at
from seed_proposals p join app.proposals pr on pr.id = p.id
where p.inquiry_status = 'won';
delete from seed_bookings where starts_at >= event_date + interval '1 day' + time '07:00';

insert into app.bookings (id, organization_id, venue_id, space_id, inquiry_id, proposal_id, contact_id, status,
                          starts_at, ends_at, guest_count, guaranteed_count, currency, total_minor,
                          confirmed_at, completed_at, created_at)
select b.booking_id, b.organization_id, b.venue_id, b.space_id, b.inquiry_id, b.id, b.contact_id,
       case when b.starts_at < now() then 'completed' else 'confirmed' end,
       b.starts_at, b.starts_at + interval '4 hours', b.party_size, b.party_size, b.currency, b.total_minor,
       b.created_at + interval '4 days', case when b.starts_at < now() then b.starts_at + interval '1 day' end,
       b.created_at + interval '3 days'
from seed_bookings b;
select pg_temp.progress('app.bookings');

insert into app.payments (organization_id, booking_id, kind, status, amount_minor, currency, due_at, paid_at, method, created_at)
select b.organization_id, b.id, x.kind, x.status, x.amount, b.currency, x.due_at, x.paid_at,
       case when x.status = 'paid' then 'card' end, b.created_at
from app.bookings b join seed_bookings sb on sb.booking_id = b.id,
  lateral (select greatest(1, b.total_minor * 3000 / 10000) as deposit) d,
  lateral (values
    ('deposit', 'paid', d.deposit, b.created_at + interval '4 days', b.created_at + interval '4 days'),
    ('balance', case when b.status = 'completed' then 'paid' else 'scheduled' end, greatest(1, b.total_minor - d.deposit),
     b.starts_at - interval '7 days', case when b.status = 'completed' then b.starts_at - interval '7 days' end)
  ) x(kind, status, amount, due_at, paid_at);
select pg_temp.progress('app.payments');

insert into app.settlements (organization_id, booking_id, currency, gross_minor, commission_bps, commission_minor, net_minor, status, created_at)
select b.organization_id, b.id, b.currency, b.total_minor, 500, b.total_minor * 500 / 10000,
       b.total_minor - b.total_minor * 500 / 10000, 'paid_out', b.completed_at
from app.bookings b join seed_bookings sb on sb.booking_id = b.id
where b.status = 'completed';
select pg_temp.progress('app.settlements');

-- Conversations and messages ----------------------------------------------------------------------
-- Each organization has a WhatsApp number, an Instagram account and an email sender; 7 in 10 of its
-- contacts have a conversation on one of them.
insert into app.channel_accounts (organization_id, channel, external_id, display_name)
select o.id, c.channel, format('seed-%s-%s', c.channel, o.n), format('Seed %s %s', o.n, c.channel)
from seed_orgs o, unnest(array['whatsapp', 'instagram', 'email']) c(channel);
select pg_temp.progress('app.channel_accounts');

create temp table seed_conversations as
select row_number() over (order by c.org_n, c.k) as n, gen_random_uuid() as id, c.organization_id, c.id as contact_id,
       (array['whatsapp', 'instagram', 'email'])[1 + c.k % 3] as channel, ct.created_at
from seed_contacts c join app.contacts ct on ct.id = c.id
where c.k % 10 < 7;
create unique index on seed_conversations (n);

insert into app.conversations (id, organization_id, channel_account_id, contact_id, channel, status, created_at)
select s.id, s.organization_id, a.id, s.contact_id, s.channel, 'open', s.created_at
from seed_conversations s join app.channel_accounts a on a.organization_id = s.organization_id and a.channel = s.channel;
select pg_temp.progress('app.conversations');

-- Messages carry the same trigger caveat as the commerce history above, and more: an inbound
-- message runs keyword automation and enqueues an LLM classification, an outbound one enqueues a
-- provider send and must fall inside the 24-hour window *now*. Replaying 2,000,000 of them would
-- enqueue a million jobs for conversations that ended long ago. So they are inserted with triggers
-- off (still in replica mode) and the conversation state those triggers maintain
-- (last_message_at, last_inbound_at, window_expires_at, unread_count) is computed from them below.
insert into app.messages (organization_id, conversation_id, direction, kind, body, status, provider_message_id,
                          status_changed_at, created_at)
select c.organization_id, c.id, m.direction, 'text',
       case m.direction when 'in' then 'Hi, is the private dining room free for 12 people next month?'
                        else 'Thanks for your message! Yes, it is. Shall I send you a proposal?' end,
       case when m.direction = 'in' then 'received'
            else (array['read', 'read', 'delivered', 'sent', 'failed'])[1 + m.i % 5] end,
       format('seed.%s.%s', c.channel, m.i), m.created_at, m.created_at
from (
    select i, 1 + floor(random() * (select count(*) from seed_conversations))::bigint as conv_n,
           case when random() < 0.55 then 'in' else 'out' end as direction, random() as at
    from generate_series(1, :n_messages) i
) r
    join seed_conversations c on c.n = r.conv_n,
    lateral (select r.i, r.direction, c.created_at + r.at * (now() - c.created_at) as created_at) m;
select pg_temp.progress('app.messages');

set session_replication_role = origin;

update app.conversations c set
    last_message_at = s.last_message_at,
    last_inbound_at = s.last_inbound_at,
    window_expires_at = s.last_inbound_at + interval '24 hours',
    unread_count = s.unread,
    status = case when s.last_message_at < now() - interval '30 days' then 'closed' else 'open' end
from (
    select m.conversation_id, max(m.created_at) as last_message_at,
           max(m.created_at) filter (where m.direction = 'in') as last_inbound_at,
           count(*) filter (where m.direction = 'in' and m.created_at > coalesce(lo.last_out, '-infinity')) as unread
    from app.messages m
        join seed_conversations sc on sc.id = m.conversation_id
        left join (select conversation_id, max(created_at) as last_out from app.messages
                   where direction = 'out' group by conversation_id) lo using (conversation_id)
    group by m.conversation_id, lo.last_out
) s
where s.conversation_id = c.id;
select pg_temp.progress('app.conversations') || '  (state from messages)';

commit;

-- Statistics --------------------------------------------------------------------------------------
analyze;
select pg_temp.progress('app.inquiries') || '  (after analyze)';
