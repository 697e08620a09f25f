-- Bridge: the job runtime that carries out what PostgreSQL cannot do itself (send an email, call
-- an LLM, fetch FX rates) without ever losing a side effect or writing its result twice.
--
-- A business transaction enqueues a job in the same transaction as its change (outbox). Daemons
-- claim batches with FOR UPDATE SKIP LOCKED under a lease (locked_until + lease_token), call the
-- provider with no transaction open, then hand the result to bridge.complete(), which runs the
-- kind's write-back function and finishes the job in one short transaction, rejecting a stale
-- lease token (fencing). Failures retry with exponential backoff and jitter (or the provider's
-- Retry-After), then go dead through the kind's on-failure handler. Recurring schedules fire once
-- per period however many daemons run. docs/bridge.md is the long form.
--
-- Job life cycle (status):
--   pending ──claim──▶ running ──complete──▶ succeeded
--      ▲                  │ fail (retryable, attempts left) ──▶ pending (run_at = now() + backoff)
--      │                  │ fail (permanent or last attempt) ──▶ dead  (on_failure_fn called)
--      │                  │ lease expired ──▶ pending again at the next claim (dead if it was the last attempt)
--      │                  │ cancel ──▶ cancel_requested; cancelled at fail, release or lease expiry
--      │                  │ release (daemon shutdown) ──▶ pending, the attempt not counted
--      └── retry/redrive ── dead, cancelled          pending ──cancel──▶ cancelled
-- A job waiting to retry is `pending` with attempts > 0 and last_error set; there is no separate
-- `failed` status.
--
-- Errors raised here (SQLSTATE, class BR):
--   BR001 unknown job kind        BR002 invalid argument        BR003 dedupe key already live
--   BR404 job not found           BR409 stale lease (the job is no longer owned by this token)

-- Tables --------------------------------------------------------------------------------------

