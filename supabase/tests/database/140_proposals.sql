-- Proposals: creation with venue defaults, items and the totals rule (F&B minimum, service, tax,
-- deposit), the item lock, sending (token, guest delivery, inquiry status), versions, the guest
-- endpoints as anon, AI drafts and their write-backs, and FX repricing.
begin;
select plan(53);
select tests.fixture();

select tests.act_as(tests.id('staff_a'));
select lives_ok(format($$ select set_config('test.p1', public.create_proposal(%L, %L)::text, true) $$, tests.id('inquiry_a'), tests.id('space_a')), 'staff create a proposal');
select is((select (version, status, guest_count, currency::text) from app.proposals where id = current_setting('test.p1')::uuid),
  (1, 'draft'::text, 20, 'GBP'::text), 'version 1, draft, the inquiry''s party size, the venue''s currency');
select is((select starts_at from app.proposals where id = current_setting('test.p1')::uuid),
  ((current_date + 30) + time '19:00') at time zone 'Europe/London', 'starts at the inquiry''s date and time in the venue''s zone');
select is((select (kind, total_minor) from app.proposal_items where proposal_id = current_setting('test.p1')::uuid), ('room_fee'::text, 10000::bigint), 'the space''s room fee is a line');
select throws_ok(format($$ select public.create_proposal(%L, %L) $$, tests.id('inquiry_a'), tests.id('space_b')), 'BQ002', null, 'a space of another venue: BQ002');
select throws_ok(format($$ select public.create_proposal(%L) $$, tests.id('inquiry_b')), 'BQ002', null, 'cross-tenant: B''s inquiry is not found');
select throws_ok(format($$ select public.create_proposal(%L, p_currency => 'JPY') $$, tests.id('inquiry_a')), 'BQ701', null, 'a currency without a rate: BQ701');

-- items and totals
select lives_ok(format($$ select public.add_proposal_item(current_setting('test.p1')::uuid, p_menu_item_id => %L) $$, tests.id('item_starter')), 'add a per-person menu item');
select is((select (quantity, total_minor) from app.proposal_items where proposal_id = current_setting('test.p1')::uuid and kind = 'menu_item'), (20, 30000::bigint), 'per person: quantity = guests');
select is((select (subtotal_minor, fnb_shortfall_minor, service_charge_minor, tax_minor, total_minor, deposit_minor) from app.proposals where id = current_setting('test.p1')::uuid),
  (40000::bigint, 170000::bigint, 21000::bigint, 46200::bigint, 277200::bigint, 83160::bigint), 'totals: shortfall to the F&B minimum, 10% service, 20% tax, 30% deposit');
select lives_ok(format($$ select public.add_proposal_item(current_setting('test.p1')::uuid, p_package_id => %L) $$, tests.id('package_a')), 'add a package');
select lives_ok($$ select set_config('test.wine', public.add_proposal_item(current_setting('test.p1')::uuid, 'Wine', 20, 6000)::text, true) $$, 'add a custom line');
select is((select (subtotal_minor, fnb_shortfall_minor, service_charge_minor, tax_minor, total_minor, deposit_minor) from app.proposals where id = current_setting('test.p1')::uuid),
  (260000::bigint, 0::bigint, 26000::bigint, 57200::bigint, 343200::bigint, 102960::bigint), 'above the F&B minimum: no shortfall');
select lives_ok($$ select public.update_proposal_item(current_setting('test.wine')::uuid, p_quantity => 10) $$, 'update a line');
select is((select subtotal_minor from app.proposals where id = current_setting('test.p1')::uuid), 200000::bigint, 'totals follow the update');
select lives_ok($$ select public.remove_proposal_item(current_setting('test.wine')::uuid) $$, 'remove a line');
select is((select subtotal_minor from app.proposals where id = current_setting('test.p1')::uuid), 140000::bigint, 'totals follow the removal');
select throws_ok($$ select public.add_proposal_item(current_setting('test.p1')::uuid, 'Nothing') $$, 'BQ001', null, 'a custom line without a price: BQ001');
select throws_ok(format($$ select public.add_proposal_item(current_setting('test.p1')::uuid, p_menu_item_id => %L) $$, tests.id('item_b')), 'BQ002', null, 'another venue''s menu item: BQ002');
select throws_ok($$ select public.update_proposal_item(gen_random_uuid(), 1) $$, 'BQ002', null, 'an unknown line: BQ002');

