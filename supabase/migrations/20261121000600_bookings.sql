-- Bookings: a space reserved for a time range. A booking is held (by staff, or when a guest
-- accepts a proposal), confirmed when its deposit is paid, then completed (which creates its
-- settlement: gross, commission, net) or cancelled. An exclusion constraint makes double booking
-- of a space impossible, whatever the caller. Accepting a proposal creates the booking, its
-- payment schedule (deposit, balance) and closes the inquiry's other versions.
--
-- Error codes: BQ301 space not available, BQ302 guest count outside the space's limits,
-- BQ303 booking not in a state that allows this, BQ401 payment amount invalid, BQ003 invalid
-- status transition, BQ001, BQ002, 42501.

-- Tables --------------------------------------------------------------------------------------

create table app.bookings (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  venue_id uuid not null,
  space_id uuid not null,
  inquiry_id uuid,
  proposal_id uuid unique,
  contact_id uuid,
  status text not null default 'held' check (status in ('held', 'confirmed', 'completed', 'cancelled')),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  during tstzrange generated always as (tstzrange(starts_at, ends_at, '[)')) stored,
  guest_count integer not null check (guest_count >= 1),
  guaranteed_count integer check (guaranteed_count >= 1),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  total_minor bigint not null default 0 check (total_minor >= 0),
  hold_expires_at timestamptz,
  cancel_reason text,
  confirmed_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  check (ends_at > starts_at),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade,
  foreign key (organization_id, space_id) references app.spaces (organization_id, id),
  foreign key (organization_id, inquiry_id) references app.inquiries (organization_id, id),
  foreign key (organization_id, proposal_id) references app.proposals (organization_id, id),
  foreign key (organization_id, contact_id) references app.contacts (organization_id, id),
  -- No two live bookings of one space overlap in time.
  constraint bookings_no_double_booking exclude using gist (space_id with =, during with &&)
    where (status <> 'cancelled')
);
create index bookings_organization_id_starts_at_idx on app.bookings (organization_id, starts_at);
create index bookings_organization_id_venue_id_idx on app.bookings (organization_id, venue_id);
create index bookings_organization_id_space_id_idx on app.bookings (organization_id, space_id);
create index bookings_organization_id_inquiry_id_idx on app.bookings (organization_id, inquiry_id);
create index bookings_organization_id_proposal_id_idx on app.bookings (organization_id, proposal_id);
create index bookings_organization_id_contact_id_idx on app.bookings (organization_id, contact_id);
create index bookings_created_by_idx on app.bookings (created_by);
comment on table app.bookings is 'A space reserved for a time range: held → confirmed → completed, or cancelled. Never double booked.';

create table app.payments (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  booking_id uuid not null,
  kind text not null check (kind in ('deposit', 'balance', 'refund')),
  status text not null default 'scheduled' check (status in ('scheduled', 'paid', 'cancelled')),
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  due_at timestamptz not null,
  paid_at timestamptz,
  method text check (method in ('card', 'bank_transfer', 'cash', 'other')),
  provider_reference text unique,
  reminded_at timestamptz,
  created_at timestamptz not null default now(),
  check (status <> 'paid' or paid_at is not null),
  foreign key (organization_id, booking_id) references app.bookings (organization_id, id) on delete cascade
);
create index payments_organization_id_booking_id_idx on app.payments (organization_id, booking_id);
create index payments_booking_id_idx on app.payments (booking_id);
create index payments_due_idx on app.payments (organization_id, due_at) where status = 'scheduled';
comment on table app.payments is 'A booking''s payment schedule and history: deposit, balance, refunds, in minor units.';

create table app.settlements (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  booking_id uuid not null unique,
  currency text not null,
  gross_minor bigint not null,
  commission_bps integer not null,
  commission_minor bigint not null,
  net_minor bigint not null,
  status text not null default 'pending' check (status in ('pending', 'paid_out')),
  created_at timestamptz not null default now(),
  check (net_minor = gross_minor - commission_minor),
  foreign key (organization_id, booking_id) references app.bookings (organization_id, id) on delete cascade
);
create index settlements_organization_id_booking_id_idx on app.settlements (organization_id, booking_id);
comment on table app.settlements is 'After the event: what was collected (gross), the platform commission and the net owed to the venue.';

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_bookings__enforce_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not (
    (old.status = 'held' and new.status in ('confirmed', 'cancelled'))
    or (old.status = 'confirmed' and new.status in ('completed', 'cancelled'))
  ) then
    raise exception using errcode = 'BQ003',
      message = format('a booking cannot go from %s to %s', old.status, new.status),
      hint = 'held → confirmed → completed; held or confirmed → cancelled.';
  end if;
  case new.status
    when 'confirmed' then new.confirmed_at := now(); new.hold_expires_at := null;
    when 'completed' then new.completed_at := now();
    when 'cancelled' then new.cancelled_at := now();
    else null;
  end case;
  return new;
