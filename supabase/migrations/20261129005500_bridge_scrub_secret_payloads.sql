-- Bridge: a job whose payload carries a secret — the one-time link of a password-recovery or
-- signup-confirmation email — keeps it only while the job can still run. When the job finishes
-- (succeeded, dead or cancelled) its payload loses the email's text and html, keeping who it went
-- to and the subject for the operator. Until now such a link sat readable in bridge.jobs until the
-- job was pruned (168 h by default), long after the email had gone.
--
-- The enqueuer opts in with "scrub_when_finished": true in the payload (the auth mailer does);
-- retries keep the payload whole because a retry is not a finish.

-- Functions -----------------------------------------------------------------------------------

create function bridge.tg_jobs__scrub_secret_payload() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.payload := (new.payload - array['text', 'html', 'scrub_when_finished']) || '{"scrubbed": true}'::jsonb;
  return new;
end
$$;
comment on function bridge.tg_jobs__scrub_secret_payload() is
  'Trigger: when a job whose payload has "scrub_when_finished" reaches succeeded, dead or cancelled, drop the payload''s '
  'text and html (the secret link) and mark it "scrubbed"; the write-back has already run with the full payload.';

-- Triggers ------------------------------------------------------------------------------------

create trigger _300_scrub_secret_payload
  before update of status on bridge.jobs
  for each row
  when (new.status in ('succeeded', 'dead', 'cancelled') and new.payload ? 'scrub_when_finished')
  execute function bridge.tg_jobs__scrub_secret_payload();
