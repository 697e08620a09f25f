-- bridge.complete and bridge.fail: write-back exactly once under a fenced lease, backoff with
-- jitter, Retry-After, max attempts → dead with the on-failure handler, and a handler that
-- raises still leaving the job dead.
begin;
select plan(34);
set local client_min_messages = error;

create schema bridge_test;
create table bridge_test.writebacks (job_id bigint, payload jsonb, result jsonb);
create table bridge_test.failures (job_id bigint, payload jsonb, error text, status_seen text);
create function bridge_test.record_result(p_job_id bigint, p_payload jsonb, p_result jsonb) returns void
language plpgsql as $$
begin
  if p_result ? 'explode' then
    raise exception 'write-back refused the result' using errcode = 'TE001';
  end if;
  insert into bridge_test.writebacks values (p_job_id, p_payload, p_result);
end
$$;
create function bridge_test.record_failure(p_job_id bigint, p_payload jsonb, p_error text) returns void
language sql as $$
  insert into bridge_test.failures
  select p_job_id, p_payload, p_error, status from bridge.jobs where id = p_job_id;
$$;
create function bridge_test.broken_handler(p_job_id bigint, p_payload jsonb, p_error text) returns void
language plpgsql as $$ begin raise exception 'handler broke' using errcode = 'TE002'; end $$;

select bridge.register_kind('test.wb', 'test_wb_q',
  p_writeback => 'bridge_test.record_result(bigint,jsonb,jsonb)',
  p_on_failure => 'bridge_test.record_failure(bigint,jsonb,text)',
  p_max_attempts => 3, p_backoff_base_seconds => 10, p_backoff_max_seconds => 100);
select bridge.register_kind('test.broken_handler', 'test_broken_q',
  p_on_failure => 'bridge_test.broken_handler(bigint,jsonb,text)', p_max_attempts => 1);

-- The lease a test currently holds, claimed from one queue.
create temp table lease (id bigint, token uuid);
create function pg_temp.take(p_queue text) returns void language sql as $$
  delete from lease;
  insert into lease select id, lease_token from bridge.claim('worker-1', array[p_queue], 1);
$$;
-- Make a pending job due now (instead of waiting out its backoff).
create function pg_temp.due(p_id bigint) returns void language sql as $$
  update bridge.jobs set run_at = now() - interval '1 second' where id = p_id;
$$;

-- complete ----------------------------------------------------------------------------------
select bridge.enqueue('test.wb', '{"to": "guest@example.com"}');
select pg_temp.take('test_wb_q');

select throws_ok(format('select bridge.complete(%s, %L)', (select id from lease), gen_random_uuid()),
  'BR409', null, 'complete with a token that is not the lease''s raises BR409');
select throws_ok(format('select bridge.complete(%s, %L, %L)', (select id from lease), (select token from lease), '{"explode": true}'),
  'TE001', null, 'a write-back that raises propagates its error');
select is((select (status, result)::text from bridge.jobs where id = (select id from lease)), '(running,)',
  '... and nothing was written: the job is still running');

select ok(bridge.complete((select id from lease), (select token from lease), '{"message_id": "m-1"}'),
  'complete with the lease token succeeds');
select is((select count(*) from bridge_test.writebacks), 1::bigint, 'the write-back ran once');
select is((select (payload, result)::text from bridge_test.writebacks),
  '("{""to"": ""guest@example.com""}","{""message_id"": ""m-1""}")', '... with the job''s payload and result');
select is((select (status, result, finished_at = now())::text from bridge.jobs where id = (select id from lease)),
  '(succeeded,"{""message_id"": ""m-1""}",t)', 'the job is succeeded with its result');
select throws_ok(format('select bridge.complete(%s, %L)', (select id from lease), (select token from lease)),
  'BR409', null, 'completing it again raises BR409 (fencing)');
select is((select count(*) from bridge_test.writebacks), 1::bigint, '... and the write-back did not run twice');

-- fail: backoff, Retry-After, dead --------------------------------------------------------
select bridge.enqueue('test.wb', '{"attempt": "me"}');
select pg_temp.take('test_wb_q');
select is(bridge.fail((select id from lease), (select token from lease), 'smtp 451'), 'pending',
  'a retryable failure with attempts left goes back to pending');
select ok((select run_at >= now() + interval '5 seconds' and run_at < now() + interval '15 seconds'
             from bridge.jobs where id = (select id from lease)),
  'first retry waits base × [0.5, 1.5) = 5–15 s');
select is((select (attempts, last_error, lease_token is null and locked_until is null)::text from bridge.jobs where id = (select id from lease)),
  '(1,"smtp 451",t)', 'the attempt and its error are recorded, and the lease is gone');
select throws_ok(format('select bridge.fail(%s, %L, %L)', (select id from lease), (select token from lease), 'again'),
  'BR409', null, 'fail with a token that no longer owns the job raises BR409');

