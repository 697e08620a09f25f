-- bridge.enqueue / bridge.enqueue_batch: kind validation, defaults from the kind, dedupe keys,
-- batch order, argument errors.
begin;
select plan(16);

select bridge.register_kind('test.enqueue', 'test_enqueue_q', p_max_attempts => 7);
select bridge.register_kind('test.enqueue_other', 'test_enqueue_q');

select throws_ok($$ select bridge.enqueue('test.no_such_kind') $$, 'BR001', null,
  'enqueueing an unknown kind raises BR001');

create temp table ids (name text primary key, id bigint);
insert into ids select 'plain', bridge.enqueue('test.enqueue', '{"to": "a@example.com"}');

select is(
  (select (queue, status, attempts, max_attempts, payload, run_at = now(), priority)::text
     from bridge.jobs where id = (select id from ids where name = 'plain')),
  '(test_enqueue_q,pending,0,7,"{""to"": ""a@example.com""}",t,0)',
  'a job takes its queue and max_attempts from its kind and is due now');

insert into ids select 'later', bridge.enqueue('test.enqueue', p_priority => 5, p_run_at => now() + interval '1 hour', p_max_attempts => 2);
select is(
  (select (priority, run_at - now(), max_attempts)::text from bridge.jobs where id = (select id from ids where name = 'later')),
  '(5,01:00:00,2)', 'priority, run_at and max_attempts can be set per job');

select throws_ok($$ select bridge.enqueue('test.enqueue', p_max_attempts => 0) $$, 'BR002', null,
  'max_attempts below 1 raises BR002');

-- Dedupe keys
insert into ids select 'keyed', bridge.enqueue('test.enqueue', '{"n": 1}', p_dedupe_key => 'invoice-42');
select is(bridge.enqueue('test.enqueue', '{"n": 2}', p_dedupe_key => 'invoice-42'),
  (select id from ids where name = 'keyed'), 'a live dedupe key returns the existing job id');
select is((select count(*) from bridge.jobs where dedupe_key = 'invoice-42'), 1::bigint, '... without a second row');
select is((select payload from bridge.jobs where id = (select id from ids where name = 'keyed')), '{"n": 1}'::jsonb,
  '... and the first payload stands');
select isnt(bridge.enqueue('test.enqueue_other', p_dedupe_key => 'invoice-42'),
  (select id from ids where name = 'keyed'), 'dedupe keys are scoped to their kind');

update bridge.jobs set status = 'succeeded', finished_at = now() where id = (select id from ids where name = 'keyed');
select isnt(bridge.enqueue('test.enqueue', '{"n": 3}', p_dedupe_key => 'invoice-42'),
  (select id from ids where name = 'keyed'), 'once the job finished, its dedupe key can be enqueued again');

-- Batches
create temp table batch as
  select * from unnest(bridge.enqueue_batch('test.enqueue',
    array['{"i": 1}', '{"i": 2}', '{"i": 3}', '{"i": 4}']::jsonb[],
    p_dedupe_keys => array[null, 'batch-key', null, 'batch-key'])) with ordinality as b(id, ord);

select is((select count(*) from batch), 4::bigint, 'a batch returns one id per payload');
select is((select array_agg(j.payload->>'i' order by b.ord) from batch b join bridge.jobs j using (id)),
  array['1', '2', '3', '2'], 'ids come back in payload order; a repeated key maps to the first payload''s job');
select is((select count(distinct id) from batch), 3::bigint, 'the repeated key did not create a job');
select is((select count(*) from batch b join bridge.jobs j using (id) where j.queue = 'test_enqueue_q' and j.status = 'pending'),
  4::bigint, 'every batch job is pending in the kind''s queue');

select is(bridge.enqueue_batch('test.enqueue', array[]::jsonb[]), array[]::bigint[], 'an empty batch enqueues nothing');
select throws_ok($$ select bridge.enqueue_batch('test.enqueue', array['{}']::jsonb[], p_dedupe_keys => array['a', 'b']) $$,
  'BR002', null, 'a batch with more dedupe keys than payloads raises BR002');
select throws_ok($$ select bridge.enqueue_batch('test.no_such_kind', array['{}']::jsonb[]) $$, 'BR001', null,
  'a batch of an unknown kind raises BR001');

select * from finish();
rollback;