-- sending
select lives_ok(format($$ select set_config('test.p_empty', public.create_proposal(%L)::text, true) $$, tests.id('inquiry_a')), 'a second version without a space');
select throws_ok($$ select public.send_proposal(current_setting('test.p_empty')::uuid) $$, 'BQ203', null, 'nothing to send: BQ203');
select throws_ok($$ select public.send_proposal(current_setting('test.p1')::uuid, 365) $$, 'BQ001', null, 'validity beyond 90 days: BQ001');
select lives_ok($$ select set_config('test.token', public.send_proposal(current_setting('test.p1')::uuid, 10), true) $$, 'send the proposal');
select tests.reset_role();
select is((select (status, public_token is not null, expires_at > now() + interval '9 days') from app.proposals where id = current_setting('test.p1')::uuid),
  ('sent'::text, true, true), 'sent: token minted, expiry set');
select is((select payload ->> 'to' from bridge.jobs where kind = 'email.send' and payload ->> 'proposal_id' = current_setting('test.p1')), 'guest@example.com', 'an email goes to the guest');
select is((select payload ->> 'to' from bridge.jobs where kind = 'whatsapp.send' and payload ->> 'proposal_id' = current_setting('test.p1')), '+447700900001', 'a WhatsApp template goes to the guest');
select is((select status from app.inquiries where id = tests.id('inquiry_a')), 'proposal_sent', 'the inquiry moves to proposal_sent');
select tests.act_as(tests.id('staff_a'));
select throws_ok($$ select public.add_proposal_item(current_setting('test.p1')::uuid, 'Late', 1, 100) $$, 'BQ201', null, 'a sent proposal is locked: BQ201');
select tests.reset_role();
select throws_ok($$ update app.proposals set status = 'draft' where id = current_setting('test.p1')::uuid $$, 'BQ003', null, 'sent → draft: BQ003');

-- guest endpoints as anon
select tests.act_as_anon();
select throws_ok($$ select public.get_public_proposal('nope') $$, 'BQ202', null, 'an unknown token: BQ202');
select is((public.get_public_proposal(current_setting('test.token')) ->> 'total_minor')::bigint, 277200::bigint, 'the guest sees the proposal and its total');
select is((public.get_public_proposal(current_setting('test.token')) ->> 'status'), 'viewed', 'opening it marks it viewed');
select throws_ok($$ select * from app.proposals $$, '42501', null, 'anon cannot read proposals directly');
select throws_ok($$ select public.accept_proposal(current_setting('test.token'), ' ') $$, 'BQ001', null, 'accepting needs a name: BQ001');
select lives_ok($$ select set_config('test.accept', public.accept_proposal(current_setting('test.token'), 'Guest A', 'See you there')::text, true) $$, 'the guest accepts');
select throws_ok($$ select public.decline_proposal(current_setting('test.token')) $$, 'BQ201', null, 'an accepted proposal cannot be declined: BQ201');
select tests.reset_role();
select is((select (status, guest_count, total_minor) from app.bookings where proposal_id = current_setting('test.p1')::uuid),
  ('held'::text, 20, (select total_minor from app.proposals where id = current_setting('test.p1')::uuid)), 'accepting created a held booking');
select is((select array_agg(kind || ':' || amount_minor order by kind) from app.payments where booking_id = (current_setting('test.accept')::jsonb ->> 'booking_id')::uuid),
  (select array['balance:' || (total_minor - deposit_minor), 'deposit:' || deposit_minor] from app.proposals where id = current_setting('test.p1')::uuid), 'with its deposit and balance');
