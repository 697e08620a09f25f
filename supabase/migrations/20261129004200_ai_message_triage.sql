-- Message triage: an inbound message that no keyword rule answered is classified by the daemon
-- (llm.classify_message) into an intent with a confidence, its language and a suggested reply for
-- staff. Below the daemon's confidence threshold the classification is marked as needing a person,
-- and staff are notified instead of anything being sent: the suggested reply is only ever a draft.
set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.messages add column intent_confidence real
  constraint messages_intent_confidence_check check (intent_confidence between 0 and 1);
alter table app.messages add column language text;
alter table app.messages add column suggested_reply text
  constraint messages_suggested_reply_check check (length(suggested_reply) <= 2000);
alter table app.messages add column needs_human boolean not null default false;
comment on column app.messages.suggested_reply is 'An AI-drafted reply for staff to review; never sent automatically.';
comment on column app.messages.needs_human is 'The AI classification was below the confidence threshold: a person decides what this message is.';

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function app.classify_message_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_message app.messages;
  v_confidence real := least(greatest(coalesce((p_result ->> 'confidence')::real, 0), 0), 1);
  v_needs_human boolean := coalesce((p_result ->> 'needs_human')::boolean, false);
begin
  update app.messages set
    intent = nullif(btrim(p_result ->> 'intent'), ''),
    intent_confidence = case when p_result ? 'confidence' then v_confidence end,
    language = nullif(left(btrim(p_result ->> 'language'), 16), ''),
    suggested_reply = nullif(left(p_result ->> 'suggested_reply', 2000), ''),
    needs_human = v_needs_human
  where id = (p_payload ->> 'message_id')::uuid
  returning * into v_message;
  if found and v_needs_human then
    insert into app.notifications (organization_id, kind, title, body, entity_type, entity_id)
    values (v_message.organization_id, 'message.needs_human',
            format('A guest message needs a person (AI confidence %s%%)', round(v_confidence * 100)),
            left(v_message.body, 500), 'conversation', v_message.conversation_id);
  end if;
end
$$;
comment on function app.classify_message_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for llm.classify_message: p_result {"intent", "confidence", "language", "suggested_reply", "needs_human"} labels the inbound message; needs_human notifies staff.';
