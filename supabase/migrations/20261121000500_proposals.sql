-- Proposals: the venue's answer to an inquiry. A proposal is versioned per inquiry, priced from
-- the venue's menus and packages (or drafted by an LLM through the bridge), and follows
-- draft → generating → ready → sent → viewed → accepted | declined | expired (any open version
-- can be superseded by a newer one). Totals recompute whenever an item changes: items, then the
-- shortfall up to the space's F&B minimum, service charge, tax, and the deposit. Sending mints a
-- public token the guest uses (as anon) to view, accept or decline. A proposal may be priced in a
-- currency other than the venue's: items keep their venue-currency base price and are repriced
-- from app.fx_rates while the proposal is still a draft.
--
-- Error codes: BQ201 proposal not editable in its status, BQ202 unknown or expired token,
-- BQ203 nothing to send, BQ003 invalid status transition, BQ701 no FX rate, BQ001, BQ002, 42501.

-- Tables --------------------------------------------------------------------------------------

create table app.fx_rates (
  base text not null check (base ~ '^[A-Z]{3}$'),
  quote text not null check (quote ~ '^[A-Z]{3}$'),
  as_of date not null,
  -- 1 unit of base buys `rate` units of quote.
  rate numeric(20, 10) not null check (rate > 0),
  source text not null default 'ECB',
  created_at timestamptz not null default now(),
  primary key (base, quote, as_of),
  check (base <> quote)
);
comment on table app.fx_rates is 'Daily reference exchange rates (ECB publishes EUR-based ones); cross rates go through EUR.';

create table app.proposals (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  venue_id uuid not null,
  inquiry_id uuid not null,
  space_id uuid,
  version integer not null default 1 check (version >= 1),
  status text not null default 'draft'
    check (status in ('draft', 'generating', 'ready', 'sent', 'viewed', 'accepted', 'declined', 'expired', 'superseded')),
  title text,
  guest_count integer not null check (guest_count >= 1),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  -- venue currency → proposal currency at pricing time (1 when they are the same)
  fx_rate numeric(20, 10) not null default 1 check (fx_rate > 0),
  service_charge_bps integer not null default 0 check (service_charge_bps between 0 and 10000),
  tax_bps integer not null default 0 check (tax_bps between 0 and 10000),
  deposit_bps integer not null default 3000 check (deposit_bps between 0 and 10000),
  fnb_minimum_minor bigint not null default 0 check (fnb_minimum_minor >= 0),
  subtotal_minor bigint not null default 0,
  fnb_shortfall_minor bigint not null default 0,
  service_charge_minor bigint not null default 0,
  tax_minor bigint not null default 0,
  total_minor bigint not null default 0,
  deposit_minor bigint not null default 0,
  notes text,
  draft_instructions text,
  public_token text unique,
  sent_at timestamptz,
  delivered_at timestamptz,
  viewed_at timestamptz,
  decided_at timestamptz,
  expires_at timestamptz,
  guest_name text,
  guest_note text,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  unique (inquiry_id, version),
  check (ends_at > starts_at),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade,
  foreign key (organization_id, inquiry_id) references app.inquiries (organization_id, id) on delete cascade,
  foreign key (organization_id, space_id) references app.spaces (organization_id, id)
);
-- sent_at included: report_conversion counts inquiries with a sent proposal from this index alone.
create index proposals_organization_id_inquiry_id_idx on app.proposals (organization_id, inquiry_id) include (sent_at);
create index proposals_organization_id_venue_id_idx on app.proposals (organization_id, venue_id);
create index proposals_organization_id_space_id_idx on app.proposals (organization_id, space_id);
create index proposals_created_by_idx on app.proposals (created_by);
create index proposals_status_expires_at_idx on app.proposals (status, expires_at) where status in ('sent', 'viewed');
create index proposals_draft_currency_idx on app.proposals (currency) where status in ('draft', 'ready');
-- The dashboard's open proposals per currency, read from the index alone.
create index proposals_open_idx on app.proposals (organization_id, venue_id) include (currency, total_minor) where status in ('sent', 'viewed');
comment on table app.proposals is
  'A priced offer for an inquiry, one row per version. Totals are derived from proposal_items by trigger; never write them directly.';

create table app.proposal_items (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  proposal_id uuid not null,
  kind text not null default 'custom' check (kind in ('menu_item', 'package', 'room_fee', 'custom')),
  menu_item_id uuid references app.menu_items (id) on delete set null,
  package_id uuid references app.packages (id) on delete set null,
  description text not null check (length(btrim(description)) > 0),
  quantity integer not null check (quantity >= 1),
  -- Price in the venue's currency; unit_price_minor is it converted at the proposal's fx_rate.
  base_unit_price_minor bigint not null check (base_unit_price_minor >= 0),
  unit_price_minor bigint not null check (unit_price_minor >= 0),
  total_minor bigint generated always as (quantity * unit_price_minor) stored,
  -- Food and beverage counts toward the space's F&B minimum; a room fee does not.
  counts_toward_fnb boolean not null default true,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  foreign key (organization_id, proposal_id) references app.proposals (organization_id, id) on delete cascade
);
create index proposal_items_organization_id_proposal_id_idx on app.proposal_items (organization_id, proposal_id);
create index proposal_items_proposal_id_idx on app.proposal_items (proposal_id);
create index proposal_items_menu_item_id_idx on app.proposal_items (menu_item_id);
create index proposal_items_package_id_idx on app.proposal_items (package_id);
comment on table app.proposal_items is 'A line of a proposal: quantity × unit price, in the proposal''s currency.';

