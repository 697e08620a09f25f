-- A payload marked scrub_when_finished keeps its secret while the job can run (claims, retries)
-- and loses it once the job is finished; other payloads are left alone.
begin;
select plan(10);
set local client_min_messages = error;

select bridge.register_kind('test.secret', 'test_secret_q');
select bridge.enqueue('test.secret', '{"to": "a@example.com", "subject": "Reset", "text": "link SECRET", "html": "<a>SECRET</a>", "scrub_when_finished": true}') as secret_id \gset
select bridge.enqueue('test.secret', '{"to": "b@example.com", "subject": "Hello", "text": "plain"}') as plain_id \gset
-- The template shape (migration 20261129011100): the secret is in data.link.
select bridge.enqueue('test.secret', '{"to": "c@example.com", "template": "password_recovery", "template_version": 1, "data": {"link": "https://x/verify?token=TEMPLATESECRET", "valid_minutes": 60}, "scrub_when_finished": true}') as template_id \gset

-- A retry is not a finish: the payload stays whole.
select max(lease_token::text) filter (where id = :secret_id) as lease,
       max(lease_token::text) filter (where id = :plain_id) as lease3,
       max(lease_token::text) filter (where id = :template_id) as lease4
  from bridge.claim('w1', array['test_secret_q'], 10) \gset
select bridge.fail(:secret_id, :'lease', 'provider down') is not null as failed \gset
select is((select payload ->> 'text' from bridge.jobs where id = :secret_id), 'link SECRET', 'a retried job keeps its payload');

-- Finished: the secret is gone, the operator still sees to whom and what.
update bridge.jobs set run_at = now() where id = :secret_id;
select (select lease_token from bridge.claim('w1', array['test_secret_q'], 10)
         where id = :secret_id) as lease2 \gset
select bridge.complete(:secret_id, :'lease2', '{}') is not null as completed \gset
select is((select status from bridge.jobs where id = :secret_id), 'succeeded', 'the job succeeded');
select ok((select not (payload ? 'text') and not (payload ? 'html') from bridge.jobs where id = :secret_id), 'its text and html are gone');
select is((select payload ->> 'to' from bridge.jobs where id = :secret_id), 'a@example.com', 'the recipient stays');
select is((select (payload ->> 'scrubbed')::boolean from bridge.jobs where id = :secret_id), true, 'it is marked scrubbed');
select ok((select payload::text not like '%SECRET%' from bridge.jobs where id = :secret_id), 'no trace of the secret');

-- A template payload loses its data (the link) the same way; the template name stays.
select bridge.fail(:template_id, :'lease4', 'smtp down', false) as dead_status \gset
select is((select status from bridge.jobs where id = :template_id), 'dead', 'a dead job is finished too');
select ok((select payload::text not like '%TEMPLATESECRET%' and not (payload ? 'data') from bridge.jobs where id = :template_id), 'its template data, with the link, is gone');
select is((select payload ->> 'template' from bridge.jobs where id = :template_id), 'password_recovery', 'the template name stays for the operator');

-- A job without the marker keeps its payload when it finishes.
select bridge.complete(:plain_id, :'lease3', '{}') is not null as completed_plain \gset
select is((select payload ->> 'text' from bridge.jobs where id = :plain_id), 'plain', 'unmarked payloads are untouched');

select * from finish();
rollback;