select is((select status from app.proposals where id = current_setting('test.p_empty')::uuid), 'superseded', 'sibling versions are closed');
select is((select status from app.inquiries where id = tests.id('inquiry_a')), 'won', 'the inquiry is won');

-- versions and declines (org B)
select tests.act_as(tests.id('owner_b'));
select set_config('test.pb', public.create_proposal(tests.id('inquiry_b'), tests.id('space_b'))::text, true);
select public.add_proposal_item(current_setting('test.pb')::uuid, p_menu_item_id => tests.id('item_b'));
select set_config('test.tb', public.send_proposal(current_setting('test.pb')::uuid), true);
select lives_ok($$ select set_config('test.pb2', public.new_proposal_version(current_setting('test.pb')::uuid)::text, true) $$, 'a new version of a sent proposal');
select is((select (version, status, subtotal_minor) from app.proposals where id = current_setting('test.pb2')::uuid), (2, 'draft'::text, 75000::bigint), 'version 2, a draft with the same lines');
select tests.act_as_anon();
select throws_ok($$ select public.get_public_proposal(current_setting('test.tb')) $$, 'BQ205', null, 'the superseded version''s link no longer works (BQ205)');
select tests.act_as(tests.id('owner_b'));
select set_config('test.tb2', public.send_proposal(current_setting('test.pb2')::uuid), true);
select tests.act_as_anon();
select lives_ok($$ select public.decline_proposal(current_setting('test.tb2'), 'Too far away') $$, 'the guest declines');
select tests.reset_role();
select is((select (status, guest_note) from app.proposals where id = current_setting('test.pb2')::uuid), ('declined'::text, 'Too far away'::text), 'declined with the reason');

-- AI drafts
select tests.act_as(tests.id('staff_b'));
select lives_ok(format($$ select set_config('test.ai', public.request_proposal_draft(%L, p_instructions => 'BBQ please')::text, true) $$, tests.id('inquiry_b')), 'request an AI draft');
select tests.act_as_service();
select lives_ok($$ select public.save_proposal_draft(current_setting('test.ai')::uuid, '{"title": "BBQ night", "items": [{"description": "Brisket", "quantity": 30, "unit_price_minor": 2500}]}') $$, 'the daemon saves the draft');
select throws_ok($$ select public.save_proposal_draft(current_setting('test.ai')::uuid, '{"items": []}') $$, 'BQ201', null, 'a second draft for the same proposal: BQ201');
select tests.reset_role();
select is((select (status, title, subtotal_minor) from app.proposals where id = current_setting('test.ai')::uuid), ('ready'::text, 'BBQ night'::text, 75000::bigint), 'the draft is ready and priced');

-- FX: a GBP venue quoting in EUR; a new rate reprices the draft
select tests.act_as(tests.id('staff_a'));
insert into app.inquiries (id, organization_id, venue_id, guest_name, guest_email, event_date, party_size)
values (tests.id('inquiry_fx'), tests.id('org_a'), tests.id('venue_a'), 'Euro guest', 'euro@example.com', current_date + 40, 20);
select set_config('test.pfx', public.create_proposal(tests.id('inquiry_fx'), tests.id('space_a2'), 'eur', 10)::text, true);
select public.add_proposal_item(current_setting('test.pfx')::uuid, p_menu_item_id => tests.id('item_starter'));
select is((select unit_price_minor from app.proposal_items where proposal_id = current_setting('test.pfx')::uuid), 1765::bigint, '15.00 GBP at 1/0.85 is 17.65 EUR');
select tests.act_as_service();
select is(public.upsert_fx_rates('{"GBP": 0.80}', current_date), 1, 'the daemon stores a new rate');
select tests.reset_role();
select is((select (p.fx_rate, i.unit_price_minor, p.subtotal_minor) from app.proposals p join app.proposal_items i on i.proposal_id = p.id where p.id = current_setting('test.pfx')::uuid),
  (1.25::numeric(20,10), 1875::bigint, 18750::bigint), 'the draft was repriced at the new rate');

select * from finish();
rollback;
