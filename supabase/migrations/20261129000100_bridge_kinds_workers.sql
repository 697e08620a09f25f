-- Bridge, second step: job kinds name their SQL functions by text, daemons claim only the kinds
-- they can run, and the two calls that deadlocked under chaos lock rows in one order.
--
-- 1. bridge.job_kinds.writeback_fn / on_failure_fn were `regprocedure`. pg_upgrade refuses a
--    database holding reg* columns other than regclass/regrole/regtype (they store OIDs that a
--    major upgrade renumbers), so a Supabase project with them could not take a major upgrade.
--    They become `writeback_function` / `on_failure_function`: the schema-qualified name, checked
--    when the kind is registered and resolved again each time it is called.
-- 2. bridge.claim takes the list of kinds the calling daemon has handlers for (graphile-worker
--    passes its task list to get_jobs the same way): a replica from an older deploy never buries a
--    job of a kind added after it was built as "no handler".
-- 3. bridge.workers: each daemon says which kinds it runs (bridge.worker_seen every few seconds);
--    bridge.unhandled_kinds() lists due jobs no live daemon can run, with their age, for
--    `banquet jobs stats` and /metrics.
-- 4. bridge.heartbeat and bridge.complete_many both lock jobs in id order (they used to lock in
--    unnest()/argument order and deadlocked, 40P01, when a heartbeat covered jobs whose
--    completion was in flight).
-- 5. Every kind is registered again with named arguments, so each number says what it is.

-- Tables --------------------------------------------------------------------------------------

-- The table is tiny (one row per kind) and written by migrations only, so the rewrite below takes
-- its lock for microseconds.
set local lock_timeout = '5s';

alter table bridge.job_kinds add column writeback_function text;
alter table bridge.job_kinds add column on_failure_function text;
comment on column bridge.job_kinds.writeback_function is
  'Schema-qualified name of f(p_job_id bigint, p_payload jsonb, p_result jsonb) returns void, run by bridge.complete in '
  'the completing transaction; resolved by name at each call (no OID is stored, so pg_upgrade can carry it).';
comment on column bridge.job_kinds.on_failure_function is
  'Schema-qualified name of f(p_job_id bigint, p_payload jsonb, p_error text) returns void, run when a job goes dead.';

update bridge.job_kinds k
   set writeback_function = (select pg_catalog.format('%I.%I', n.nspname, p.proname)
                               from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                              where p.oid = k.writeback_fn),
       on_failure_function = (select pg_catalog.format('%I.%I', n.nspname, p.proname)
                                from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                               where p.oid = k.on_failure_fn);

-- Nothing reads the old columns after this migration: the functions that did are redefined below,
-- in this same transaction, and no daemon or client ever read them.
-- squawk-ignore ban-drop-column
alter table bridge.job_kinds drop column writeback_fn;
-- squawk-ignore ban-drop-column
alter table bridge.job_kinds drop column on_failure_fn;

