-- Bookings: the booking RPCs validate with the shared helpers (20261129001000_input_validation.sql)
-- before writing or reading: event and calendar times finite and plausible (BQ006, where infinity
-- used to reach interval arithmetic as a raw "cannot subtract infinite timestamps"), a payment
-- within app.money_limit() (BQ401) and its reference within the label limit (BQ004, where a long
-- one failed on the index) and not already recorded (BQ008, where the unique key used to answer,
-- naming itself, even for another organization's payment), and a cancellation reason within the
-- free-text limit. Each function is redefined in full.

-- Helpers -------------------------------------------------------------------------------------

-- Payment references are unique across all organizations (they are the payment provider's ids),
-- and the caller sees only its own payments. Definer, so the check sees every row; it answers
-- yes or no and nothing about whose payment it is.
create function app.payment_reference_taken(p_reference text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from app.payments p where p.provider_reference = p_reference)
$$;
comment on function app.payment_reference_taken(text) is
  'Internal: true when any payment already carries this provider reference (says nothing about which).';
grant execute on function app.payment_reference_taken(text) to authenticated, service_role;

-- Public functions ----------------------------------------------------------------------------

-- Places a hold; the time range plausible (BQ006) and ordered (BQ001).
create or replace function public.hold_space(
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
  perform app.require_time_range(p_starts_at, p_ends_at);
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

-- Is a space free; the time range plausible (BQ006) and ordered (BQ001).
create or replace function public.check_availability(p_space_id uuid, p_starts_at timestamptz, p_ends_at timestamptz)
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
  perform app.require_time_range(p_starts_at, p_ends_at);
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

-- Cancels a booking; the reason is free text.
create or replace function public.cancel_booking(p_booking_id uuid, p_reason text default null)
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
  perform app.require_text(p_reason, 'p_reason', 'text', false);
  update app.bookings set status = 'cancelled', cancel_reason = p_reason where id = p_booking_id;
end
$$;
comment on function public.cancel_booking(uuid, text) is
  'Cancels a held or confirmed booking (its scheduled payments are cancelled; record refunds separately). Owners and managers.';
grant execute on function public.cancel_booking(uuid, text) to authenticated;

-- Records a payment by hand; amount within the money limit, reference within the label limit and
-- not already recorded (BQ008, the same answer whoever recorded it).
create or replace function public.record_payment(
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
  if p_amount_minor > app.money_limit() then
    raise exception using errcode = 'BQ401', message = format('p_amount_minor must be at most %s minor units', app.money_limit()),
      hint = format('Got %s. Amounts are integer minor units: 1250 is 12.50.', p_amount_minor);
  end if;
  perform app.require_text(p_reference, 'p_reference', 'label', false);
  if p_reference is not null and app.payment_reference_taken(p_reference) then
    raise exception using errcode = 'BQ008', message = 'p_reference: a payment with this reference is already recorded',
      hint = 'References are unique: use the provider''s payment id or your own invoice number, or leave it empty.';
  end if;
  return app.apply_payment(p_booking_id, p_kind, p_amount_minor, p_method, p_reference);
end
$$;
comment on function public.record_payment(uuid, text, bigint, text, text) is
  'Records a deposit, balance or refund against a booking (a paid deposit confirms a held booking); returns the payment id. BQ401 for a bad amount. Owners and managers.';
grant execute on function public.record_payment(uuid, text, bigint, text, text) to authenticated;

-- The calendar; its window plausible (BQ006) and at most 400 days (BQ001), status words known (BQ001).
-- No force_custom_plan here, although the filters are optional: at scale its generic plan (nested
-- loops over the window's bookings) measured faster than a custom one, which overestimates the rows
-- passing the RLS filter on contacts and hash-joins all of them.
create or replace function public.list_bookings(
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
  perform app.require_time(p_from, 'p_from');
  perform app.require_time(p_to, 'p_to');
  perform app.require_all_of(p_status, 'p_status', '{held,confirmed,completed,cancelled}');
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

-- Payments due before a plausible time (BQ006).
create or replace function public.list_payments_due(p_organization_id uuid, p_due_before timestamptz default now() + interval '7 days')
returns table (payment_id uuid, booking_id uuid, kind text, amount_minor bigint, currency text, due_at timestamptz, overdue boolean, guest_name text)
language plpgsql
stable
set search_path = ''
as $$
begin
  perform app.require_role(p_organization_id);
  perform app.require_time(p_due_before, 'p_due_before');
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
