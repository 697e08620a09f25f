-- The remaining API edges: bad input for functions whose happy path other files cover, and the
-- bridge write-back and on-failure handlers of every job kind.
begin;
select plan(36);
select tests.fixture();

-- tenancy
select tests.act_as(tests.id('owner_a'));
select lives_ok(format($$ select public.invite_member(%L, 'later@test.local', 'manager') $$, tests.id('org_a')), 'an owner invites a manager');
select tests.reset_role();
select is((select payload ->> 'to' from bridge.jobs where kind = 'email.send' and payload ? 'invitation_id'), 'later@test.local', 'the invitation is emailed');
select tests.act_as(tests.id('owner_a'));
select throws_ok(format($$ select public.invite_member(%L, 'x@test.local', 'admin') $$, tests.id('org_a')), 'BQ001', null, 'invite with an unknown role: BQ001');
select throws_ok($$ select public.accept_invitation('no-such-token') $$, 'BQ602', null, 'an unknown invitation token: BQ602');

-- venues and catalogue
select tests.act_as(tests.id('manager_a'));
select throws_ok($$ select public.update_venue(gen_random_uuid(), 'X') $$, 'BQ002', null, 'update an unknown venue: BQ002');
select throws_ok(format($$ select public.update_venue(%L, p_timezone => 'Nowhere/City') $$, tests.id('venue_a')), 'BQ001', null, 'update to a bad time zone: BQ001');
select throws_ok($$ select public.delete_menu_item(gen_random_uuid()) $$, 'BQ002', null, 'delete an unknown menu item: BQ002');
select throws_ok($$ select public.delete_package(gen_random_uuid()) $$, 'BQ002', null, 'delete an unknown package: BQ002');
select throws_ok($$ select public.delete_document(gen_random_uuid()) $$, 'BQ002', null, 'delete an unknown document: BQ002');
select throws_ok(format($$ select public.register_document(%L, 'video', %L) $$, tests.id('venue_a'), tests.id('org_a') || '/x.mp4'), 'BQ001', null, 'an unknown document kind: BQ001');
select lives_ok(format($$ select set_config('test.logo', public.register_document(%L, 'logo', %L)::text, true) $$, tests.id('venue_a'), tests.id('org_a') || '/logo.png'), 'register a logo');
select tests.reset_role();
select is((select count(*)::int from bridge.jobs where kind = 'menu.extract'), 0, 'a logo is not extracted');
select tests.act_as(tests.id('manager_a'));
select lives_ok($$ select public.delete_document(current_setting('test.logo')::uuid) $$, 'delete a document');
select tests.act_as_service();
select throws_ok($$ select public.save_menu_extraction(gen_random_uuid(), '{"items": []}') $$, 'BQ002', null, 'extraction for an unknown document: BQ002');

-- messaging settings
select tests.act_as(tests.id('manager_a'));
select lives_ok(format($$ select public.save_channel_account(%L, 'instagram', '17840000000001', '@venue_a') $$, tests.id('org_a')), 'connect an Instagram account');
select throws_ok(format($$ select public.save_channel_account(%L, 'fax', '123') $$, tests.id('org_a')), 'BQ001', null, 'an unknown channel: BQ001');
select throws_ok($$ select public.delete_automation_rule(gen_random_uuid()) $$, 'BQ002', null, 'delete an unknown rule: BQ002');
select throws_ok($$ select public.delete_message_template(gen_random_uuid()) $$, 'BQ002', null, 'delete an unknown template: BQ002');
select throws_ok($$ select public.list_messages(gen_random_uuid()) $$, 'BQ002', null, 'messages of an unknown conversation: BQ002');
select throws_ok(format($$ select * from public.list_conversations(%L, p_limit => 1000) $$, tests.id('org_a')), 'BQ001', null, 'list conversations with a bad limit: BQ001');
select throws_ok($$ select public.mark_conversation_read(gen_random_uuid()) $$, 'BQ002', null, 'mark an unknown conversation read: BQ002');

-- proposals, payments, reports
select tests.act_as(tests.id('staff_a'));
select throws_ok(format($$ select public.request_proposal_draft(%L, p_instructions => repeat('x', 5001)) $$, tests.id('inquiry_a')), 'BQ004', null, 'AI instructions over the free-text limit (5000): BQ004');
select throws_ok(format($$ select * from public.list_payments_due(%L) $$, tests.id('org_b')), '42501', null, 'cross-tenant payments due: 42501');
select throws_ok(format($$ select * from public.report_response_time(%L, current_date, current_date - 7) $$, tests.id('org_a')), 'BQ001', null, 'a backwards report period: BQ001');
select tests.act_as_service();
select throws_ok($$ select public.upsert_fx_rates('{"GBP": -1}') $$, 'BQ001', null, 'a negative FX rate: BQ001');
select throws_ok($$ select public.record_payment_event(gen_random_uuid(), 'deposit', 100, ' ') $$, 'BQ001', null, 'a payment event without a reference: BQ001');
select throws_ok($$ select public.ingest_webhook_event('fax', 'e1', '{}') $$, 'BQ001', null, 'an unknown webhook provider: BQ001');

-- write-backs and on-failure handlers, as bridge.complete / the dead-letter path call them
select set_config('test.draft', app.start_proposal_draft(tests.id('inquiry_a'), null, null)::text, true);
select lives_ok($$ select app.proposal_draft_failed(0, jsonb_build_object('proposal_id', current_setting('test.draft')), 'model timeout') $$, 'llm.proposal_draft on-failure runs');
select is((select status from app.proposals where id = current_setting('test.draft')::uuid), 'draft', 'a failed AI draft falls back to an empty draft');
select tests.reset_role();
select ok(exists (select 1 from app.notifications where kind = 'proposal.draft_failed'), 'and staff are told');
select lives_ok($$ select app.fx_sync_writeback(0, '{}', '{"as_of": "2026-01-02", "rates": {"CHF": 0.94}}') $$, 'fx.sync write-back runs');
select is((select rate from app.fx_rates where quote = 'CHF'), 0.94::numeric(20,10), 'and stores the rate');
insert into app.documents (id, organization_id, venue_id, kind, bucket_id, object_path)
values (tests.id('doc'), tests.id('org_a'), tests.id('venue_a'), 'brochure', 'venue-brochures', tests.id('org_a') || '/b.pdf');
select lives_ok(format($$ select app.menu_extract_failed(0, '{"document_id": "%s"}', 'not a PDF') $$, tests.id('doc')), 'menu.extract on-failure runs');
select is((select extraction_status from app.documents where id = tests.id('doc')), 'failed', 'and marks the document failed');
select public.receive_message('whatsapp', 'wa-a', '447700900001', 'hello', 'wamid.e1');
select set_config('test.out', (select id::text from app.messages where direction = 'out' limit 1), true);
select set_config('test.conv', (select id::text from app.conversations limit 1), true);
insert into app.messages (organization_id, conversation_id, direction, body, status) values (tests.id('org_a'), current_setting('test.conv')::uuid, 'out', 'Hi!', 'queued');
select lives_ok($$ select app.channel_send_writeback(0, jsonb_build_object('message_id', (select id from app.messages where body = 'Hi!')), '{"provider_message_id": "wamid.out.e1"}') $$, 'whatsapp.send write-back runs');
select is((select (status, provider_message_id) from app.messages where body = 'Hi!'), ('sent'::text, 'wamid.out.e1'::text), 'and marks the message sent with its provider id');

select * from finish();
rollback;
