-- Messaging: inbound messages (contact and conversation found or created, idempotent), the
-- 24-hour window, keyword automation with cooldown before AI classification, outbound sends and
-- templates, delivery statuses, webhooks, templates and rules by role, tenant isolation.
begin;
select plan(43);
select tests.fixture();
insert into app.message_templates (id, organization_id, channel, name, body) values
  (tests.id('tpl_a'), tests.id('org_a'), 'whatsapp', 'follow_up', 'Hi {{1}}, any questions about {{2}}?'),
  (tests.id('tpl_pending'), tests.id('org_a'), 'whatsapp', 'promo', 'Promo');
update app.message_templates set approval_status = 'pending' where id = tests.id('tpl_pending');

-- rules (managers)
select tests.act_as(tests.id('staff_a'));
select throws_ok(format($$ select public.save_automation_rule(%L, 'Parking', '{parking}', 'parking', 'Park on Main St.') $$, tests.id('org_a')), '42501', null, 'staff cannot create rules');
select tests.act_as(tests.id('manager_a'));
select lives_ok(format($$ select set_config('test.rule', public.save_automation_rule(%L, 'Parking', '{Parking, car park}', 'parking', 'Park on Main St.', p_cooldown_minutes => 60)::text, true) $$, tests.id('org_a')), 'a manager creates a rule');
select is((select keywords from app.automation_rules where id = current_setting('test.rule')::uuid), array['parking', 'car park'], 'keywords are normalized');
select throws_ok(format($$ select public.save_automation_rule(%L, 'Empty', '{" "}', 'x', 'y') $$, tests.id('org_a')), 'BQ001', null, 'a blank keyword: BQ001');
select throws_ok(format($$ select public.save_automation_rule(%L, 'Theirs', '{x}', 'x', 'y') $$, tests.id('org_b')), '42501', null, 'cross-tenant rule: 42501');
select lives_ok(format($$ select set_config('test.tpl', public.save_message_template(%L, 'whatsapp', 'welcome', 'Welcome {{1}}!')::text, true) $$, tests.id('org_a')), 'a manager creates a template');
select throws_ok(format($$ select public.save_message_template(%L, 'whatsapp', 'Bad Name', 'x') $$, tests.id('org_a')), 'BQ001', null, 'a bad template name: BQ001');
select lives_ok($$ select public.delete_message_template(current_setting('test.tpl')::uuid) $$, 'a manager deletes a template');

-- inbound: automation first
select tests.act_as_service();
select lives_ok($$ select set_config('test.in1', public.receive_message('whatsapp', 'wa-a', '447700900001', 'Hi, is there PARKING nearby?', 'wamid.1', 'Guest A')::text, true) $$, 'the daemon delivers an inbound message');
select is(public.receive_message('whatsapp', 'wa-a', '447700900001', 'Hi, is there PARKING nearby?', 'wamid.1'), current_setting('test.in1')::uuid, 'a redelivered message is stored once');
select throws_ok($$ select public.receive_message('whatsapp', 'wa-unknown', '447700900001', 'hi', 'wamid.x') $$, 'BQ503', null, 'an unknown account: BQ503');
select tests.reset_role();
select is((select contact_id from app.conversations where channel_account_id = tests.id('wa_a')), (select contact_id from app.inquiries where id = tests.id('inquiry_a')), 'the sender matched the existing contact by phone');
select ok((select window_expires_at between now() + interval '23 hours 59 minutes' and now() + interval '24 hours 1 minute' from app.conversations where channel_account_id = tests.id('wa_a')), 'the 24-hour window opened');
select is((select intent from app.messages where id = current_setting('test.in1')::uuid), 'parking', 'the keyword rule labelled the intent');
select is((select body from app.messages where direction = 'out' and automation_rule_id = current_setting('test.rule')::uuid), 'Park on Main St.', 'the rule replied');
select is((select count(*)::int from bridge.jobs where kind = 'whatsapp.send'), 1, 'the reply was enqueued for WhatsApp');
select is((select count(*)::int from bridge.jobs where kind = 'llm.classify_message'), 0, 'no AI classification when a rule matched');

-- cooldown, then AI classification
select tests.act_as_service();
select public.receive_message('whatsapp', 'wa-a', '447700900001', 'And the car park price?', 'wamid.2');
select public.receive_message('whatsapp', 'wa-a', '447700900001', 'Can we bring a cake?', 'wamid.3');
select tests.reset_role();
select is((select count(*)::int from app.messages where direction = 'out' and automation_rule_id = current_setting('test.rule')::uuid), 1, 'the cooldown stops a second automatic reply');
select is((select count(*)::int from bridge.jobs where kind = 'llm.classify_message'), 2, 'unmatched messages go to AI classification');
select lives_ok($$ select app.classify_message_writeback(0, jsonb_build_object('message_id', (select id from app.messages where provider_message_id = 'wamid.3')), '{"intent": "catering_question"}') $$, 'the classification write-back runs');
select is((select intent from app.messages where provider_message_id = 'wamid.3'), 'catering_question', 'and labels the message');

