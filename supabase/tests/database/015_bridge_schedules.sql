-- Recurring schedules: declaration, period grid, firing once per period, missed periods, disabled
-- schedules. Other migrations declare schedules too, so assertions count this file's jobs only.
begin;
select plan(15);

select bridge.register_kind('test.sched', 'test_sched_q');
select bridge.upsert_schedule('test.fx_daily', 'test.sched', interval '1 day', interval '6 hours', '{"source": "ecb"}');

select is(
  (select (extract(hour from next_run_at at time zone 'UTC'), extract(minute from next_run_at at time zone 'UTC'))::text
     from bridge.schedules where name = 'test.fx_daily'),
  '(6,0)', 'a daily schedule with a 6 hour offset runs at 06:00 UTC');
select ok((select next_run_at > now() and next_run_at <= now() + interval '1 day' from bridge.schedules where name = 'test.fx_daily'),
  'a new schedule first fires at its next period start');
select throws_ok($$ select bridge.upsert_schedule('test.bad', 'test.no_such_kind', interval '1 day') $$, 'BR001', null,
  'a schedule of an unknown kind raises BR001');
select throws_ok($$ select bridge.upsert_schedule('test.bad', 'test.sched', interval '1 month') $$, 'BR002', null,
  'a period in months raises BR002 (months vary in length)');

select is(
  (select count(*) from bridge.jobs where kind = 'test.sched'), 0::bigint, 'nothing fires before the period starts');
select bridge.fire_due_schedules();
select is((select count(*) from bridge.jobs where kind = 'test.sched'), 0::bigint, '... even when fire_due_schedules runs');

update bridge.schedules set next_run_at = now() - interval '1 minute' where name = 'test.fx_daily';
select ok(bridge.fire_due_schedules() >= 1, 'a due schedule fires');
select is(
  (select (payload, dedupe_key = 'test.fx_daily@' || to_char(date_trunc('day', now() - interval '6 hours', 'UTC') + interval '6 hours',
                                                              'YYYY-MM-DD"T"HH24:MI:SS"Z"') collate "C")::text
     from bridge.jobs where kind = 'test.sched'),
  '("{""source"": ""ecb""}",t)', 'its job carries the schedule''s payload and a dedupe key naming the period');
select is(
  (select (next_run_at = date_trunc('day', now() - interval '6 hours', 'UTC') + interval '30 hours', last_run_at = now())::text
     from bridge.schedules where name = 'test.fx_daily'),
  '(t,t)', 'the schedule advances to the next period start');

select bridge.fire_due_schedules();
select is((select count(*) from bridge.jobs where kind = 'test.sched'), 1::bigint, 'calling it again fires nothing more');
select matches(pg_get_functiondef('bridge.fire_due_schedules()'::regprocedure), 'for update skip locked',
  'concurrent daemons skip a schedule another one is firing');

update bridge.schedules set next_run_at = now() - interval '3 days' where name = 'test.fx_daily';
select bridge.fire_due_schedules();
select is((select count(*) from bridge.jobs where kind = 'test.sched'), 1::bigint,
  'missed periods collapse into one run of the current period (its dedupe key is still live)');
select ok((select next_run_at > now() from bridge.schedules where name = 'test.fx_daily'), '... and the schedule is current again');

delete from bridge.jobs where kind = 'test.sched';
select bridge.upsert_schedule('test.fx_daily', 'test.sched', interval '1 day', interval '6 hours', '{"source": "ecb", "v": 2}', p_enabled => false);
update bridge.schedules set next_run_at = now() - interval '1 minute' where name = 'test.fx_daily';
select bridge.fire_due_schedules();
select is((select count(*) from bridge.jobs where kind = 'test.sched'), 0::bigint, 'a disabled schedule does not fire');

select bridge.upsert_schedule('test.fx_daily', 'test.sched', interval '1 hour');
select is((select next_run_at from bridge.schedules where name = 'test.fx_daily'), date_trunc('hour', now()) + interval '1 hour',
  'changing the period moves the schedule onto the new grid');

select * from finish();
rollback;
