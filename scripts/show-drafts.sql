-- make drafts: the proposals an AI provider drafted (each has an ai_runs row for its job), newest
-- first, with their lines as the database priced them.
\pset footer off
\echo 'AI-drafted proposals'
select p.id, i.guest_name, v.name as venue, p.status, p.title, p.currency, p.subtotal_minor, p.total_minor,
       r.provider, r.model, r.prompt_version, r.outcome
from app.proposals p
join app.inquiries i on i.id = p.inquiry_id
join app.venues v on v.id = p.venue_id
join bridge.jobs j on j.kind = 'llm.proposal_draft' and (j.payload ->> 'proposal_id')::uuid = p.id
join lateral (select * from app.ai_runs r where r.job_id = j.id order by r.id desc limit 1) r on true
order by p.created_at desc
limit 10;
\echo 'Their lines'
select p.title, pi.kind, pi.description, pi.quantity, pi.unit_price_minor, pi.quantity * pi.unit_price_minor as line_minor
from app.proposals p
join bridge.jobs j on j.kind = 'llm.proposal_draft' and (j.payload ->> 'proposal_id')::uuid = p.id and j.status = 'succeeded'
join app.proposal_items pi on pi.proposal_id = p.id
order by p.created_at desc, pi.sort_order;
