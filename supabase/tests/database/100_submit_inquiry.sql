-- The first slice: a guest submits an inquiry (anon), the venue is notified by email through the
-- bridge, and the daemon's write-back marks the notification sent (or failed).
begin;
select plan(33);

insert into app.organizations (id, name) values ('00000000-0000-0000-0000-0000000000a1', 'Slice Org');
insert into app.venues (id, organization_id, name, timezone, notification_email) values
  ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'Harbour Room', 'Pacific/Kiritimati', 'events@harbour.test'),
  ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a1', 'Quiet Room', 'UTC', null);

-- Happy path, as anon, with the gateway's request headers.
select tests.act_as_anon();
select set_config('request.headers', '{"x-forwarded-for": "203.0.113.7, 10.0.0.1"}', true);

select lives_ok($$
  select set_config('test.inquiry_id', public.submit_inquiry(
    p_venue_id => '00000000-0000-0000-0000-0000000000b1', p_name => 'Ada Lovelace',
    p_email => '  Ada@Example.COM ', p_phone => '+44 (20) 7946-0958',
    p_event_date => current_date + 30, p_party_size => 40, p_message => 'Birthday dinner')::text, true)
$$, 'anon can submit an inquiry');
select throws_ok($$ select * from app.inquiries $$, '42501', null, 'anon cannot read inquiries directly');
select tests.reset_role();

select is((select count(*)::int from app.inquiries), 1, 'one inquiry stored');
select is((select guest_email from app.inquiries), 'ada@example.com', 'guest email normalized');
select is((select guest_phone from app.inquiries), '+442079460958', 'guest phone normalized to E.164');
select is((select host(source_ip) from app.inquiries), '203.0.113.7', 'client IP taken from the first x-forwarded-for hop');
select is((select status from app.inquiries), 'new', 'a new inquiry starts as new');
select is((select c.email from app.contacts c join app.inquiries i on i.contact_id = c.id), 'ada@example.com', 'a contact was created and linked');
select is((select count(*)::int from app.notifications where entity_id = current_setting('test.inquiry_id')::uuid and channel = 'email' and status = 'pending'),
  1, 'the venue got a pending email notification');

select is(
  (select payload - 'notification_id' - 'data' from bridge.jobs where kind = 'email.send'),
  jsonb_build_object('to', 'events@harbour.test', 'reply_to', 'ada@example.com', 'template', 'notification', 'template_version', 1),
  'an email.send job was enqueued to the venue, rendered from the notification template'
);
select is((select payload -> 'data' ->> 'title' from bridge.jobs where kind = 'email.send'),
  format('New inquiry: Ada Lovelace, 40 guests on %s', to_char(current_date + 30, 'YYYY-MM-DD')), 'its title is the subject');
select is((select (payload ->> 'notification_id')::uuid from bridge.jobs where kind = 'email.send'),
  (select id from app.notifications), 'the job payload names the notification');
select matches((select payload -> 'data' ->> 'body' from bridge.jobs where kind = 'email.send'), 'Guests: 40', 'the email body lists the party size');

-- A second inquiry from the same guest reuses the contact.
select lives_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'Ada L.', p_email => 'ada@example.com',
  p_event_date => current_date + 60, p_party_size => 12) $$, 'a repeat guest can submit again');
select is((select count(*)::int from app.contacts), 1, 'the existing contact was matched, not duplicated');

-- A venue without a notification email gets an in-app notification and no email job.
select lives_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b2', 'Bob', p_phone => '0044 7700 900123',
  p_event_date => current_date, p_party_size => 2) $$, 'today counts as a valid event date');
select is((select channel from app.notifications where venue_id = '00000000-0000-0000-0000-0000000000b2'), 'in_app', 'no email address: in-app only');
select is((select count(*)::int from bridge.jobs where kind = 'email.send'), 2, 'no email job for a venue without an address');

-- Write-back through the bridge: claim as the daemon, complete with a provider result.
select tests.act_as_service();
select is(
  (select bridge.complete(c.id, c.lease_token, '{"provider_message_id": "msg-1", "transport": "mailbox"}')
   from bridge.claim('test-worker', array['email'], 1) c),
  true, 'the daemon completes the email job');
select tests.reset_role();
select is((select count(*)::int from app.notifications where status = 'sent' and provider_message_id = 'msg-1' and transport = 'mailbox' and sent_at is not null),
  1, 'the write-back marked the notification sent');

select lives_ok($$ select app.email_send_failed(0, jsonb_build_object('notification_id', (select id from app.notifications where status = 'pending' and channel = 'email')), 'SMTP 550 mailbox unavailable') $$,
  'the on-failure handler runs');
select is((select error from app.notifications where status = 'failed'), 'SMTP 550 mailbox unavailable', 'the on-failure handler marked the notification failed');

-- Bad input: each has its own SQLSTATE and writes nothing.
select tests.act_as_anon();
select throws_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'X', p_event_date => current_date + 1, p_party_size => 2) $$,
  'BQ101', null, 'neither email nor phone: BQ101');
select throws_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'X', 'x@example.com', p_event_date => current_date + 1, p_party_size => 0) $$,
  'BQ102', null, 'party size < 1: BQ102');
-- Kiritimati is UTC+14: its "today" is ahead of UTC, so UTC yesterday is always in the past there.
select throws_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'X', 'x@example.com', p_event_date => (now() at time zone 'Pacific/Kiritimati')::date - 1, p_party_size => 2) $$,
  'BQ103', null, 'event date before today in the venue time zone: BQ103');
select throws_ok($$ select public.submit_inquiry(gen_random_uuid(), 'X', 'x@example.com', p_event_date => current_date + 1, p_party_size => 2) $$,
  'BQ104', null, 'unknown venue: BQ104');
select throws_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', ' ', 'x@example.com', p_event_date => current_date + 1, p_party_size => 2) $$,
  'BQ100', null, 'blank name: BQ100');
select throws_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'X', 'not-an-email', p_event_date => current_date + 1, p_party_size => 2) $$,
  'BQ106', null, 'malformed email: BQ106');
select throws_ok($$ select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'X', p_phone => '020 7946 0958', p_event_date => current_date + 1, p_party_size => 2) $$,
  'BQ107', null, 'phone without country code: BQ107');

-- Honeypot: looks accepted, stores nothing.
select isnt(public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'Bot', 'bot@example.com', p_event_date => current_date + 1, p_party_size => 2, p_website => 'http://spam.test'),
  null, 'a filled honeypot still returns an id');
select tests.reset_role();
select is((select count(*)::int from app.inquiries), 3, 'failed and honeypot submissions stored nothing');

-- Rate limits: 5 per hour per email, 20 per hour per IP.
select tests.act_as_anon();
select throws_ok($$
  select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'Ada', 'ada@example.com', p_event_date => current_date + 1, p_party_size => 2)
  from generate_series(1, 4)
$$, 'BQ105', null, 'the sixth inquiry from one email within an hour: BQ105');
select set_config('request.headers', '{"cf-connecting-ip": "198.51.100.9"}', true);
select throws_ok($$
  select public.submit_inquiry('00000000-0000-0000-0000-0000000000b1', 'Guest', format('guest%s@example.com', n), p_event_date => current_date + 1, p_party_size => 2)
  from generate_series(1, 21) n
$$, 'BQ105', null, 'the 21st inquiry from one IP within an hour: BQ105');
select tests.reset_role();

select * from finish();
rollback;
