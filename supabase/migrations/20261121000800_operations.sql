-- Operations: what the business watches and what runs on a clock. AI usage accounting (every LLM
-- call's model, tokens, latency and cost), the dashboard and reports (pipeline, conversion,
-- revenue, response time), and the recurring jobs: the daily FX sync, proposal expiry and
-- payment reminders. The last two are pure SQL work: their jobs carry no provider call, the
-- daemon completes them at once and the write-back does the work in the database.
--
-- Error codes: BQ001 invalid argument (dates, limits), BQ701 no FX rate for a report currency, 42501.

-- Tables --------------------------------------------------------------------------------------

create table app.ai_runs (
  id bigint generated always as identity primary key,
  organization_id uuid references app.organizations (id) on delete cascade,
  job_id bigint,
  purpose text not null check (purpose in ('proposal_draft', 'classify_message', 'menu_extract', 'other')),
  provider text,
  model text not null,
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  latency_ms integer not null default 0 check (latency_ms >= 0),
  -- USD in millionths of a dollar: LLM calls cost fractions of a cent.
  cost_usd_micros bigint not null default 0 check (cost_usd_micros >= 0),
  succeeded boolean not null default true,
  error text,
  created_at timestamptz not null default now()
);
create index ai_runs_organization_id_created_at_idx on app.ai_runs (organization_id, created_at desc);
comment on table app.ai_runs is 'One row per LLM call: model, tokens, latency and cost, for accounting and tuning.';

alter table app.ai_runs enable row level security;
grant select on app.ai_runs to authenticated;
grant all on app.ai_runs to service_role;

create policy "Managers can read their organization's AI usage" on app.ai_runs
  for select to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

-- Helpers -------------------------------------------------------------------------------------

create function app.require_period(p_from date, p_to date)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_from is null or p_to is null or p_to < p_from or p_to - p_from > 3 * 366 then
    raise exception using errcode = 'BQ001', message = 'a report needs p_from <= p_to, at most three years apart',
      hint = format('Got %s to %s.', p_from, p_to);
  end if;
end
$$;
comment on function app.require_period(date, date) is 'BQ001 unless [p_from, p_to] is a valid report period.';
grant execute on function app.require_period(date, date) to authenticated, service_role;

-- Public functions ----------------------------------------------------------------------------

create function public.dashboard_pipeline(p_organization_id uuid, p_venue_id uuid default null)
returns jsonb
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_custom_plan  -- optional p_venue_id: see docs/quality.md, SQL benchmark
as $$
begin
  perform app.require_role(p_organization_id);
  -- Each count is served by an index: inquiries (organization_id, venue_id, created_at) include
  -- (status), proposals_open_idx, bookings (organization_id, starts_at), payments_due_idx, and
  -- conversations_unread_idx. Joining bookings by the tenant key too (a payment's booking is in its
  -- organization) lets the planner read bookings (organization_id, id) instead of scanning them.
  return jsonb_build_object(
    'inquiries', (
      select coalesce(jsonb_object_agg(s.status, s.n), '{}')
      from (select i.status, count(*) as n from app.inquiries i
            where i.organization_id = p_organization_id and (p_venue_id is null or i.venue_id = p_venue_id)
            group by i.status) s),
    'open_proposals', (
      select coalesce(jsonb_object_agg(s.currency, jsonb_build_object('count', s.n, 'value_minor', s.total)), '{}')
      from (select p.currency, count(*) as n, sum(p.total_minor) as total from app.proposals p
            where p.organization_id = p_organization_id and (p_venue_id is null or p.venue_id = p_venue_id)
              and p.status in ('sent', 'viewed')
            group by p.currency) s),
    'upcoming_bookings', (
      select count(*) from app.bookings b
      where b.organization_id = p_organization_id and (p_venue_id is null or b.venue_id = p_venue_id)
        and b.status in ('held', 'confirmed') and b.starts_at > now()),
    'overdue_payments', (
      select count(*) from app.payments p join app.bookings b on b.organization_id = p.organization_id and b.id = p.booking_id
      where p.organization_id = p_organization_id and (p_venue_id is null or b.venue_id = p_venue_id)
        and p.status = 'scheduled' and p.due_at < now()),
    'unread_conversations', (
      select count(*) from app.conversations c
      where c.organization_id = p_organization_id and c.unread_count > 0)
  );
