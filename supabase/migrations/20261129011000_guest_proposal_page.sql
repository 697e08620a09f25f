-- The guest's proposal page (/p/<token>, served by banquet serve) reads everything it shows
-- through public.get_public_proposal as anon, so the guest view now also carries the venue's logo,
-- the service-charge and tax rates, and after acceptance the booking with its deposit: amount, due
-- date, and the checkout URL once the daemon has created it (payment.checkout).
--
-- Links to that page come from app.public_url(): the setting banquet.public_url, else
-- http://localhost:54321, the URL `make run` serves (before, a hard-coded :8080 that nothing
-- served). banquet serve sets banquet.public_url in every request's transaction from
-- BANQUET_PUBLIC_URL (or its own address); `banquet migrate` with BANQUET_PUBLIC_URL set stores it
-- on the database (alter database … set banquet.public_url), so jobs, schedules and other clients
-- (Supabase's PostgREST) build the same links.
--
-- Error codes: BQ205 (new) — the link belongs to a version the venue has since replaced; until now
-- that was BQ202, indistinguishable from a link that never existed. REST answers it with 410 Gone.

-- Internal functions --------------------------------------------------------------------------

create function app.public_url() returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(rtrim(current_setting('banquet.public_url', true), '/'), ''), 'http://localhost:54321')
$$;
comment on function app.public_url() is
  'Internal: the base URL guests and staff reach (links in emails and messages): the banquet.public_url setting, '
  'else http://localhost:54321 (what make run serves). No trailing slash.';

create function app.venue_logo_path(p_venue_id uuid) returns text
language sql
stable
set search_path = ''
as $$
  -- The venue's own logo, else one registered for its whole organization; the newest wins.
  select d.object_path
  from app.venues v
  join app.documents d on d.organization_id = v.organization_id and d.kind = 'logo'
  where v.id = p_venue_id and (d.venue_id = v.id or d.venue_id is null)
  order by (d.venue_id is not null) desc, d.created_at desc
  limit 1
$$;
comment on function app.venue_logo_path(uuid) is
  'Internal: the object path, in the public logos bucket, of the venue''s logo (or its organization''s), or null. '
  'Called by SECURITY DEFINER code (the guest view, email data).';

create or replace function app.proposal_by_token(p_token text) returns app.proposals
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals;
begin
  select * into v_proposal from app.proposals p where p.public_token = p_token and p_token is not null for update;
  if not found then
    raise exception using errcode = 'BQ202', message = 'this proposal link is not valid',
      hint = 'Ask the venue for a new link.';
  end if;
  if v_proposal.status = 'superseded' then
    raise exception using errcode = 'BQ205', message = 'this proposal has been replaced by a newer version',
      hint = 'Use the link in the venue''s latest message, or ask the venue to send it again.';
  end if;
  if v_proposal.status in ('sent', 'viewed') and v_proposal.expires_at < now() then
    update app.proposals set status = 'expired' where id = v_proposal.id returning * into v_proposal;
  end if;
  return v_proposal;
end
$$;
comment on function app.proposal_by_token(text) is
  'Internal: the proposal behind a public token (expiring it when overdue); BQ202 unknown token, BQ205 superseded version.';

-- Public functions ----------------------------------------------------------------------------

create or replace function public.get_public_proposal(p_token text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals := app.proposal_by_token(p_token);
begin
  if v_proposal.status = 'sent' then
    update app.proposals set status = 'viewed' where id = v_proposal.id returning * into v_proposal;
  end if;
  return jsonb_build_object(
    'id', v_proposal.id,
    'status', v_proposal.status,
    'version', v_proposal.version,
    'title', v_proposal.title,
    'venue', (select jsonb_build_object('name', v.name, 'timezone', v.timezone, 'address', v.address,
                                        'logo_path', app.venue_logo_path(v.id))
              from app.venues v where v.id = v_proposal.venue_id),
    'space', (select s.name from app.spaces s where s.id = v_proposal.space_id),
    'guest_name', (select i.guest_name from app.inquiries i where i.id = v_proposal.inquiry_id),
    'guest_count', v_proposal.guest_count,
    'starts_at', v_proposal.starts_at,
    'ends_at', v_proposal.ends_at,
    'currency', v_proposal.currency,
    'items', coalesce((
      select jsonb_agg(jsonb_build_object('description', i.description, 'quantity', i.quantity,
                       'unit_price_minor', i.unit_price_minor, 'total_minor', i.total_minor) order by i.sort_order)
      from app.proposal_items i where i.proposal_id = v_proposal.id), '[]'),
    'subtotal_minor', v_proposal.subtotal_minor,
    'fnb_shortfall_minor', v_proposal.fnb_shortfall_minor,
    'service_charge_bps', v_proposal.service_charge_bps,
    'service_charge_minor', v_proposal.service_charge_minor,
    'tax_bps', v_proposal.tax_bps,
    'tax_minor', v_proposal.tax_minor,
    'total_minor', v_proposal.total_minor,
    'deposit_minor', v_proposal.deposit_minor,
    'expires_at', v_proposal.expires_at,
    'decided_at', v_proposal.decided_at,
    'signed_by', v_proposal.guest_name,
    'booking', (
      select jsonb_build_object(
        'status', b.status,
        'hold_expires_at', b.hold_expires_at,
        'deposit', (
          select jsonb_build_object('amount_minor', p.amount_minor, 'currency', p.currency, 'due_at', p.due_at,
                                    'status', p.status, 'paid_at', p.paid_at,
                                    -- Only a link the guest can still use.
                                    'pay_url', case when p.status = 'scheduled' and (p.checkout_expires_at is null or p.checkout_expires_at > now())
                                                    then p.checkout_url end)
          from app.payments p where p.booking_id = b.id and p.kind = 'deposit'
          order by p.due_at limit 1))
      from app.bookings b where b.proposal_id = v_proposal.id and v_proposal.status = 'accepted')
  );
end
$$;
comment on function public.get_public_proposal(text) is
  'Guest view of a proposal by its public token (first view marks it viewed; an overdue one expires): venue with logo path, '
  'items, totals with service-charge and tax rates, validity, and once accepted the booking with its deposit and pay URL. '
  'Callable by anon. BQ202 for an unknown token, BQ205 for a superseded version.
@lint-allow anon_security_definer_function_executable: the guest has no account; the unguessable token (244 random bits) is the capability, and only that proposal''s guest-facing fields are returned.';
