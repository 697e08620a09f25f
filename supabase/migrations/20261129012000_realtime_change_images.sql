-- Realtime: the feed carries each change's row image. Until now the daemon read the changed row
-- at delivery time, so two quick updates of one row could both arrive carrying the second state
-- (and a filter on the first state missed it). The capture trigger now also stores to_jsonb(new)
-- for INSERT and UPDATE, written in the same transaction as the change; the daemon sends that
-- image and uses its read under the subscriber group's RLS only as the permission (the current
-- row must still be visible to the group — the check Supabase's Postgres Changes makes too).
-- Rows written before this migration have no image; the daemon reads those as before.
--
-- The images stay as long as the feed rows do (one hour, changefeed.prune_changes). Clients never
-- read the feed (no grants, RLS without policies), so a row's image is only ever sent to a
-- subscriber the row's own RLS lets read it.

set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

-- Nullable and without a default: a catalogue-only change, no table rewrite.
alter table changefeed.changes add column record jsonb;
comment on column changefeed.changes.record is
  'The row as the change left it (to_jsonb(new)), for INSERT and UPDATE; null for DELETE, memberships, and rows captured before 20261129012000.';
comment on table changefeed.changes is
  'One row per changed row of a watched table, written in the writing transaction, with the row image. The daemon sends the image to the '
  'subscriber groups whose RLS lets them read the row.';

-- Functions -----------------------------------------------------------------------------------

create or replace function changefeed.tg__capture_change() returns trigger
language plpgsql
security definer
set search_path = ''
-- The image's timestamps in UTC, whatever the writing session's TimeZone.
set timezone = 'UTC'
as $$
begin
  if tg_op = 'DELETE' then
    insert into changefeed.changes (table_name, op, organization_id, record_id, user_id)
    values (tg_table_name, tg_op, old.organization_id, old.id,
            case when tg_nargs > 0 then (to_jsonb(old) ->> tg_argv[0])::uuid end);
  else
    insert into changefeed.changes (table_name, op, organization_id, record_id, user_id, record)
    values (tg_table_name, tg_op, new.organization_id, new.id,
            case when tg_nargs > 0 then (to_jsonb(new) ->> tg_argv[0])::uuid end,
            to_jsonb(new));
  end if;
  return null;
end
$$;
comment on function changefeed.tg__capture_change() is
  'Trigger (after row): record the change of a watched row in changefeed.changes — table, operation, organization, id, the '
  'column named by the trigger''s argument as the addressed user, and the row image for INSERT and UPDATE. Security definer: '
  'writers have no access to the feed.';
