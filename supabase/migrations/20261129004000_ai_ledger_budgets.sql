-- AI cost ledger and budgets: every LLM call (success or failure) is one app.ai_runs row with the
-- prompt version and a classified outcome; an organization may set a monthly AI budget in USD.
-- The daemon asks app.admit_ai_job before every AI job: over budget, the job stops with a clear
-- status and the owners are notified once per month, while keyword automation (pure SQL) keeps
-- working. Reports group the ledger by day, model or purpose.
--
-- Error codes: BQ001 invalid argument, BQ005 number out of range, 42501 not an owner.
set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

-- The prompt file's version (e.g. proposal_draft.v1) and how the call ended, so a regression is
-- traceable to a prompt and failures can be counted by class. Nullable/defaulted: rows recorded
-- before this migration have neither.
alter table app.ai_runs add column prompt_version text;
alter table app.ai_runs add column outcome text not null default 'ok'
  constraint ai_runs_outcome_check check (outcome in (
    'ok', 'invalid_answer', 'rate_limited', 'unavailable', 'timeout', 'rejected', 'unauthorized', 'out_of_credit', 'error'));
-- Whether cost_usd_micros came from the provider's own report or from our per-model price table.
alter table app.ai_runs add column cost_source text
  constraint ai_runs_cost_source_check check (cost_source in ('provider', 'price_table', 'none'));
comment on column app.ai_runs.prompt_version is 'The versioned prompt file the call used (prompts/<name>.md), e.g. proposal_draft.v1.';
comment on column app.ai_runs.outcome is 'How the call ended: ok, or the failure class (invalid_answer, rate_limited, unavailable, timeout, rejected, unauthorized, out_of_credit, error).';

create table app.ai_budgets (
  organization_id uuid primary key references app.organizations (id) on delete cascade,
  -- USD in millionths, like ai_runs.cost_usd_micros.
  monthly_limit_usd_micros bigint not null check (monthly_limit_usd_micros >= 0),
  -- The first day of the month whose overrun the owners were last told about: one notice a month.
  notified_month date,
  updated_at timestamptz not null default now()
);
comment on table app.ai_budgets is 'An organization''s monthly AI spending limit; over it, AI jobs stop until the next month or a higher limit.';

alter table app.ai_budgets enable row level security;
grant select on app.ai_budgets to authenticated;
grant all on app.ai_budgets to service_role;

-- RLS policies --------------------------------------------------------------------------------

create policy "Managers can read their organization's AI budget" on app.ai_budgets
  for select to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

-- Helpers -------------------------------------------------------------------------------------

create function app.ai_spend_this_month(p_organization_id uuid)
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(sum(r.cost_usd_micros), 0)::bigint
  from app.ai_runs r
  where r.organization_id = p_organization_id and r.created_at >= date_trunc('month', now())
$$;
comment on function app.ai_spend_this_month(uuid) is 'Internal: the organization''s AI spend (USD micros) since the first of the current month.';
grant execute on function app.ai_spend_this_month(uuid) to authenticated, service_role;

-- Public functions ----------------------------------------------------------------------------

create function public.set_ai_budget(p_organization_id uuid, p_monthly_limit_usd_micros bigint)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform app.require_role(p_organization_id, '{owner}');
  if p_monthly_limit_usd_micros is null then
    delete from app.ai_budgets where organization_id = p_organization_id;
    return;
  end if;
  perform app.require_money(p_monthly_limit_usd_micros, 'p_monthly_limit_usd_micros');
  insert into app.ai_budgets (organization_id, monthly_limit_usd_micros)
  values (p_organization_id, p_monthly_limit_usd_micros)
  on conflict (organization_id) do update
    set monthly_limit_usd_micros = excluded.monthly_limit_usd_micros,
        -- A new limit re-arms the notice: the owner hears again if the new limit is overrun too.
        notified_month = null,
        updated_at = now();
end
$$;
comment on function public.set_ai_budget(uuid, bigint) is
  'Sets the organization''s monthly AI budget in USD micros (null removes it: no limit). Owners only.';
grant execute on function public.set_ai_budget(uuid, bigint) to authenticated;