end
$$;
comment on function public.dashboard_pipeline(uuid, uuid) is
  'Pipeline snapshot as JSON: inquiries per status, open proposals per currency (count, value), upcoming bookings, overdue payments, unread conversations. Any member.';
grant execute on function public.dashboard_pipeline(uuid, uuid) to authenticated;

create function public.report_conversion(p_organization_id uuid, p_from date, p_to date)
returns table (venue_id uuid, venue_name text, inquiries bigint, proposals_sent bigint, won bigint, lost bigint, conversion_rate numeric)
language plpgsql
stable
set search_path = ''
-- Planned per call: a cached generic plan cannot tell the largest tenant from the smallest and
-- walks inquiries by created_at once per venue.
set plan_cache_mode = force_custom_plan
as $$
begin
  perform app.require_role(p_organization_id);
  perform app.require_period(p_from, p_to);
  -- Index-only: inquiries (organization_id, venue_id, created_at) include (status, id, …), and the
  -- tenant's sent proposals read once into a hash from proposals (organization_id, inquiry_id)
  -- include (sent_at), rather than a heap visit and a proposal probe per inquiry. An inquiry's
  -- organization is its venue's (composite foreign key), so the added filter changes no result.
  return query
    select v.id, v.name,
           count(i.id),
           count(i.id) filter (where i.id in (select p.inquiry_id from app.proposals p
                                              where p.organization_id = p_organization_id and p.sent_at is not null)),
           count(i.id) filter (where i.status = 'won'),
           count(i.id) filter (where i.status = 'lost'),
           round(count(i.id) filter (where i.status = 'won')::numeric / nullif(count(i.id), 0), 4)
    from app.venues v
    left join app.inquiries i on i.organization_id = p_organization_id and i.venue_id = v.id
      and i.created_at >= p_from::timestamptz and i.created_at < (p_to + 1)::timestamptz and i.status <> 'spam'
    where v.organization_id = p_organization_id
    group by v.id, v.name
    order by v.name;
end
$$;
comment on function public.report_conversion(uuid, date, date) is
  'Per venue, for inquiries created in [p_from, p_to]: inquiries, with a sent proposal, won, lost, and won/inquiries. Spam excluded. Any member.';
grant execute on function public.report_conversion(uuid, date, date) to authenticated;

create function public.report_revenue(p_organization_id uuid, p_from date, p_to date, p_currency text default null)
returns table (month date, venue_id uuid, venue_name text, bookings bigint, revenue_minor bigint, currency text)
language plpgsql
stable
set search_path = ''
as $$
declare
  v_currency text;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  perform app.require_period(p_from, p_to);
  v_currency := upper(coalesce(p_currency, (select o.default_currency from app.organizations o where o.id = p_organization_id)));
  if v_currency !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'BQ001', message = format('%L is not an ISO 4217 currency code', p_currency);
  end if;
  -- Revenue is booked value of confirmed and completed events, by event month, converted at the event date's rate.
  return query
    select date_trunc('month', b.starts_at at time zone v.timezone)::date, v.id, v.name, count(*),
           sum(round(b.total_minor * app.fx_rate(b.currency, v_currency, (b.starts_at at time zone v.timezone)::date)))::bigint,
           v_currency
    from app.bookings b
    join app.venues v on v.id = b.venue_id
    where b.organization_id = p_organization_id and b.status in ('confirmed', 'completed')
      and (b.starts_at at time zone v.timezone)::date between p_from and p_to
    group by 1, v.id, v.name
    order by 1, v.name;
end
$$;
comment on function public.report_revenue(uuid, date, date, text) is
  'Booked revenue of confirmed and completed events per month and venue, converted to one currency (default: the organization''s). BQ701 without a rate. Owners and managers.';