end
$$;
comment on function app.tg_bookings__enforce_transition() is 'Rule: booking status follows held → confirmed → completed, or → cancelled.';

create trigger _200_state_machine
  before update of status on app.bookings
  for each row when (old.status is distinct from new.status)
  execute function app.tg_bookings__enforce_transition();

create function app.tg_bookings__settle()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_gross bigint;
  v_bps integer;
begin
  select coalesce(sum(case when p.kind = 'refund' then -p.amount_minor else p.amount_minor end), 0)
  into v_gross
  from app.payments p where p.booking_id = new.id and p.status = 'paid';
  select o.commission_bps into v_bps from app.organizations o where o.id = new.organization_id;
  insert into app.settlements (organization_id, booking_id, currency, gross_minor, commission_bps, commission_minor, net_minor)
  values (new.organization_id, new.id, new.currency, v_gross, v_bps,
          round(v_gross * v_bps / 10000.0)::bigint, v_gross - round(v_gross * v_bps / 10000.0)::bigint);
  return null;
end
$$;
comment on function app.tg_bookings__settle() is 'Rule: a completed booking creates its settlement (gross collected, commission, net).';

create trigger _500_settle
  after update of status on app.bookings
  for each row when (new.status = 'completed')
  execute function app.tg_bookings__settle();

create function app.tg_bookings__cancel_schedule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update app.payments set status = 'cancelled' where booking_id = new.id and status = 'scheduled';
  return null;
end
$$;
comment on function app.tg_bookings__cancel_schedule() is 'Rule: cancelling a booking cancels its still-scheduled payments.';

create trigger _500_cancel_schedule
  after update of status on app.bookings
  for each row when (new.status = 'cancelled')
  execute function app.tg_bookings__cancel_schedule();

create trigger _900_audit
  after insert or update or delete on app.bookings
  for each row execute function app.tg_audit__record();

create function app.tg_payments__confirm_booking()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update app.bookings set status = 'confirmed' where id = new.booking_id and status = 'held';
  return null;
end
$$;
comment on function app.tg_payments__confirm_booking() is 'Rule: a paid deposit confirms its held booking.';

create trigger _500_confirm_booking
  after insert or update of status on app.payments
  for each row when (new.kind = 'deposit' and new.status = 'paid')
  execute function app.tg_payments__confirm_booking();

create trigger _900_audit
  after insert or update or delete on app.payments
  for each row execute function app.tg_audit__record();

create function app.tg_proposals__book_on_accept()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_inquiry app.inquiries;
  v_booking_id uuid;
  v_space_id uuid := new.space_id;
begin
  select * into v_inquiry from app.inquiries i where i.id = new.inquiry_id;
  if v_space_id is null then
    raise exception using errcode = 'BQ301', message = 'this proposal has no space to book',
      hint = 'The venue must choose a space before the proposal can be accepted.';
  end if;
  begin
    insert into app.bookings (organization_id, venue_id, space_id, inquiry_id, proposal_id, contact_id, status,
      starts_at, ends_at, guest_count, currency, total_minor)
    values (new.organization_id, new.venue_id, v_space_id, new.inquiry_id, new.id, v_inquiry.contact_id,
      case when new.deposit_minor > 0 then 'held' else 'confirmed' end,
      new.starts_at, new.ends_at, new.guest_count, new.currency, new.total_minor)
    returning id into v_booking_id;
  exception when exclusion_violation then
    raise exception using errcode = 'BQ301', message = 'the space is no longer available at that time',
      hint = 'Ask the venue for another date or space.';
  end;
  -- Payment schedule: deposit within 7 days; balance 14 days before the event (not before the deposit).
  if new.deposit_minor > 0 then
    insert into app.payments (organization_id, booking_id, kind, amount_minor, currency, due_at)
    values (new.organization_id, v_booking_id, 'deposit', new.deposit_minor, new.currency, least(now() + interval '7 days', new.starts_at));
  end if;
  if new.total_minor - new.deposit_minor > 0 then
    insert into app.payments (organization_id, booking_id, kind, amount_minor, currency, due_at)
    values (new.organization_id, v_booking_id, 'balance', new.total_minor - new.deposit_minor, new.currency,
            greatest(new.starts_at - interval '14 days', least(now() + interval '7 days', new.starts_at)));
  end if;
  update app.proposals set status = 'superseded'
  where inquiry_id = new.inquiry_id and id <> new.id
    and status in ('draft', 'generating', 'ready', 'sent', 'viewed');
  update app.inquiries set status = 'won' where id = new.inquiry_id and status in ('qualified', 'proposal_sent');
  insert into app.notifications (organization_id, venue_id, kind, title, body, entity_type, entity_id)
  values (new.organization_id, new.venue_id, 'proposal.accepted',
          format('Proposal accepted by %s', coalesce(new.guest_name, v_inquiry.guest_name)),
          coalesce(new.guest_note, ''), 'booking', v_booking_id);
  return null;