select pg_temp.due((select id from lease));
select pg_temp.take('test_wb_q');
select is(bridge.fail((select id from lease), (select token from lease), 'smtp 451'), 'pending', 'second failure: pending');
select ok((select run_at >= now() + interval '10 seconds' and run_at < now() + interval '30 seconds'
             from bridge.jobs where id = (select id from lease)),
  'second retry waits base × 2 × [0.5, 1.5) = 10–30 s');

select pg_temp.due((select id from lease));
select pg_temp.take('test_wb_q');
select is(bridge.fail((select id from lease), (select token from lease), 'smtp 550 mailbox unavailable'), 'dead',
  'failing the last attempt makes the job dead');
select is((select (status, attempts, finished_at = now())::text from bridge.jobs where id = (select id from lease)),
  '(dead,3,t)', 'a dead job is finished after max_attempts');
select is((select (job_id, payload, error)::text from bridge_test.failures),
  format('(%s,"{""attempt"": ""me""}","smtp 550 mailbox unavailable")', (select id from lease)),
  'the on-failure handler ran once with the job''s payload and error');
select is((select status_seen from bridge_test.failures), 'dead', '... and saw the job already dead');

select bridge.enqueue('test.wb', '{"retry_after": true}');
select pg_temp.take('test_wb_q');
select is(bridge.fail((select id from lease), (select token from lease), '429', p_retry_after_seconds => 600), 'pending',
  'a rate-limited failure is retried');
select is((select run_at from bridge.jobs where id = (select id from lease)), now() + interval '600 seconds',
  'the provider''s Retry-After wins over a shorter backoff');
select throws_ok(format('select bridge.fail(%s, %L, %L, true, -1)', (select id from lease), gen_random_uuid(), 'x'),
  'BR002', null, 'a negative Retry-After raises BR002');

select bridge.enqueue('test.wb', '{"permanent": true}');
select pg_temp.take('test_wb_q');
select is(bridge.fail((select id from lease), (select token from lease), 'invalid recipient', p_retryable => false), 'dead',
  'a permanent failure goes dead on its first attempt');

select ok((select bool_and(d >= 50 and d < 150) from (select bridge._backoff_seconds(20, 10, 100) as d from generate_series(1, 50)) s),
  'the backoff is capped at backoff_max before jitter (20th attempt: 100 × [0.5, 1.5))');

-- An on-failure handler that raises does not lose the job
select bridge.enqueue('test.broken_handler', '{}');
select pg_temp.take('test_broken_q');
select is(bridge.fail((select id from lease), (select token from lease), 'provider down'), 'dead',
  'the job ends dead even though its on-failure handler raises');
select ok((select status = 'dead' and last_error like 'provider down%on-failure handler%TE002: handler broke'
             from bridge.jobs where id = (select id from lease)),
  'both the job''s error and the handler''s error are kept in last_error');

-- complete_many: one transaction for a batch; stale leases are skipped, a raising write-back
-- rolls back the batch
delete from bridge_test.writebacks;
create temp table pair (id bigint, lease_token uuid);
select bridge.enqueue_batch('test.wb', array['{"n": 1}', '{"n": 2}']::jsonb[]);
insert into pair select id, lease_token from bridge.claim('worker-1', array['test_wb_q'], 2);
select is((select count(*) from pair), 2::bigint, 'two jobs claimed for a batch completion');
select throws_ok(
  format('select bridge.complete_many(%L, %L, %L)', (select array_agg(id order by id) from pair),
         (select array_agg(lease_token order by id) from pair), array['{}', '{"explode": true}']::jsonb[]),
  'TE001', null, 'a write-back raising inside complete_many propagates');
select is((select count(*) from bridge.jobs j join pair using (id) where j.status = 'running'), 2::bigint,
  '... and rolls back the whole batch');
select is(
  bridge.complete_many(array(select id from pair order by id),
                       array[(select lease_token from pair order by id limit 1), gen_random_uuid()],
                       array['{"ok": 1}', '{"ok": 2}']::jsonb[]),
  array[(select min(id) from pair)], 'complete_many returns the ids it completed, skipping a stale lease');
select is((select array_agg(result->>'ok') from bridge_test.writebacks), array['1'], '... whose write-back alone ran');
select throws_ok($$ select bridge.complete_many(array[1, 2]::bigint[], array[gen_random_uuid()]) $$, 'BR002', null,
  'complete_many with fewer tokens than ids raises BR002');

-- release: hand a job back without spending an attempt
select bridge.enqueue('test.wb', '{"released": true}');
select pg_temp.take('test_wb_q');
select is(bridge.release((select id from lease), (select token from lease)), 'pending', 'release hands a running job back');
select is((select (attempts, run_at <= now(), lease_token)::text from bridge.jobs where id = (select id from lease)),
  '(0,t,)', '... due at once, without its lease, and the attempt does not count');

select * from finish();
rollback;
