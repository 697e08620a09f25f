-- bridge.claim and bridge.heartbeat: claim order, future jobs, leases and their expiry,
-- per-kind concurrency caps, heartbeats that only extend leases still owned.
begin;
select plan(20);

select bridge.register_kind('test.claim', 'test_claim_q', p_timeout_seconds => 45);
select bridge.register_kind('test.claim_elsewhere', 'test_claim_other_q');
select bridge.register_kind('test.capped', 'test_capped_q', p_concurrency => 2);

create temp table ids (name text primary key, id bigint);
insert into ids values
  ('low', bridge.enqueue('test.claim', '{"n": "low"}')),
  ('high', bridge.enqueue('test.claim', '{"n": "high"}', p_priority => 10)),
  ('earlier', bridge.enqueue('test.claim', '{"n": "earlier"}', p_run_at => now() - interval '1 minute')),
  ('future', bridge.enqueue('test.claim', '{"n": "future"}', p_priority => 100, p_run_at => now() + interval '1 hour')),
  ('elsewhere', bridge.enqueue('test.claim_elsewhere', '{"n": "elsewhere"}'));
create function pg_temp.id(p_name text) returns bigint language sql as $$ select id from ids where name = p_name $$;

create temp table claimed as select * from bridge.claim('worker-1', array['test_claim_q'], 1);
select is((select id from claimed), pg_temp.id('high'), 'the highest priority job is claimed first');
select is(
  (select (status, attempts, locked_by, locked_until = now() + interval '30 seconds', lease_token is not null)::text
     from bridge.jobs where id = pg_temp.id('high')),
  '(running,1,worker-1,t,t)', 'a claimed job is running under a 30 s lease with a fresh token');
select is((select timeout_seconds from claimed), 45, 'claim returns the kind''s timeout');
select is((select lease_token from claimed), (select lease_token from bridge.jobs where id = pg_temp.id('high')),
  'claim returns the lease token it stored');

select is((select id from bridge.claim('worker-1', array['test_claim_q'], 1)), pg_temp.id('earlier'),
  'among equal priorities the earlier run_at comes first');
select is((select id from bridge.claim('worker-1', array['test_claim_q'], 1)), pg_temp.id('low'), 'then the next one');
select is((select count(*) from bridge.claim('worker-1', array['test_claim_q'], 10)), 0::bigint,
  'a job whose run_at is in the future is not claimed, whatever its priority');
select is((select status from bridge.jobs where id = pg_temp.id('elsewhere')), 'pending', 'other queues are left alone');

select throws_ok($$ select * from bridge.claim('worker-1', array['test_claim_q'], 0) $$, 'BR002', null,
  'a claim of zero jobs raises BR002');
-- Two daemons never see each other's candidate rows: the claim locks with SKIP LOCKED.
select matches(pg_get_functiondef('bridge.claim(text,text[],integer,integer,text[])'::regprocedure), 'for update skip locked',
  'claim locks its candidates FOR UPDATE SKIP LOCKED');

-- Lease expiry: a crashed worker's job is reclaimed by the next claim.
create temp table old_lease as select lease_token from bridge.jobs where id = pg_temp.id('high');
update bridge.jobs set locked_until = now() - interval '1 second' where id = pg_temp.id('high');
select is((select id from bridge.claim('worker-2', array['test_claim_q'], 5)), pg_temp.id('high'),
  'a job whose lease expired is claimed again');
select is((select (attempts, locked_by)::text from bridge.jobs where id = pg_temp.id('high')), '(2,worker-2)',
  '... as a new attempt by the new worker');
select throws_ok(format('select bridge.complete(%s, %L)', pg_temp.id('high'), (select lease_token from old_lease)),
  'BR409', null, 'the crashed worker''s token is now stale');

insert into ids values ('last_try', bridge.enqueue('test.claim', p_max_attempts => 1, p_priority => 50));
select id from bridge.claim('worker-1', array['test_claim_q'], 1);
update bridge.jobs set locked_until = now() - interval '1 second' where id = pg_temp.id('last_try');
select id from bridge.claim('worker-2', array['test_claim_q'], 1);
select is((select (status, last_error like 'lease expired on the last attempt%')::text from bridge.jobs where id = pg_temp.id('last_try')),
  '(dead,t)', 'a lease that expires on the last attempt makes the job dead');

-- Concurrency cap of 2 for test.capped
select bridge.enqueue_batch('test.capped', array['{}', '{}', '{}', '{}', '{}']::jsonb[]);
select is((select count(*) from bridge.claim('worker-1', array['test_capped_q'], 10)), 2::bigint,
  'a batch claim admits a kind only up to its concurrency');
select is((select count(*) from bridge.claim('worker-1', array['test_capped_q'], 10)), 0::bigint,
  'a kind at its cap is skipped');

-- Heartbeat
create temp table running as
  select id, lease_token from bridge.jobs where kind = 'test.capped' and status = 'running' order by id;
select is(
  bridge.heartbeat(array(select id from running order by id), array(select lease_token from running order by id), 120),
  array(select id from running order by id), 'heartbeat returns the jobs still owned');
select is((select count(*) from bridge.jobs j join running using (id) where j.locked_until = now() + interval '120 seconds'),
  2::bigint, '... and extends their leases');
select is(
  bridge.heartbeat(array(select id from running order by id), array[gen_random_uuid(), (select lease_token from running order by id desc limit 1)]),
  array[(select max(id) from running)], 'a job whose token does not match is not extended nor returned');

-- A kind moved to another queue: jobs enqueued before the move still run from the old queue.
select bridge.register_kind('test.mover', 'test_move_old_q');
select bridge.enqueue('test.mover');
select bridge.register_kind('test.mover', 'test_move_new_q');
select is((select count(*) from bridge.claim('worker-1', array['test_move_old_q'], 10)), 1::bigint,
  'a job keeps the queue it was enqueued on when its kind moves');

select * from finish();
rollback;