end
$$;
comment on function app.tg_proposals__book_on_accept() is
  'Rule: an accepted proposal creates its booking and payment schedule, supersedes the inquiry''s other open versions, marks the inquiry won and notifies staff.';

create trigger _600_book_on_accept
  after update of status on app.proposals
  for each row when (new.status = 'accepted' and old.status <> 'accepted')
  execute function app.tg_proposals__book_on_accept();

-- RLS policies --------------------------------------------------------------------------------

alter table app.bookings enable row level security;
alter table app.payments enable row level security;
alter table app.settlements enable row level security;

grant select, insert, update on app.bookings to authenticated;
grant select, insert, update on app.payments to authenticated;
grant select on app.settlements to authenticated;
grant all on app.bookings, app.payments, app.settlements to service_role;

create policy "Members can read their organization's bookings" on app.bookings
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Members can hold spaces" on app.bookings
  for insert to authenticated with check (organization_id in (select app.user_organization_ids()));
create policy "Members can update bookings" on app.bookings
  for update to authenticated
  using (organization_id in (select app.user_organization_ids()))
  with check (organization_id in (select app.user_organization_ids()));

create policy "Members can read their organization's payments" on app.payments
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can record payments" on app.payments
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update payments" on app.payments
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Managers can read their organization's settlements" on app.settlements
  for select to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

-- Public functions ----------------------------------------------------------------------------

create function app.booking_for_update(p_booking_id uuid, p_roles text[] default '{owner,manager,staff}')
returns app.bookings
language plpgsql
set search_path = ''
as $$
declare
  v_booking app.bookings;
begin
  select * into v_booking from app.bookings b where b.id = p_booking_id for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('booking %s not found', p_booking_id);
  end if;
  perform app.require_role(v_booking.organization_id, p_roles);
  return v_booking;
end
$$;
comment on function app.booking_for_update(uuid, text[]) is 'Locks a booking visible to the caller and checks the role; BQ002 or 42501 otherwise.';
grant execute on function app.booking_for_update(uuid, text[]) to authenticated, service_role;

create function public.check_availability(p_space_id uuid, p_starts_at timestamptz, p_ends_at timestamptz)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select s.organization_id into v_organization_id from app.spaces s where s.id = p_space_id;
  if v_organization_id is null or not app.has_role(v_organization_id) then
    raise exception using errcode = 'BQ002', message = format('space %s not found', p_space_id);
  end if;
  if p_starts_at is null or p_ends_at is null or p_ends_at <= p_starts_at then
    raise exception using errcode = 'BQ001', message = 'pass a time range that ends after it starts';
  end if;
  -- Definer: a clash with any booking counts, even one the caller could not otherwise see.
  return not exists (
    select 1 from app.bookings b
    where b.space_id = p_space_id and b.status <> 'cancelled'
      and b.during && tstzrange(p_starts_at, p_ends_at, '[)')
  );
end
$$;
comment on function public.check_availability(uuid, timestamptz, timestamptz) is
  'True when no live booking of the space overlaps [p_starts_at, p_ends_at). Any member of the space''s organization.';
grant execute on function public.check_availability(uuid, timestamptz, timestamptz) to authenticated;

