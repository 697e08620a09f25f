-- Bookings and payments: availability, holds, the no-double-booking constraint, the booking state
-- machine, payments (deposit confirms, overpayment and refund limits), cancellation, completion
-- and settlement, guaranteed counts, payments due and idempotent provider events.
begin;
select plan(35);
select tests.fixture();
select set_config('test.t0', (date_trunc('day', now()) + interval '10 days 18 hours')::text, true);

select tests.act_as(tests.id('staff_a'));
select is(public.check_availability(tests.id('space_a'), current_setting('test.t0')::timestamptz, current_setting('test.t0')::timestamptz + interval '4 hours'), true, 'the space is free');
select throws_ok(format($$ select public.check_availability(%L, now(), now() - interval '1 hour') $$, tests.id('space_a')), 'BQ001', null, 'a backwards range: BQ001');
select throws_ok(format($$ select public.check_availability(%L, now(), now() + interval '1 hour') $$, tests.id('space_b')), 'BQ002', null, 'cross-tenant space: BQ002');

select lives_ok(format($$ select set_config('test.b1', public.hold_space(%L, %L::timestamptz, %L::timestamptz + interval '4 hours', 20, %L)::text, true) $$,
  tests.id('space_a'), current_setting('test.t0'), current_setting('test.t0'), tests.id('inquiry_a')), 'staff hold a space');
select is((select (status, contact_id is not null, currency::text) from app.bookings where id = current_setting('test.b1')::uuid), ('held'::text, true, 'GBP'::text), 'a held booking linked to the guest, in the venue''s currency');
select is(public.check_availability(tests.id('space_a'), current_setting('test.t0')::timestamptz + interval '3 hours', current_setting('test.t0')::timestamptz + interval '5 hours'), false, 'an overlapping range is not available');
select is(public.check_availability(tests.id('space_a'), current_setting('test.t0')::timestamptz + interval '4 hours', current_setting('test.t0')::timestamptz + interval '6 hours'), true, 'back-to-back is fine (half-open ranges)');
select throws_ok(format($$ select public.hold_space(%L, %L::timestamptz + interval '1 hour', %L::timestamptz + interval '2 hours', 20) $$,
  tests.id('space_a'), current_setting('test.t0'), current_setting('test.t0')), 'BQ301', null, 'double booking through the API: BQ301');
select tests.reset_role();
select throws_ok(format($$ insert into app.bookings (organization_id, venue_id, space_id, starts_at, ends_at, guest_count, currency)
  values (%L, %L, %L, %L::timestamptz + interval '1 hour', %L::timestamptz + interval '2 hours', 5, 'GBP') $$,
  tests.id('org_a'), tests.id('venue_a'), tests.id('space_a'), current_setting('test.t0'), current_setting('test.t0')), '23P01', null, 'double booking by a direct insert: exclusion violation');
select tests.act_as(tests.id('staff_a'));
select throws_ok(format($$ select public.hold_space(%L, now() + interval '40 days', now() + interval '41 days', 200) $$, tests.id('space_a')), 'BQ302', null, 'above the space''s capacity: BQ302');
select throws_ok(format($$ select public.hold_space(%L, now() + interval '40 days', now() + interval '41 days', 20, p_hold_hours => 0) $$, tests.id('space_a')), 'BQ001', null, 'a zero-hour hold: BQ001');

-- guaranteed count
select lives_ok($$ select public.set_guaranteed_count(current_setting('test.b1')::uuid, 25) $$, 'set the guaranteed count');
select throws_ok($$ select public.set_guaranteed_count(current_setting('test.b1')::uuid, 5) $$, 'BQ302', null, 'below the space''s minimum: BQ302');

