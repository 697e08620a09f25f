-- Operator actions: bridge.retry, bridge.redrive and bridge.cancel (pending and running jobs).
begin;
select plan(24);

select bridge.register_kind('test.op', 'test_op_q', p_max_attempts => 1);
select bridge.register_kind('test.op_other', 'test_op_other_q', p_max_attempts => 1);

create temp table lease (id bigint, token uuid);
create function pg_temp.take(p_queue text) returns void language sql as $$
  delete from lease;
  insert into lease select id, lease_token from bridge.claim('worker-1', array[p_queue], 1);
$$;
-- Enqueue a job of p_kind, claim it and fail it permanently; returns its id.
create function pg_temp.dead_job(p_kind text, p_dedupe_key text default null) returns bigint language plpgsql as $$
declare
  v_id bigint := bridge.enqueue(p_kind, p_dedupe_key => p_dedupe_key, p_priority => 1000);
begin
  perform pg_temp.take((select queue from bridge.job_kinds where kind = p_kind));
  perform bridge.fail(v_id, (select token from lease), 'gave up', false);
  return v_id;
end
$$;

-- retry -----------------------------------------------------------------------------------
create temp table ids (name text primary key, id bigint);
insert into ids values ('dead', pg_temp.dead_job('test.op'));
select is(bridge.retry((select id from ids where name = 'dead')), 1, 'retry requeues a dead job');
select is((select (status, attempts, run_at = now(), finished_at)::text from bridge.jobs where id = (select id from ids where name = 'dead')),
  '(pending,0,t,)', '... as pending, due now, with its attempts reset');
select is((select last_error from bridge.jobs where id = (select id from ids where name = 'dead')), 'gave up',
  '... keeping its last error for the record');

select pg_temp.take('test_op_q');
select is(bridge.retry((select id from lease)), 0, 'retry leaves a running job alone');
select bridge.complete((select id from lease), (select token from lease));
select is(bridge.retry((select id from lease)), 0, 'retry leaves a succeeded job alone');
select throws_ok($$ select bridge.retry(-1) $$, 'BR404', null, 'retry of an unknown job raises BR404');

insert into ids values ('waiting', bridge.enqueue('test.op', p_run_at => now() + interval '1 hour'));
select is(bridge.retry((select id from ids where name = 'waiting')), 1, 'retry of a job waiting for its run_at ...');
select is((select run_at from bridge.jobs where id = (select id from ids where name = 'waiting')), now(), '... makes it due now');
update bridge.jobs set status = 'cancelled', finished_at = now() where id = (select id from ids where name = 'waiting');

insert into ids values ('keyed_dead', pg_temp.dead_job('test.op', 'order-7'));
select bridge.enqueue('test.op', p_dedupe_key => 'order-7');
select throws_ok(format('select bridge.retry(%s)', (select id from ids where name = 'keyed_dead')), 'BR003', null,
  'retry of a dead job whose dedupe key another live job holds raises BR003');

-- cancel ----------------------------------------------------------------------------------
insert into ids values ('to_cancel', bridge.enqueue('test.op_other'));
select ok(bridge.cancel((select id from ids where name = 'to_cancel')), 'cancel of a pending job succeeds');
select is((select (status, finished_at = now())::text from bridge.jobs where id = (select id from ids where name = 'to_cancel')),
  '(cancelled,t)', '... and it is cancelled at once');
select ok(not bridge.cancel((select id from ids where name = 'to_cancel')), 'cancel of a finished job returns false');
select throws_ok($$ select bridge.cancel(-1) $$, 'BR404', null, 'cancel of an unknown job raises BR404');
select is(bridge.retry((select id from ids where name = 'to_cancel')), 1, 'retry brings a cancelled job back');
select pg_temp.take('test_op_other_q');

select ok(bridge.cancel((select id from lease)), 'cancel of a running job succeeds');
select is((select (status, cancel_requested)::text from bridge.jobs where id = (select id from lease)), '(running,t)',
  '... as a request: the job is still running');
select is(bridge.heartbeat(array[(select id from lease)], array[(select token from lease)]), array[]::bigint[],
  'its heartbeat no longer extends it, telling the daemon to stop');
select is(bridge.fail((select id from lease), (select token from lease), 'stopped'), 'cancelled',
  'when the daemon reports the stopped attempt the job ends cancelled, not retried');

select bridge.enqueue('test.op_other');
select pg_temp.take('test_op_other_q');
select bridge.cancel((select id from lease));
update bridge.jobs set locked_until = now() - interval '1 second' where id = (select id from lease);
select is((select count(*) from bridge.claim('worker-2', array['test_op_other_q'], 5)), 0::bigint,
  'a cancel-requested job whose lease expires is not claimed again');
select is((select status from bridge.jobs where id = (select id from lease)), 'cancelled', '... it ends cancelled');

-- redrive ---------------------------------------------------------------------------------
select pg_temp.dead_job('test.op') from generate_series(1, 3);
select pg_temp.dead_job('test.op_other');
insert into ids values ('died_long_ago', pg_temp.dead_job('test.op_other'));
update bridge.jobs set finished_at = now() - interval '2 days' where id = (select id from ids where name = 'died_long_ago');
insert into ids values ('dup_old', pg_temp.dead_job('test.op_other', 'dup'));
insert into ids values ('dup_new', pg_temp.dead_job('test.op_other', 'dup'));

select is(bridge.redrive('test.op'), 3, 'redrive of a kind requeues its dead jobs (the BR003 one stays dead)');
select is(bridge.redrive(p_since => now() - interval '1 hour'), 2,
  'redrive since a time skips older deaths, and of two dead jobs with one dedupe key takes one');
select is((select array_agg(status order by id) from bridge.jobs where id in (select id from ids where name like 'dup_%')),
  array['dead', 'pending'], '... the newest');
select is(bridge.redrive(), 1, 'redrive with no filter takes the rest that can run');

select * from finish();
rollback;
