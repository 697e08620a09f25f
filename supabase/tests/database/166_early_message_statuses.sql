-- Delivery statuses that overtake their send's write-back (migration 20261129012100): held by
-- public.record_webhook_message_status, applied by app.channel_send_writeback, never lost.
begin;
select plan(14);
select tests.fixture();

select tests.act_as_service();
select public.receive_message('whatsapp', 'wa-a', '447700900001', 'hello', 'wamid.in.early');
select tests.reset_role();
insert into app.messages (id, organization_id, conversation_id, direction, body, status)
select tests.id('early_out'), organization_id, conversation_id, 'out', 'hi', 'queued' from app.messages where provider_message_id = 'wamid.in.early';
-- The webhook stored its events first (as the edge function does), then they were held.
insert into app.webhook_events (provider, event_id, payload, status, error) values
  ('whatsapp', 'wamid.early:delivered', '{}', 'ignored', 'no outbound message wamid.early yet: held for its send''s write-back'),
  ('whatsapp', 'wamid.early:read', '{}', 'ignored', 'no outbound message wamid.early yet: held for its send''s write-back');

select tests.act_as_service();
select is(public.record_webhook_message_status('whatsapp', 'wamid.early', 'read'), 'held', 'a status for an unknown wamid is held');
select is(public.record_webhook_message_status('whatsapp', 'wamid.early', 'delivered'), 'held', 'and so is an earlier status that came later');
select is(public.record_webhook_message_status('whatsapp', 'wamid.early', 'read'), 'held', 'holding the same status again is harmless');
select tests.reset_role();
select is((select count(*)::int from app.held_message_statuses where provider_message_id = 'wamid.early'), 2, 'two held, once each');
select is((select status from app.messages where id = tests.id('early_out')), 'queued', 'the message itself is untouched');

select tests.act_as_service();
select lives_ok($$ select app.channel_send_writeback(1, jsonb_build_object('message_id', tests.id('early_out')), '{"provider_message_id": "wamid.early"}') $$,
  'the send''s write-back arrives');
select tests.reset_role();
select is((select status from app.messages where id = tests.id('early_out')), 'read', 'the held read status is applied, not lost behind sent');
select is((select provider_message_id from app.messages where id = tests.id('early_out')), 'wamid.early', 'the wamid is recorded');
select is((select count(*)::int from app.held_message_statuses where provider_message_id = 'wamid.early'), 0, 'nothing stays held');
select results_eq($$ select status, error from app.webhook_events where event_id like 'wamid.early:%' order by event_id $$,
  $$ values ('processed', null::text), ('processed', null::text) $$, 'the held webhook events are marked processed');

-- Once the message is known, a status applies at once; a held failure still notifies staff.
select tests.act_as_service();
select is(public.record_webhook_message_status('whatsapp', 'wamid.early', 'delivered'), 'applied', 'a known wamid''s status applies');
select tests.reset_role();
select is((select status from app.messages where id = tests.id('early_out')), 'read', 'and only moves forward');

select tests.act_as_service();
select throws_ok($$ select public.record_webhook_message_status('whatsapp', 'wamid.early', 'bounced') $$, 'BQ001', null, 'an unknown status is refused');
select tests.reset_role();
select tests.act_as(tests.id('owner_a'));
select throws_ok($$ select public.record_webhook_message_status('whatsapp', 'wamid.early', 'read') $$, '42501', null, 'members cannot record statuses');

select * from finish();
rollback;
