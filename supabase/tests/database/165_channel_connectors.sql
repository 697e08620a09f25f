-- Channel connectors' SQL: failure texts carrying WhatsApp 131047 (template suggested, notified
-- once) and 190 (account flagged), Instagram comment-to-DM (once per commenter per post), payment
-- checkout (enqueued when due, URL written back and emailed), FX sync by days (first rates enqueue
-- the backfill, stale rates notify), email events, the venue's calendar feed and form origins.
begin;
select plan(27);
select tests.fixture();
insert into app.message_templates (organization_id, channel, name, body) values (tests.id('org_a'), 'whatsapp', 'follow_up', 'Hi {{1}}');

-- WhatsApp failures
select tests.act_as_service();
select public.receive_message('whatsapp', 'wa-a', '447700900001', 'hello', 'wamid.in.1');
select tests.reset_role();
insert into app.messages (id, organization_id, conversation_id, direction, body, status)
select tests.id('out_1'), organization_id, conversation_id, 'out', 'hi', 'queued' from app.messages where provider_message_id = 'wamid.in.1';
select tests.act_as_service();
select public.record_message_status(tests.id('out_1'), 'wamid.out.1', 'sent');
select lives_ok($$ select public.record_message_status(null, 'wamid.out.1', 'failed', 'WhatsApp error 131047: Re-engagement message: more than 24 hours') $$, 'a late 131047 status');
select lives_ok($$ select public.record_message_status(tests.id('out_1'), null, 'failed', 'WhatsApp error 131047: Re-engagement message') $$, 'the same failure from the job''s on-failure handler');
select tests.reset_role();
select is((select status from app.messages where id = tests.id('out_1')), 'failed', 'the message failed');
select is((select count(*)::int from app.notifications where kind = 'message.window_closed'), 1, 'staff are notified once');
select matches((select body from app.notifications where kind = 'message.window_closed'), 'Send an approved template instead: follow_up \(en\)', 'the notification names the approved template');
select is(app.channel_error_code('Instagram error 10: outside of allowed window'), 10, 'the code is read from a failure text');
select is(app.channel_error_code('SMTP server rejected'), null, 'no code in other texts');
select tests.act_as_service();
select lives_ok($$ select app.channel_send_failed(1, jsonb_build_object('account', 'wa-a', 'proposal_id', gen_random_uuid()), 'WhatsApp error 190: Session has expired') $$, 'a proposal send refused for the token');
select tests.reset_role();
select matches((select attention from app.channel_accounts where id = tests.id('wa_a')), 'access token', 'the account is flagged');

-- Instagram comment-to-DM
insert into app.channel_accounts (id, organization_id, channel, external_id) values (tests.id('ig_a'), tests.id('org_a'), 'instagram', 'ig-a');
insert into app.automation_rules (organization_id, name, channel, keywords, intent, reply_body) values (tests.id('org_a'), 'Price', 'instagram', '{price}', 'pricing', 'See DMs');
select tests.act_as_service();
select is(public.receive_instagram_comment('ig-a', 'c1', 'post1', 'user1', 'PRICE?') ->> 'replied', 'true', 'a keyword comment is answered');
select is(public.receive_instagram_comment('ig-a', 'c2', 'post1', 'user1', 'price please') ->> 'reason', 'already answered on this post', 'once per commenter per post');
select is(public.receive_instagram_comment('ig-a', 'c3', 'post2', 'user1', 'price') ->> 'reason', 'no rule matched', 'the rule''s cooldown holds across posts');
select is(public.receive_instagram_comment('ig-a', 'c4', 'post1', 'user2', 'nice') ->> 'reason', 'no rule matched', 'no keyword, no reply');
select throws_ok($$ select public.receive_instagram_comment('ig-unknown', 'c5', 'p', 'u', 'price') $$, 'BQ503', null, 'an unknown account: BQ503');
select tests.reset_role();
select is((select count(*)::int from bridge.jobs where kind = 'instagram.send' and payload ->> 'comment_id' = 'c1'), 1, 'one private reply is enqueued by comment id');

