-- AI: the cost ledger's outcome and prompt version, monthly budgets (owner-only, the daemon's
-- admission gate, one owner notice a month), usage reports, AI drafts priced by the database
-- (BQ204 for another venue's item or a model-supplied price), triage write-back, and menu
-- extraction statuses.
begin;
select plan(24);
select tests.fixture();

-- Ledger
select tests.act_as_service();
select lives_ok(format($$ select public.record_ai_run('proposal_draft', 'gpt-4o-mini', 900, 120, 800, 207, %L, 42, 'openai', null,
                                                     'proposal_draft.v1', 'ok', 'price_table') $$, tests.id('org_a')),
  'the daemon records a call with its prompt version, outcome and cost source');
select lives_ok(format($$ select public.record_ai_run('proposal_draft', 'gpt-4o-mini', 0, 0, 2000, 0, %L, 42, 'openai',
                                                     'timed out', 'proposal_draft.v1', 'timeout', 'none') $$, tests.id('org_a')),
  'and a failed one');
select is((select array_agg(outcome || ':' || succeeded order by id) from app.ai_runs where job_id = 42), array['ok:true', 'timeout:false'],
  'succeeded follows the outcome');
select throws_ok($$ select public.record_ai_run('other', 'm', 1, 1, 1, p_outcome => 'meh') $$, 'BQ001', null, 'an unknown outcome: BQ001');
select throws_ok($$ select public.record_ai_run('other', 'm', 1, 1, 1, p_cost_source => 'guess') $$, 'BQ001', null, 'an unknown cost source: BQ001');

-- Budgets
select tests.act_as(tests.id('manager_a'));
select throws_ok(format($$ select public.set_ai_budget(%L, 1000) $$, tests.id('org_a')), '42501', null, 'managers cannot set the AI budget');
select is((public.get_ai_budget(tests.id('org_a')) ->> 'spent_usd_micros')::bigint, 207::bigint, 'managers see this month''s spend');
select tests.act_as(tests.id('owner_a'));
select throws_ok(format($$ select public.set_ai_budget(%L, -1) $$, tests.id('org_a')), 'BQ005', null, 'a negative budget: BQ005');
select lives_ok(format($$ select public.set_ai_budget(%L, 1000) $$, tests.id('org_a')), 'owners set it');
select is((public.get_ai_budget(tests.id('org_a')) ->> 'over_budget')::boolean, false, 'under budget');
select throws_ok(format($$ select public.get_ai_budget(%L) $$, tests.id('org_b')), '42501', null, 'cross-tenant budget: 42501');
select tests.act_as_service();
select is((public.admit_ai_job(tests.id('org_a')) ->> 'allowed')::boolean, true, 'the daemon is admitted under budget');
select public.record_ai_run('other', 'gpt-4o', 100, 100, 10, 5000, tests.id('org_a'));
select is((public.admit_ai_job(tests.id('org_a')) ->> 'allowed')::boolean, false, 'and stopped once the spend reaches it');
select is((public.admit_ai_job(tests.id('org_a')) ->> 'allowed')::boolean, false, 'every time');
select is((select array_agg(user_id) from app.notifications where kind = 'ai.budget_exceeded'), array[tests.id('owner_a')],
  'the owner, and only the owner, is told once');
select is((public.admit_ai_job(tests.id('org_b')) ->> 'allowed')::boolean, true, 'an organization without a budget is never stopped');
select tests.act_as(tests.id('owner_a'));
select is((select array_agg(bucket || '=' || runs || '/' || failed || '/' || cost_usd_micros order by bucket)
           from public.report_ai_usage(tests.id('org_a'), current_date, current_date, 'model')),
  array['gpt-4o=1/0/5000', 'openai:gpt-4o-mini=2/1/207'], 'usage by model: calls, failures, cost');
select throws_ok(format($$ select * from public.report_ai_usage(%L, current_date, current_date, 'colour') $$, tests.id('org_a')),
  'BQ001', null, 'an unknown grouping: BQ001');

-- AI drafts are priced by the database
select tests.reset_role();
select set_config('test.proposal', app.new_proposal(tests.id('inquiry_a'), 'generating')::text, true);
select throws_ok(format($$ select app.proposal_draft_writeback(0, %L, %L) $$,
  jsonb_build_object('proposal_id', current_setting('test.proposal')),
  jsonb_build_object('items', jsonb_build_array(jsonb_build_object('menu_item_id', tests.id('item_b'), 'quantity', 2)))),
  'BQ204', null, 'another organization''s menu item: BQ204');
select throws_ok(format($$ select app.proposal_draft_writeback(0, %L, %L) $$,
  jsonb_build_object('proposal_id', current_setting('test.proposal')),
  jsonb_build_object('items', jsonb_build_array(jsonb_build_object('menu_item_id', tests.id('item_starter'), 'quantity', 2, 'unit_price_minor', 1)))),
  'BQ204', null, 'a line with its own price: BQ204');
select lives_ok(format($$ select app.proposal_draft_writeback(0, %L, %L) $$,
  jsonb_build_object('proposal_id', current_setting('test.proposal')),
  jsonb_build_object('title', 'AI', 'items', jsonb_build_array(jsonb_build_object('menu_item_id', tests.id('item_starter'), 'quantity', 20),
                                                                jsonb_build_object('package_id', tests.id('package_a'), 'quantity', 20)))),
  'a draft of the venue''s own item and package is saved');
select is((select array_agg(description || ' ' || quantity || 'x' || unit_price_minor order by sort_order) from app.proposal_items
           where proposal_id = current_setting('test.proposal')::uuid and kind <> 'room_fee'),
  array['Starter 20x1500', 'Package A 20x5000'], 'names and prices come from the venue''s menu');

-- Triage and menu extraction write-backs
select public.receive_message('whatsapp', 'wa-a', '+447700900555', 'hmm', 'wamid.ai-1');
select app.classify_message_writeback(0, jsonb_build_object('message_id', (select id from app.messages where provider_message_id = 'wamid.ai-1')),
  '{"intent": "other", "confidence": 0.3, "language": "en", "suggested_reply": "Thanks!", "needs_human": true}');
select is((select (intent, needs_human, suggested_reply) from app.messages where provider_message_id = 'wamid.ai-1'),
  ('other'::text, true, 'Thanks!'::text), 'an unsure classification is marked for a person');
insert into app.documents (id, organization_id, venue_id, kind, bucket_id, object_path, file_name)
values (tests.id('doc_scan'), tests.id('org_a'), tests.id('venue_a'), 'brochure', 'venue-brochures', tests.id('org_a') || '/scan.pdf', 'scan.pdf');
select app.menu_extract_writeback(0, jsonb_build_object('document_id', tests.id('doc_scan')), '{"unreadable": "scanned", "detail": "no text layer"}');
select is((select (extraction_status, extraction_error) from app.documents where id = tests.id('doc_scan')),
  ('scanned'::text, 'no text layer'::text), 'an unreadable brochure gets its own status');

select * from finish();
rollback;
