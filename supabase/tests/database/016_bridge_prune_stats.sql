-- bridge.prune (retention, batches, unfinished jobs untouched) and the observability functions.
begin;
select plan(11);

select bridge.register_kind('test.prune', 'test_prune_q');
create temp table ids (name text primary key, id bigint);
insert into ids
  select s || '_' || age, bridge.enqueue('test.prune', jsonb_build_object('status', s, 'age', age))
    from unnest(array['succeeded', 'dead', 'cancelled', 'pending']) as s, unnest(array['8 days', '1 day']) as age;
update bridge.jobs j
   set status = j.payload->>'status',
       finished_at = case when j.payload->>'status' <> 'pending' then now() - (j.payload->>'age')::interval end,
       created_at = now() - (j.payload->>'age')::interval
 where j.kind = 'test.prune';

select ok(bridge.prune() >= 3, 'prune reports what it deleted');
select is(
  (select array_agg(i.name order by i.name) from ids i where not exists (select 1 from bridge.jobs j where j.id = i.id)),
  array['cancelled_8 days', 'dead_8 days', 'succeeded_8 days'],
  'the default retention (7 days) removes succeeded, dead and cancelled jobs finished before it');
select is((select count(*) from bridge.jobs where kind = 'test.prune' and status = 'pending'), 2::bigint,
  'unfinished jobs are never pruned, however old');

select bridge.prune(interval '1 hour', p_batch_size => 1);
select is((select array_agg(status) from bridge.jobs where kind = 'test.prune'), array['pending', 'pending'],
  'a shorter retention removes younger finished jobs, batch after batch');
select throws_ok($$ select bridge.prune(interval '-1 day') $$, 'BR002', null, 'a negative retention raises BR002');

-- stats and queue depth
select bridge.enqueue('test.prune', p_run_at => now() + interval '1 hour');
update bridge.jobs set run_at = now() - interval '90 seconds'
 where id = (select id from ids where name = 'pending_8 days');
select is(
  (select (count, round(oldest_pending_age_seconds))::text from bridge.stats()
    where queue = 'test_prune_q' and kind = 'test.prune' and status = 'pending'),
  '(3,90)', 'stats counts pending jobs and the age of the oldest due one');
select bridge.claim('worker-1', array['test_prune_q'], 1);
select is(
  (select count from bridge.stats() where queue = 'test_prune_q' and status = 'running'), 1::bigint,
  'stats counts running jobs');
select is(
  (select oldest_pending_age_seconds from bridge.stats() where queue = 'test_prune_q' and status = 'running'), null,
  'only pending rows carry an age');
select is(
  (select (due, scheduled, running)::text from bridge.queue_depth() where queue = 'test_prune_q'),
  '(1,1,1)', 'queue_depth splits unfinished jobs into due, scheduled and running');

set local role service_role;
select lives_ok($$ select * from bridge.stats() $$, 'service_role may read stats');
reset role;
set local role authenticated;
select throws_ok($$ select * from bridge.stats() $$, '42501', null, 'authenticated may not');
reset role;

select * from finish();
rollback;