grant execute on function public.report_revenue(uuid, date, date, text) to authenticated;

create function public.report_response_time(p_organization_id uuid, p_from date, p_to date)
returns table (venue_id uuid, venue_name text, inquiries bigint, responded bigint, median_minutes numeric, p90_minutes numeric)
language plpgsql
stable
set search_path = ''
-- Planned per call: a cached generic plan cannot tell the largest tenant from the smallest and
-- walks inquiries by created_at once per venue.
set plan_cache_mode = force_custom_plan
as $$
begin
  perform app.require_role(p_organization_id);
  perform app.require_period(p_from, p_to);
  return query
    select v.id, v.name, count(i.id), count(i.first_response_at),
           round((percentile_cont(0.5) within group (order by extract(epoch from i.first_response_at - i.created_at) / 60))::numeric, 1),
           round((percentile_cont(0.9) within group (order by extract(epoch from i.first_response_at - i.created_at) / 60))::numeric, 1)
    from app.venues v
    -- By the tenant key too, as in report_conversion: read from the covering index alone.
    left join app.inquiries i on i.organization_id = p_organization_id and i.venue_id = v.id
      and i.created_at >= p_from::timestamptz and i.created_at < (p_to + 1)::timestamptz and i.status <> 'spam'
    where v.organization_id = p_organization_id
    group by v.id, v.name
    order by v.name;
end
$$;
comment on function public.report_response_time(uuid, date, date) is
  'Per venue: inquiries in [p_from, p_to], how many got a first response, and the median and 90th percentile minutes to it. Any member.';
grant execute on function public.report_response_time(uuid, date, date) to authenticated;

-- Daemon write-backs --------------------------------------------------------------------------

