-- Proposals: "the proposal reached the guest" as one function of the proposals domain.
--
-- The email and WhatsApp/Instagram write-backs (inquiries and messaging migrations) each updated
-- app.proposals.delivered_at themselves, so a rule of the proposals domain lived in two other
-- domains' migrations. Delivery is now recorded here only; the next migration makes both
-- write-backs call it.

-- Daemon write-back helpers -------------------------------------------------------------------

create function app.mark_proposal_delivered(p_proposal_id uuid) returns void
language sql
security definer
set search_path = ''
as $$
  update app.proposals set delivered_at = coalesce(delivered_at, now()) where id = p_proposal_id;
$$;
comment on function app.mark_proposal_delivered(uuid) is
  'Records that a sent proposal reached the guest (first delivery wins). Called by the email and channel write-backs.';
grant execute on function app.mark_proposal_delivered(uuid) to service_role;