-- payments: staff may not, managers may
update app.bookings set total_minor = 100000 where id = current_setting('test.b1')::uuid;
select throws_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'deposit', 30000) $$, '42501', null, 'staff cannot record payments');
select tests.act_as(tests.id('manager_a'));
select throws_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'deposit', 0) $$, 'BQ401', null, 'a zero amount: BQ401');
select throws_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'tip', 100) $$, 'BQ001', null, 'an unknown kind: BQ001');
select throws_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'deposit', 100001) $$, 'BQ401', null, 'more than the booking total: BQ401');
select throws_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'refund', 100) $$, 'BQ401', null, 'refunding more than was paid: BQ401');
select lives_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'deposit', 30000, 'card', 'ref-1') $$, 'a manager records the deposit');
select is((select status from app.bookings where id = current_setting('test.b1')::uuid), 'confirmed', 'a paid deposit confirms the booking');
select throws_ok($$ select public.complete_booking(current_setting('test.b1')::uuid) $$, 'BQ303', null, 'an event in the future cannot be completed: BQ303');

-- completion and settlement (an event that already happened)
select tests.reset_role();
update app.bookings set starts_at = now() - interval '1 day', ends_at = now() - interval '20 hours' where id = current_setting('test.b1')::uuid;
select tests.act_as(tests.id('manager_a'));
select lives_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'balance', 70000) $$, 'the balance is paid');
select lives_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'refund', 5000) $$, 'a partial refund');
select lives_ok($$ select set_config('test.s1', public.complete_booking(current_setting('test.b1')::uuid)::text, true) $$, 'complete the booking');
select tests.reset_role();
select is((select (gross_minor, commission_bps, commission_minor, net_minor) from app.settlements where id = current_setting('test.s1')::uuid),
  (95000::bigint, 1000, 9500::bigint, 85500::bigint), 'settlement: gross net of refunds, 10% commission, net');
select throws_ok($$ update app.bookings set status = 'held' where id = current_setting('test.b1')::uuid $$, 'BQ003', null, 'completed → held: BQ003');
select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from app.settlements), 0, 'staff cannot read settlements');

-- cancellation releases the space and cancels scheduled payments
select tests.act_as(tests.id('staff_a'));
select set_config('test.b2', public.hold_space(tests.id('space_a2'), now() + interval '20 days', now() + interval '20 days 3 hours', 8)::text, true);
select tests.reset_role();
insert into app.payments (organization_id, booking_id, kind, amount_minor, currency, due_at)
values (tests.id('org_a'), current_setting('test.b2')::uuid, 'deposit', 5000, 'GBP', now() + interval '2 days');
select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from public.list_payments_due(tests.id('org_a'))), 1, 'the scheduled deposit is due this week');
select throws_ok($$ select public.cancel_booking(current_setting('test.b2')::uuid) $$, '42501', null, 'staff cannot cancel bookings');
select tests.act_as(tests.id('owner_a'));
select lives_ok($$ select public.cancel_booking(current_setting('test.b2')::uuid, 'Guest cancelled') $$, 'an owner cancels');
select is((select status from app.payments where booking_id = current_setting('test.b2')::uuid), 'cancelled', 'its scheduled payments are cancelled');
select is(public.check_availability(tests.id('space_a2'), now() + interval '20 days', now() + interval '20 days 3 hours'), true, 'the space is free again');
select throws_ok($$ select public.cancel_booking(current_setting('test.b2')::uuid) $$, 'BQ303', null, 'cancelling twice: BQ303');

-- provider events are idempotent
select tests.act_as_service();
select set_config('test.b3', (select id::text from app.bookings where id = current_setting('test.b2')::uuid), true);
select is(public.record_payment_event(current_setting('test.b1')::uuid, 'deposit', 1, 'ref-1'), (select id from app.payments where provider_reference = 'ref-1'), 'a redelivered event returns the existing payment');
select tests.act_as(tests.id('owner_b'));
select throws_ok($$ select public.record_payment(current_setting('test.b1')::uuid, 'deposit', 100) $$, 'BQ002', null, 'cross-tenant payment: BQ002');

select * from finish();
rollback;
