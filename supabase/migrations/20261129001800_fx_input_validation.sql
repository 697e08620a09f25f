-- Currency conversion validates with the shared helpers (20261129001000_input_validation.sql): an
-- amount within plus or minus app.money_limit() (BQ005; refunds convert as negatives) and a
-- plausible date (BQ006). Report periods were already covered: app.require_period, redefined in
-- 20261129001000, now refuses infinite and implausible dates for every report. Redefined in full.

-- Public functions ----------------------------------------------------------------------------

-- Converts an amount; amount and date within their limits.
create or replace function public.convert_currency(p_amount_minor bigint, p_from text, p_to text, p_as_of date default current_date)
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
  if p_amount_minor not between -app.money_limit() and app.money_limit() then
    raise exception using errcode = 'BQ005', message = format('p_amount_minor must be between -%s and %s minor units', app.money_limit(), app.money_limit()),
      hint = format('Got %s.', p_amount_minor);
  end if;
  perform app.require_date(p_as_of, 'p_as_of');
  return round(p_amount_minor * app.fx_rate(upper(p_from), upper(p_to), p_as_of))::bigint;
end
$$;
comment on function public.convert_currency(bigint, text, text, date) is
  'Converts an amount in minor units between currencies at the latest rate on or before p_as_of (cross via EUR). BQ701 without a rate. Signed-in users.';
grant execute on function public.convert_currency(bigint, text, text, date) to authenticated;
