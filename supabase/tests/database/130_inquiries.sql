-- Inquiries after submission: contact normalization and matching, the state machine, listing
-- with filters and keyset pagination, assignment, notifications, and tenant isolation.
begin;
select plan(34);
select tests.fixture();

-- contacts normalize email and phone
insert into app.contacts (organization_id, full_name, email, phone) values (tests.id('org_a'), '  Zoe  ', '  Zoe@Example.COM ', '00 44 (0)20-7946 0000');
select is((select email from app.contacts where full_name = 'Zoe'), 'zoe@example.com', 'contact email is trimmed and lower-cased');
select throws_ok($$ insert into app.contacts (organization_id, phone) values (tests.id('org_a'), '07700 900123') $$, 'BQ107', null, 'a phone without country code: BQ107');
select throws_ok($$ insert into app.contacts (organization_id, email) values (tests.id('org_a'), 'zoe@') $$, 'BQ106', null, 'a malformed email: BQ106');
update app.contacts set phone = '+44 7700 900555' where full_name = 'Zoe';
select is((select phone from app.contacts where full_name = 'Zoe'), '+447700900555', 'updates are normalized too');

-- matching: by phone when the email differs; per organization
insert into app.inquiries (organization_id, venue_id, guest_name, guest_phone, event_date, party_size)
values (tests.id('org_a'), tests.id('venue_a'), 'Zoe again', '+447700900555', current_date + 3, 4);
select is((select count(*)::int from app.contacts where organization_id = tests.id('org_a') and phone = '+447700900555'), 1, 'an inquiry matches its contact by phone');
insert into app.inquiries (organization_id, venue_id, guest_name, guest_email, event_date, party_size)
values (tests.id('org_b'), tests.id('venue_b'), 'Zoe in B', 'zoe@example.com', current_date + 3, 4);
select is((select count(*)::int from app.contacts where email = 'zoe@example.com'), 2, 'contacts are per organization: B gets its own');

-- state machine
select tests.act_as(tests.id('staff_a'));
select throws_ok(format($$ select public.set_inquiry_status(%L, 'won') $$, tests.id('inquiry_a')), 'BQ003', null, 'new → won is not allowed: BQ003');
select throws_ok(format($$ select public.set_inquiry_status(%L, 'maybe') $$, tests.id('inquiry_a')), 'BQ001', null, 'an unknown status: BQ001');
select lives_ok(format($$ select public.set_inquiry_status(%L, 'qualified') $$, tests.id('inquiry_a')), 'new → qualified');
select isnt((select first_response_at from app.inquiries where id = tests.id('inquiry_a')), null, 'leaving new stamps the first response');
select lives_ok(format($$ select public.set_inquiry_status(%L, 'lost', 'Too expensive') $$, tests.id('inquiry_a')), 'qualified → lost');
select is((select lost_reason from app.inquiries where id = tests.id('inquiry_a')), 'Too expensive', 'the lost reason is kept');
select lives_ok(format($$ select public.set_inquiry_status(%L, 'qualified') $$, tests.id('inquiry_a')), 'lost → qualified (reopened)');
select throws_ok(format($$ select public.set_inquiry_status(%L, 'spam') $$, tests.id('inquiry_a')), 'BQ003', null, 'qualified → spam: BQ003');
select throws_ok(format($$ select public.set_inquiry_status(%L, 'qualified') $$, tests.id('inquiry_b')), 'BQ002', null, 'cross-tenant: B''s inquiry is not found');

-- assign
select lives_ok(format($$ select public.assign_inquiry(%L, %L) $$, tests.id('inquiry_a'), tests.id('manager_a')), 'assign to a colleague');
select is((select assigned_to from app.inquiries where id = tests.id('inquiry_a')), tests.id('manager_a'), 'assigned');
select throws_ok(format($$ select public.assign_inquiry(%L, %L) $$, tests.id('inquiry_a'), tests.id('owner_b')), 'BQ001', null, 'assigning to a non-member: BQ001');

-- get_inquiry
select is((public.get_inquiry(tests.id('inquiry_a')) -> 'contact' ->> 'email'), 'guest@example.com', 'get_inquiry includes the contact');
select throws_ok(format($$ select public.get_inquiry(%L) $$, tests.id('inquiry_b')), 'BQ002', null, 'cross-tenant get_inquiry: BQ002');

-- list_inquiries: filters and keyset pagination
select tests.reset_role();
insert into app.inquiries (organization_id, venue_id, guest_name, guest_email, event_date, party_size, created_at)
select tests.id('org_a'), tests.id('venue_a'), 'Page guest ' || n, 'page' || n || '@example.com', current_date + 10, 5, now() - make_interval(mins => n)
from generate_series(1, 5) n;
select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from public.list_inquiries(tests.id('org_a'))), 7, 'all of A''s inquiries are listed');
select is((select count(*)::int from public.list_inquiries(tests.id('org_a'), p_status => '{qualified}')), 1, 'status filter');
select is((select count(*)::int from public.list_inquiries(tests.id('org_a'), p_search => 'page')), 5, 'search filter');
select is((select array_agg(guest_name order by created_at desc) from public.list_inquiries(tests.id('org_a'), p_search => 'page', p_limit => 2)),
  array['Page guest 1', 'Page guest 2'], 'first page, newest first');
select is((select array_agg(guest_name order by created_at desc) from public.list_inquiries(tests.id('org_a'), p_search => 'page', p_limit => 2,
  p_after => (select id from app.inquiries where guest_name = 'Page guest 2'))),
  array['Page guest 3', 'Page guest 4'], 'the next page starts after the cursor');
select throws_ok(format($$ select * from public.list_inquiries(%L, p_limit => 0) $$, tests.id('org_a')), 'BQ001', null, 'a bad limit: BQ001');
select throws_ok(format($$ select * from public.list_inquiries(%L, p_after => %L) $$, tests.id('org_a'), tests.id('inquiry_b')), 'BQ002', null, 'a cursor from another tenant: BQ002');
select throws_ok(format($$ select * from public.list_inquiries(%L) $$, tests.id('org_b')), '42501', null, 'cross-tenant list: 42501');

-- notifications
select cmp_ok((select count(*)::int from public.list_notifications(tests.id('org_a'))), '>=', 7, 'members see their organization''s notifications');
select is((select count(*)::int from public.list_notifications(tests.id('org_b'))), 0, 'cross-tenant: none of B''s notifications');
select lives_ok($$ select public.mark_notification_read((select id from public.list_notifications() limit 1)) $$, 'mark a notification read');
select is((select count(*)::int from public.list_notifications(p_unread_only => true)), (select count(*)::int from public.list_notifications()) - 1, 'one fewer unread');
select throws_ok($$ select public.mark_notification_read(gen_random_uuid()) $$, 'BQ002', null, 'an unknown notification: BQ002');
select throws_ok($$ update app.notifications set title = 'x' $$, '42501', null, 'members may only change read_at');

select * from finish();
rollback;
