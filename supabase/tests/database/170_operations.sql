-- Operations: the pipeline dashboard and reports, currency conversion, AI usage accounting,
-- proposal expiry, payment reminders, and the job kinds and schedules the daemon relies on.
begin;
select plan(33);
select tests.fixture();

-- a won inquiry with a confirmed booking, a lost one, and a sent proposal about to expire
update app.inquiries set status = 'qualified', first_response_at = created_at + interval '30 minutes' where id = tests.id('inquiry_a');
update app.inquiries set status = 'won' where id = tests.id('inquiry_a');
insert into app.inquiries (organization_id, venue_id, guest_name, guest_email, event_date, party_size, status, first_response_at)
values (tests.id('org_a'), tests.id('venue_a'), 'Lost guest', 'lost@example.com', current_date + 3, 4, 'lost', now() + interval '90 minutes');
insert into app.bookings (organization_id, venue_id, space_id, inquiry_id, contact_id, status, starts_at, ends_at, guest_count, currency, total_minor)
select tests.id('org_a'), tests.id('venue_a'), tests.id('space_a'), i.id, i.contact_id, 'confirmed',
       (current_date + 30) + time '19:00', (current_date + 30) + time '23:00', 20, 'GBP', 170000
from app.inquiries i where i.id = tests.id('inquiry_a');

select tests.act_as(tests.id('staff_a'));
select is((public.dashboard_pipeline(tests.id('org_a')) -> 'inquiries' ->> 'won')::int, 1, 'the pipeline counts inquiries per status');
select is((public.dashboard_pipeline(tests.id('org_a')) ->> 'upcoming_bookings')::int, 1, 'and upcoming bookings');
select throws_ok(format($$ select public.dashboard_pipeline(%L) $$, tests.id('org_b')), '42501', null, 'cross-tenant dashboard: 42501');

select is((select (inquiries, won, lost, conversion_rate) from public.report_conversion(tests.id('org_a'), current_date - 1, current_date)),
  (2::bigint, 1::bigint, 1::bigint, 0.5000::numeric), 'conversion per venue');
select throws_ok(format($$ select * from public.report_conversion(%L, current_date, current_date - 1) $$, tests.id('org_a')), 'BQ001', null, 'a backwards period: BQ001');

select is((select (inquiries, responded, median_minutes) from public.report_response_time(tests.id('org_a'), current_date - 1, current_date)),
  (2::bigint, 2::bigint, 60.0::numeric), 'median minutes to first response');

select throws_ok(format($$ select * from public.report_revenue(%L, current_date, current_date + 60) $$, tests.id('org_a')), '42501', null, 'staff cannot see revenue');
select tests.act_as(tests.id('manager_a'));
select is((select (bookings, revenue_minor, currency) from public.report_revenue(tests.id('org_a'), current_date, current_date + 60)),
  (1::bigint, 170000::bigint, 'GBP'::text), 'revenue in the organization''s currency');
select is((select revenue_minor from public.report_revenue(tests.id('org_a'), current_date, current_date + 60, 'EUR')),
  200000::bigint, 'revenue converted to EUR (170000 / 0.85)');
select throws_ok(format($$ select * from public.report_revenue(%L, current_date, current_date + 60, 'JPY') $$, tests.id('org_a')), 'BQ701', null, 'no rate for the report currency: BQ701');

-- currency conversion
select is(public.convert_currency(10000, 'eur', 'GBP'), 8500::bigint, 'EUR → GBP directly');
select is(public.convert_currency(8500, 'GBP', 'EUR'), 10000::bigint, 'GBP → EUR by the inverse rate');
select is(public.convert_currency(8500, 'GBP', 'USD'), 11000::bigint, 'GBP → USD through EUR');
select throws_ok($$ select public.convert_currency(100, 'EUR', 'XXX') $$, 'BQ701', null, 'an unknown pair: BQ701');
select throws_ok($$ select public.convert_currency(100, 'EURO', 'GBP') $$, 'BQ001', null, 'a malformed code: BQ001');
select tests.act_as_anon();
select throws_ok($$ select public.convert_currency(100, 'EUR', 'GBP') $$, '42501', null, 'anon cannot convert');

