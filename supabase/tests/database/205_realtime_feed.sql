-- Realtime: the change feed the gateway's postgres_changes reads (written by triggers in the
-- writing transaction with the row image, no client access, pruned with a watermark), and the
-- realtime.messages policies that authorize private channels.
begin;
select plan(25);
select tests.fixture();

-- The feed -------------------------------------------------------------------------------------
select set_config('test.feed_start', coalesce((select max(id) from changefeed.changes), 0)::text, true);

insert into app.bookings (id, organization_id, venue_id, space_id, starts_at, ends_at, guest_count, currency)
values (tests.id('booking_rt'), tests.id('org_a'), tests.id('venue_a'), tests.id('space_a'), now() + interval '9 days', now() + interval '9 days 3 hours', 20, 'GBP');
select results_eq(
  $$ select table_name, op, organization_id, record_id, user_id from changefeed.changes
     where id > current_setting('test.feed_start')::bigint and table_name = 'bookings' order by id $$,
  $$ values ('bookings', 'INSERT', tests.id('org_a'), tests.id('booking_rt'), null::uuid) $$,
  'a new booking writes one feed row: table, operation, organization and id');
select is((select (record ->> 'guest_count')::int from changefeed.changes where record_id = tests.id('booking_rt') and op = 'INSERT'), 20,
  'the insert carries the new row''s image');

update app.bookings set guest_count = 25 where id = tests.id('booking_rt');
select is((select op from changefeed.changes where record_id = tests.id('booking_rt') order by id desc limit 1), 'UPDATE', 'an update is captured');
-- A second update before anything is delivered: each change keeps the state it left.
set local timezone = 'America/New_York';
update app.bookings set guest_count = 30 where id = tests.id('booking_rt');
reset timezone;
select results_eq(
  $$ select (record ->> 'guest_count')::int from changefeed.changes where record_id = tests.id('booking_rt') and op = 'UPDATE' order by id $$,
  $$ values (25), (30) $$,
  'two quick updates keep two images, each the row as its change left it');
select matches((select record ->> 'starts_at' from changefeed.changes where record_id = tests.id('booking_rt') order by id desc limit 1),
  '\+00:00$', 'the image''s timestamps are in UTC whatever the writer''s TimeZone');
delete from app.bookings where id = tests.id('booking_rt');
select is((select op from changefeed.changes where record_id = tests.id('booking_rt') order by id desc limit 1), 'DELETE', 'a delete is captured with the deleted row''s id');
select is((select record from changefeed.changes where record_id = tests.id('booking_rt') order by id desc limit 1), null::jsonb,
  'a delete carries no image (the primary key is all a subscriber gets)');

insert into app.notifications (id, organization_id, user_id, kind, title) values (tests.id('note_rt'), tests.id('org_a'), tests.id('staff_a'), 'test', 'For staff A');
select is((select user_id from changefeed.changes where record_id = tests.id('note_rt')), tests.id('staff_a'), 'a notification carries the user it is meant for');
insert into app.notifications (id, organization_id, kind, title) values (tests.id('note_rt_all'), tests.id('org_a'), 'test', 'For everyone');
select is((select user_id from changefeed.changes where record_id = tests.id('note_rt_all')), null::uuid, 'an organization-wide notification carries none');

update app.memberships set role = 'manager' where organization_id = tests.id('org_a') and user_id = tests.id('staff_a');
select results_eq(
  $$ select organization_id, user_id from changefeed.changes where table_name = 'memberships' and id > current_setting('test.feed_start')::bigint $$,
  $$ values (tests.id('org_a'), tests.id('staff_a')) $$,
  'a role change is captured for the member, so the daemon re-reads their organizations');

select is((select count(*)::int from pg_trigger where tgname = '_900_capture_realtime_change' and not tgisinternal), 8,
  'the seven watched tables and memberships have the capture trigger');
select is((select count(*)::int from pg_trigger where tgname = '_910_notify_realtime' and not tgisinternal and (tgtype & 1) = 0), 8,
  'and a statement-level NOTIFY trigger');

-- No client reads the feed.
select tests.act_as(tests.id('owner_a'));
select throws_ok($$ select count(*) from changefeed.changes $$, '42501', null, 'authenticated cannot read the feed');
select tests.act_as_anon();
select throws_ok($$ select count(*) from changefeed.changes $$, '42501', null, 'anon cannot read the feed');
select tests.reset_role();
select ok((select relrowsecurity from pg_class where oid = 'changefeed.changes'::regclass), 'the feed has RLS on');

-- Pruning keeps a watermark.
update changefeed.changes set changed_at = now() - interval '2 hours' where record_id = tests.id('note_rt');
select set_config('test.old_id', (select id from changefeed.changes where record_id = tests.id('note_rt'))::text, true);
select tests.act_as_service();
select cmp_ok(changefeed.prune_changes(interval '1 hour'), '>=', 1, 'prune_changes deletes rows older than the retention');
select tests.reset_role();
select is((select count(*)::int from changefeed.changes where record_id = tests.id('note_rt')), 0, 'the old row is gone');
select cmp_ok((select pruned_through from changefeed.state), '>=', current_setting('test.old_id')::bigint, 'pruned_through records the newest id pruned');
select throws_ok($$ select changefeed.prune_changes(interval '1 second') $$, 'BQ001', null, 'a retention under a minute is refused');

-- Private channels ------------------------------------------------------------------------------
select is(app.channel_organization_id('org:' || tests.id('org_a') || ':chat'), tests.id('org_a'), 'org:<uuid>:… belongs to that organization');
select is(app.channel_organization_id('org:not-a-uuid:chat'), null::uuid, 'any other topic belongs to none');

insert into realtime.messages (id, topic, extension, private) values (tests.id('probe_a'), 'org:' || tests.id('org_a') || ':chat', 'broadcast', true);
select set_config('realtime.topic', 'org:' || tests.id('org_a') || ':chat', true);
select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from realtime.messages where id = tests.id('probe_a')), 1, 'a member may receive on her organization''s channel');
select lives_ok(format($$ insert into realtime.messages (topic, extension) values (%L, 'broadcast') $$, 'org:' || tests.id('org_a') || ':chat'),
  'and send to it');
select tests.act_as(tests.id('staff_b'));
select is((select count(*)::int from realtime.messages where id = tests.id('probe_a')), 0, 'another organization''s member may not');
select throws_ok(format($$ insert into realtime.messages (topic, extension) values (%L, 'broadcast') $$, 'org:' || tests.id('org_a') || ':chat'),
  '42501', null, 'nor send to it');

select * from finish();
rollback;