create table bridge.workers (
  worker_id text primary key,
  role text not null check (role in ('all', 'worker', 'gateway')),
  kinds text[] not null default '{}',
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
comment on table bridge.workers is
  'Daemons that run jobs and the kinds each has handlers for, refreshed by bridge.worker_seen() every few seconds. '
  'A row not seen for 30 s is a stopped or crashed daemon; rows unseen for a day are removed.';
alter table bridge.workers enable row level security;
revoke all on bridge.workers from public;
grant select on bridge.workers to service_role;

-- Internal helpers ----------------------------------------------------------------------------

-- Internal helpers and the migrations-only registry take regprocedure arguments; no client calls
-- them, and register_kind is recreated below with text arguments.
-- squawk-ignore ban-drop-function
drop function bridge._callable(regprocedure);
-- squawk-ignore ban-drop-function
drop function bridge._check_handler(regprocedure, regtype, text);
-- squawk-ignore ban-drop-function
drop function bridge.register_kind(text, text, regprocedure, regprocedure, integer, integer, integer,
                                   double precision, double precision);

-- The canonical schema-qualified name of a write-back or on-failure function, given either
-- 'schema.name' or 'schema.name(argtypes)'. Fails with BR002 unless the function exists, is
-- schema-qualified and takes exactly (bigint, jsonb, <p_last_arg>) returning void.
create function bridge._handler_name(p_fn text, p_last_arg regtype, p_role text) returns text
language plpgsql stable
set search_path = ''
as $$
declare
  v_signature text := pg_catalog.format('(bigint, jsonb, %s)', p_last_arg);
  v_oid oid;
  v_name text;
begin
  if p_fn is null then
    return null;
  end if;
  v_oid := case when p_fn like '%(%' then pg_catalog.to_regprocedure(p_fn)
                else pg_catalog.to_regprocedure(p_fn || v_signature) end;
  select pg_catalog.format('%I.%I', n.nspname, p.proname) into v_name
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where p.oid = v_oid
     and p.pronargs = 3 and p.prorettype = 'void'::regtype
     and p.proargtypes[0] = 'bigint'::regtype and p.proargtypes[1] = 'jsonb'::regtype and p.proargtypes[2] = p_last_arg;
  if v_name is null or p_fn not like '%.%' then
    raise exception 'bridge: % function "%" not found with the right signature', p_role, p_fn
      using errcode = 'BR002',
            hint = pg_catalog.format('Name a schema-qualified function f%s returning void, e.g. ''app.my_%s''.',
                                     v_signature, case p_role when 'write-back' then 'writeback' else 'failed' end);
  end if;
  return v_name;
end
$$;
comment on function bridge._handler_name(text, regtype, text) is
  'Internal: validate a write-back or on-failure function for bridge.register_kind() and return its canonical '
  'schema-qualified name.';

-- Calls a kind's write-back or on-failure function by name. The name was validated at
-- registration; resolving it again here means a function dropped since then fails loudly (42883)
-- instead of calling whatever now holds its old OID.
create function bridge._call_handler(p_fn text, p_job_id bigint, p_payload jsonb, p_last anyelement) returns void
language plpgsql
set search_path = ''
as $$
begin
  execute pg_catalog.format('select %s($1, $2, $3)', p_fn) using p_job_id, p_payload, p_last;
end
$$;
comment on function bridge._call_handler(text, bigint, jsonb, anyelement) is
  'Internal: run a kind''s write-back (p_last = result jsonb) or on-failure function (p_last = error text) by its '
  'stored name.';

-- Job kinds -----------------------------------------------------------------------------------

create function bridge.register_kind(
  p_kind text,
  p_queue text,
  p_writeback text default null,
  p_on_failure text default null,
  p_max_attempts integer default 5,
  p_timeout_seconds integer default 30,
  p_concurrency integer default 10,
  p_backoff_base_seconds double precision default 5,
  p_backoff_max_seconds double precision default 3600
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_writeback text;
  v_on_failure text;
begin
  if coalesce(p_kind, '') = '' or coalesce(p_queue, '') = '' then
    raise exception 'bridge: a job kind needs a name and a queue'
      using errcode = 'BR002', hint = 'Call bridge.register_kind(p_kind => ''email.send'', p_queue => ''email'', ...).';
  end if;
  if p_max_attempts < 1 or p_timeout_seconds < 1 or p_concurrency < 1
     or p_backoff_base_seconds < 0 or p_backoff_max_seconds < 0 then
    raise exception 'bridge: invalid policy for job kind %', p_kind
      using errcode = 'BR002',
            hint = 'max_attempts, timeout_seconds and concurrency must be at least 1; backoff seconds must not be negative.';
  end if;
  v_writeback := bridge._handler_name(p_writeback, 'jsonb', 'write-back');
  v_on_failure := bridge._handler_name(p_on_failure, 'text', 'on-failure');

  insert into bridge.job_kinds as k (kind, queue, writeback_function, on_failure_function, max_attempts,
                                     timeout_seconds, concurrency, backoff_base_seconds, backoff_max_seconds)
  values (p_kind, p_queue, v_writeback, v_on_failure, p_max_attempts, p_timeout_seconds,
          p_concurrency, p_backoff_base_seconds, p_backoff_max_seconds)
  on conflict (kind) do update
    set queue = excluded.queue,
        writeback_function = excluded.writeback_function,
        on_failure_function = excluded.on_failure_function,
        max_attempts = excluded.max_attempts,
        timeout_seconds = excluded.timeout_seconds,
        concurrency = excluded.concurrency,
        backoff_base_seconds = excluded.backoff_base_seconds,
        backoff_max_seconds = excluded.backoff_max_seconds,
        updated_at = now();
end
$$;
comment on function bridge.register_kind(text, text, text, text, integer, integer, integer, double precision, double precision) is
  'Declare or update a job kind (idempotent). p_writeback names f(p_job_id bigint, p_payload jsonb, p_result jsonb) '
  'returns void; p_on_failure names f(p_job_id bigint, p_payload jsonb, p_error text) returns void; both '
  'schema-qualified, with or without the argument list. Changing the queue affects jobs enqueued afterwards only. '
  'Called by migrations (owner only; no grant), with named arguments.';

-- Finishing and burying, resolving the kind's functions by name -------------------------------

create or replace function bridge._bury(p_job_id bigint, p_error text) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_payload jsonb;
  v_handler text;
  v_state text;
  v_message text;
begin
  update bridge.jobs j
     set status = 'dead', last_error = p_error, finished_at = now(), updated_at = now(),
         lease_token = null, locked_until = null, cancel_requested = false
   where j.id = p_job_id
  returning j.payload, (select k.on_failure_function from bridge.job_kinds k where k.kind = j.kind)
    into v_payload, v_handler;

  if v_handler is not null then
    begin
      perform bridge._call_handler(v_handler, p_job_id, v_payload, p_error);
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
      update bridge.jobs
         set last_error = pg_catalog.concat_ws(e'\n', p_error,
               pg_catalog.format('on-failure handler %s raised %s: %s', v_handler, v_state, v_message))
       where id = p_job_id;
      raise warning 'bridge: on-failure handler % for job % raised %: %', v_handler, p_job_id, v_state, v_message;
    end;
  end if;
end
$$;
comment on function bridge._bury(bigint, text) is
  'Internal: mark a job dead and call its kind''s on-failure handler; a raising handler is recorded in last_error, never lost.';

create or replace function bridge._finish(p_job_id bigint, p_lease_token uuid, p_result jsonb) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_payload jsonb;
  v_writeback text;
begin
  -- The row lock taken here fences concurrent claim/complete/fail on this job. A lease token is
  -- set only while the job runs, so matching it is the whole ownership check.
  update bridge.jobs j
     set status = 'succeeded', result = p_result, finished_at = now(), updated_at = now(),
         lease_token = null, locked_until = null
   where j.id = p_job_id and j.lease_token = p_lease_token
  returning j.payload, (select k.writeback_function from bridge.job_kinds k where k.kind = j.kind)
    into v_payload, v_writeback;
  if not found then
    return false;
  end if;
  if v_writeback is not null then
    perform bridge._call_handler(v_writeback, p_job_id, v_payload, p_result);
  end if;
  return true;
end
$$;
comment on function bridge._finish(bigint, uuid, jsonb) is
  'Internal: mark a job succeeded and run its write-back if p_lease_token owns it; false if the lease is stale.';

-- Claim only the kinds this daemon runs ---------------------------------------------------------

-- A daemon from before this migration calls bridge.claim with four arguments; that call resolves
-- to the new function (p_kinds defaults to null: every kind, as before), so a rolling deploy keeps
-- working.
-- squawk-ignore ban-drop-function
drop function bridge.claim(text, text[], integer, integer);

create function bridge.claim(
  p_worker text,
  p_queues text[],
  p_limit integer,
  p_lease_seconds integer default 30,
  p_kinds text[] default null
) returns table (
  id bigint,
  kind text,
  queue text,
  payload jsonb,
  attempts integer,
  max_attempts integer,
  lease_token uuid,
  locked_until timestamptz,
  tenant_id uuid,
  timeout_seconds integer,
  priority integer,
  run_at timestamptz,
  dedupe_key text,
  created_at timestamptz
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_queues text[] := coalesce(p_queues, (select pg_catalog.array_agg(distinct k.queue) from bridge.job_kinds k));
  v_expired record;
begin
  if p_limit is null or p_limit < 1 or p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'bridge: claim needs p_limit >= 1 and p_lease_seconds >= 1 (got %, %)', p_limit, p_lease_seconds
      using errcode = 'BR002', hint = 'Claim in batches, e.g. bridge.claim(''worker-1'', array[''email''], 50, 30).';
  end if;
  if p_kinds is not null and pg_catalog.cardinality(p_kinds) = 0 then
    return;  -- a daemon with no handlers claims nothing
  end if;

  -- 1. Reclaim the jobs of crashed workers: running past their lease. Back to pending (they keep
  --    their run_at, so they come first), dead if that was their last attempt, cancelled if a
  --    cancel was requested. Any kind: putting a job back is safe whoever does it.
  for v_expired in
    select j.id, j.attempts, j.max_attempts, j.cancel_requested, j.locked_by
      from bridge.jobs j
     where j.status = 'running' and j.locked_until < now() and j.queue = any (v_queues)
     order by j.id
       for update skip locked
  loop
    if v_expired.cancel_requested then
      update bridge.jobs j
         set status = 'cancelled', finished_at = now(), updated_at = now(), lease_token = null, locked_until = null
       where j.id = v_expired.id;
    elsif v_expired.attempts >= v_expired.max_attempts then
      perform bridge._bury(v_expired.id,
        pg_catalog.format('lease expired on the last attempt (%s of %s, worker %s)',
                          v_expired.attempts, v_expired.max_attempts, v_expired.locked_by));
    else
      update bridge.jobs j
         set status = 'pending', lease_token = null, locked_until = null, updated_at = now(),
             last_error = pg_catalog.format('lease expired (worker %s)', v_expired.locked_by)
       where j.id = v_expired.id;
    end if;
  end loop;

  -- 2. Claim the next due jobs of the kinds this worker runs, in order: priority desc, run_at, id.
  --    Kinds at their concurrency cap are skipped; within the batch a kind gets at most its free
  --    slots.
  return query
  with live as (
    select r.kind, pg_catalog.count(*) as running
      from bridge.jobs r
     where r.status = 'running' and r.locked_until >= now()
     group by r.kind
  ), capacity as (
    select k.kind, k.timeout_seconds, k.concurrency - coalesce(l.running, 0) as free
      from bridge.job_kinds k
      left join live l on l.kind = k.kind
     where p_kinds is null or k.kind = any (p_kinds)
  ), candidates as (
    select c.id, c.kind, c.priority, c.run_at
      from unnest(v_queues) as q(name)
     cross join lateral (
       select j.id, j.kind, j.priority, j.run_at
         from bridge.jobs j
        where j.queue = q.name and j.status = 'pending' and j.run_at <= now()
          and j.kind in (select s.kind from capacity s where s.free > 0)
        order by j.priority desc, j.run_at, j.id
        limit p_limit
          for update skip locked
     ) c
  ), admitted as (
    select ranked.id, cap.timeout_seconds
      from (select c.*, pg_catalog.row_number() over (partition by c.kind order by c.priority desc, c.run_at, c.id) as nth
              from candidates c) ranked
      join capacity cap on cap.kind = ranked.kind
     where ranked.nth <= cap.free
     order by ranked.priority desc, ranked.run_at, ranked.id
     limit p_limit
  )
  update bridge.jobs j
     set status = 'running',
         attempts = j.attempts + 1,
         lease_token = pg_catalog.gen_random_uuid(),
         locked_until = now() + pg_catalog.make_interval(secs => p_lease_seconds),
         locked_by = p_worker,
         updated_at = now()
    from admitted a
   where j.id = a.id
  returning j.id, j.kind, j.queue, j.payload, j.attempts, j.max_attempts, j.lease_token, j.locked_until,
            j.tenant_id, a.timeout_seconds, j.priority, j.run_at, j.dedupe_key, j.created_at;
end
$$;
comment on function bridge.claim(text, text[], integer, integer, text[]) is
  'Claim up to p_limit due jobs from p_queues (null = every queue) of the kinds in p_kinds (null = every kind; the '
  'daemon passes the kinds it has handlers for) for worker p_worker: FOR UPDATE SKIP LOCKED, priority desc then '
  'run_at then id; sets status running, attempts + 1, a fresh lease_token and locked_until = now() + '
  'p_lease_seconds. First reclaims jobs whose lease expired. Skips kinds at their concurrency cap. Callable by '
  'service_role (the daemon).';
grant execute on function bridge.claim(text, text[], integer, integer, text[]) to service_role;

-- One lock order for heartbeat and complete_many ------------------------------------------------

create or replace function bridge.heartbeat(
  p_job_ids bigint[],
  p_lease_tokens uuid[],
  p_lease_seconds integer default 30
) returns bigint[]
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owned bigint[];
begin
  if coalesce(pg_catalog.cardinality(p_job_ids), 0) <> coalesce(pg_catalog.cardinality(p_lease_tokens), 0)
     or p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'bridge: heartbeat needs one lease token per job id and p_lease_seconds >= 1'
      using errcode = 'BR002', hint = 'Pass the ids and tokens returned by bridge.claim(), in the same order.';
  end if;

  -- 1. Lock the owned rows in id order, the order bridge.complete_many locks in, so the two never
  --    wait on each other in a cycle.
  -- 2. Extend the leases of exactly those rows.
  with owned as (
    select j.id
      from bridge.jobs j
      join unnest(p_job_ids, p_lease_tokens) as t(id, lease_token) on j.id = t.id and j.lease_token = t.lease_token
     where not j.cancel_requested
     order by j.id
       for update of j
  ), extended as (
    update bridge.jobs j
       set locked_until = now() + pg_catalog.make_interval(secs => p_lease_seconds), updated_at = now()
      from owned o
     where j.id = o.id
    returning j.id
  )
  select coalesce(pg_catalog.array_agg(e.id order by e.id), array[]::bigint[]) into v_owned from extended e;
  return v_owned;
end
$$;
comment on function bridge.heartbeat(bigint[], uuid[], integer) is
  'Extend the leases of running jobs still owned by the given tokens; returns the ids still owned. A job missing '
  'from the result was reclaimed, finished or cancelled: stop working on it. Locks in id order. Callable by '
  'service_role.';

create or replace function bridge.complete_many(
  p_job_ids bigint[],
  p_lease_tokens uuid[],
  p_results jsonb[] default null
) returns bigint[]
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_done bigint[] := array[]::bigint[];
  v_job record;
begin
  if coalesce(pg_catalog.cardinality(p_job_ids), 0) <> coalesce(pg_catalog.cardinality(p_lease_tokens), 0)
     or (p_results is not null and pg_catalog.cardinality(p_results) <> coalesce(pg_catalog.cardinality(p_job_ids), 0)) then
    raise exception 'bridge: complete_many needs one lease token (and one result, if any) per job id'
      using errcode = 'BR002', hint = 'Pass the ids and tokens returned by bridge.claim(), in the same order.';
  end if;
  -- In id order, the order bridge.heartbeat locks in (see there).
  for v_job in
    select t.id, t.lease_token, t.result
      from unnest(p_job_ids, p_lease_tokens, coalesce(p_results, array[]::jsonb[])) as t(id, lease_token, result)
     where t.id is not null
     order by t.id
  loop
    if bridge._finish(v_job.id, v_job.lease_token, v_job.result) then
      v_done := v_done || v_job.id;
    end if;
  end loop;
  return v_done;
end
$$;
comment on function bridge.complete_many(bigint[], uuid[], jsonb[]) is
  'bridge.complete for a batch in one transaction (one commit instead of one per job), in id order: returns the ids '
  'completed; an id missing from the result had a stale lease and was not written. If any write-back raises, the '
  'whole batch is rolled back and the error propagates: complete those jobs one by one. Callable by service_role.';

-- Which daemons run which kinds ------------------------------------------------------------------

create function bridge.worker_seen(p_worker text, p_role text, p_kinds text[]) returns void
language sql
security definer
set search_path = ''
as $$
  insert into bridge.workers as w (worker_id, role, kinds)
  values (p_worker, p_role, coalesce(p_kinds, '{}'))
  on conflict (worker_id) do update
    set role = excluded.role, kinds = excluded.kinds, last_seen_at = now();
  delete from bridge.workers w where w.last_seen_at < now() - interval '1 day';
$$;
comment on function bridge.worker_seen(text, text, text[]) is
  'A daemon''s periodic "still here, running these kinds" (every few seconds); also forgets daemons unseen for a '
  'day. Callable by service_role.';
grant execute on function bridge.worker_seen(text, text, text[]) to service_role;

create function bridge.worker_gone(p_worker text) returns void
language sql
security definer
set search_path = ''
as $$
  delete from bridge.workers w where w.worker_id = p_worker;
$$;
comment on function bridge.worker_gone(text) is
  'A daemon''s goodbye at graceful shutdown, so its kinds stop counting as handled at once. Callable by service_role.';
grant execute on function bridge.worker_gone(text) to service_role;

create function bridge.unhandled_kinds(p_seen_within interval default '30 seconds'::interval)
returns table (kind text, queue text, due bigint, oldest_due_age_seconds double precision)
language sql stable
security definer
set search_path = ''
as $$
  select j.kind, j.queue, pg_catalog.count(*),
         extract(epoch from now() - pg_catalog.min(j.run_at))::double precision
    from bridge.jobs j
   where j.status = 'pending' and j.run_at <= now()
     and not exists (select 1 from bridge.workers w
                      where w.last_seen_at >= now() - p_seen_within and j.kind = any (w.kinds))
   group by j.kind, j.queue
   order by j.kind;
$$;
comment on function bridge.unhandled_kinds(interval) is
  'Due jobs whose kind no daemon seen within p_seen_within has a handler for: they wait, never go dead, until a '
  'daemon that runs the kind starts. For `banquet jobs stats` and /metrics. Callable by service_role.';
grant execute on function bridge.unhandled_kinds(interval) to service_role;

-- Every kind again, with named arguments ------------------------------------------------------------

select bridge.register_kind(p_kind => 'menu.extract', p_queue => 'documents',
  p_writeback => 'app.menu_extract_writeback', p_on_failure => 'app.menu_extract_failed',
  p_max_attempts => 3, p_timeout_seconds => 120, p_concurrency => 2);
select bridge.register_kind(p_kind => 'email.send', p_queue => 'email',
  p_writeback => 'app.email_send_writeback', p_on_failure => 'app.email_send_failed',
  p_max_attempts => 5, p_timeout_seconds => 30, p_concurrency => 10);
select bridge.register_kind(p_kind => 'llm.proposal_draft', p_queue => 'llm',
  p_writeback => 'app.proposal_draft_writeback', p_on_failure => 'app.proposal_draft_failed',
  p_max_attempts => 3, p_timeout_seconds => 120, p_concurrency => 4);
select bridge.register_kind(p_kind => 'fx.sync', p_queue => 'fx',
  p_writeback => 'app.fx_sync_writeback',
  p_max_attempts => 5, p_timeout_seconds => 60, p_concurrency => 1);
select bridge.register_kind(p_kind => 'whatsapp.send', p_queue => 'whatsapp',
  p_writeback => 'app.channel_send_writeback', p_on_failure => 'app.channel_send_failed',
  p_max_attempts => 5, p_timeout_seconds => 30, p_concurrency => 20);
select bridge.register_kind(p_kind => 'instagram.send', p_queue => 'instagram',
  p_writeback => 'app.channel_send_writeback', p_on_failure => 'app.channel_send_failed',
  p_max_attempts => 5, p_timeout_seconds => 30, p_concurrency => 10);
select bridge.register_kind(p_kind => 'llm.classify_message', p_queue => 'llm',
  p_writeback => 'app.classify_message_writeback',
  p_max_attempts => 3, p_timeout_seconds => 60, p_concurrency => 4);
select bridge.register_kind(p_kind => 'proposal.expire', p_queue => 'maintenance',
  p_writeback => 'app.proposal_expire_writeback',
  p_max_attempts => 3, p_timeout_seconds => 60, p_concurrency => 1);
select bridge.register_kind(p_kind => 'payment.remind', p_queue => 'maintenance',
  p_writeback => 'app.payment_remind_writeback',
  p_max_attempts => 3, p_timeout_seconds => 60, p_concurrency => 1);