create function public.record_ai_run(
  p_purpose text,
  p_model text,
  p_input_tokens integer,
  p_output_tokens integer,
  p_latency_ms integer,
  p_cost_usd_micros bigint default 0,
  p_organization_id uuid default null,
  p_job_id bigint default null,
  p_provider text default null,
  p_error text default null
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_purpose is null or p_purpose not in ('proposal_draft', 'classify_message', 'menu_extract', 'other') then
    raise exception using errcode = 'BQ001', message = format('%L is not an AI run purpose', p_purpose),
      hint = 'Use proposal_draft, classify_message, menu_extract or other.';
  end if;
  if nullif(btrim(p_model), '') is null then
    raise exception using errcode = 'BQ001', message = 'the model name is required';
  end if;
  if coalesce(p_input_tokens, -1) < 0 or coalesce(p_output_tokens, -1) < 0 or coalesce(p_latency_ms, -1) < 0 or coalesce(p_cost_usd_micros, -1) < 0 then
    raise exception using errcode = 'BQ001', message = 'tokens, latency and cost are non-negative numbers';
  end if;
  insert into app.ai_runs (organization_id, job_id, purpose, provider, model, input_tokens, output_tokens, latency_ms, cost_usd_micros, succeeded, error)
  values (p_organization_id, p_job_id, p_purpose, p_provider, btrim(p_model), p_input_tokens, p_output_tokens, p_latency_ms,
          p_cost_usd_micros, p_error is null, p_error)
  returning id into v_id;
  return v_id;
end
$$;
comment on function public.record_ai_run(text, text, integer, integer, integer, bigint, uuid, bigint, text, text) is
  'Records one LLM call (purpose, model, tokens, latency, cost in USD micros, error if it failed); returns its id. Service role only.';
grant execute on function public.record_ai_run(text, text, integer, integer, integer, bigint, uuid, bigint, text, text) to service_role;

create function public.expire_proposals()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update app.proposals set status = 'expired'
  where status in ('sent', 'viewed') and expires_at < now();
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.expire_proposals() is 'Expires every sent or viewed proposal past its expiry; returns how many. Run hourly by the proposal.expire job. Service role only.';
grant execute on function public.expire_proposals() to service_role;

create function public.send_payment_reminders(p_days_ahead integer default 3)
returns integer
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
    select p.id, p.organization_id, p.kind, p.amount_minor, p.currency, p.due_at, c.email, c.full_name, v.name as venue_name, v.timezone,
           v.notification_email
    from app.payments p
    join app.bookings b on b.id = p.booking_id
    join app.venues v on v.id = b.venue_id
    join app.contacts c on c.id = b.contact_id
    where p.status = 'scheduled' and p.due_at < now() + make_interval(days => p_days_ahead)
      and (p.reminded_at is null or p.reminded_at < now() - interval '3 days')
      and c.email is not null and b.status in ('held', 'confirmed')
    for update of p skip locked
  loop
    perform bridge.enqueue('email.send', jsonb_strip_nulls(jsonb_build_object(
      'payment_id', v_payment.id,
      'to', v_payment.email,
      'reply_to', v_payment.notification_email,
      'subject', format('Payment reminder: %s for your event at %s', v_payment.kind, v_payment.venue_name),
      'text', format(e'Hello %s,\n\nYour %s of %s %s for %s is due on %s.\n\nThank you!',
        coalesce(v_payment.full_name, 'there'), v_payment.kind, v_payment.currency,
        to_char(v_payment.amount_minor / 100.0, 'FM999G999G990D00'), v_payment.venue_name,
        to_char(v_payment.due_at at time zone v_payment.timezone, 'YYYY-MM-DD')))),
      v_payment.organization_id, 'payment-reminder:' || v_payment.id || ':' || to_char(now(), 'YYYY-MM-DD'));
    update app.payments set reminded_at = now() where id = v_payment.id;
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
comment on function public.send_payment_reminders(integer) is
  'Enqueues a reminder email for each scheduled payment due within p_days_ahead days (at most one per payment every 3 days); returns how many. Run daily by the payment.remind job. Service role only.';
grant execute on function public.send_payment_reminders(integer) to service_role;

create function public.release_expired_holds()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update app.bookings set status = 'cancelled', cancel_reason = 'hold expired'
  where status = 'held' and hold_expires_at < now();
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.release_expired_holds() is
  'Cancels holds placed with hold_space whose hold time has passed, freeing their spaces; returns how many. Run hourly with proposal expiry. Service role only.';
grant execute on function public.release_expired_holds() to service_role;

create function app.proposal_expire_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public.expire_proposals();
  perform public.release_expired_holds();
end
$$;
comment on function app.proposal_expire_writeback(bigint, jsonb, jsonb) is 'Bridge write-back for proposal.expire: expires overdue proposals and releases expired holds (no provider call).';
grant execute on function app.proposal_expire_writeback(bigint, jsonb, jsonb) to service_role;

create function app.payment_remind_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  select null::void from public.send_payment_reminders(coalesce((p_payload ->> 'days_ahead')::integer, 3))
$$;
comment on function app.payment_remind_writeback(bigint, jsonb, jsonb) is 'Bridge write-back for payment.remind: the work itself (no provider call).';
grant execute on function app.payment_remind_writeback(bigint, jsonb, jsonb) to service_role;

-- Recurring jobs ------------------------------------------------------------------------------

select bridge.register_kind('proposal.expire', 'maintenance', 'app.proposal_expire_writeback(bigint, jsonb, jsonb)'::regprocedure, null, 3, 60, 1);
select bridge.register_kind('payment.remind', 'maintenance', 'app.payment_remind_writeback(bigint, jsonb, jsonb)'::regprocedure, null, 3, 60, 1);

-- ECB publishes around 16:00 CET; fetch at 16:30 UTC.
select bridge.upsert_schedule('fx.sync.daily', 'fx.sync', interval '1 day', interval '16 hours 30 minutes', '{"source": "ECB"}');
select bridge.upsert_schedule('proposal.expire.hourly', 'proposal.expire', interval '1 hour');
select bridge.upsert_schedule('payment.remind.daily', 'payment.remind', interval '1 day', interval '8 hours', '{"days_ahead": 3}');