-- Helpers -------------------------------------------------------------------------------------

create function app.fx_rate(p_from text, p_to text, p_as_of date default current_date)
returns numeric
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_rate numeric;
begin
  if p_from = p_to then
    return 1;
  end if;
  -- Latest rate on or before p_as_of: direct, inverse, then the cross rate through EUR.
  select r.rate into v_rate from app.fx_rates r
  where r.base = p_from and r.quote = p_to and r.as_of <= p_as_of order by r.as_of desc limit 1;
  if v_rate is null then
    select 1 / r.rate into v_rate from app.fx_rates r
    where r.base = p_to and r.quote = p_from and r.as_of <= p_as_of order by r.as_of desc limit 1;
  end if;
  if v_rate is null and p_from <> 'EUR' and p_to <> 'EUR' then
    v_rate := app.fx_rate(p_from, 'EUR', p_as_of) * app.fx_rate('EUR', p_to, p_as_of);
  end if;
  if v_rate is null then
    raise exception using errcode = 'BQ701', message = format('no exchange rate from %s to %s on or before %s', p_from, p_to, p_as_of),
      hint = 'Rates arrive daily from the fx.sync job; a service role can load them with upsert_fx_rates.';
  end if;
  return round(v_rate, 10);
end
$$;
comment on function app.fx_rate(text, text, date) is
  'Exchange rate p_from → p_to as of a date (direct, inverse or cross via EUR); BQ701 when none. Definer: rates are reference data.';
grant execute on function app.fx_rate(text, text, date) to authenticated, service_role;