-- Payment checkout
select tests.act_as(tests.id('staff_a'));
select set_config('test.b1', public.hold_space(tests.id('space_a'), now() + interval '30 days', now() + interval '30 days 4 hours', 20, tests.id('inquiry_a'))::text, true);
select tests.reset_role();
insert into app.payments (id, organization_id, booking_id, kind, amount_minor, currency, due_at)
values (tests.id('pay_1'), tests.id('org_a'), current_setting('test.b1')::uuid, 'deposit', 30000, 'GBP', now() + interval '7 days');
select is((select (payload ->> 'amount_minor')::bigint from bridge.jobs where kind = 'payment.checkout' and payload ->> 'payment_id' = tests.id('pay_1')::text), 30000::bigint, 'a scheduled deposit enqueues its checkout');
select app.payment_checkout_writeback(1, jsonb_build_object('payment_id', tests.id('pay_1'), 'email', 'guest@example.com', 'description', 'Deposit — Venue A'),
  '{"session_id": "cs_1", "url": "https://pay.test/cs_1", "expires_at": 1900000000}');
select is((select checkout_url from app.payments where id = tests.id('pay_1')), 'https://pay.test/cs_1', 'the write-back stores the URL');
select is((select payload -> 'data' ->> 'pay_url' from bridge.jobs where kind = 'email.send' and dedupe_key = 'checkout-email:' || tests.id('pay_1')), 'https://pay.test/cs_1', 'and emails it to the guest');

-- FX sync by days
delete from app.fx_rates;
select app.fx_sync_writeback(1, '{"source": "ECB"}', jsonb_build_object('source', 'ECB', 'days', jsonb_build_array(
  jsonb_build_object('as_of', current_date - 1, 'rates', '{"GBP": 0.86}'::jsonb), jsonb_build_object('as_of', current_date - 2, 'rates', '{"GBP": 0.87}'::jsonb))));
select is((select count(*)::int from app.fx_rates), 2, 'every day is stored');
select is((select count(*)::int from bridge.jobs where kind = 'fx.sync' and payload ->> 'history' = '90d'), 1, 'the first rates enqueue the 90-day backfill');
select tests.act_as(tests.id('staff_a'));
select public.create_proposal(tests.id('inquiry_a'), p_currency => 'EUR');
select tests.reset_role();
select app.fx_sync_writeback(2, '{"source": "ECB"}', '{"source": "ECB", "days": [], "stale": true, "newest": "2026-01-02"}');
select app.fx_sync_writeback(3, '{"source": "ECB"}', '{"source": "ECB", "days": [], "stale": true, "newest": "2026-01-02"}');
select is((select count(*)::int from app.notifications where kind = 'fx.stale' and organization_id = tests.id('org_a')), 1, 'stale rates notify an affected organization once a day');

-- Email events
insert into app.notifications (organization_id, kind, title, channel, email_to, status, sent_at, provider_message_id)
values (tests.id('org_a'), 'test', 'Hello', 'email', 'guest@example.com', 'sent', now(), 'em_1');
select tests.act_as_service();
select throws_ok($$ select public.record_email_event('em_1', 'opened', '{}') $$, 'BQ001', null, 'an event this function does not record: BQ001');
select ok(public.record_email_event('em_1', 'bounced', array['GUEST@example.com'], 'mailbox full') >= 2, 'a bounce touches the notification and the contact');
select tests.reset_role();
select is((select email_undeliverable_reason from app.contacts where organization_id = tests.id('org_a') and email = 'guest@example.com'), 'bounced: mailbox full', 'the address is undeliverable');

-- The venue's web entry points
select tests.act_as(tests.id('staff_a'));
select throws_ok(format($$ select public.set_venue_web_settings(%L, '{https://a.test}') $$, tests.id('venue_a')), '42501', null, 'staff cannot change web settings');
select tests.act_as(tests.id('manager_a'));
select throws_ok(format($$ select public.set_venue_web_settings(%L, '{https://a.test/path}') $$, tests.id('venue_a')), 'BQ001', null, 'an origin with a path: BQ001');
select set_config('test.token', public.set_venue_web_settings(tests.id('venue_a'), '{https://a.test}'), true);
select tests.act_as_service();
select is((select count(*)::int from public.venue_calendar(current_setting('test.token')) where booking_id is not null), 1, 'the feed lists the venue''s booking');
select tests.reset_role();

select * from finish();
rollback;