create table bridge.job_kinds (
  kind text primary key,
  queue text not null,
  writeback_fn regprocedure,
  on_failure_fn regprocedure,
  max_attempts integer not null default 5 check (max_attempts > 0),
  timeout_seconds integer not null default 30 check (timeout_seconds > 0),
  concurrency integer not null default 10 check (concurrency > 0),
  backoff_base_seconds double precision not null default 5 check (backoff_base_seconds >= 0),
  backoff_max_seconds double precision not null default 3600 check (backoff_max_seconds >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table bridge.job_kinds is
  'Registry of job kinds: the queue a kind runs on, its write-back and on-failure SQL functions, '
  'retry policy, per-job timeout and per-kind concurrency cap. Written by migrations through '
  'bridge.register_kind().';

-- Every state change rewrites `status`, which the partial indexes below filter on, so no update
-- of a job is HOT; a lower fillfactor would only waste space. Instead, autovacuum runs often so
-- the index entries of claimed and finished jobs are cleared quickly.
create table bridge.jobs (
  id bigint generated always as identity primary key,
  queue text not null,
  kind text not null,
  payload jsonb not null default '{}'::jsonb,
  tenant_id uuid,
  dedupe_key text,
  priority integer not null default 0,
  run_at timestamptz not null default now(),
  status text not null default 'pending'
    check (status in ('pending', 'running', 'succeeded', 'dead', 'cancelled')),
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null check (max_attempts > 0),
  lease_token uuid,
  locked_until timestamptz,
  locked_by text,
  cancel_requested boolean not null default false,
  last_error text,
  result jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  -- A lease exists exactly while the job runs, so a matching token alone proves ownership (and
  -- the fenced lookups by (id, lease_token) use the primary key, never a scan of running jobs).
  constraint jobs_lease_while_running check (
    case when status = 'running' then lease_token is not null and locked_until is not null
         else lease_token is null and locked_until is null end)
) with (
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_vacuum_cost_delay = 0
);
comment on table bridge.jobs is
  'The outbox: one row per side effect, written in the same transaction as the business change '
  'that caused it. Status pending → running → succeeded | dead | cancelled (see docs/bridge.md).';
comment on column bridge.jobs.priority is 'Higher runs first.';
comment on column bridge.jobs.attempts is 'Claims so far; a pending job with attempts > 0 is waiting to retry.';
comment on column bridge.jobs.lease_token is
  'Fencing token minted at each claim and cleared when the attempt ends; complete/fail/heartbeat must present it.';
comment on column bridge.jobs.cancel_requested is
  'Set by bridge.cancel() on a running job: heartbeat stops extending it, and it ends cancelled '
  'at fail or lease expiry (a complete still records the result of work already done).';

-- The claim path: pending jobs of one queue in claim order.
create index jobs_claim_idx on bridge.jobs (queue, priority desc, run_at, id) where status = 'pending';
-- Running jobs: expired leases to reclaim (locked_until < now()) and live ones per kind to count
-- against the concurrency cap (locked_until >= now()).
create index jobs_running_idx on bridge.jobs (locked_until, kind) where status = 'running';
-- At most one unfinished job per (kind, dedupe_key).
create unique index jobs_dedupe_key on bridge.jobs (kind, dedupe_key)
  where dedupe_key is not null and status in ('pending', 'running');
-- Pruning and redrive walk finished jobs by age.
create index jobs_finished_idx on bridge.jobs (finished_at)
  where status in ('succeeded', 'dead', 'cancelled');

create table bridge.schedules (
  name text primary key,
  kind text not null references bridge.job_kinds (kind),
  payload jsonb not null default '{}'::jsonb,
  every interval not null,
  period_offset interval not null default '0'::interval,
  priority integer not null default 0,
  enabled boolean not null default true,
  next_run_at timestamptz not null,
  last_run_at timestamptz,
  last_job_id bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table bridge.schedules is
  'Recurring jobs. Periods start at the Unix epoch + period_offset + k × every (UTC), so '
  'every = 1 day, period_offset = 6 hours means daily at 06:00 UTC. Declared by migrations with '
  'bridge.upsert_schedule(); fired by bridge.fire_due_schedules().';
create index schedules_kind_idx on bridge.schedules (kind);
create index schedules_due_idx on bridge.schedules (next_run_at) where enabled;

-- RLS: no policies, so request roles see nothing; service_role bypasses RLS; the functions below
-- are SECURITY DEFINER.
alter table bridge.job_kinds enable row level security;
alter table bridge.jobs enable row level security;
alter table bridge.schedules enable row level security;

revoke all on bridge.job_kinds, bridge.jobs, bridge.schedules from public;
-- The daemon's CLI lists and inspects jobs directly.
grant select on bridge.job_kinds, bridge.jobs, bridge.schedules to service_role;

-- Internal helpers ----------------------------------------------------------------------------

-- Wake the daemons listening on `bridge_jobs`. The payload is the comma-separated list of queues
-- with newly runnable work. PostgreSQL folds identical notifications within one transaction.
create function bridge._wake(p_queues text) returns void
language sql
set search_path = ''
as $$
  select pg_catalog.pg_notify('bridge_jobs', p_queues) where p_queues is not null;
$$;
comment on function bridge._wake(text) is
  'Internal: one NOTIFY on channel bridge_jobs with a comma-separated queue list. Called by bridge functions only.';

-- Backoff before retry number `p_attempts` + 1:
--   least(max, base × 2^(attempts − 1)) × jitter, jitter uniform in [0.5, 1.5).
create function bridge._backoff_seconds(p_attempts integer, p_base double precision, p_max double precision)
returns double precision
language sql volatile
set search_path = ''
as $$
  select least(p_max, p_base * power(2::double precision, least(greatest(p_attempts - 1, 0), 60)))
         * (0.5 + pg_catalog.random());
$$;
comment on function bridge._backoff_seconds(integer, double precision, double precision) is
  'Internal: retry delay in seconds, least(max, base × 2^(attempts − 1)) × uniform jitter in [0.5, 1.5).';

-- The schema-qualified, quoted name of a function, ready to splice into a dynamic call.
create function bridge._callable(p_fn regprocedure) returns text
language sql stable
set search_path = ''
as $$
  select pg_catalog.format('%I.%I', n.nspname, p.proname)
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where p.oid = p_fn;
$$;
comment on function bridge._callable(regprocedure) is
  'Internal: schema-qualified quoted name of a write-back or on-failure function for EXECUTE.';

-- Mark a job dead, then run its kind's on-failure handler in the same transaction (so the handler
-- sees the job dead). A handler that raises is rolled back to its savepoint and its error appended
-- to last_error: the job still ends dead and is never lost.
create function bridge._bury(p_job_id bigint, p_error text) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_payload jsonb;
  v_handler regprocedure;
  v_state text;
  v_message text;
begin
  update bridge.jobs j
     set status = 'dead', last_error = p_error, finished_at = now(), updated_at = now(),
         lease_token = null, locked_until = null, cancel_requested = false
   where j.id = p_job_id
  returning j.payload, (select k.on_failure_fn from bridge.job_kinds k where k.kind = j.kind)
    into v_payload, v_handler;

  if v_handler is not null then
    begin
      execute pg_catalog.format('select %s($1, $2, $3)', bridge._callable(v_handler))
        using p_job_id, v_payload, p_error;
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

-- Job kinds -----------------------------------------------------------------------------------

-- Fails with BR002 unless p_fn takes exactly (bigint, jsonb, <p_last_arg>).
create function bridge._check_handler(p_fn regprocedure, p_last_arg regtype, p_role text) returns void
language plpgsql stable
set search_path = ''
as $$
begin
  if p_fn is not null and not exists (
    select 1 from pg_catalog.pg_proc p
     where p.oid = p_fn
       and p.pronargs = 3 and p.prorettype = 'void'::regtype
       and p.proargtypes[0] = 'bigint'::regtype and p.proargtypes[1] = 'jsonb'::regtype and p.proargtypes[2] = p_last_arg
  ) then
    raise exception 'bridge: % function % has the wrong signature', p_role, p_fn
      using errcode = 'BR002',
            hint = pg_catalog.format('A %s function takes (p_job_id bigint, p_payload jsonb, %s) and returns void.',
                                     p_role, case p_last_arg when 'text'::regtype then 'p_error text' else 'p_result jsonb' end);
  end if;
end
$$;
comment on function bridge._check_handler(regprocedure, regtype, text) is
  'Internal: validate a write-back or on-failure function signature for bridge.register_kind().';

create function bridge.register_kind(
  p_kind text,
  p_queue text,
  p_writeback regprocedure default null,
  p_on_failure regprocedure default null,
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
begin
  if coalesce(p_kind, '') = '' or coalesce(p_queue, '') = '' then
    raise exception 'bridge: a job kind needs a name and a queue'
      using errcode = 'BR002', hint = 'Call bridge.register_kind(''email.send'', ''email'', ...).';
  end if;
  if p_max_attempts < 1 or p_timeout_seconds < 1 or p_concurrency < 1
     or p_backoff_base_seconds < 0 or p_backoff_max_seconds < 0 then
    raise exception 'bridge: invalid policy for job kind %', p_kind
      using errcode = 'BR002',
            hint = 'max_attempts, timeout_seconds and concurrency must be at least 1; backoff seconds must not be negative.';
  end if;
  perform bridge._check_handler(p_writeback, 'jsonb', 'write-back');
  perform bridge._check_handler(p_on_failure, 'text', 'on-failure');

  insert into bridge.job_kinds as k (kind, queue, writeback_fn, on_failure_fn, max_attempts, timeout_seconds,
                                     concurrency, backoff_base_seconds, backoff_max_seconds)
  values (p_kind, p_queue, p_writeback, p_on_failure, p_max_attempts, p_timeout_seconds,
          p_concurrency, p_backoff_base_seconds, p_backoff_max_seconds)
  on conflict (kind) do update
    set queue = excluded.queue,
        writeback_fn = excluded.writeback_fn,
        on_failure_fn = excluded.on_failure_fn,
        max_attempts = excluded.max_attempts,
        timeout_seconds = excluded.timeout_seconds,
        concurrency = excluded.concurrency,
        backoff_base_seconds = excluded.backoff_base_seconds,
        backoff_max_seconds = excluded.backoff_max_seconds,
        updated_at = now();
end
$$;
comment on function bridge.register_kind(text, text, regprocedure, regprocedure, integer, integer, integer,
                                          double precision, double precision) is
  'Declare or update a job kind (idempotent). Write-back: f(p_job_id bigint, p_payload jsonb, p_result jsonb) returns void; '
  'on-failure: f(p_job_id bigint, p_payload jsonb, p_error text) returns void. Changing the queue affects jobs enqueued '
  'afterwards only. Called by migrations (owner only; no grant).';

-- Enqueue -------------------------------------------------------------------------------------

create function bridge.enqueue_batch(
  p_kind text,
  p_payloads jsonb[],
  p_tenant_id uuid default null,
  p_dedupe_keys text[] default null,
  p_priority integer default 0,
  p_run_at timestamptz default null,
  p_max_attempts integer default null
) returns bigint[]
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind bridge.job_kinds;
  v_ids bigint[];
  v_id bigint;
begin
  select * into v_kind from bridge.job_kinds where kind = p_kind;
  if not found then
    raise exception 'bridge: unknown job kind "%"', p_kind
      using errcode = 'BR001',
            hint = 'Register it in a migration with bridge.register_kind(kind, queue, ...) before enqueueing.';
  end if;
  if p_dedupe_keys is not null
     and coalesce(pg_catalog.cardinality(p_dedupe_keys), 0) <> coalesce(pg_catalog.cardinality(p_payloads), 0) then
    raise exception 'bridge: % payloads but % dedupe keys',
                    pg_catalog.cardinality(p_payloads), pg_catalog.cardinality(p_dedupe_keys)
      using errcode = 'BR002', hint = 'Pass one dedupe key (or null) per payload, in the same order.';
  end if;
  if p_max_attempts < 1 then
    raise exception 'bridge: max_attempts must be at least 1, got %', p_max_attempts
      using errcode = 'BR002', hint = 'Leave it null to use the kind''s max_attempts.';
  end if;

  -- 1. Payloads without a dedupe key: one INSERT. Ids are drawn up front so the result keeps the
  --    payloads' order (a keyed payload's slot stays null until step 2).
  with input as (
    select i.ord, i.payload, i.dedupe_key,
           case when i.dedupe_key is null
                then pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('bridge.jobs', 'id')) end as new_id
      from unnest(p_payloads, coalesce(p_dedupe_keys, array[]::text[])) with ordinality as i(payload, dedupe_key, ord)
  ), inserted as (
    insert into bridge.jobs (id, queue, kind, payload, tenant_id, priority, run_at, max_attempts)
    overriding system value
    select input.new_id, v_kind.queue, p_kind, coalesce(input.payload, '{}'::jsonb), p_tenant_id,
           coalesce(p_priority, 0), coalesce(p_run_at, now()), coalesce(p_max_attempts, v_kind.max_attempts)
      from input
     where input.new_id is not null
     order by input.ord
  )
  select pg_catalog.array_agg(input.new_id order by input.ord) into v_ids from input;

  -- 2. Keyed payloads, one at a time: insert, or return the unfinished job holding the key. ON
  --    CONFLICT sees rows committed after this statement's snapshot, so when the holder finishes
  --    in between the lookup finds nothing and the insert is tried again.
  for i in 1 .. coalesce(pg_catalog.cardinality(p_dedupe_keys), 0) loop
    continue when p_dedupe_keys[i] is null;
    loop
      insert into bridge.jobs (queue, kind, payload, tenant_id, dedupe_key, priority, run_at, max_attempts)
      values (v_kind.queue, p_kind, coalesce(p_payloads[i], '{}'::jsonb), p_tenant_id, p_dedupe_keys[i],
              coalesce(p_priority, 0), coalesce(p_run_at, now()), coalesce(p_max_attempts, v_kind.max_attempts))
      on conflict (kind, dedupe_key) where dedupe_key is not null and status in ('pending', 'running') do nothing
      returning id into v_id;
      if v_id is null then
        select j.id into v_id from bridge.jobs j
         where j.kind = p_kind and j.dedupe_key = p_dedupe_keys[i] and j.status in ('pending', 'running');
      end if;
      exit when v_id is not null;
    end loop;
    v_ids[i] := v_id;
  end loop;
  return coalesce(v_ids, array[]::bigint[]);
end
$$;
comment on function bridge.enqueue_batch(text, jsonb[], uuid, text[], integer, timestamptz, integer) is
  'Enqueue one job of kind p_kind per payload; returns their ids in payload order. p_dedupe_keys, if given, pairs '
  'one key (or null) with each payload: a key that already has an unfinished job returns that job''s id instead. '
  'Unknown kind: BR001. Callable by service_role and by SECURITY DEFINER domain code.';
grant execute on function bridge.enqueue_batch(text, jsonb[], uuid, text[], integer, timestamptz, integer) to service_role;

create function bridge.enqueue(
  p_kind text,
  p_payload jsonb default '{}'::jsonb,
  p_tenant_id uuid default null,
  p_dedupe_key text default null,
  p_priority integer default 0,
  p_run_at timestamptz default null,
  p_max_attempts integer default null
) returns bigint
language sql
security definer
set search_path = ''
as $$
  select (bridge.enqueue_batch(p_kind, array[p_payload], p_tenant_id, array[p_dedupe_key],
                               p_priority, p_run_at, p_max_attempts))[1];
$$;
comment on function bridge.enqueue(text, jsonb, uuid, text, integer, timestamptz, integer) is
  'Enqueue one job in the caller''s transaction (the outbox write); returns its id, or the id of the unfinished '
  'job that already holds p_dedupe_key. p_run_at null = now; p_max_attempts null = the kind''s. Unknown kind: BR001. '
  'Called from SECURITY DEFINER domain triggers/functions and by service_role.';
grant execute on function bridge.enqueue(text, jsonb, uuid, text, integer, timestamptz, integer) to service_role;

-- One NOTIFY per INSERT statement (not per row), naming the queues that gained runnable work.
create function bridge.tg_jobs__notify() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform bridge._wake((select pg_catalog.string_agg(distinct i.queue, ',' order by i.queue)
                          from inserted i where i.run_at <= now()));
  return null;
end
$$;
comment on function bridge.tg_jobs__notify() is
  'Trigger: after each INSERT statement on bridge.jobs, one pg_notify(''bridge_jobs'', <queues with due jobs>).';

create trigger _900_notify_workers
  after insert on bridge.jobs
  referencing new table as inserted
  for each statement execute function bridge.tg_jobs__notify();

-- Claim, heartbeat, complete, fail ------------------------------------------------------------

create function bridge.claim(
  p_worker text,
  p_queues text[],
  p_limit integer,
  p_lease_seconds integer default 30
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

  -- 1. Reclaim the jobs of crashed workers: running past their lease. Back to pending (they keep
  --    their run_at, so they come first), dead if that was their last attempt, cancelled if a
  --    cancel was requested.
  for v_expired in
    select j.id, j.attempts, j.max_attempts, j.cancel_requested, j.locked_by
      from bridge.jobs j
     where j.status = 'running' and j.locked_until < now() and j.queue = any (v_queues)
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

  -- 2. Claim the next due jobs in order: priority desc, run_at, id. Kinds already at their
  --    concurrency cap are skipped; within the batch a kind gets at most its free slots.
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
  ), candidates as (
    select c.id, c.kind, c.priority, c.run_at
      from unnest(v_queues) as q(name)
     cross join lateral (
       select j.id, j.kind, j.priority, j.run_at
         from bridge.jobs j
        where j.queue = q.name and j.status = 'pending' and j.run_at <= now()
          and j.kind not in (select s.kind from capacity s where s.free <= 0)
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
comment on function bridge.claim(text, text[], integer, integer) is
  'Claim up to p_limit due jobs from p_queues (null = every queue) for worker p_worker: FOR UPDATE SKIP LOCKED, '
  'priority desc then run_at then id; sets status running, attempts + 1, a fresh lease_token and locked_until = '
  'now() + p_lease_seconds. First reclaims jobs whose lease expired. Skips kinds at their concurrency cap. '
  'Callable by service_role (the daemon).';
grant execute on function bridge.claim(text, text[], integer, integer) to service_role;

create function bridge.heartbeat(
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

  with extended as (
    update bridge.jobs j
       set locked_until = now() + pg_catalog.make_interval(secs => p_lease_seconds), updated_at = now()
      from unnest(p_job_ids, p_lease_tokens) as t(id, lease_token)
     where j.id = t.id and j.lease_token = t.lease_token and not j.cancel_requested
    returning j.id
  )
  select coalesce(pg_catalog.array_agg(e.id order by e.id), array[]::bigint[]) into v_owned from extended e;
  return v_owned;
end
$$;
comment on function bridge.heartbeat(bigint[], uuid[], integer) is
  'Extend the leases of running jobs still owned by the given tokens; returns the ids still owned. A job missing '
  'from the result was reclaimed, finished or cancelled: stop working on it. Callable by service_role.';
grant execute on function bridge.heartbeat(bigint[], uuid[], integer) to service_role;

-- Finish one running job owned by p_lease_token: mark it succeeded and run its kind's write-back,
-- in the caller's transaction. False (and nothing written) when the token no longer owns the job.
create function bridge._finish(p_job_id bigint, p_lease_token uuid, p_result jsonb) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_payload jsonb;
  v_writeback regprocedure;
begin
  -- The row lock taken here fences concurrent claim/complete/fail on this job. A lease token is
  -- set only while the job runs, so matching it is the whole ownership check.
  update bridge.jobs j
     set status = 'succeeded', result = p_result, finished_at = now(), updated_at = now(),
         lease_token = null, locked_until = null
   where j.id = p_job_id and j.lease_token = p_lease_token
  returning j.payload, (select k.writeback_fn from bridge.job_kinds k where k.kind = j.kind)
    into v_payload, v_writeback;
  if not found then
    return false;
  end if;
  if v_writeback is not null then
    execute pg_catalog.format('select %s($1, $2, $3)', bridge._callable(v_writeback))
      using p_job_id, v_payload, p_result;
  end if;
  return true;
end
$$;
comment on function bridge._finish(bigint, uuid, jsonb) is
  'Internal: mark a job succeeded and run its write-back if p_lease_token owns it; false if the lease is stale.';

create function bridge.complete(
  p_job_id bigint,
  p_lease_token uuid,
  p_result jsonb default null
) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not bridge._finish(p_job_id, p_lease_token, p_result) then
    raise exception 'bridge: stale lease for job %', p_job_id
      using errcode = 'BR409',
            hint = 'The job is finished or owned by another lease; drop this result, it must not be written twice.';
  end if;
  return true;
end
$$;
comment on function bridge.complete(bigint, uuid, jsonb) is
  'Finish a running job owned by p_lease_token: run its kind''s write-back function with (id, payload, result) and '
  'mark it succeeded, all in the caller''s transaction. Stale or unknown token: BR409. If the write-back raises, '
  'nothing is written and the error propagates (call bridge.fail next). Callable by service_role.';
grant execute on function bridge.complete(bigint, uuid, jsonb) to service_role;

create function bridge.complete_many(
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
begin
  if coalesce(pg_catalog.cardinality(p_job_ids), 0) <> coalesce(pg_catalog.cardinality(p_lease_tokens), 0)
     or (p_results is not null and pg_catalog.cardinality(p_results) <> coalesce(pg_catalog.cardinality(p_job_ids), 0)) then
    raise exception 'bridge: complete_many needs one lease token (and one result, if any) per job id'
      using errcode = 'BR002', hint = 'Pass the ids and tokens returned by bridge.claim(), in the same order.';
  end if;
  for i in 1 .. coalesce(pg_catalog.cardinality(p_job_ids), 0) loop
    if bridge._finish(p_job_ids[i], p_lease_tokens[i], p_results[i]) then
      v_done := v_done || p_job_ids[i];
    end if;
  end loop;
  return v_done;
end
$$;
comment on function bridge.complete_many(bigint[], uuid[], jsonb[]) is
  'bridge.complete for a batch in one transaction (one commit instead of one per job): returns the ids completed; '
  'an id missing from the result had a stale lease and was not written. If any write-back raises, the whole batch '
  'is rolled back and the error propagates: complete those jobs one by one. Callable by service_role.';
grant execute on function bridge.complete_many(bigint[], uuid[], jsonb[]) to service_role;

create function bridge.fail(
  p_job_id bigint,
  p_lease_token uuid,
  p_error text,
  p_retryable boolean default true,
  p_retry_after_seconds double precision default null
) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job record;
  v_delay double precision;
begin
  if p_retry_after_seconds < 0 then
    raise exception 'bridge: retry-after must not be negative, got %', p_retry_after_seconds
      using errcode = 'BR002', hint = 'Pass the provider''s Retry-After in seconds, or null.';
  end if;

  select j.attempts, j.max_attempts, j.cancel_requested, j.queue, k.backoff_base_seconds, k.backoff_max_seconds
    into v_job
    from bridge.jobs j
    left join bridge.job_kinds k on k.kind = j.kind
   where j.id = p_job_id and j.lease_token = p_lease_token
     for update of j;
  if not found then
    raise exception 'bridge: stale lease for job %', p_job_id
      using errcode = 'BR409', hint = 'The job is finished or owned by another lease; do not report its outcome.';
  end if;

  if v_job.cancel_requested then
    update bridge.jobs
       set status = 'cancelled', last_error = p_error, finished_at = now(), updated_at = now(),
           lease_token = null, locked_until = null
     where id = p_job_id;
    return 'cancelled';
  end if;

  if coalesce(p_retryable, true) and v_job.attempts < v_job.max_attempts then
    v_delay := greatest(coalesce(p_retry_after_seconds, 0),
                        bridge._backoff_seconds(v_job.attempts, coalesce(v_job.backoff_base_seconds, 5),
                                                coalesce(v_job.backoff_max_seconds, 3600)));
    update bridge.jobs
       set status = 'pending', last_error = p_error, updated_at = now(), lease_token = null, locked_until = null,
           run_at = now() + pg_catalog.make_interval(secs => v_delay)
     where id = p_job_id;
    if v_delay <= 0 then
      perform bridge._wake(v_job.queue);
    end if;
    return 'pending';
  end if;

  perform bridge._bury(p_job_id, p_error);
  return 'dead';
end
$$;
comment on function bridge.fail(bigint, uuid, text, boolean, double precision) is
  'Report a failed attempt of a running job owned by p_lease_token; returns the new status. Retryable with attempts '
  'left: pending again at now() + greatest(p_retry_after_seconds, backoff). Otherwise dead, and the kind''s '
  'on-failure handler runs in the same transaction (if it raises, the job is still dead and both errors are kept). '
  'A job with a cancel request ends cancelled. Stale token: BR409. Callable by service_role.';
grant execute on function bridge.fail(bigint, uuid, text, boolean, double precision) to service_role;

create function bridge.release(p_job_id bigint, p_lease_token uuid) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job record;
begin
  update bridge.jobs j
     set status = case when j.cancel_requested then 'cancelled' else 'pending' end,
         attempts = j.attempts - 1,
         run_at = least(j.run_at, now()),
         finished_at = case when j.cancel_requested then now() end,
         lease_token = null, locked_until = null, updated_at = now()
   where j.id = p_job_id and j.lease_token = p_lease_token
  returning j.status, j.queue into v_job;
  if not found then
    raise exception 'bridge: stale lease for job %', p_job_id
      using errcode = 'BR409', hint = 'The job is finished or owned by another lease; nothing to release.';
  end if;
  if v_job.status = 'pending' then
    perform bridge._wake(v_job.queue);
  end if;
  return v_job.status;
end
$$;
comment on function bridge.release(bigint, uuid) is
  'Hand a running job back unstarted (e.g. at daemon shutdown): pending again at once, and the attempt does not '
  'count; cancelled instead if a cancel was requested. Returns the new status. Stale token: BR409. Callable by '
  'service_role.';
grant execute on function bridge.release(bigint, uuid) to service_role;

-- Operator actions ----------------------------------------------------------------------------

create function bridge.retry(p_job_id bigint) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job record;
  v_live bigint;
begin
  select j.status, j.kind, j.dedupe_key, j.queue into v_job from bridge.jobs j where j.id = p_job_id for update;
  if not found then
    raise exception 'bridge: job % not found', p_job_id using errcode = 'BR404', hint = 'It may have been pruned.';
  end if;
  if v_job.status not in ('dead', 'cancelled', 'pending') then
    return 0;
  end if;
  if v_job.status <> 'pending' and v_job.dedupe_key is not null then
    select l.id into v_live from bridge.jobs l
     where l.kind = v_job.kind and l.dedupe_key = v_job.dedupe_key and l.status in ('pending', 'running');
    if found then
      raise exception 'bridge: job % has dedupe key "%" which job % already holds', p_job_id, v_job.dedupe_key, v_live
        using errcode = 'BR003', hint = 'The live job does the same work; retry it or wait for it instead.';
    end if;
  end if;

  update bridge.jobs
     set status = 'pending', run_at = now(), updated_at = now(), finished_at = null, lease_token = null, locked_until = null,
         cancel_requested = false,
         attempts = case when status = 'pending' then attempts else 0 end
   where id = p_job_id;
  perform bridge._wake(v_job.queue);
  return 1;
end
$$;
comment on function bridge.retry(bigint) is
  'Operator action: run one job again now. dead/cancelled → pending with attempts reset; a pending job waiting for '
  'backoff runs now. Returns 1 if the job was requeued, 0 if it is running or succeeded. Unknown id: BR404; dedupe '
  'key held by another live job: BR003. Callable by service_role (the CLI).';
grant execute on function bridge.retry(bigint) to service_role;

create function bridge.redrive(p_kind text default null, p_since timestamptz default null) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
  v_queues text;
begin
  -- Of several dead jobs sharing a dedupe key only the newest is requeued, and none whose key
  -- an unfinished job already holds.
  with dead as (
    select d.id, d.kind, d.dedupe_key,
           pg_catalog.row_number() over (partition by d.kind, d.dedupe_key order by d.id desc) as nth
      from bridge.jobs d
     where d.status = 'dead'
       and (p_kind is null or d.kind = p_kind)
       and (p_since is null or d.finished_at >= p_since)
  ), requeued as (
    update bridge.jobs j
       set status = 'pending', attempts = 0, run_at = now(), updated_at = now(), finished_at = null,
           lease_token = null, locked_until = null, cancel_requested = false
      from dead
     where j.id = dead.id
       and (dead.dedupe_key is null
            or (dead.nth = 1 and not exists (
                  select 1 from bridge.jobs l
                   where l.kind = dead.kind and l.dedupe_key = dead.dedupe_key and l.status in ('pending', 'running'))))
    returning j.queue
  )
  select pg_catalog.count(*)::integer, pg_catalog.string_agg(distinct r.queue, ',' order by r.queue)
    into v_count, v_queues
    from requeued r;
  perform bridge._wake(v_queues);
  return v_count;
end
$$;
comment on function bridge.redrive(text, timestamptz) is
  'Operator action: requeue dead jobs (of one kind, and/or dead since p_since) as pending with attempts reset; '
  'returns how many. Cancelled jobs are not redriven (use bridge.retry). Callable by service_role (the CLI).';
grant execute on function bridge.redrive(text, timestamptz) to service_role;

create function bridge.cancel(p_job_id bigint) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
begin
  select j.status into v_status from bridge.jobs j where j.id = p_job_id for update;
  if not found then
    raise exception 'bridge: job % not found', p_job_id using errcode = 'BR404', hint = 'It may have been pruned.';
  end if;
  if v_status = 'pending' then
    update bridge.jobs
       set status = 'cancelled', finished_at = now(), updated_at = now()
     where id = p_job_id;
    return true;
  elsif v_status = 'running' then
    update bridge.jobs set cancel_requested = true, updated_at = now() where id = p_job_id;
    return true;
  end if;
  return false;
end
$$;
comment on function bridge.cancel(bigint) is
  'Operator action: a pending job becomes cancelled at once; a running job gets cancel_requested, so its next '
  'heartbeat drops it and it ends cancelled at fail or lease expiry. Returns false if the job had already finished. '
  'Unknown id: BR404. Callable by service_role (the CLI).';
grant execute on function bridge.cancel(bigint) to service_role;

-- Schedules -----------------------------------------------------------------------------------

-- Start of the period containing p_at: epoch + offset + k × every.
create function bridge._period_start(p_at timestamptz, p_every interval, p_offset interval) returns timestamptz
language sql stable
set search_path = ''
as $$
  select pg_catalog.to_timestamp(
           pg_catalog.floor((extract(epoch from p_at) - extract(epoch from p_offset)) / extract(epoch from p_every))
           * extract(epoch from p_every) + extract(epoch from p_offset));
$$;
comment on function bridge._period_start(timestamptz, interval, interval) is
  'Internal: start of the schedule period containing p_at (periods are epoch + offset + k × every, in UTC).';

create function bridge.upsert_schedule(
  p_name text,
  p_kind text,
  p_every interval,
  p_offset interval default '0'::interval,
  p_payload jsonb default '{}'::jsonb,
  p_priority integer default 0,
  p_enabled boolean default true
) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from bridge.job_kinds k where k.kind = p_kind) then
    raise exception 'bridge: unknown job kind "%" for schedule %', p_kind, p_name
      using errcode = 'BR001', hint = 'Register the kind with bridge.register_kind() first.';
  end if;
  if p_every is null or extract(month from p_every) <> 0 or extract(year from p_every) <> 0
     or extract(epoch from p_every) < 1 then
    raise exception 'bridge: schedule % needs a fixed period of at least 1 second, got %', p_name, p_every
      using errcode = 'BR002',
            hint = 'Use seconds, minutes, hours or days (e.g. interval ''1 day'' with offset ''6 hours'' for 06:00 '
                   'UTC daily); months vary in length.';
  end if;
  if coalesce(p_offset, '0'::interval) < '0'::interval or extract(month from p_offset) <> 0 then
    raise exception 'bridge: schedule % needs a non-negative offset without months, got %', p_name, p_offset
      using errcode = 'BR002', hint = 'The offset shifts period starts from the epoch, e.g. ''6 hours''.';
  end if;

  insert into bridge.schedules as s (name, kind, payload, every, period_offset, priority, enabled, next_run_at)
  values (p_name, p_kind, coalesce(p_payload, '{}'::jsonb), p_every, coalesce(p_offset, '0'::interval),
          coalesce(p_priority, 0), coalesce(p_enabled, true),
          bridge._period_start(now(), p_every, coalesce(p_offset, '0'::interval)) + p_every)
  on conflict (name) do update
    set kind = excluded.kind,
        payload = excluded.payload,
        priority = excluded.priority,
        enabled = excluded.enabled,
        every = excluded.every,
        period_offset = excluded.period_offset,
        -- A new period grid starts at its next boundary; an unchanged one keeps its place.
        next_run_at = case when (s.every, s.period_offset) is distinct from (excluded.every, excluded.period_offset)
                           then excluded.next_run_at else s.next_run_at end,
        updated_at = now();
end
$$;
comment on function bridge.upsert_schedule(text, text, interval, interval, jsonb, integer, boolean) is
  'Declare or update a recurring job (idempotent): kind p_kind with p_payload every p_every, periods starting at '
  'epoch + p_offset + k × p_every (UTC). A new schedule first fires at the next period start. Called by migrations '
  '(owner only; no grant).';

create function bridge.fire_due_schedules() returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_schedule record;
  v_period timestamptz;
  v_job_id bigint;
  v_fired integer := 0;
begin
  -- SKIP LOCKED: a schedule another daemon is firing right now is its business; once that
  -- daemon commits, next_run_at is in the future and the schedule is no longer due.
  for v_schedule in
    select s.name, s.kind, s.payload, s.every, s.period_offset, s.priority
      from bridge.schedules s
     where s.enabled and s.next_run_at <= now()
     order by s.next_run_at
       for update skip locked
  loop
    -- Missed periods collapse into one run: the latest period that has started.
    v_period := bridge._period_start(now(), v_schedule.every, v_schedule.period_offset);
    v_job_id := bridge.enqueue(
      p_kind => v_schedule.kind,
      p_payload => v_schedule.payload,
      p_dedupe_key => v_schedule.name || '@' || pg_catalog.to_char(v_period at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      p_priority => v_schedule.priority);
    update bridge.schedules
       set last_run_at = now(), last_job_id = v_job_id, next_run_at = v_period + v_schedule.every, updated_at = now()
     where name = v_schedule.name;
    v_fired := v_fired + 1;
  end loop;
  return v_fired;
end
$$;
comment on function bridge.fire_due_schedules() is
  'Enqueue one job for every due schedule (dedupe key <name>@<period start, UTC>) and advance it to its next period; '
  'returns how many fired. Safe to call from every daemon at once: each period fires exactly once. Callable by service_role.';
grant execute on function bridge.fire_due_schedules() to service_role;

-- Maintenance and observability ---------------------------------------------------------------

create function bridge.prune(p_retention interval default '7 days'::interval, p_batch_size integer default 10000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_batch integer;
  v_total integer := 0;
begin
  if p_retention is null or p_retention < '0'::interval or p_batch_size is null or p_batch_size < 1 then
    raise exception 'bridge: prune needs a non-negative retention and a batch size >= 1'
      using errcode = 'BR002', hint = 'e.g. bridge.prune(interval ''7 days'').';
  end if;
  loop
    delete from bridge.jobs j
     where j.id in (
       select f.id from bridge.jobs f
        where f.status in ('succeeded', 'dead', 'cancelled') and f.finished_at < now() - p_retention
        limit p_batch_size
          for update skip locked);
    get diagnostics v_batch = row_count;
    v_total := v_total + v_batch;
    exit when v_batch < p_batch_size;
  end loop;
  return v_total;
end
$$;
comment on function bridge.prune(interval, integer) is
  'Delete finished jobs (succeeded, cancelled and dead) that finished more than p_retention ago, p_batch_size rows '
  'per statement; returns how many. Callable by service_role (the daemon runs it periodically).';
grant execute on function bridge.prune(interval, integer) to service_role;

create function bridge.stats()
returns table (queue text, kind text, status text, count bigint, oldest_pending_age_seconds double precision)
language sql stable
security definer
set search_path = ''
as $$
  select j.queue, j.kind, j.status, pg_catalog.count(*),
         case when j.status = 'pending'
              then extract(epoch from now() - pg_catalog.min(j.run_at) filter (where j.run_at <= now()))::double precision
         end
    from bridge.jobs j
   group by j.queue, j.kind, j.status
   order by j.queue, j.kind, j.status;
$$;
comment on function bridge.stats() is
  'Job counts per queue, kind and status; for pending rows, how long the oldest due job has waited (seconds, null '
  'if none is due yet). For the CLI and /metrics. Callable by service_role.';
grant execute on function bridge.stats() to service_role;

create function bridge.queue_depth()
returns table (queue text, due bigint, scheduled bigint, running bigint)
language sql stable
security definer
set search_path = ''
as $$
  select j.queue,
         pg_catalog.count(*) filter (where j.status = 'pending' and j.run_at <= now()),
         pg_catalog.count(*) filter (where j.status = 'pending' and j.run_at > now()),
         pg_catalog.count(*) filter (where j.status = 'running')
    from bridge.jobs j
   where j.status in ('pending', 'running')
   group by j.queue
   order by j.queue;
$$;
comment on function bridge.queue_depth() is
  'Unfinished jobs per queue: due now, scheduled for later, running. Cheap enough to poll for /metrics. '
  'Callable by service_role.';
grant execute on function bridge.queue_depth() to service_role;
