-- Bridge schema: tables, RLS, privileges, function hygiene, the NOTIFY trigger's shape, and the
-- kind registry's validation.
begin;
select plan(23);

select has_table('bridge', 'jobs', 'bridge.jobs exists');
select has_table('bridge', 'job_kinds', 'bridge.job_kinds exists');
select has_table('bridge', 'schedules', 'bridge.schedules exists');
select has_index('bridge', 'jobs', 'jobs_claim_idx', 'the claim path has its partial index');

select is(
  (select count(*) from pg_class
    where relnamespace = 'bridge'::regnamespace and relkind in ('r', 'p') and not relrowsecurity),
  0::bigint, 'every bridge table has RLS enabled');

select is(
  (select count(*) from pg_proc
    where pronamespace = 'bridge'::regnamespace and prosecdef
      and not coalesce(proconfig @> array['search_path=""'], false)),
  0::bigint, 'every SECURITY DEFINER bridge function pins search_path to empty');

select is(
  (select count(*) from pg_proc p
    where p.pronamespace = 'bridge'::regnamespace and obj_description(p.oid, 'pg_proc') is null),
  0::bigint, 'every bridge function has a comment');

select is(
  (select count(*) from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
    where p.pronamespace = 'bridge'::regnamespace and a.grantee = 0 and a.privilege_type = 'EXECUTE'),
  0::bigint, 'PUBLIC may execute no bridge function');

select is(
  (select count(*) from pg_proc p
    where p.pronamespace = 'bridge'::regnamespace
      and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute'))),
  0::bigint, 'request roles may execute no bridge function');

select ok(
  (select bool_and(has_function_privilege('service_role', f::regprocedure, 'execute'))
     from unnest(array[
       'bridge.enqueue(text,jsonb,uuid,text,integer,timestamptz,integer)',
       'bridge.enqueue_batch(text,jsonb[],uuid,text[],integer,timestamptz,integer)',
       'bridge.claim(text,text[],integer,integer,text[])',
       'bridge.heartbeat(bigint[],uuid[],integer)',
       'bridge.complete(bigint,uuid,jsonb)',
       'bridge.complete_many(bigint[],uuid[],jsonb[])',
       'bridge.release(bigint,uuid)',
       'bridge.fail(bigint,uuid,text,boolean,double precision)',
       'bridge.retry(bigint)',
       'bridge.redrive(text,timestamptz)',
       'bridge.cancel(bigint)',
       'bridge.fire_due_schedules()',
       'bridge.prune(interval,integer)',
       'bridge.stats()',
       'bridge.queue_depth()',
       'bridge.worker_seen(text,text,text[])',
       'bridge.worker_gone(text)',
       'bridge.unhandled_kinds(interval)']) as f),
  'service_role may execute the daemon''s API');

select ok(not has_function_privilege('service_role', 'bridge.register_kind(text,text,text,text,integer,integer,integer,double precision,double precision)', 'execute'),
  'register_kind is for migrations only');

select ok(not has_table_privilege('authenticated', 'bridge.jobs', 'select'), 'authenticated cannot read jobs');

select is(
  (select tgtype & (1 | 2 | 4) from pg_trigger where tgrelid = 'bridge.jobs'::regclass and tgname = '_900_notify_workers'),
  4, 'the NOTIFY trigger is AFTER INSERT FOR EACH STATEMENT (one notify per statement, not per row)');
select isnt(
  (select tgnewtable from pg_trigger where tgrelid = 'bridge.jobs'::regclass and tgname = '_900_notify_workers'),
  null, 'the NOTIFY trigger reads a transition table');

-- Registry validation
create schema bridge_test;
create function bridge_test.wrong_writeback(p_job_id bigint, p_payload jsonb) returns void language sql as $$ select $$;

select throws_ok(
  $$ select bridge.register_kind('test.bad', 'test_q', 'bridge_test.wrong_writeback(bigint,jsonb)') $$,
  'BR002', null, 'a write-back with the wrong signature is rejected');
select throws_ok(
  $$ select bridge.register_kind('test.bad', 'test_q', 'bridge_test.wrong_writeback') $$,
  'BR002', null, 'a write-back named without arguments is looked up with the write-back signature');
select throws_ok(
  $$ select bridge.register_kind('test.bad', 'test_q', 'bridge_test.no_such_function') $$,
  'BR002', null, 'a write-back that does not exist is rejected');

create function bridge_test.good_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb) returns void
language sql as $$ select $$;
select bridge.register_kind(p_kind => 'test.named', p_queue => 'test_q', p_writeback => 'bridge_test.good_writeback');
select is((select writeback_function from bridge.job_kinds where kind = 'test.named'), 'bridge_test.good_writeback',
  'the write-back is stored by its schema-qualified name, not an OID');
select bridge.register_kind(p_kind => 'test.named', p_queue => 'test_q', p_writeback => 'bridge_test.good_writeback(bigint, jsonb, jsonb)');
select is((select writeback_function from bridge.job_kinds where kind = 'test.named'), 'bridge_test.good_writeback',
  'a name with its argument list is stored the same way');
select is(
  (select count(*) from pg_attribute a
    where a.attrelid in (select c.oid from pg_class c where c.relnamespace = 'bridge'::regnamespace)
      and a.attnum > 0 and not a.attisdropped
      and a.atttypid in ('regproc'::regtype, 'regprocedure'::regtype, 'regoper'::regtype, 'regoperator'::regtype,
                         'regconfig'::regtype, 'regdictionary'::regtype, 'regnamespace'::regtype, 'regcollation'::regtype)),
  0::bigint, 'no bridge column has a reg* type that pg_upgrade cannot carry');
select is((select count(*) from bridge.job_kinds where writeback_function is null and kind in ('email.send', 'whatsapp.send', 'fx.sync')),
  0::bigint, 'the domain''s kinds kept their write-backs through the column change');

select bridge.register_kind('test.kind', 'test_q_a');
select bridge.register_kind('test.kind', 'test_q_b', p_max_attempts => 9);
select is((select count(*) from bridge.job_kinds where kind = 'test.kind'), 1::bigint, 'register_kind is an idempotent upsert');
select is((select (queue, max_attempts)::text from bridge.job_kinds where kind = 'test.kind'), '(test_q_b,9)', 'register_kind updates the policy');

select * from finish();
rollback;
