-- Bridge: a job held back by the daemon's own rate limit is handed back for later without
-- spending an attempt. Until now it was reported as a retryable failure, so a burst of messages
-- to one WhatsApp guest (one per 6 s) spent an attempt per wait and the later ones went dead
-- having never been sent. bridge.defer is bridge.release with a run_at: pending again after the
-- delay the rate limiter computed, attempts unchanged, the reason kept in last_error.
--
-- Error codes: BR409 stale lease (as bridge.release).

-- Functions -----------------------------------------------------------------------------------

create function bridge.defer(p_job_id bigint, p_lease_token uuid, p_delay_seconds double precision, p_reason text default null)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job record;
begin
  update bridge.jobs j
     set status = case when j.cancel_requested then 'cancelled' else 'pending' end,
         attempts = greatest(j.attempts - 1, 0),
         run_at = now() + make_interval(secs => greatest(coalesce(p_delay_seconds, 0), 0)),
         last_error = coalesce(p_reason, j.last_error),
         finished_at = case when j.cancel_requested then now() end,
         lease_token = null, locked_until = null, updated_at = now()
   where j.id = p_job_id and j.lease_token = p_lease_token
  returning j.status, j.queue into v_job;
  if not found then
    raise exception 'bridge: stale lease for job %', p_job_id
      using errcode = 'BR409', hint = 'The job is finished or owned by another lease; nothing to defer.';
  end if;
  return v_job.status;
end
$$;
comment on function bridge.defer(bigint, uuid, double precision, text) is
  'Hand a running job back unstarted to run after p_delay_seconds (the daemon''s rate limit had no room): the attempt does not '
  'count; cancelled instead if a cancel was requested. Returns the new status. Stale token: BR409. Callable by service_role.';
grant execute on function bridge.defer(bigint, uuid, double precision, text) to service_role;
