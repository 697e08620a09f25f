-- Emails from versioned templates: every email the domain sends is enqueued as email.send with
-- "template" (a name), "template_version" and "data" (the values), and the daemon renders the
-- subject, the plain text and the HTML from its templates (Sources/Connectors/Email/Templates,
-- docs/emails.md). SQL decides what is said and to whom; the templates decide how it reads.
-- The data carries the venue's name and logo URL and links on app.public_url(); money travels as
-- minor units beside its "currency" and is formatted by the renderer, so emails and the guest's
-- page print amounts the same way.
--
-- Producers redefined here: the staff notification email, the proposal to the guest, the payment
-- link, the payment reminder and the invitation. New guest emails: booking held or confirmed when
-- a proposal is accepted, booking confirmed when its deposit is paid, payment received. (The auth
-- mailer in the gateway enqueues signup_confirmation and password_recovery the same way.)
-- Jobs queued before this migration keep their old {subject, text} payloads; the daemon still
-- sends those as they are.
--
-- Error codes: none new.

-- Internal functions --------------------------------------------------------------------------

create function app.email_branding(p_venue_id uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'venue_name', v.name,
    'logo_url', (select app.public_url() || '/storage/v1/object/public/logos/' || replace(replace(app.venue_logo_path(v.id), '%', '%25'), ' ', '%20')))
  from app.venues v where v.id = p_venue_id
$$;
comment on function app.email_branding(uuid) is
  'Internal: {venue_name, logo_url} for an email''s template data (logo_url null without a logo). Called by SECURITY DEFINER producers.';

create function app.guest_time(p_at timestamptz, p_timezone text) returns text
language sql
stable
set search_path = ''
as $$
  select to_char(p_at at time zone coalesce(p_timezone, 'UTC'), 'FMDay FMDD FMMonth YYYY, HH24:MI')
$$;
comment on function app.guest_time(timestamptz, text) is
  'Internal: a moment as a guest reads it, in the venue''s time zone ("Saturday 5 December 2026, 19:00").';

create function app.guest_date(p_at timestamptz, p_timezone text) returns text
language sql
stable
set search_path = ''
as $$
  select to_char(p_at at time zone coalesce(p_timezone, 'UTC'), 'FMDay FMDD FMMonth YYYY')
$$;
comment on function app.guest_date(timestamptz, text) is
  'Internal: a date as a guest reads it, in the venue''s time zone ("Saturday 5 December 2026").';

-- Triggers ------------------------------------------------------------------------------------

create or replace function app.tg_notifications__enqueue_email() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reply_to text;
  v_branding jsonb;
begin
  -- A new inquiry's email replies straight to the guest.
  if new.entity_type = 'inquiry' then
    select i.guest_email into v_reply_to from app.inquiries i where i.id = new.entity_id;
  end if;
  v_branding := coalesce(app.email_branding(new.venue_id),
                         (select jsonb_build_object('venue_name', o.name) from app.organizations o where o.id = new.organization_id));
  perform bridge.enqueue(
    'email.send',
    jsonb_strip_nulls(jsonb_build_object(
      'notification_id', new.id,
      'to', new.email_to,
      'reply_to', v_reply_to,
      'template', 'notification',
      'template_version', 1,
      'data', v_branding || jsonb_build_object('title', new.title, 'body', new.body, 'kind', new.kind)
    )),
    new.organization_id,
    'notification:' || new.id
  );
  return null;
end
$$;
comment on function app.tg_notifications__enqueue_email() is
  'Rule: an email notification enqueues an email.send job (template notification: title, body, venue branding; reply_to the guest for an inquiry).';

create or replace function app.tg_proposals__deliver_to_guest() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_contact app.contacts;
  v_venue app.venues;
  v_whatsapp_account text;
  v_link text := app.public_url() || '/p/' || new.public_token;
