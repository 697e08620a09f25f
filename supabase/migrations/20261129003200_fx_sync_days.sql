-- FX sync: the ECB publishes a daily file and a 90-day history. The fx.sync write-back now takes
-- several days at once ({"source", "days": [{"as_of", "rates"}]}, the single-day form still works),
-- enqueues the 90-day backfill the first time rates arrive on an empty table, and raises an alarm
-- when the newest published rates are more than four business days old (the daemon flags it as
-- "stale"): staff of organizations with open proposals in a foreign currency are notified once a
-- day, since those proposals are priced from rates that no longer move. Weekends and TARGET
-- holidays need nothing here: app.fx_rate uses the latest rate on or before a date.
--
-- Error codes: BQ001 (from upsert_fx_rates).

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function app.fx_sync_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_was_empty boolean := not exists (select 1 from app.fx_rates);
  v_source text := coalesce(p_result ->> 'source', 'ECB');
  v_day jsonb;
begin
  if p_result ? 'days' then
    for v_day in select d from jsonb_array_elements(p_result -> 'days') d order by d ->> 'as_of' loop
      perform public.upsert_fx_rates(v_day -> 'rates', (v_day ->> 'as_of')::date, v_source);
    end loop;
  else
    perform public.upsert_fx_rates(p_result -> 'rates', coalesce((p_result ->> 'as_of')::date, current_date), v_source);
  end if;
  -- First rates ever: fetch the history too, so past dates convert.
  if v_was_empty and coalesce(p_payload ->> 'history', '') = '' then
    perform bridge.enqueue('fx.sync', jsonb_build_object('source', v_source, 'history', '90d'), null, 'fx.sync:backfill');
  end if;
  if (p_result ->> 'stale')::boolean then
    insert into app.notifications (organization_id, kind, title, body)
    select distinct p.organization_id, 'fx.stale', 'Exchange rates are out of date',
           format('The newest %s rates are from %s, more than four business days ago; proposals in foreign currencies use them until new rates arrive.',
                  v_source, p_result ->> 'newest')
    from app.proposals p join app.venues v on v.id = p.venue_id
    where p.status in ('draft', 'ready', 'sent') and p.currency <> v.currency
      and not exists (select 1 from app.notifications n
                      where n.organization_id = p.organization_id and n.kind = 'fx.stale' and n.created_at > now() - interval '1 day');
  end if;
end
$$;
comment on function app.fx_sync_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for fx.sync: p_result {"source", "days": [{"as_of", "rates"}], "stale"?, "newest"?} (or one day as {"as_of", "rates"}); '
  'the first rates enqueue the 90-day backfill; stale rates notify affected organizations once a day.';