-- AI runs
select tests.act_as(tests.id('owner_a'));
select throws_ok($$ select public.record_ai_run('classify_message', 'gpt', 1, 1, 1) $$, '42501', null, 'members cannot record AI runs');
select tests.act_as_service();
select lives_ok(format($$ select public.record_ai_run('proposal_draft', 'claude-3-5-sonnet', 1200, 300, 4200, 8100, %L, null, 'bedrock') $$, tests.id('org_a')), 'the daemon records an AI run');
select throws_ok($$ select public.record_ai_run('poetry', 'gpt', 1, 1, 1) $$, 'BQ001', null, 'an unknown purpose: BQ001');
select throws_ok($$ select public.record_ai_run('other', 'gpt', -1, 1, 1) $$, 'BQ001', null, 'negative tokens: BQ001');
select tests.act_as(tests.id('manager_a'));
select is((select count(*)::int from app.ai_runs), 1, 'managers see their AI usage');
select tests.act_as(tests.id('owner_b'));
select is((select count(*)::int from app.ai_runs), 0, 'cross-tenant: not B''s');

-- expiry and reminders
select tests.reset_role();
insert into app.proposals (organization_id, venue_id, inquiry_id, guest_count, starts_at, ends_at, currency, status)
values (tests.id('org_b'), tests.id('venue_b'), tests.id('inquiry_b'), 30, now() + interval '30 days', now() + interval '30 days 4 hours', 'USD', 'draft');
update app.proposals set status = 'sent' where inquiry_id = tests.id('inquiry_b');
update app.proposals set expires_at = now() - interval '1 minute' where inquiry_id = tests.id('inquiry_b');
insert into app.payments (organization_id, booking_id, kind, amount_minor, currency, due_at)
select tests.id('org_a'), b.id, 'deposit', 51000, 'GBP', now() + interval '1 day' from app.bookings b where b.inquiry_id = tests.id('inquiry_a');
select tests.act_as_service();
select is(public.expire_proposals(), 1, 'overdue proposals expire');
select tests.reset_role();
insert into app.bookings (organization_id, venue_id, space_id, status, starts_at, ends_at, guest_count, currency, hold_expires_at)
values (tests.id('org_a'), tests.id('venue_a'), tests.id('space_a2'), 'held', now() + interval '9 days', now() + interval '9 days 2 hours', 5, 'GBP', now() - interval '1 minute');
select tests.act_as_service();
select is(public.release_expired_holds(), 1, 'an expired hold is released');
select tests.act_as(tests.id('staff_a'));
select is(public.check_availability(tests.id('space_a2'), now() + interval '9 days', now() + interval '9 days 2 hours'), true, 'and its space is free again');
select tests.act_as_service();
select lives_ok($$ select app.proposal_expire_writeback(0, '{}', '{}') $$, 'the hourly proposal.expire write-back runs');
select is(public.send_payment_reminders(), 1, 'a reminder for the payment due tomorrow');
select is(public.send_payment_reminders(), 0, 'not twice in three days');
select throws_ok($$ select public.send_payment_reminders(100) $$, 'BQ001', null, 'a bad horizon: BQ001');
select tests.reset_role();
select is((select payload ->> 'to' from bridge.jobs where kind = 'email.send' and payload ? 'payment_id'), 'guest@example.com', 'the reminder email goes to the guest');

-- the daemon's contract
select is((select array_agg(kind order by kind) from bridge.job_kinds
  where kind in ('email.send', 'llm.proposal_draft', 'llm.classify_message', 'whatsapp.send', 'instagram.send', 'menu.extract', 'fx.sync', 'proposal.expire', 'payment.remind')),
  array['email.send', 'fx.sync', 'instagram.send', 'llm.classify_message', 'llm.proposal_draft', 'menu.extract', 'payment.remind', 'proposal.expire', 'whatsapp.send'],
  'every job kind is registered');
select is((select writeback_function from bridge.job_kinds where kind = 'email.send'), 'app.email_send_writeback', 'email.send writes back through app.email_send_writeback');
select is((select count(*)::int from bridge.schedules where name in ('fx.sync.daily', 'proposal.expire.hourly', 'payment.remind.daily')), 3, 'the recurring schedules exist');

select * from finish();
rollback;