create function public.get_ai_budget(p_organization_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_limit bigint;
  v_spent bigint;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  select b.monthly_limit_usd_micros into v_limit from app.ai_budgets b where b.organization_id = p_organization_id;
  v_spent := app.ai_spend_this_month(p_organization_id);
  return jsonb_build_object(
    'month', date_trunc('month', now())::date,
    'monthly_limit_usd_micros', v_limit,
    'spent_usd_micros', v_spent,
    'remaining_usd_micros', case when v_limit is null then null else greatest(v_limit - v_spent, 0) end,
    'over_budget', coalesce(v_spent >= v_limit, false));
end
$$;
comment on function public.get_ai_budget(uuid) is
  'This month''s AI budget, spend, remaining amount and whether AI jobs are stopped. Owners and managers.';
grant execute on function public.get_ai_budget(uuid) to authenticated;

create function public.report_ai_usage(p_organization_id uuid, p_from date, p_to date, p_group_by text default 'day')
returns table (bucket text, runs bigint, failed bigint, input_tokens bigint, output_tokens bigint, cost_usd_micros bigint, avg_latency_ms integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  perform app.require_period(p_from, p_to);
  if p_group_by is null or p_group_by not in ('day', 'model', 'purpose') then
    raise exception using errcode = 'BQ001', message = format('cannot group AI usage by %L', p_group_by),
      hint = 'Use day, model or purpose.';
  end if;
  return query
    select case p_group_by
             when 'day' then to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD')
             when 'model' then coalesce(r.provider || ':', '') || r.model
             else r.purpose end as bucket,
           count(*)::bigint, count(*) filter (where not r.succeeded)::bigint,
           sum(r.input_tokens)::bigint, sum(r.output_tokens)::bigint, sum(r.cost_usd_micros)::bigint,
           avg(r.latency_ms)::integer
    from app.ai_runs r
    where r.organization_id = p_organization_id
      and r.created_at >= p_from and r.created_at < p_to + 1
    group by 1
    order by 1;
end
$$;
comment on function public.report_ai_usage(uuid, date, date, text) is
  'AI calls, failures, tokens, cost (USD micros) and mean latency in [p_from, p_to], grouped by day (UTC), model or purpose. Owners and managers.';
grant execute on function public.report_ai_usage(uuid, date, date, text) to authenticated;

-- Daemon functions ----------------------------------------------------------------------------

create function public.admit_ai_job(p_organization_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_budget app.ai_budgets;
  v_spent bigint;
  v_month date := date_trunc('month', now())::date;
begin
  select * into v_budget from app.ai_budgets b where b.organization_id = p_organization_id for update;
  if not found then
    return jsonb_build_object('allowed', true);
  end if;
  v_spent := app.ai_spend_this_month(p_organization_id);
  if v_spent < v_budget.monthly_limit_usd_micros then
    return jsonb_build_object('allowed', true, 'spent_usd_micros', v_spent, 'monthly_limit_usd_micros', v_budget.monthly_limit_usd_micros);
  end if;
  if v_budget.notified_month is distinct from v_month then
    insert into app.notifications (organization_id, user_id, kind, title, body)
    select p_organization_id, m.user_id, 'ai.budget_exceeded',
           'AI budget reached: AI drafting, triage and menu extraction are paused',
           format('This month''s AI spend is $%s of a $%s budget. Keyword automation keeps answering; raise the budget to resume AI jobs.',
                  to_char(v_spent / 1e6, 'FM999999990.00'), to_char(v_budget.monthly_limit_usd_micros / 1e6, 'FM999999990.00'))
    from app.memberships m
    where m.organization_id = p_organization_id and m.role = 'owner';
    update app.ai_budgets set notified_month = v_month where organization_id = p_organization_id;
  end if;
  return jsonb_build_object('allowed', false, 'spent_usd_micros', v_spent, 'monthly_limit_usd_micros', v_budget.monthly_limit_usd_micros);
end
$$;
comment on function public.admit_ai_job(uuid) is
  'Daemon: may this organization run an AI job now? {"allowed": false, …} once this month''s spend reaches its budget; the owners are notified once a month. Service role only.';
grant execute on function public.admit_ai_job(uuid) to service_role;

-- squawk-ignore ban-drop-function
drop function public.record_ai_run(text, text, integer, integer, integer, bigint, uuid, bigint, text, text);

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
  p_error text default null,
  p_prompt_version text default null,
  p_outcome text default null,
  p_cost_source text default null
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id bigint;
  v_outcome text := coalesce(p_outcome, case when p_error is null then 'ok' else 'error' end);
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
  if v_outcome not in ('ok', 'invalid_answer', 'rate_limited', 'unavailable', 'timeout', 'rejected', 'unauthorized', 'out_of_credit', 'error') then
    raise exception using errcode = 'BQ001', message = format('%L is not an AI run outcome', p_outcome),
      hint = 'Use ok, invalid_answer, rate_limited, unavailable, timeout, rejected, unauthorized, out_of_credit or error.';
  end if;
  if p_cost_source is not null and p_cost_source not in ('provider', 'price_table', 'none') then
    raise exception using errcode = 'BQ001', message = format('%L is not a cost source', p_cost_source),
      hint = 'Use provider, price_table or none.';
  end if;
  insert into app.ai_runs (organization_id, job_id, purpose, provider, model, input_tokens, output_tokens, latency_ms, cost_usd_micros,
                           succeeded, error, prompt_version, outcome, cost_source)
  values (p_organization_id, p_job_id, p_purpose, p_provider, btrim(p_model), p_input_tokens, p_output_tokens, p_latency_ms,
          p_cost_usd_micros, v_outcome = 'ok', p_error, p_prompt_version, v_outcome, p_cost_source)
  returning id into v_id;
  return v_id;
end
$$;
comment on function public.record_ai_run(text, text, integer, integer, integer, bigint, uuid, bigint, text, text, text, text, text) is
  'Records one LLM call (purpose, model, tokens, latency, cost in USD micros, prompt version, outcome, error if it failed); returns its id. Service role only.';
grant execute on function public.record_ai_run(text, text, integer, integer, integer, bigint, uuid, bigint, text, text, text, text, text) to service_role;
