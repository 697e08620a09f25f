-- Proposals: the proposal RPCs validate with the shared helpers (20261129001000_input_validation.sql)
-- before writing: guest counts and line quantities within 1 .. 10,000, prices within
-- app.money_limit() and a line's price times quantity too (so no total can overflow), event times
-- finite and plausible (BQ006), descriptions, notes, reasons and instructions within the free-text
-- limit (one limit, 5000, where decline and AI instructions used to stop at 2000), and the guest's
-- signature within the name limit. Each function is redefined in full.

-- Helpers -------------------------------------------------------------------------------------

-- Internal: the next proposal version with the venue's defaults; validates counts, times and instructions.
create or replace function app.new_proposal(
  p_inquiry_id uuid,
  p_status text,
  p_space_id uuid default null,
  p_currency text default null,
  p_guest_count integer default null,
  p_starts_at timestamptz default null,
  p_ends_at timestamptz default null,
  p_instructions text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_inquiry app.inquiries;
  v_venue app.venues;
  v_space app.spaces;
  v_proposal_id uuid;
  v_starts_at timestamptz;
begin
  select * into v_inquiry from app.inquiries i where i.id = p_inquiry_id;
  if not found then
    raise exception using errcode = 'BQ002', message = format('inquiry %s not found', p_inquiry_id);
  end if;
  -- Called directly (not from the auto-draft trigger of an anonymous submission): members only.
  if pg_trigger_depth() = 0 then
    perform app.require_role(v_inquiry.organization_id);
  end if;
  select * into v_venue from app.venues v where v.id = v_inquiry.venue_id;
  if p_space_id is not null then
    select * into v_space from app.spaces s where s.id = p_space_id and s.venue_id = v_venue.id;
    if not found then
      raise exception using errcode = 'BQ002', message = format('space %s not found in the inquiry''s venue', p_space_id);
    end if;
  end if;
  if p_currency is not null and upper(p_currency) !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'BQ001', message = format('p_currency: %L is not an ISO 4217 currency code', left(p_currency, 20));
  end if;
  perform app.require_count(p_guest_count, 'p_guest_count', p_required => false);
  perform app.require_time(p_starts_at, 'p_starts_at', false);
  perform app.require_time(p_ends_at, 'p_ends_at', false);
  perform app.require_text(p_instructions, 'p_instructions', 'text', false);
  v_starts_at := coalesce(p_starts_at,
    (v_inquiry.event_date + coalesce(v_inquiry.start_time, time '19:00')) at time zone v_venue.timezone);
  if p_ends_at is not null and p_ends_at <= v_starts_at then
    raise exception using errcode = 'BQ001', message = 'p_ends_at must be after the event starts',
      hint = format('The event starts at %s.', v_starts_at);
  end if;
  insert into app.proposals (
    organization_id, venue_id, inquiry_id, space_id, version, status, guest_count, starts_at, ends_at,
    currency, service_charge_bps, tax_bps, deposit_bps, draft_instructions, created_by, title
  ) values (
    v_inquiry.organization_id, v_venue.id, v_inquiry.id, p_space_id,
    coalesce((select max(p.version) + 1 from app.proposals p where p.inquiry_id = v_inquiry.id), 1),
    p_status, coalesce(p_guest_count, v_inquiry.party_size), v_starts_at,
    coalesce(p_ends_at, v_starts_at + interval '4 hours'),
    coalesce(upper(p_currency), v_venue.currency), v_venue.service_charge_bps, v_venue.tax_bps, v_venue.deposit_bps,
    p_instructions, (select auth.uid()),
    coalesce(v_inquiry.event_type, 'Event') || ' at ' || v_venue.name
  )
  returning id into v_proposal_id;
  if v_space.room_fee_minor > 0 then
    insert into app.proposal_items (organization_id, proposal_id, kind, description, quantity, base_unit_price_minor, unit_price_minor, counts_toward_fnb, sort_order)
    values (v_inquiry.organization_id, v_proposal_id, 'room_fee', 'Room hire: ' || v_space.name, 1, v_space.room_fee_minor, v_space.room_fee_minor, false, -1);
  end if;
  perform app.reprice_proposal(v_proposal_id);
  return v_proposal_id;
end
$$;
comment on function app.new_proposal(uuid, text, uuid, text, integer, timestamptz, timestamptz, text) is
  'Internal: inserts the next proposal version for an inquiry with the venue''s pricing defaults and the room fee. Members only, except from a trigger.';
grant execute on function app.new_proposal(uuid, text, uuid, text, integer, timestamptz, timestamptz, text) to authenticated, service_role;

-- Public functions ----------------------------------------------------------------------------

-- Adds a line; quantity, price and the line amount within their limits.
create or replace function public.add_proposal_item(
  p_proposal_id uuid,
  p_description text default null,
  p_quantity integer default null,
  p_unit_price_minor bigint default null,
  p_menu_item_id uuid default null,
  p_package_id uuid default null,
  p_counts_toward_fnb boolean default true
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_proposal app.proposals := app.proposal_for_update(p_proposal_id);
  v_menu_item app.menu_items;
  v_package app.packages;
  v_kind text := 'custom';
  v_description text := p_description;
  v_quantity integer := p_quantity;
  v_base bigint;
  v_item_id uuid;
begin
  perform app.require_editable(v_proposal);
  perform app.require_text(p_description, 'p_description', 'text', false);
  perform app.require_count(p_quantity, 'p_quantity', p_required => false);
  perform app.require_money(p_unit_price_minor, 'p_unit_price_minor', false);
  if p_menu_item_id is not null and p_package_id is not null then
    raise exception using errcode = 'BQ001', message = 'pass a menu item or a package, not both';
  end if;
  if p_menu_item_id is not null then
    select i.* into v_menu_item from app.menu_items i
    join app.menus m on m.id = i.menu_id
    where i.id = p_menu_item_id and m.venue_id = v_proposal.venue_id;
    if v_menu_item.id is null then
      raise exception using errcode = 'BQ002', message = format('menu item %s not found in the proposal''s venue', p_menu_item_id);
    end if;
    v_kind := 'menu_item';
    v_description := coalesce(v_description, v_menu_item.name);
    v_quantity := coalesce(v_quantity, case v_menu_item.unit when 'per_person' then v_proposal.guest_count else 1 end);
    v_base := v_menu_item.price_minor;
  elsif p_package_id is not null then
    select * into v_package from app.packages p where p.id = p_package_id and p.venue_id = v_proposal.venue_id;
    if not found then
      raise exception using errcode = 'BQ002', message = format('package %s not found in the proposal''s venue', p_package_id);
    end if;
    v_kind := 'package';
    v_description := coalesce(v_description, v_package.name);
    v_quantity := coalesce(v_quantity, greatest(v_proposal.guest_count, v_package.min_guests));
    v_base := v_package.price_per_guest_minor;
  else
    if p_unit_price_minor is null or p_unit_price_minor < 0 or nullif(btrim(p_description), '') is null then
      raise exception using errcode = 'BQ001', message = 'a custom item needs a description and a non-negative unit price',
        hint = 'Or pass p_menu_item_id / p_package_id to price from the venue''s menus.';
    end if;
    -- A custom price is given in the proposal's currency; keep its venue-currency equivalent for repricing.
    v_base := round(p_unit_price_minor / v_proposal.fx_rate)::bigint;
  end if;
  perform app.require_count(coalesce(v_quantity, 1), 'the quantity');
  perform app.require_money(coalesce(v_quantity, 1) * coalesce(case when v_kind = 'custom' then p_unit_price_minor end,
                                                               round(v_base * v_proposal.fx_rate)::bigint),
                            'the line amount (quantity times unit price)');
  insert into app.proposal_items (organization_id, proposal_id, kind, menu_item_id, package_id, description, quantity,
    base_unit_price_minor, unit_price_minor, counts_toward_fnb, sort_order)
  values (v_proposal.organization_id, p_proposal_id, v_kind, p_menu_item_id, p_package_id, btrim(v_description), coalesce(v_quantity, 1),
    v_base, coalesce(case when v_kind = 'custom' then p_unit_price_minor end, round(v_base * v_proposal.fx_rate)::bigint),
    coalesce(p_counts_toward_fnb, true),
    coalesce((select max(i.sort_order) + 1 from app.proposal_items i where i.proposal_id = p_proposal_id), 0))
  returning id into v_item_id;
  return v_item_id;
end
$$;
comment on function public.add_proposal_item(uuid, text, integer, bigint, uuid, uuid, boolean) is
  'Adds a line to a draft or ready proposal: from a menu item (per-person items default to the guest count), a package, or a custom description and price. Totals recompute. Any member.';
grant execute on function public.add_proposal_item(uuid, text, integer, bigint, uuid, uuid, boolean) to authenticated;

-- Changes a line; the same limits as add_proposal_item.
create or replace function public.update_proposal_item(
  p_item_id uuid,
  p_quantity integer default null,
  p_unit_price_minor bigint default null,
  p_description text default null
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_item app.proposal_items;
  v_proposal app.proposals;
begin
  select * into v_item from app.proposal_items i where i.id = p_item_id;
  if not found then
    raise exception using errcode = 'BQ002', message = format('proposal item %s not found', p_item_id);
  end if;
  v_proposal := app.proposal_for_update(v_item.proposal_id);
  perform app.require_editable(v_proposal);
  perform app.require_count(p_quantity, 'p_quantity', p_required => false);
  perform app.require_money(p_unit_price_minor, 'p_unit_price_minor', false);
  perform app.require_money(coalesce(p_quantity, v_item.quantity)::bigint * coalesce(p_unit_price_minor, v_item.unit_price_minor),
                            'the line amount (quantity times unit price)');
  perform app.require_text(p_description, 'p_description', 'text', false);
  update app.proposal_items set
    quantity = coalesce(p_quantity, quantity),
    unit_price_minor = coalesce(p_unit_price_minor, unit_price_minor),
    base_unit_price_minor = coalesce(round(p_unit_price_minor / v_proposal.fx_rate)::bigint, base_unit_price_minor),
    description = coalesce(nullif(btrim(p_description), ''), description)
  where id = p_item_id;
end
$$;
comment on function public.update_proposal_item(uuid, integer, bigint, text) is
  'Changes a proposal line''s quantity, unit price (proposal currency) or description; null leaves a field. Totals recompute. Any member.';
grant execute on function public.update_proposal_item(uuid, integer, bigint, text) to authenticated;

-- Guest accepts by token; the signature and note within their limits.
create or replace function public.accept_proposal(p_token text, p_name text, p_note text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals := app.proposal_by_token(p_token);
  v_booking_id uuid;
begin
  if nullif(btrim(p_name), '') is null then
    raise exception using errcode = 'BQ001', message = 'please type your name to accept',
      hint = 'Your name serves as your signature.';
  end if;
  perform app.require_text(p_name, 'p_name', 'name');
  perform app.require_text(p_note, 'p_note', 'text', false);
  if v_proposal.status not in ('sent', 'viewed') then
    raise exception using errcode = 'BQ201', message = format('this proposal is %s and can no longer be accepted', v_proposal.status),
      hint = 'Ask the venue for a new proposal.';
  end if;
  update app.proposals set status = 'accepted', guest_name = btrim(p_name), guest_note = p_note where id = v_proposal.id;
  select b.id into v_booking_id from app.bookings b where b.proposal_id = v_proposal.id;
  return jsonb_build_object('proposal_id', v_proposal.id, 'booking_id', v_booking_id, 'deposit_minor', v_proposal.deposit_minor, 'currency', v_proposal.currency);
end
$$;
comment on function public.accept_proposal(text, text, text) is
  'Guest accepts a sent proposal by token, signing with their name: creates the booking and its payment schedule and closes sibling versions. Callable by anon. BQ202 bad token, BQ201 not open, BQ301 the space was taken meanwhile.
@lint-allow anon_security_definer_function_executable: the unguessable token is the guest''s capability; it can only move that one sent proposal to accepted.';
grant execute on function public.accept_proposal(text, text, text) to anon, authenticated;

-- Guest declines by token; the reason is free text.
create or replace function public.decline_proposal(p_token text, p_reason text default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals := app.proposal_by_token(p_token);
begin
  if v_proposal.status not in ('sent', 'viewed') then
    raise exception using errcode = 'BQ201', message = format('this proposal is %s and can no longer be declined', v_proposal.status);
  end if;
  perform app.require_text(p_reason, 'p_reason', 'text', false);
  update app.proposals set status = 'declined', guest_note = p_reason where id = v_proposal.id;
  insert into app.notifications (organization_id, venue_id, kind, title, body, entity_type, entity_id)
  values (v_proposal.organization_id, v_proposal.venue_id, 'proposal.declined',
          format('Proposal v%s declined', v_proposal.version), coalesce(p_reason, ''), 'proposal', v_proposal.id);
end
$$;
comment on function public.decline_proposal(text, text) is 'Guest declines a sent proposal by token, optionally with a reason; staff are notified. Callable by anon.
@lint-allow anon_security_definer_function_executable: the unguessable token is the guest''s capability; it can only move that one sent proposal to declined.';
grant execute on function public.decline_proposal(text, text) to anon, authenticated;

-- Starts an AI draft; instructions are free text.
create or replace function public.request_proposal_draft(p_inquiry_id uuid, p_space_id uuid default null, p_instructions text default null)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  perform app.require_role(app.inquiry_organization_id(p_inquiry_id));
  perform app.require_text(p_instructions, 'p_instructions', 'text', false);
  return app.start_proposal_draft(p_inquiry_id, p_space_id, p_instructions);
end
$$;
comment on function public.request_proposal_draft(uuid, uuid, text) is
  'Asks the AI to draft a proposal for an inquiry: creates a proposal version in status generating and enqueues llm.proposal_draft; returns its id. Any member.';
grant execute on function public.request_proposal_draft(uuid, uuid, text) to authenticated;
