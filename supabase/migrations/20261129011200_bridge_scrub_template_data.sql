-- Bridge: emails are now rendered by the daemon from a template and its "data" (migration
-- 20261129011100), so a recovery or confirmation link travels in payload.data.link rather than in
-- the text. The scrub of finished secret payloads (20261129005500) drops "data" and "link" too,
-- so the one-time link still does not stay in bridge.jobs after the email is sent; "template" and
-- "to" stay for the operator.

-- Functions -----------------------------------------------------------------------------------

create or replace function bridge.tg_jobs__scrub_secret_payload() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.payload := (new.payload - array['text', 'html', 'data', 'link', 'scrub_when_finished']) || '{"scrubbed": true}'::jsonb;
  return new;
end
$$;
comment on function bridge.tg_jobs__scrub_secret_payload() is
  'Trigger: when a job whose payload has "scrub_when_finished" reaches succeeded, dead or cancelled, drop the payload''s '
  'text, html, template data and link (the secret) and mark it "scrubbed"; the write-back has already run with the full payload.';
