-- A daemon claims only the kinds it has handlers for; jobs of a kind no live daemon runs wait and
-- show in bridge.unhandled_kinds(); heartbeat and complete_many lock in id order.
begin;
select plan(14);

select bridge.register_kind(p_kind => 'test.known', p_queue => 'test_kinds_q');
select bridge.register_kind(p_kind => 'test.newer', p_queue => 'test_kinds_q');
create temp table ids (name text primary key, id bigint);
insert into ids values
  ('newer', bridge.enqueue('test.newer', '{}', p_run_at => now() - interval '10 minutes')),
  ('known', bridge.enqueue('test.known', '{}'));

-- An older daemon that only knows test.known
select is(
  (select array_agg(kind) from bridge.claim('old-replica', array['test_kinds_q'], 10, 30, array['test.known'])),
  array['test.known'], 'a daemon claims only the kinds it passes, even when an older job of another kind is first in line');
select is((select status from bridge.jobs where id = (select id from ids where name = 'newer')), 'pending',
  'the job of the kind it does not run stays pending, untouched');
select is((select attempts from bridge.jobs where id = (select id from ids where name = 'newer')), 0,
  'and spends no attempt');
select is((select count(*) from bridge.claim('empty', array['test_kinds_q'], 10, 30, array[]::text[])), 0::bigint,
  'a daemon with no handlers claims nothing');

-- Who runs what
select bridge.worker_seen('old-replica', 'worker', array['test.known']);
select is((select kinds from bridge.workers where worker_id = 'old-replica'), array['test.known'],
  'worker_seen records the kinds a daemon runs');
select is(
  (select (kind, due)::text from bridge.unhandled_kinds() where kind like 'test.%'),
  '(test.newer,1)', 'a due job of a kind no live daemon runs is reported as unhandled');
select ok((select oldest_due_age_seconds from bridge.unhandled_kinds() where kind = 'test.newer') >= 600,
  'with the age of its oldest due job');
select bridge.worker_seen('new-replica', 'all', array['test.known', 'test.newer']);
select is((select count(*) from bridge.unhandled_kinds() where kind like 'test.%'), 0::bigint,
  'once a daemon that runs the kind is seen, it is handled');
update bridge.workers set last_seen_at = now() - interval '1 minute' where worker_id = 'new-replica';
select is((select count(*) from bridge.unhandled_kinds() where kind = 'test.newer'), 1::bigint,
  'a daemon not seen for 30 s no longer counts');
select bridge.worker_gone('new-replica');
select is((select count(*) from bridge.workers where worker_id = 'new-replica'), 0::bigint,
  'worker_gone forgets a daemon at once');
select is(
  (select array_agg(kind) from bridge.claim('new-replica', array['test_kinds_q'], 10, 30, array['test.known', 'test.newer'])),
  array['test.newer'], 'a daemon that runs the kind claims the waiting job');

-- One lock order
select matches(pg_get_functiondef('bridge.heartbeat(bigint[],uuid[],integer)'::regprocedure), 'order by j\.id\s+for update of j',
  'heartbeat locks the owned jobs in id order');
select matches(pg_get_functiondef('bridge.complete_many(bigint[],uuid[],jsonb[])'::regprocedure), 'order by t\.id',
  'complete_many finishes jobs in id order');
insert into ids select 'batch_' || g, bridge.enqueue('test.known', jsonb_build_object('g', g)) from generate_series(1, 3) g;
create temp table batch as select id, lease_token from bridge.claim('w', array['test_kinds_q'], 10, 30, array['test.known']);
select is(
  (select bridge.complete_many(array_agg(id order by id desc), array_agg(lease_token order by id desc)) from batch),
  (select array_agg(id order by id) from batch),
  'complete_many given ids in any order completes them all and answers in id order');

select * from finish();
rollback;