-- outbound
select set_config('test.conv', (select id::text from app.conversations where channel_account_id = tests.id('wa_a')), true);
select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from public.list_conversations(tests.id('org_a'))), 1, 'staff list conversations');
select is((select unread_count from public.list_conversations(tests.id('org_a'))), 3, 'three unread');
select is((select count(*)::int from public.list_messages(current_setting('test.conv')::uuid)), 4, 'list messages');
select lives_ok($$ select set_config('test.out', public.send_message(current_setting('test.conv')::uuid, 'Yes, cakes are welcome!')::text, true) $$, 'reply inside the window');
select throws_ok($$ select public.send_message(current_setting('test.conv')::uuid, '  ') $$, 'BQ001', null, 'an empty message: BQ001');
select lives_ok($$ select public.mark_conversation_read(current_setting('test.conv')::uuid) $$, 'mark read');
select lives_ok(format($$ select public.assign_conversation(current_setting('test.conv')::uuid, %L) $$, tests.id('staff_a')), 'assign to myself');
select throws_ok(format($$ select public.assign_conversation(current_setting('test.conv')::uuid, %L) $$, tests.id('owner_b')), 'BQ001', null, 'assign to an outsider: BQ001');
select tests.reset_role();
update app.conversations set window_expires_at = now() - interval '1 minute' where id = current_setting('test.conv')::uuid;
select tests.act_as(tests.id('staff_a'));
select throws_ok($$ select public.send_message(current_setting('test.conv')::uuid, 'Still there?') $$, 'BQ501', null, 'free text outside the window: BQ501');
select throws_ok(format($$ select public.send_template_message(current_setting('test.conv')::uuid, %L) $$, tests.id('tpl_pending')), 'BQ502', null, 'an unapproved template: BQ502');
select lives_ok(format($$ select public.send_template_message(current_setting('test.conv')::uuid, %L, '["Guest", "your dinner"]') $$, tests.id('tpl_a')), 'an approved template outside the window');
select is((select body from app.messages where template_id = tests.id('tpl_a')), 'Hi Guest, any questions about your dinner?', 'the template was filled');
select tests.act_as(tests.id('staff_b'));
select throws_ok($$ select public.send_message(current_setting('test.conv')::uuid, 'Hi from B') $$, 'BQ002', null, 'cross-tenant send: BQ002');
select is((select count(*)::int from app.messages), 0, 'cross-tenant: B sees none of A''s messages');

-- delivery statuses
select tests.act_as_service();
select public.record_message_status(current_setting('test.out')::uuid, 'wamid.out.1', 'delivered');
select public.record_message_status(null, 'wamid.out.1', 'sent');
select is((select status from app.messages where id = current_setting('test.out')::uuid), 'delivered', 'statuses only move forward');
select public.record_message_status(null, 'wamid.out.1', 'failed', '131047: re-engagement message');
select is((select (status, error) from app.messages where id = current_setting('test.out')::uuid), ('failed'::text, '131047: re-engagement message'::text), 'a late failure still wins');
select throws_ok($$ select public.record_message_status(null, 'nope', 'bounced') $$, 'BQ001', null, 'an unknown status: BQ001');

-- Instagram: a person may answer for 7 days after the guest's last message, tagged HUMAN_AGENT
select tests.reset_role();
insert into app.channel_accounts (id, organization_id, channel, external_id) values (tests.id('ig_a'), tests.id('org_a'), 'instagram', 'ig-a');
select public.receive_message('instagram', 'ig-a', 'igsid-42', 'hello?', 'ig.1', 'someone');
update app.conversations set window_expires_at = now() - interval '2 days', last_inbound_at = now() - interval '3 days' where channel_account_id = tests.id('ig_a');
select tests.act_as(tests.id('staff_a'));
select lives_ok($$ select public.send_message((select id from app.conversations where channel = 'instagram'), 'Sorry for the slow reply!') $$, 'a human reply on Instagram within 7 days');
select tests.reset_role();
select is((select payload ->> 'tag' from bridge.jobs where kind = 'instagram.send' and payload ->> 'text' = 'Sorry for the slow reply!'), 'HUMAN_AGENT', 'is sent with the HUMAN_AGENT tag');
update app.conversations set last_inbound_at = now() - interval '8 days' where channel_account_id = tests.id('ig_a');
select tests.act_as(tests.id('staff_a'));
select throws_ok($$ select public.send_message((select id from app.conversations where channel = 'instagram'), 'Hello again') $$, 'BQ501', null, 'but not after 7 days: BQ501');
select tests.act_as_service();

-- webhooks
select is(public.ingest_webhook_event('whatsapp', 'evt-1', '{"a": 1}') ->> 'duplicate', 'false', 'a new webhook event is stored');
select is(public.ingest_webhook_event('whatsapp', 'evt-1', '{"a": 1}') ->> 'duplicate', 'true', 'a redelivery is recognised');

select * from finish();
rollback;
