-- The read side of the API the frontend uses: venue catalogue, contacts, proposals, bookings and
-- the messaging settings; each scoped to the caller's organizations.
begin;
select plan(24);
select tests.fixture();
select set_config('test.p', app.new_proposal(tests.id('inquiry_a'), 'draft', tests.id('space_a'))::text, true);
insert into app.bookings (id, organization_id, venue_id, space_id, contact_id, starts_at, ends_at, guest_count, currency, total_minor)
select tests.id('booking_a'), tests.id('org_a'), tests.id('venue_a'), tests.id('space_a'), contact_id, now() + interval '5 days', now() + interval '5 days 4 hours', 20, 'GBP', 50000
from app.inquiries where id = tests.id('inquiry_a');
insert into app.payments (organization_id, booking_id, kind, amount_minor, currency, due_at) values (tests.id('org_a'), tests.id('booking_a'), 'deposit', 15000, 'GBP', now() + interval '1 day');
insert into app.message_templates (organization_id, channel, name, body) values (tests.id('org_a'), 'whatsapp', 'hello', 'Hello');
insert into app.automation_rules (organization_id, name, keywords, intent, reply_body) values (tests.id('org_a'), 'Hours', '{hours}', 'hours', 'Noon.');

select tests.act_as(tests.id('staff_a'));
select is(jsonb_array_length(public.get_venue_catalog(tests.id('venue_a')) -> 'spaces'), 2, 'the catalogue lists the venue''s spaces');
select is(jsonb_array_length(public.get_venue_catalog(tests.id('venue_a')) -> 'menus' -> 0 -> 'items'), 2, 'and each menu''s items');
select throws_ok(format($$ select public.get_venue_catalog(%L) $$, tests.id('venue_b')), 'BQ002', null, 'cross-tenant catalogue: BQ002');

select is((select count(*)::int from public.list_contacts(tests.id('org_a'))), 1, 'contacts of my organization');
select is((select inquiries from public.list_contacts(tests.id('org_a'), 'guest@')), 1::bigint, 'search by email, with the inquiry count');
select throws_ok(format($$ select * from public.list_contacts(%L, p_limit => 0) $$, tests.id('org_a')), 'BQ001', null, 'a bad limit: BQ001');
select throws_ok(format($$ select * from public.list_contacts(%L) $$, tests.id('org_b')), '42501', null, 'cross-tenant contacts: 42501');

select is((select count(*)::int from public.list_proposals(tests.id('inquiry_a'))), 1, 'the inquiry''s proposal versions');
select throws_ok(format($$ select * from public.list_proposals(%L) $$, tests.id('inquiry_b')), 'BQ002', null, 'cross-tenant proposals: BQ002');
select is(jsonb_array_length(public.get_proposal(current_setting('test.p')::uuid) -> 'items'), 1, 'a proposal with its items (the room fee)');
select throws_ok($$ select public.get_proposal(gen_random_uuid()) $$, 'BQ002', null, 'an unknown proposal: BQ002');

select is((select count(*)::int from public.list_bookings(tests.id('org_a'), now(), now() + interval '30 days')), 1, 'the booking calendar');
select is((select count(*)::int from public.list_bookings(tests.id('org_a'), now(), now() + interval '30 days', p_status => '{confirmed}')), 0, 'filtered by status');
select throws_ok(format($$ select * from public.list_bookings(%L, now(), now() - interval '1 day') $$, tests.id('org_a')), 'BQ001', null, 'a backwards window: BQ001');
select throws_ok(format($$ select * from public.list_bookings(%L, now(), now() + interval '2 years') $$, tests.id('org_a')), 'BQ001', null, 'a window over 400 days: BQ001');
select is(jsonb_array_length(public.get_booking(tests.id('booking_a')) -> 'payments'), 1, 'a booking with its payment schedule');
select tests.act_as(tests.id('owner_b'));
select throws_ok(format($$ select public.get_booking(%L) $$, tests.id('booking_a')), 'BQ002', null, 'cross-tenant booking: BQ002');

select tests.act_as(tests.id('manager_a'));
select is((select count(*)::int from public.list_channel_accounts(tests.id('org_a'))), 1, 'channel accounts');
select is((select count(*)::int from public.list_message_templates(tests.id('org_a'), 'whatsapp')), 1, 'templates by channel');
select is((select count(*)::int from public.list_message_templates(tests.id('org_a'), 'email')), 0, 'none for email');
select is((select count(*)::int from public.list_automation_rules(tests.id('org_a'))), 1, 'automation rules');
select tests.act_as(tests.id('owner_b'));
select is((select count(*)::int from public.list_channel_accounts(tests.id('org_a'))), 0, 'cross-tenant channel accounts: none');
select is((select count(*)::int from public.list_message_templates(tests.id('org_a'))), 0, 'cross-tenant templates: none');
select is((select count(*)::int from public.list_automation_rules(tests.id('org_a'))), 0, 'cross-tenant rules: none');

select * from finish();
rollback;
