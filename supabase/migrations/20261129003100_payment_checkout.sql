-- Payment checkout: each scheduled deposit and balance gets a checkout session at the payment
-- provider when it becomes due (a deposit at once, a balance seven days before its due date), its
-- URL stored on the payment and emailed to the guest. The provider's signed webhook then records
-- the payment through public.record_payment_event (idempotent by provider reference), and a paid
-- deposit confirms the booking (bookings migration, _500_confirm_booking).
--
-- Error codes: none new.

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

alter table app.payments
  add column checkout_session_id text,
  add column checkout_url text,
  add column checkout_expires_at timestamptz;
comment on column app.payments.checkout_url is 'Where the guest pays this instalment (the provider''s hosted checkout page); null until the daemon created it.';

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_payments__enqueue_checkout()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_booking app.bookings;
  v_venue app.venues;
  v_contact app.contacts;
begin
  select * into v_booking from app.bookings b where b.id = new.booking_id;
  select * into v_venue from app.venues v where v.id = v_booking.venue_id;
  select * into v_contact from app.contacts c where c.id = v_booking.contact_id;
  perform bridge.enqueue('payment.checkout',
    jsonb_build_object('payment_id', new.id, 'booking_id', new.booking_id, 'kind', new.kind,
                       'amount_minor', new.amount_minor, 'currency', new.currency,
                       'description', initcap(new.kind) || ' — ' || v_venue.name,
                       'email', v_contact.email),
    new.organization_id, 'checkout:' || new.id, 0,
    case when new.kind = 'balance' then greatest(now(), new.due_at - interval '7 days') end);
  return null;
end
$$;
comment on function app.tg_payments__enqueue_checkout() is
  'Rule: a scheduled deposit or balance enqueues payment.checkout (deposit now, balance seven days before it is due).';

create trigger _510_enqueue_checkout
  after insert on app.payments
  for each row when (new.status = 'scheduled' and new.kind in ('deposit', 'balance'))
  execute function app.tg_payments__enqueue_checkout();

-- Daemon write-backs --------------------------------------------------------------------------

create function app.payment_checkout_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_payment app.payments;
begin
  update app.payments set
    checkout_session_id = p_result ->> 'session_id',
    checkout_url = p_result ->> 'url',
    checkout_expires_at = to_timestamp((p_result ->> 'expires_at')::double precision)
  where id = (p_payload ->> 'payment_id')::uuid and status = 'scheduled'
  returning * into v_payment;
  -- Paid or cancelled meanwhile: the link is not sent.
  if v_payment.id is null or nullif(p_payload ->> 'email', '') is null then
    return;
  end if;
  perform bridge.enqueue('email.send',
    jsonb_build_object('to', p_payload ->> 'email',
                       'subject', format('%s: %s %s', p_payload ->> 'description', to_char(v_payment.amount_minor / 100.0, 'FM999999990.00'), v_payment.currency),
                       'text', format(E'Please pay your %s of %s %s by %s:\n\n%s\n', v_payment.kind,
                                      to_char(v_payment.amount_minor / 100.0, 'FM999999990.00'), v_payment.currency,
                                      to_char(v_payment.due_at, 'YYYY-MM-DD'), v_payment.checkout_url)),
    v_payment.organization_id, 'checkout-email:' || v_payment.id);
end
$$;
comment on function app.payment_checkout_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for payment.checkout: p_result {session_id, url, expires_at} goes on the scheduled payment and the link is emailed to the guest.';
grant execute on function app.payment_checkout_writeback(bigint, jsonb, jsonb) to service_role;

create function app.payment_checkout_failed(p_job_id bigint, p_payload jsonb, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into app.notifications (organization_id, kind, title, body, entity_type, entity_id)
  select p.organization_id, 'payment.checkout_failed', 'A payment link could not be created', coalesce(p_error, ''), 'booking', p.booking_id
  from app.payments p where p.id = (p_payload ->> 'payment_id')::uuid;
end
$$;
comment on function app.payment_checkout_failed(bigint, jsonb, text) is
  'Bridge on-failure handler for payment.checkout: tells staff the guest has no payment link.';
grant execute on function app.payment_checkout_failed(bigint, jsonb, text) to service_role;

select bridge.register_kind(p_kind => 'payment.checkout', p_queue => 'payments',
  p_writeback => 'app.payment_checkout_writeback', p_on_failure => 'app.payment_checkout_failed',
  p_max_attempts => 5, p_timeout_seconds => 30, p_concurrency => 4);