begin
  select c.* into v_contact from app.inquiries i join app.contacts c on c.id = i.contact_id where i.id = new.inquiry_id;
  select * into v_venue from app.venues v where v.id = new.venue_id;
  if v_contact.email is not null then
    perform bridge.enqueue('email.send',
      jsonb_strip_nulls(jsonb_build_object(
        'proposal_id', new.id, 'to', v_contact.email, 'reply_to', v_venue.notification_email, 'link', v_link,
        'template', 'proposal_ready', 'template_version', 1,
        'data', app.email_branding(v_venue.id) || jsonb_build_object(
          'guest_name', v_contact.full_name, 'title', new.title, 'guest_count', new.guest_count,
          'event_time', app.guest_time(new.starts_at, v_venue.timezone),
          'currency', new.currency, 'total_minor', new.total_minor, 'deposit_minor', new.deposit_minor,
          'valid_until', app.guest_date(new.expires_at, v_venue.timezone), 'link', v_link))),
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
  'Rule: a sent proposal is delivered to the guest (email.send template proposal_ready with the /p/<token> link, and '
  'whatsapp.send when the organization has a WhatsApp number) and its inquiry moves to proposal_sent.';

create function app.tg_proposals__email_guest_on_accept() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_contact app.contacts;
  v_venue app.venues;
  v_booking app.bookings;
  v_deposit app.payments;
begin
  select c.* into v_contact from app.inquiries i join app.contacts c on c.id = i.contact_id where i.id = new.inquiry_id;
  select * into v_booking from app.bookings b where b.proposal_id = new.id;
  if v_contact.email is null or v_booking.id is null then
    return null;
  end if;
  select * into v_venue from app.venues v where v.id = new.venue_id;
  select * into v_deposit from app.payments p where p.booking_id = v_booking.id and p.kind = 'deposit' and p.status = 'scheduled'
  order by p.due_at limit 1;
  perform bridge.enqueue('email.send',
    jsonb_strip_nulls(jsonb_build_object(
      'booking_id', v_booking.id, 'to', v_contact.email, 'reply_to', v_venue.notification_email,
      'template', case when v_booking.status = 'held' then 'booking_held' else 'booking_confirmed' end, 'template_version', 1,
      'data', app.email_branding(v_venue.id) || jsonb_strip_nulls(jsonb_build_object(
        'guest_name', coalesce(new.guest_name, v_contact.full_name), 'title', new.title, 'guest_count', new.guest_count,
        'event_time', app.guest_time(new.starts_at, v_venue.timezone),
        'currency', new.currency, 'total_minor', new.total_minor,
        'deposit_minor', v_deposit.amount_minor, 'deposit_due', app.guest_date(v_deposit.due_at, v_venue.timezone),
        'link', app.public_url() || '/p/' || new.public_token)))),
    new.organization_id, 'booking-email:' || v_booking.id || ':' || v_booking.status);
  return null;
end
$$;
comment on function app.tg_proposals__email_guest_on_accept() is
  'Rule: an accepted proposal emails the guest that the booking is held (with the deposit due) or, without a deposit, confirmed.';

create trigger _700_email_guest_on_accept
  after update of status on app.proposals
  for each row when (new.status = 'accepted' and old.status <> 'accepted')
  execute function app.tg_proposals__email_guest_on_accept();

create function app.tg_bookings__email_guest_on_confirm() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_contact app.contacts;
  v_venue app.venues;
  v_proposal app.proposals;
begin
  select * into v_contact from app.contacts c where c.id = new.contact_id;
  if v_contact.email is null then
    return null;
  end if;
  select * into v_venue from app.venues v where v.id = new.venue_id;
  select * into v_proposal from app.proposals p where p.id = new.proposal_id;
  perform bridge.enqueue('email.send',
    jsonb_strip_nulls(jsonb_build_object(
      'booking_id', new.id, 'to', v_contact.email, 'reply_to', v_venue.notification_email,
      'template', 'booking_confirmed', 'template_version', 1,
      'data', app.email_branding(v_venue.id) || jsonb_strip_nulls(jsonb_build_object(
        'guest_name', coalesce(v_proposal.guest_name, v_contact.full_name), 'title', v_proposal.title, 'guest_count', new.guest_count,
        'event_time', app.guest_time(new.starts_at, v_venue.timezone), 'currency', new.currency, 'total_minor', new.total_minor,
        'link', app.public_url() || '/p/' || v_proposal.public_token)))),
    new.organization_id, 'booking-email:' || new.id || ':confirmed');
  return null;
end
$$;
comment on function app.tg_bookings__email_guest_on_confirm() is
  'Rule: a held booking that becomes confirmed (its deposit was paid) emails the guest.';

create trigger _600_email_guest_on_confirm
  after update of status on app.bookings
  for each row when (new.status = 'confirmed' and old.status = 'held')
  execute function app.tg_bookings__email_guest_on_confirm();

create function app.tg_payments__email_receipt() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_booking app.bookings;
  v_contact app.contacts;
  v_venue app.venues;
begin
  if tg_op = 'UPDATE' and old.status = 'paid' then
    return null;
  end if;
  select * into v_booking from app.bookings b where b.id = new.booking_id;
  select * into v_contact from app.contacts c where c.id = v_booking.contact_id;
  if v_contact.email is null then
    return null;
  end if;
  select * into v_venue from app.venues v where v.id = v_booking.venue_id;
  perform bridge.enqueue('email.send',
    jsonb_strip_nulls(jsonb_build_object(
      'payment_id', new.id, 'to', v_contact.email, 'reply_to', v_venue.notification_email,
      'template', 'payment_received', 'template_version', 1,
      'data', app.email_branding(v_venue.id) || jsonb_strip_nulls(jsonb_build_object(
        'guest_name', v_contact.full_name, 'kind', new.kind, 'currency', new.currency, 'amount_minor', new.amount_minor,
        'paid_on', app.guest_date(new.paid_at, v_venue.timezone), 'event_time', app.guest_time(v_booking.starts_at, v_venue.timezone),
        'link', (select app.public_url() || '/p/' || p.public_token from app.proposals p where p.id = v_booking.proposal_id))))),
    new.organization_id, 'payment-received:' || new.id);
  return null;
end
$$;
comment on function app.tg_payments__email_receipt() is
  'Rule: a paid deposit or balance emails the guest a receipt.';

create trigger _600_email_receipt
  after insert or update of status on app.payments
  for each row when (new.status = 'paid' and new.kind in ('deposit', 'balance'))
  execute function app.tg_payments__email_receipt();

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function app.payment_checkout_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_payment app.payments;
  v_booking app.bookings;
  v_venue app.venues;
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
  select * into v_booking from app.bookings b where b.id = v_payment.booking_id;
  select * into v_venue from app.venues v where v.id = v_booking.venue_id;
  perform bridge.enqueue('email.send',
    jsonb_build_object('payment_id', v_payment.id, 'to', p_payload ->> 'email',
      'template', 'payment_link', 'template_version', 1,
      'data', app.email_branding(v_venue.id) || jsonb_strip_nulls(jsonb_build_object(
        'guest_name', (select c.full_name from app.contacts c where c.id = v_booking.contact_id),
        'kind', v_payment.kind, 'description', p_payload ->> 'description',
        'currency', v_payment.currency, 'amount_minor', v_payment.amount_minor,
        'due_on', app.guest_date(v_payment.due_at, v_venue.timezone), 'event_time', app.guest_time(v_booking.starts_at, v_venue.timezone),
        'pay_url', v_payment.checkout_url,
        'link', (select app.public_url() || '/p/' || p.public_token from app.proposals p where p.id = v_booking.proposal_id)))),
    v_payment.organization_id, 'checkout-email:' || v_payment.id);
end
$$;
comment on function app.payment_checkout_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for payment.checkout: p_result {session_id, url, expires_at} goes on the scheduled payment and the link '
  'is emailed to the guest (template payment_link).';

-- Public functions ----------------------------------------------------------------------------

create or replace function public.send_payment_reminders(p_days_ahead integer default 3) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_payment record;
  v_count integer := 0;
begin
  if p_days_ahead is null or p_days_ahead not between 0 and 60 then
    raise exception using errcode = 'BQ001', message = 'p_days_ahead must be between 0 and 60';
  end if;
  for v_payment in
    select p.id, p.organization_id, p.kind, p.amount_minor, p.currency, p.due_at, p.checkout_url, c.email, c.full_name,
           v.id as venue_id, v.timezone, v.notification_email, b.starts_at, pr.public_token
    from app.payments p
    join app.bookings b on b.id = p.booking_id
    join app.venues v on v.id = b.venue_id
    join app.contacts c on c.id = b.contact_id
    left join app.proposals pr on pr.id = b.proposal_id
    where p.status = 'scheduled' and p.due_at < now() + make_interval(days => p_days_ahead)
      and (p.reminded_at is null or p.reminded_at < now() - interval '3 days')
      and c.email is not null and b.status in ('held', 'confirmed')
    for update of p skip locked
  loop
    perform bridge.enqueue('email.send', jsonb_strip_nulls(jsonb_build_object(
      'payment_id', v_payment.id,
      'to', v_payment.email,
      'reply_to', v_payment.notification_email,
      'template', 'payment_reminder', 'template_version', 1,
      'data', app.email_branding(v_payment.venue_id) || jsonb_strip_nulls(jsonb_build_object(
        'guest_name', v_payment.full_name, 'kind', v_payment.kind,
        'currency', v_payment.currency, 'amount_minor', v_payment.amount_minor,
        'due_on', app.guest_date(v_payment.due_at, v_payment.timezone), 'event_time', app.guest_time(v_payment.starts_at, v_payment.timezone),
        'pay_url', v_payment.checkout_url,
        'link', app.public_url() || '/p/' || v_payment.public_token)))),
      v_payment.organization_id, 'payment-reminder:' || v_payment.id || ':' || to_char(now(), 'YYYY-MM-DD'));
    update app.payments set reminded_at = now() where id = v_payment.id;
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
comment on function public.send_payment_reminders(integer) is
  'Enqueues a reminder email (template payment_reminder) for each scheduled payment due within p_days_ahead days (at most one per '
  'payment every 3 days); returns how many. Run daily by the payment.remind job. Service role only.';

create or replace function public.invite_member(p_organization_id uuid, p_email text, p_role text default 'staff') returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := app.require_user();
  v_email text := app.normalize_email(p_email);
  v_invitation_id uuid;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  if p_role is null or p_role not in ('owner', 'manager', 'staff') then
    raise exception using errcode = 'BQ001', message = format('p_role: %L is not a member role', left(p_role, 100)),
      hint = 'Use owner, manager or staff.';
  end if;
  if p_role in ('owner', 'manager') and not app.has_role(p_organization_id, '{owner}') then
    raise exception using errcode = '42501', message = 'only an owner can invite owners and managers',
      hint = 'Invite as staff, or ask an owner.';
  end if;
  perform app.require_email(p_email, 'p_email', true);
  if exists (
    select 1 from app.memberships m join auth.users u on u.id = m.user_id
    where m.organization_id = p_organization_id and lower(u.email) = v_email
  ) then
    raise exception using errcode = 'BQ603', message = format('%s is already a member', v_email),
      hint = 'Change their role with set_member_role instead.';
  end if;
  insert into app.invitations (organization_id, email, role, invited_by)
  values (p_organization_id, v_email, p_role, v_user_id)
  returning id into v_invitation_id;
  perform bridge.enqueue('email.send', jsonb_build_object(
      'invitation_id', v_invitation_id,
      'to', v_email,
      'template', 'invitation', 'template_version', 1,
      'data', jsonb_build_object(
        'venue_name', (select o.name from app.organizations o where o.id = p_organization_id),
        'organization_name', (select o.name from app.organizations o where o.id = p_organization_id),
        'role', p_role,
        'code', (select i.token from app.invitations i where i.id = v_invitation_id),
        'valid_days', 7,
        'link', app.public_url())),
    p_organization_id, 'invitation:' || v_invitation_id);
  return v_invitation_id;
end
$$;
comment on function public.invite_member(uuid, text, text) is
  'Invites an email address into the organization with a role and emails the invitation code (template invitation); returns the '
  'invitation id. Owners may invite any role, managers only staff. BQ106 for a malformed email.';