create function public.hold_space(
  p_space_id uuid,
  p_starts_at timestamptz,
  p_ends_at timestamptz,
  p_guest_count integer,
  p_inquiry_id uuid default null,
  p_hold_hours integer default 48
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_space app.spaces;
  v_inquiry app.inquiries;
  v_booking_id uuid;
begin
  select * into v_space from app.spaces s where s.id = p_space_id;
  if not found then
    raise exception using errcode = 'BQ002', message = format('space %s not found', p_space_id);
  end if;
  perform app.require_role(v_space.organization_id);
  if p_starts_at is null or p_ends_at is null or p_ends_at <= p_starts_at then
    raise exception using errcode = 'BQ001', message = 'pass a time range that ends after it starts';
  end if;
  if p_guest_count is null or p_guest_count not between v_space.min_guests and v_space.max_guests then
    raise exception using errcode = 'BQ302',
      message = format('%s takes %s to %s guests', v_space.name, v_space.min_guests, v_space.max_guests);
  end if;
  if p_hold_hours is null or p_hold_hours not between 1 and 720 then
    raise exception using errcode = 'BQ001', message = 'a hold lasts 1 to 720 hours';
  end if;
  if p_inquiry_id is not null then
    select * into v_inquiry from app.inquiries i where i.id = p_inquiry_id and i.organization_id = v_space.organization_id;
    if not found then
      raise exception using errcode = 'BQ002', message = format('inquiry %s not found', p_inquiry_id);
    end if;
  end if;
  begin
    insert into app.bookings (organization_id, venue_id, space_id, inquiry_id, contact_id, status, starts_at, ends_at,
      guest_count, currency, hold_expires_at, created_by)
    values (v_space.organization_id, v_space.venue_id, p_space_id, p_inquiry_id, v_inquiry.contact_id, 'held', p_starts_at, p_ends_at,
      p_guest_count, (select v.currency from app.venues v where v.id = v_space.venue_id),
      now() + make_interval(hours => p_hold_hours), (select auth.uid()))
    returning id into v_booking_id;
  exception when exclusion_violation then
    raise exception using errcode = 'BQ301', message = format('%s is already booked at that time', v_space.name),
      hint = 'Use check_availability to find a free slot.';
  end;
  return v_booking_id;
end
$$;
comment on function public.hold_space(uuid, timestamptz, timestamptz, integer, uuid, integer) is
  'Places a hold (a booking in status held) on a space for a time range; BQ301 when taken, BQ302 outside the guest limits. Any member.';
grant execute on function public.hold_space(uuid, timestamptz, timestamptz, integer, uuid, integer) to authenticated;

create function public.cancel_booking(p_booking_id uuid, p_reason text default null)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_booking app.bookings := app.booking_for_update(p_booking_id, '{owner,manager}');
begin
  if v_booking.status not in ('held', 'confirmed') then
    raise exception using errcode = 'BQ303', message = format('a %s booking cannot be cancelled', v_booking.status);
  end if;
  update app.bookings set status = 'cancelled', cancel_reason = p_reason where id = p_booking_id;
end
$$;
comment on function public.cancel_booking(uuid, text) is
  'Cancels a held or confirmed booking (its scheduled payments are cancelled; record refunds separately). Owners and managers.';
grant execute on function public.cancel_booking(uuid, text) to authenticated;

create function public.complete_booking(p_booking_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_booking app.bookings := app.booking_for_update(p_booking_id, '{owner,manager}');
  v_settlement_id uuid;
begin
  if v_booking.status <> 'confirmed' then
    raise exception using errcode = 'BQ303', message = format('only a confirmed booking can be completed; this one is %s', v_booking.status);
  end if;
  if v_booking.starts_at > now() then
    raise exception using errcode = 'BQ303', message = 'the event has not started yet',
      hint = format('It starts at %s.', v_booking.starts_at);
  end if;
  update app.bookings set status = 'completed' where id = p_booking_id;
  select s.id into v_settlement_id from app.settlements s where s.booking_id = p_booking_id;
  return v_settlement_id;
end
$$;
comment on function public.complete_booking(uuid) is
  'Marks a confirmed booking whose event has started as completed and returns the settlement it created. Owners and managers.';
grant execute on function public.complete_booking(uuid) to authenticated;

create function public.set_guaranteed_count(p_booking_id uuid, p_guaranteed_count integer)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_booking app.bookings := app.booking_for_update(p_booking_id);
  v_space app.spaces;
begin
  if v_booking.status not in ('held', 'confirmed') then
    raise exception using errcode = 'BQ303', message = format('a %s booking cannot change its numbers', v_booking.status);
  end if;
  select * into v_space from app.spaces s where s.id = v_booking.space_id;
  if p_guaranteed_count is null or p_guaranteed_count not between v_space.min_guests and v_space.max_guests then
    raise exception using errcode = 'BQ302',
      message = format('%s takes %s to %s guests', v_space.name, v_space.min_guests, v_space.max_guests);
  end if;
  update app.bookings set guaranteed_count = p_guaranteed_count where id = p_booking_id;
end
$$;
comment on function public.set_guaranteed_count(uuid, integer) is
  'Sets the final guaranteed guest count of a held or confirmed booking, within the space''s limits (BQ302). Any member.';
grant execute on function public.set_guaranteed_count(uuid, integer) to authenticated;

create function app.apply_payment(p_booking_id uuid, p_kind text, p_amount_minor bigint, p_method text, p_reference text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_booking app.bookings;
  v_payment_id uuid;
  v_paid bigint;
begin
  select * into v_booking from app.bookings b where b.id = p_booking_id for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('booking %s not found', p_booking_id);
  end if;
  perform app.require_role(v_booking.organization_id, '{owner,manager}');
  if p_kind is null or p_kind not in ('deposit', 'balance', 'refund') then
    raise exception using errcode = 'BQ001', message = format('%L is not a payment kind', p_kind),
      hint = 'Use deposit, balance or refund.';
  end if;
  if p_amount_minor is null or p_amount_minor <= 0 then
    raise exception using errcode = 'BQ401', message = 'a payment amount is a positive number of minor units';
  end if;
  if p_method is not null and p_method not in ('card', 'bank_transfer', 'cash', 'other') then
    raise exception using errcode = 'BQ001', message = format('%L is not a payment method', p_method),
      hint = 'Use card, bank_transfer, cash or other.';
  end if;
  if v_booking.status = 'cancelled' and p_kind <> 'refund' then
    raise exception using errcode = 'BQ303', message = 'a cancelled booking only takes refunds';
  end if;
  select coalesce(sum(case when p.kind = 'refund' then -p.amount_minor else p.amount_minor end), 0) into v_paid
  from app.payments p where p.booking_id = v_booking.id and p.status = 'paid';
  if p_kind = 'refund' and p_amount_minor > v_paid then
    raise exception using errcode = 'BQ401', message = format('cannot refund %s; only %s was paid', p_amount_minor, v_paid);
  end if;
  if p_kind <> 'refund' and v_booking.total_minor > 0 and v_paid + p_amount_minor > v_booking.total_minor then
    raise exception using errcode = 'BQ401',
      message = format('this payment would take the total paid to %s, above the booking total %s', v_paid + p_amount_minor, v_booking.total_minor);
  end if;
  -- Settle the matching scheduled instalment when there is one, else record an extra payment.
  update app.payments set status = 'paid', paid_at = now(), method = p_method, provider_reference = p_reference
  where id = (
    select p.id from app.payments p
    where p.booking_id = v_booking.id and p.kind = p_kind and p.status = 'scheduled' and p.amount_minor = p_amount_minor
    order by p.due_at limit 1
  )
  returning id into v_payment_id;
  if v_payment_id is null then
    insert into app.payments (organization_id, booking_id, kind, status, amount_minor, currency, due_at, paid_at, method, provider_reference)
    values (v_booking.organization_id, v_booking.id, p_kind, 'paid', p_amount_minor, v_booking.currency, now(), now(), p_method, p_reference)
    returning id into v_payment_id;
  end if;
  return v_payment_id;
end
$$;
comment on function app.apply_payment(uuid, text, bigint, text, text) is
  'Internal: records a payment against a booking, settling the matching scheduled instalment if any. Owners, managers and the service role.';
grant execute on function app.apply_payment(uuid, text, bigint, text, text) to authenticated, service_role;

create function public.record_payment(
  p_booking_id uuid,
  p_kind text,
  p_amount_minor bigint,
  p_method text default 'bank_transfer',
  p_reference text default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  perform app.booking_for_update(p_booking_id, '{owner,manager}');
  return app.apply_payment(p_booking_id, p_kind, p_amount_minor, p_method, p_reference);
end
$$;
comment on function public.record_payment(uuid, text, bigint, text, text) is
  'Records a deposit, balance or refund against a booking (a paid deposit confirms a held booking); returns the payment id. BQ401 for a bad amount. Owners and managers.';
grant execute on function public.record_payment(uuid, text, bigint, text, text) to authenticated;

create function public.list_payments_due(p_organization_id uuid, p_due_before timestamptz default now() + interval '7 days')
returns table (payment_id uuid, booking_id uuid, kind text, amount_minor bigint, currency text, due_at timestamptz, overdue boolean, guest_name text)
language plpgsql
stable
set search_path = ''
as $$
begin
  perform app.require_role(p_organization_id);
  return query
    select p.id, p.booking_id, p.kind, p.amount_minor, p.currency, p.due_at, p.due_at < now(), c.full_name
    from app.payments p
    join app.bookings b on b.id = p.booking_id
    left join app.contacts c on c.id = b.contact_id
    where p.organization_id = p_organization_id and p.status = 'scheduled' and p.due_at < p_due_before
    order by p.due_at;
end
$$;
comment on function public.list_payments_due(uuid, timestamptz) is 'Scheduled payments due before a time (default: the next 7 days), overdue first. Any member.';
grant execute on function public.list_payments_due(uuid, timestamptz) to authenticated;

-- No force_custom_plan here, although the filters are optional: at scale its generic plan (nested
-- loops over the window's bookings) measured faster than a custom one, which overestimates the rows
-- passing the RLS filter on contacts and hash-joins all of them.
create function public.list_bookings(
  p_organization_id uuid,
  p_from timestamptz,
  p_to timestamptz,
  p_venue_id uuid default null,
  p_status text[] default null
)
returns table (id uuid, venue_id uuid, space_id uuid, space_name text, status text, starts_at timestamptz, ends_at timestamptz,
               guest_count integer, guaranteed_count integer, currency text, total_minor bigint, guest_name text)
language plpgsql
stable
set search_path = ''
as $$
begin
  perform app.require_role(p_organization_id);
  if p_from is null or p_to is null or p_to <= p_from or p_to - p_from > interval '400 days' then
    raise exception using errcode = 'BQ001', message = 'pass a window p_from < p_to of at most 400 days',
      hint = 'A calendar page: one week or one month.';
  end if;
  return query
    select b.id, b.venue_id, b.space_id, s.name, b.status, b.starts_at, b.ends_at, b.guest_count, b.guaranteed_count,
           b.currency, b.total_minor, c.full_name
    from app.bookings b
    join app.spaces s on s.id = b.space_id
    left join app.contacts c on c.id = b.contact_id
    where b.organization_id = p_organization_id
      and b.starts_at < p_to and b.ends_at > p_from
      and (p_venue_id is null or b.venue_id = p_venue_id)
      and (p_status is null or b.status = any (p_status))
    order by b.starts_at;
end
$$;
comment on function public.list_bookings(uuid, timestamptz, timestamptz, uuid, text[]) is
  'The booking calendar: bookings overlapping [p_from, p_to) (at most 400 days), optionally by venue and status. Any member.';
grant execute on function public.list_bookings(uuid, timestamptz, timestamptz, uuid, text[]) to authenticated;

create function public.get_booking(p_booking_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  select to_jsonb(b) - 'during' || jsonb_build_object(
    'payments', coalesce((select jsonb_agg(to_jsonb(p) order by p.due_at) from app.payments p where p.booking_id = b.id), '[]'),
    'settlement', (select to_jsonb(s) from app.settlements s where s.booking_id = b.id))
  into v_result
  from app.bookings b
  where b.id = p_booking_id;
  if v_result is null then
    raise exception using errcode = 'BQ002', message = format('booking %s not found', p_booking_id);
  end if;
  return v_result;
end
$$;
comment on function public.get_booking(uuid) is
  'One booking with its payment schedule and (for managers, once completed) its settlement, as JSON. Any member.';
grant execute on function public.get_booking(uuid) to authenticated;

-- Daemon write-backs --------------------------------------------------------------------------

create function public.record_payment_event(
  p_booking_id uuid,
  p_kind text,
  p_amount_minor bigint,
  p_provider_reference text,
  p_method text default 'card'
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_payment_id uuid;
begin
  if nullif(btrim(p_provider_reference), '') is null then
    raise exception using errcode = 'BQ001', message = 'a provider reference is required (it makes the event idempotent)';
  end if;
  -- The provider retries its webhooks: the same reference is the same payment.
  select p.id into v_payment_id from app.payments p where p.provider_reference = p_provider_reference;
  if v_payment_id is not null then
    return v_payment_id;
  end if;
  return app.apply_payment(p_booking_id, p_kind, p_amount_minor, p_method, p_provider_reference);
end
$$;
comment on function public.record_payment_event(uuid, text, bigint, text, text) is
  'Payment provider event (through the daemon or a webhook edge function): records a payment idempotently by provider reference. Service role only.';
grant execute on function public.record_payment_event(uuid, text, bigint, text, text) to service_role;