create function app.recompute_proposal_totals(p_proposal_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Order matters: the F&B shortfall is charged like food, service applies to food and room, tax to everything.
  with sums as (
    select coalesce(sum(i.total_minor), 0) as subtotal,
           coalesce(sum(i.total_minor) filter (where i.counts_toward_fnb), 0) as fnb
    from app.proposal_items i where i.proposal_id = p_proposal_id
  ), priced as (
    select p.id, s.subtotal, greatest(p.fnb_minimum_minor - s.fnb, 0) as shortfall,
           p.service_charge_bps, p.tax_bps, p.deposit_bps
    from app.proposals p, sums s where p.id = p_proposal_id
  ), charged as (
    select pr.*, round((pr.subtotal + pr.shortfall) * pr.service_charge_bps / 10000.0)::bigint as service
    from priced pr
  ), taxed as (
    select c.*, round((c.subtotal + c.shortfall + c.service) * c.tax_bps / 10000.0)::bigint as tax
    from charged c
  )
  update app.proposals p set
    subtotal_minor = t.subtotal,
    fnb_shortfall_minor = t.shortfall,
    service_charge_minor = t.service,
    tax_minor = t.tax,
    total_minor = t.subtotal + t.shortfall + t.service + t.tax,
    deposit_minor = round((t.subtotal + t.shortfall + t.service + t.tax) * t.deposit_bps / 10000.0)::bigint,
    updated_at = now()
  from taxed t
  where p.id = t.id;
end
$$;
comment on function app.recompute_proposal_totals(uuid) is
  'Derives a proposal''s subtotal, F&B shortfall, service charge, tax, total and deposit from its items.';

create function app.reprice_proposal(p_proposal_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_rate numeric;
begin
  select app.fx_rate(v.currency, p.currency) into v_rate
  from app.proposals p join app.venues v on v.id = p.venue_id
  where p.id = p_proposal_id;
  update app.proposals p set
    fx_rate = v_rate,
    fnb_minimum_minor = coalesce(round((select s.fnb_minimum_minor from app.spaces s where s.id = p.space_id) * v_rate)::bigint, 0)
  where p.id = p_proposal_id;
  update app.proposal_items set unit_price_minor = round(base_unit_price_minor * v_rate)::bigint
  where proposal_id = p_proposal_id;
  perform app.recompute_proposal_totals(p_proposal_id);
end
$$;
comment on function app.reprice_proposal(uuid) is 'Converts a proposal''s venue-currency prices at the latest FX rate, then recomputes its totals.';

create function app.proposal_for_update(p_proposal_id uuid, p_roles text[] default '{owner,manager,staff}')
returns app.proposals
language plpgsql
set search_path = ''
as $$
declare
  v_proposal app.proposals;
begin
  select * into v_proposal from app.proposals p where p.id = p_proposal_id for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('proposal %s not found', p_proposal_id);
  end if;
  perform app.require_role(v_proposal.organization_id, p_roles);
  return v_proposal;
end
$$;
comment on function app.proposal_for_update(uuid, text[]) is 'Locks a proposal visible to the caller and checks the role; BQ002 or 42501 otherwise.';
grant execute on function app.proposal_for_update(uuid, text[]) to authenticated, service_role;

create function app.require_editable(p_proposal app.proposals)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_proposal.status not in ('draft', 'ready') then
    raise exception using errcode = 'BQ201', message = format('a %s proposal cannot be changed', p_proposal.status),
      hint = 'Create a new version with new_proposal_version.';
  end if;
end
$$;
comment on function app.require_editable(app.proposals) is 'BQ201 unless the proposal is still a draft or ready.';
grant execute on function app.require_editable(app.proposals) to authenticated, service_role;

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_proposals__enforce_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not (
    (old.status = 'draft' and new.status in ('generating', 'ready', 'sent', 'superseded'))
    or (old.status = 'generating' and new.status in ('ready', 'draft', 'superseded'))
    or (old.status = 'ready' and new.status in ('draft', 'sent', 'superseded'))
    or (old.status = 'sent' and new.status in ('viewed', 'accepted', 'declined', 'expired', 'superseded'))
    or (old.status = 'viewed' and new.status in ('accepted', 'declined', 'expired', 'superseded'))
  ) then
    raise exception using errcode = 'BQ003',
      message = format('a proposal cannot go from %s to %s', old.status, new.status),
      hint = 'draft → generating → ready → sent → viewed → accepted | declined | expired; open versions can be superseded.';
  end if;
  new.updated_at := now();
  if new.status in ('accepted', 'declined') then
    new.decided_at := now();
  elsif new.status = 'viewed' then
    new.viewed_at := coalesce(new.viewed_at, now());
  end if;
  return new;
end
$$;
comment on function app.tg_proposals__enforce_transition() is 'Rule: proposal status follows its state machine; decisions and views are time-stamped.';

create trigger _200_state_machine
  before update of status on app.proposals
  for each row when (old.status is distinct from new.status)
  execute function app.tg_proposals__enforce_transition();

create function app.tg_proposals__mint_public_token()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.public_token := coalesce(new.public_token, app.random_token());
  new.sent_at := now();
  new.expires_at := coalesce(new.expires_at, now() + interval '14 days');
  return new;
end
$$;
comment on function app.tg_proposals__mint_public_token() is 'Rule: sending a proposal mints its public token and sets sent_at and a 14-day expiry by default.';

create trigger _300_mint_public_token
  before update of status on app.proposals
  for each row when (new.status = 'sent' and old.status <> 'sent')
  execute function app.tg_proposals__mint_public_token();

create function app.tg_proposals__deliver_to_guest()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_contact app.contacts;
  v_venue app.venues;
  v_subject text;
  v_text text;
  v_whatsapp_account text;
  -- The guest-facing site; set per environment with: alter database … set banquet.public_url = 'https://…'
  v_link text := coalesce(nullif(current_setting('banquet.public_url', true), ''), 'http://localhost:8080') || '/p/' || new.public_token;
begin
  select c.* into v_contact from app.inquiries i join app.contacts c on c.id = i.contact_id where i.id = new.inquiry_id;
  select * into v_venue from app.venues v where v.id = new.venue_id;
  v_subject := format('Your proposal from %s', v_venue.name);
  v_text := concat_ws(e'\n',
    format('Hello %s,', coalesce(v_contact.full_name, 'there')),
    '',
    format('%s has prepared a proposal for %s guests on %s: %s %s.',
      v_venue.name, new.guest_count, to_char(new.starts_at at time zone v_venue.timezone, 'YYYY-MM-DD HH24:MI'),
      new.currency, to_char(new.total_minor / 100.0, 'FM999G999G990D00')),
    format('View, accept or decline it here: %s', v_link),
    format('It is valid until %s.', to_char(new.expires_at at time zone v_venue.timezone, 'YYYY-MM-DD'))
  );
  if v_contact.email is not null then
    perform bridge.enqueue('email.send',
      jsonb_build_object('proposal_id', new.id, 'to', v_contact.email, 'subject', v_subject, 'text', v_text, 'link', v_link,
                         'reply_to', v_venue.notification_email) - case when v_venue.notification_email is null then 'reply_to' else '' end,
      new.organization_id, 'proposal-email:' || new.id);
  end if;
  -- WhatsApp only when the organization has a number: the venue's own, else any of its numbers.
  select a.external_id into v_whatsapp_account
  from app.channel_accounts a
  where a.organization_id = new.organization_id and a.channel = 'whatsapp' and a.active
  order by (a.venue_id = new.venue_id) desc nulls last, a.created_at
  limit 1;
  if v_contact.phone is not null and v_whatsapp_account is not null then
    perform bridge.enqueue('whatsapp.send',
      jsonb_build_object('proposal_id', new.id, 'account', v_whatsapp_account, 'to', v_contact.phone, 'template', 'proposal_ready',
                         'language', 'en', 'params', jsonb_build_array(coalesce(v_contact.full_name, 'there'), v_venue.name, new.public_token)),
      new.organization_id, 'proposal-whatsapp:' || new.id);
  end if;
  update app.inquiries set status = 'proposal_sent'
  where id = new.inquiry_id and status in ('new', 'qualified');
  return null;
end
$$;
comment on function app.tg_proposals__deliver_to_guest() is
  'Rule: a sent proposal is delivered to the guest (email.send, and whatsapp.send when the organization has a WhatsApp number) and its inquiry moves to proposal_sent.';

create trigger _500_deliver_to_guest
  after update of status on app.proposals
  for each row when (new.status = 'sent' and old.status <> 'sent')
  execute function app.tg_proposals__deliver_to_guest();

create trigger _900_audit
  after insert or update of status or delete on app.proposals
  for each row execute function app.tg_audit__record();

create function app.tg_proposal_items__require_open_proposal()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
begin
  select p.status into v_status from app.proposals p where p.id = coalesce(new.proposal_id, old.proposal_id);
  -- generating: the daemon's draft is being written; a deleted proposal cascades (status null).
  if v_status is not null and v_status not in ('draft', 'generating', 'ready') then
    raise exception using errcode = 'BQ201', message = format('the items of a %s proposal cannot be changed', v_status),
      hint = 'Create a new version with new_proposal_version.';
  end if;
  return coalesce(new, old);
end
$$;
comment on function app.tg_proposal_items__require_open_proposal() is 'Rule: only draft, generating or ready proposals have their items changed.';

create trigger _100_require_open_proposal
  before insert or update or delete on app.proposal_items
  for each row execute function app.tg_proposal_items__require_open_proposal();

create function app.tg_proposal_items__recompute_totals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform app.recompute_proposal_totals(coalesce(new.proposal_id, old.proposal_id));
  return null;
end
$$;
comment on function app.tg_proposal_items__recompute_totals() is 'Rule: any item change recomputes the proposal''s totals (F&B minimum, service charge, tax, deposit).';

create trigger _500_recompute_totals
  after insert or update or delete on app.proposal_items
  for each row execute function app.tg_proposal_items__recompute_totals();

create function app.tg_fx_rates__reprice_drafts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal_id uuid;
begin
  for v_proposal_id in
    select p.id from app.proposals p join app.venues v on v.id = p.venue_id
    where p.status in ('draft', 'ready') and p.currency <> v.currency
      and (p.currency in (new.base, new.quote) or v.currency in (new.base, new.quote) or new.base = 'EUR')
  loop
    perform app.reprice_proposal(v_proposal_id);
  end loop;
  return null;
end
$$;
comment on function app.tg_fx_rates__reprice_drafts() is 'Rule: a new FX rate reprices open (draft/ready) proposals quoted in a currency other than their venue''s.';

create trigger _500_reprice_drafts
  after insert or update on app.fx_rates
  for each row execute function app.tg_fx_rates__reprice_drafts();

create function app.tg_inquiries__auto_draft()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from app.venues v where v.id = new.venue_id and v.auto_draft_proposals) then
    perform app.start_proposal_draft(new.id, null, null);
  end if;
  return null;
end
$$;
comment on function app.tg_inquiries__auto_draft() is 'Rule: when the venue wants it, a new inquiry enqueues an AI proposal draft.';

create trigger _600_auto_draft
  after insert on app.inquiries
  for each row execute function app.tg_inquiries__auto_draft();

-- RLS policies --------------------------------------------------------------------------------

alter table app.fx_rates enable row level security;
alter table app.proposals enable row level security;
alter table app.proposal_items enable row level security;

grant select on app.fx_rates to authenticated;
grant select, insert, update, delete on app.proposals, app.proposal_items to authenticated;
grant all on app.fx_rates, app.proposals, app.proposal_items to service_role;

create policy "Signed-in users can read exchange rates" on app.fx_rates
  for select to authenticated using ((select auth.uid()) is not null);

create policy "Members can read their organization's proposals" on app.proposals
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Members can create proposals" on app.proposals
  for insert to authenticated with check (organization_id in (select app.user_organization_ids()));
create policy "Members can update proposals" on app.proposals
  for update to authenticated
  using (organization_id in (select app.user_organization_ids()))
  with check (organization_id in (select app.user_organization_ids()));
create policy "Managers can delete proposals" on app.proposals
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's proposal items" on app.proposal_items
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Members can add proposal items" on app.proposal_items
  for insert to authenticated with check (organization_id in (select app.user_organization_ids()));
create policy "Members can change proposal items" on app.proposal_items
  for update to authenticated
  using (organization_id in (select app.user_organization_ids()))
  with check (organization_id in (select app.user_organization_ids()));
create policy "Members can remove proposal items" on app.proposal_items
  for delete to authenticated using (organization_id in (select app.user_organization_ids()));

-- Public functions ----------------------------------------------------------------------------

create function app.new_proposal(
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
    raise exception using errcode = 'BQ001', message = format('%L is not an ISO 4217 currency code', p_currency);
  end if;
  if p_guest_count is not null and p_guest_count < 1 then
    raise exception using errcode = 'BQ001', message = 'the guest count must be at least 1';
  end if;
  v_starts_at := coalesce(p_starts_at,
    (v_inquiry.event_date + coalesce(v_inquiry.start_time, time '19:00')) at time zone v_venue.timezone);
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

create function app.start_proposal_draft(p_inquiry_id uuid, p_space_id uuid, p_instructions text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal_id uuid := app.new_proposal(p_inquiry_id, 'generating', p_space_id, p_instructions => p_instructions);
  v_organization_id uuid;
begin
  select p.organization_id into v_organization_id from app.proposals p where p.id = v_proposal_id;
  perform bridge.enqueue('llm.proposal_draft',
    jsonb_build_object('proposal_id', v_proposal_id, 'inquiry_id', p_inquiry_id, 'instructions', p_instructions),
    v_organization_id, 'proposal-draft:' || v_proposal_id);
  return v_proposal_id;
end
$$;
comment on function app.start_proposal_draft(uuid, uuid, text) is 'Internal: a new proposal version in status generating plus its llm.proposal_draft job (access checked by app.new_proposal).';
grant execute on function app.start_proposal_draft(uuid, uuid, text) to authenticated, service_role;

create function public.request_proposal_draft(p_inquiry_id uuid, p_space_id uuid default null, p_instructions text default null)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  perform app.require_role(app.inquiry_organization_id(p_inquiry_id));
  if length(p_instructions) > 2000 then
    raise exception using errcode = 'BQ001', message = 'instructions are limited to 2000 characters';
  end if;
  return app.start_proposal_draft(p_inquiry_id, p_space_id, p_instructions);
end
$$;
comment on function public.request_proposal_draft(uuid, uuid, text) is
  'Asks the AI to draft a proposal for an inquiry: creates a proposal version in status generating and enqueues llm.proposal_draft; returns its id. Any member.';
grant execute on function public.request_proposal_draft(uuid, uuid, text) to authenticated;

create function public.create_proposal(
  p_inquiry_id uuid,
  p_space_id uuid default null,
  p_currency text default null,
  p_guest_count integer default null,
  p_starts_at timestamptz default null,
  p_ends_at timestamptz default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  perform app.require_role(app.inquiry_organization_id(p_inquiry_id));
  if p_starts_at is not null and p_ends_at is not null and p_ends_at <= p_starts_at then
    raise exception using errcode = 'BQ001', message = 'the event must end after it starts';
  end if;
  return app.new_proposal(p_inquiry_id, 'draft', p_space_id, p_currency, p_guest_count, p_starts_at, p_ends_at);
end
$$;
comment on function public.create_proposal(uuid, uuid, text, integer, timestamptz, timestamptz) is
  'Creates a draft proposal (the next version) for an inquiry; defaults come from the inquiry and venue; a space adds its room fee and F&B minimum. BQ701 when the currency has no FX rate. Any member.';
grant execute on function public.create_proposal(uuid, uuid, text, integer, timestamptz, timestamptz) to authenticated;

create function public.add_proposal_item(
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
  if coalesce(v_quantity, 1) < 1 then
    raise exception using errcode = 'BQ001', message = 'the quantity must be at least 1';
  end if;
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

create function public.update_proposal_item(
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
  if coalesce(p_quantity, 1) < 1 or coalesce(p_unit_price_minor, 0) < 0 then
    raise exception using errcode = 'BQ001', message = 'quantity must be at least 1 and price non-negative';
  end if;
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

create function public.remove_proposal_item(p_item_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_proposal_id uuid;
begin
  select i.proposal_id into v_proposal_id from app.proposal_items i where i.id = p_item_id;
  if v_proposal_id is null then
    raise exception using errcode = 'BQ002', message = format('proposal item %s not found', p_item_id);
  end if;
  perform app.require_editable(app.proposal_for_update(v_proposal_id));
  delete from app.proposal_items where id = p_item_id;
end
$$;
comment on function public.remove_proposal_item(uuid) is 'Removes a line from a draft or ready proposal. Totals recompute. Any member.';
grant execute on function public.remove_proposal_item(uuid) to authenticated;

create function public.send_proposal(p_proposal_id uuid, p_valid_days integer default 14)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_proposal app.proposals := app.proposal_for_update(p_proposal_id);
  v_token text;
begin
  perform app.require_editable(v_proposal);
  if p_valid_days is null or p_valid_days not between 1 and 90 then
    raise exception using errcode = 'BQ001', message = 'a proposal is valid for 1 to 90 days';
  end if;
  if not exists (select 1 from app.proposal_items i where i.proposal_id = p_proposal_id) then
    raise exception using errcode = 'BQ203', message = 'this proposal has no items',
      hint = 'Add menu items, a package or a custom line before sending.';
  end if;
  update app.proposals set status = 'sent', expires_at = now() + make_interval(days => p_valid_days)
  where id = p_proposal_id
  returning public_token into v_token;
  return v_token;
end
$$;
comment on function public.send_proposal(uuid, integer) is
  'Sends a draft or ready proposal to the guest: mints its public token (returned), sets the expiry and enqueues email/WhatsApp delivery. Any member.';
grant execute on function public.send_proposal(uuid, integer) to authenticated;

create function public.new_proposal_version(p_proposal_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_old app.proposals := app.proposal_for_update(p_proposal_id);
  v_new_id uuid;
begin
  if v_old.status in ('accepted', 'superseded') then
    raise exception using errcode = 'BQ201', message = format('a %s proposal cannot get a new version', v_old.status),
      hint = 'Start from the latest open version.';
  end if;
  v_new_id := app.new_proposal(v_old.inquiry_id, 'draft', v_old.space_id, v_old.currency, v_old.guest_count, v_old.starts_at, v_old.ends_at);
  -- The new version carries the old lines over (the room fee was re-added from the space).
  insert into app.proposal_items (organization_id, proposal_id, kind, menu_item_id, package_id, description, quantity,
    base_unit_price_minor, unit_price_minor, counts_toward_fnb, sort_order)
  select i.organization_id, v_new_id, i.kind, i.menu_item_id, i.package_id, i.description, i.quantity,
    i.base_unit_price_minor, i.unit_price_minor, i.counts_toward_fnb, i.sort_order
  from app.proposal_items i where i.proposal_id = p_proposal_id and i.kind <> 'room_fee';
  update app.proposals set notes = v_old.notes where id = v_new_id;
  if v_old.status not in ('declined', 'expired') then
    update app.proposals set status = 'superseded' where id = p_proposal_id;
  end if;
  return v_new_id;
end
$$;
comment on function public.new_proposal_version(uuid) is
  'Copies a proposal into the next draft version (same lines) and supersedes the old one if it was still open; returns the new id. Any member.';
grant execute on function public.new_proposal_version(uuid) to authenticated;

create function public.list_proposals(p_inquiry_id uuid)
returns table (id uuid, version integer, status text, currency text, total_minor bigint, deposit_minor bigint, space_id uuid,
               sent_at timestamptz, expires_at timestamptz, decided_at timestamptz, created_at timestamptz)
language plpgsql
stable
set search_path = ''
as $$
begin
  perform app.require_role(app.inquiry_organization_id(p_inquiry_id));
  return query
    select p.id, p.version, p.status, p.currency, p.total_minor, p.deposit_minor, p.space_id, p.sent_at, p.expires_at, p.decided_at, p.created_at
    from app.proposals p
    where p.inquiry_id = p_inquiry_id
    order by p.version desc;
end
$$;
comment on function public.list_proposals(uuid) is 'Every version of an inquiry''s proposal, newest first, with status and totals. Any member.';
grant execute on function public.list_proposals(uuid) to authenticated;

create function public.get_proposal(p_proposal_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  select to_jsonb(p) || jsonb_build_object(
    'items', coalesce((select jsonb_agg(to_jsonb(i) order by i.sort_order) from app.proposal_items i where i.proposal_id = p.id), '[]'))
  into v_result
  from app.proposals p
  where p.id = p_proposal_id;
  if v_result is null then
    raise exception using errcode = 'BQ002', message = format('proposal %s not found', p_proposal_id);
  end if;
  return v_result;
end
$$;
comment on function public.get_proposal(uuid) is 'One proposal with its items and totals, as JSON (staff view, including the public token). Any member.';
grant execute on function public.get_proposal(uuid) to authenticated;

-- Guest endpoints (anon) ----------------------------------------------------------------------

create function app.proposal_by_token(p_token text)
returns app.proposals
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals;
begin
  select * into v_proposal from app.proposals p where p.public_token = p_token and p_token is not null for update;
  if not found or v_proposal.status = 'superseded' then
    raise exception using errcode = 'BQ202', message = 'this proposal link is not valid',
      hint = 'Ask the venue for a new link.';
  end if;
  if v_proposal.status in ('sent', 'viewed') and v_proposal.expires_at < now() then
    update app.proposals set status = 'expired' where id = v_proposal.id returning * into v_proposal;
  end if;
  return v_proposal;
end
$$;
comment on function app.proposal_by_token(text) is 'Internal: the proposal behind a public token (expiring it when overdue), or BQ202.';

create function public.get_public_proposal(p_token text)
returns jsonb
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
    'venue', (select jsonb_build_object('name', v.name, 'timezone', v.timezone, 'address', v.address) from app.venues v where v.id = v_proposal.venue_id),
    'space', (select s.name from app.spaces s where s.id = v_proposal.space_id),
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
    'service_charge_minor', v_proposal.service_charge_minor,
    'tax_minor', v_proposal.tax_minor,
    'total_minor', v_proposal.total_minor,
    'deposit_minor', v_proposal.deposit_minor,
    'expires_at', v_proposal.expires_at
  );
end
$$;
comment on function public.get_public_proposal(text) is
  'Guest view of a proposal by its public token (first view marks it viewed; an overdue one expires). Callable by anon. BQ202 for an unknown token.
@lint-allow anon_security_definer_function_executable: the guest has no account; the unguessable token (244 random bits) is the capability, and only that proposal''s guest-facing fields are returned.';
grant execute on function public.get_public_proposal(text) to anon, authenticated;

create function public.accept_proposal(p_token text, p_name text, p_note text default null)
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

create function public.decline_proposal(p_token text, p_reason text default null)
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
  if length(p_reason) > 2000 then
    raise exception using errcode = 'BQ001', message = 'the reason is limited to 2000 characters';
  end if;
  update app.proposals set status = 'declined', guest_note = p_reason where id = v_proposal.id;
  insert into app.notifications (organization_id, venue_id, kind, title, body, entity_type, entity_id)
  values (v_proposal.organization_id, v_proposal.venue_id, 'proposal.declined',
          format('Proposal v%s declined', v_proposal.version), coalesce(p_reason, ''), 'proposal', v_proposal.id);
end
$$;
comment on function public.decline_proposal(text, text) is 'Guest declines a sent proposal by token, optionally with a reason; staff are notified. Callable by anon.
@lint-allow anon_security_definer_function_executable: the unguessable token is the guest''s capability; it can only move that one sent proposal to declined.';
grant execute on function public.decline_proposal(text, text) to anon, authenticated;

-- Currency ------------------------------------------------------------------------------------

create function public.convert_currency(p_amount_minor bigint, p_from text, p_to text, p_as_of date default current_date)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_amount_minor is null or p_from is null or p_to is null
     or upper(p_from) !~ '^[A-Z]{3}$' or upper(p_to) !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'BQ001', message = 'pass an amount in minor units and two ISO 4217 codes',
      hint = 'convert_currency(10000, ''EUR'', ''GBP'')';
  end if;
  return round(p_amount_minor * app.fx_rate(upper(p_from), upper(p_to), p_as_of))::bigint;
end
$$;
comment on function public.convert_currency(bigint, text, text, date) is
  'Converts an amount in minor units between currencies at the latest rate on or before p_as_of (cross via EUR). BQ701 without a rate. Signed-in users.';
grant execute on function public.convert_currency(bigint, text, text, date) to authenticated;

-- Daemon write-backs --------------------------------------------------------------------------

create function public.save_proposal_draft(p_proposal_id uuid, p_draft jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals;
  v_item jsonb;
begin
  select * into v_proposal from app.proposals p where p.id = p_proposal_id for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('proposal %s not found', p_proposal_id);
  end if;
  if v_proposal.status <> 'generating' then
    raise exception using errcode = 'BQ201', message = format('proposal %s is %s, not generating', p_proposal_id, v_proposal.status),
      hint = 'The draft arrived after someone edited or cancelled it; drop it.';
  end if;
  if p_draft is null or jsonb_typeof(p_draft -> 'items') is distinct from 'array' then
    raise exception using errcode = 'BQ001', message = 'a draft is {"title"?, "notes"?, "items": [{"description", "quantity", "unit_price_minor", "menu_item_id"?, "package_id"?}]}';
  end if;
  for v_item in select * from jsonb_array_elements(p_draft -> 'items') loop
    insert into app.proposal_items (organization_id, proposal_id, kind, menu_item_id, package_id, description, quantity,
      base_unit_price_minor, unit_price_minor, counts_toward_fnb, sort_order)
    values (
      v_proposal.organization_id, p_proposal_id,
      case when v_item ? 'menu_item_id' then 'menu_item' when v_item ? 'package_id' then 'package' else 'custom' end,
      (select i.id from app.menu_items i where i.id = (v_item ->> 'menu_item_id')::uuid and i.organization_id = v_proposal.organization_id),
      (select p.id from app.packages p where p.id = (v_item ->> 'package_id')::uuid and p.organization_id = v_proposal.organization_id),
      coalesce(nullif(btrim(v_item ->> 'description'), ''), 'Item'),
      greatest(coalesce((v_item ->> 'quantity')::integer, 1), 1),
      round(greatest(coalesce((v_item ->> 'unit_price_minor')::bigint, 0), 0) / v_proposal.fx_rate)::bigint,
      greatest(coalesce((v_item ->> 'unit_price_minor')::bigint, 0), 0),
      coalesce((v_item ->> 'counts_toward_fnb')::boolean, true),
      coalesce((select max(i.sort_order) + 1 from app.proposal_items i where i.proposal_id = p_proposal_id), 0)
    );
  end loop;
  update app.proposals set
    status = 'ready',
    title = coalesce(nullif(btrim(p_draft ->> 'title'), ''), title),
    notes = coalesce(p_draft ->> 'notes', notes)
  where id = p_proposal_id;
  insert into app.notifications (organization_id, venue_id, kind, title, entity_type, entity_id)
  values (v_proposal.organization_id, v_proposal.venue_id, 'proposal.draft_ready',
          format('AI draft ready: proposal v%s', v_proposal.version), 'proposal', p_proposal_id);
end
$$;
comment on function public.save_proposal_draft(uuid, jsonb) is
  'Daemon write-back for llm.proposal_draft: stores the drafted lines, moves the proposal from generating to ready and notifies staff. Service role only.';
grant execute on function public.save_proposal_draft(uuid, jsonb) to service_role;

create function app.proposal_draft_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public.save_proposal_draft((p_payload ->> 'proposal_id')::uuid, p_result);
end
$$;
comment on function app.proposal_draft_writeback(bigint, jsonb, jsonb) is 'Bridge write-back for llm.proposal_draft.';
grant execute on function app.proposal_draft_writeback(bigint, jsonb, jsonb) to service_role;

create function app.proposal_draft_failed(p_job_id bigint, p_payload jsonb, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals;
begin
  update app.proposals set status = 'draft'
  where id = (p_payload ->> 'proposal_id')::uuid and status = 'generating'
  returning * into v_proposal;
  if found then
    insert into app.notifications (organization_id, venue_id, kind, title, body, entity_type, entity_id)
    values (v_proposal.organization_id, v_proposal.venue_id, 'proposal.draft_failed',
            format('AI draft failed for proposal v%s; it is an empty draft now', v_proposal.version), coalesce(p_error, ''), 'proposal', v_proposal.id);
  end if;
end
$$;
comment on function app.proposal_draft_failed(bigint, jsonb, text) is 'Bridge on-failure handler for llm.proposal_draft: the proposal falls back to an empty draft and staff are notified.';
grant execute on function app.proposal_draft_failed(bigint, jsonb, text) to service_role;

select bridge.register_kind(
  'llm.proposal_draft', 'llm',
  'app.proposal_draft_writeback(bigint, jsonb, jsonb)'::regprocedure,
  'app.proposal_draft_failed(bigint, jsonb, text)'::regprocedure,
  3, 120, 4
);

create function public.upsert_fx_rates(p_rates jsonb, p_as_of date default current_date, p_source text default 'ECB')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  if p_rates is null or jsonb_typeof(p_rates) <> 'object' or p_as_of is null then
    raise exception using errcode = 'BQ001', message = 'rates are an object of EUR-based rates: {"GBP": 0.85, "USD": 1.08}',
      hint = 'Use "BASE/QUOTE" keys for other bases, e.g. {"USD/JPY": 150.1}.';
  end if;
  if exists (select 1 from jsonb_each(p_rates) e where jsonb_typeof(e.value) <> 'number' or (e.value)::numeric <= 0) then
    raise exception using errcode = 'BQ001', message = 'every rate must be a positive number';
  end if;
  insert into app.fx_rates (base, quote, as_of, rate, source)
  select case when e.key like '%/%' then upper(split_part(e.key, '/', 1)) else 'EUR' end,
         upper(case when e.key like '%/%' then split_part(e.key, '/', 2) else e.key end),
         p_as_of, (e.value)::numeric, coalesce(p_source, 'ECB')
  from jsonb_each(p_rates) e
  on conflict (base, quote, as_of) do update set rate = excluded.rate, source = excluded.source;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.upsert_fx_rates(jsonb, date, text) is
  'Daemon write-back for fx.sync: stores a day''s rates ({"GBP": 0.85} = EUR→GBP, or {"USD/JPY": 150.1}); returns rows written. Draft proposals reprice. Service role only.';
grant execute on function public.upsert_fx_rates(jsonb, date, text) to service_role;

create function app.fx_sync_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public.upsert_fx_rates(p_result -> 'rates', coalesce((p_result ->> 'as_of')::date, current_date), coalesce(p_result ->> 'source', 'ECB'));
end
$$;
comment on function app.fx_sync_writeback(bigint, jsonb, jsonb) is 'Bridge write-back for fx.sync: p_result {"as_of", "source", "rates": {...}}.';
grant execute on function app.fx_sync_writeback(bigint, jsonb, jsonb) to service_role;

select bridge.register_kind('fx.sync', 'fx', 'app.fx_sync_writeback(bigint, jsonb, jsonb)'::regprocedure, null, 5, 60, 1);
