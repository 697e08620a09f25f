-- Realtime: a change feed for the gateway's /realtime/v1 postgres_changes. An AFTER ROW trigger
-- on each table a dashboard watches (proposals, bookings, payments, inquiries, conversations,
-- messages, notifications) writes a small row to changefeed.changes in the same transaction as the
-- write, and a statement-level trigger sends NOTIFY realtime as a wake-up hint. Neither carries the
-- row itself (NOTIFY's payload is limited to 8000 bytes): the daemon reads new feed rows by id and
-- then each changed row as a representative subscriber, under that subscriber's RLS
-- (docs/realtime.md). Memberships are captured too, so the daemon re-reads who belongs where.
--
-- The schema is `changefeed`, not `realtime`: on Supabase the platform owns `realtime`.
-- Feed rows are pruned by the daemon (changefeed.prune_changes, every minute; one hour kept), and
-- changefeed.state remembers the newest id pruned, so a daemon that fell further behind than that
-- knows it missed changes and tells its clients to resubscribe.

set local lock_timeout = '5s';

-- Schema --------------------------------------------------------------------------------------

create schema changefeed;
comment on schema changefeed is 'Row changes for realtime delivery: written by triggers, read and pruned by the daemon. No client access.';
grant usage on schema changefeed to service_role;

-- Tables --------------------------------------------------------------------------------------

create table changefeed.changes (
  id bigint generated always as identity primary key,
  changed_at timestamptz not null default clock_timestamp(),
  table_name text not null,
  op text not null check (op in ('INSERT', 'UPDATE', 'DELETE')),
  organization_id uuid not null,
  record_id uuid,
  user_id uuid
);
comment on table changefeed.changes is
  'One row per changed row of a watched table, written in the writing transaction. Ids, not rows: the daemon reads the row under RLS.';
comment on column changefeed.changes.changed_at is 'When the trigger ran (clock time inside the writing transaction); sent as commit_timestamp.';
comment on column changefeed.changes.record_id is 'The changed row''s primary key; null for memberships (keyed by organization and user).';
comment on column changefeed.changes.user_id is
  'The one user the row is meant for, when its read policy names one (notifications.user_id, a membership''s user); else null.';

-- Pruning scans by time; the table is new and empty, so a plain index is safe here.
-- squawk-ignore require-concurrent-index-creation
create index changes_changed_at_idx on changefeed.changes (changed_at);

create table changefeed.state (
  singleton boolean primary key default true check (singleton),
  pruned_through bigint not null default 0
);
comment on table changefeed.state is 'One row: the newest feed id ever pruned. A reader whose last delivered id is older missed changes.';
insert into changefeed.state default values;

alter table changefeed.changes enable row level security;
alter table changefeed.state enable row level security;
-- No policies: clients never read the feed; the daemon connects as the table owner.
grant select on changefeed.changes, changefeed.state to service_role;

-- Functions -----------------------------------------------------------------------------------

create function changefeed.tg__capture_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    insert into changefeed.changes (table_name, op, organization_id, record_id, user_id)
    values (tg_table_name, tg_op, old.organization_id, old.id,
            case when tg_nargs > 0 then (to_jsonb(old) ->> tg_argv[0])::uuid end);
  else
    insert into changefeed.changes (table_name, op, organization_id, record_id, user_id)
    values (tg_table_name, tg_op, new.organization_id, new.id,
            case when tg_nargs > 0 then (to_jsonb(new) ->> tg_argv[0])::uuid end);
  end if;
  return null;
end
$$;
comment on function changefeed.tg__capture_change() is
  'Trigger (after row): record the change of a watched row in changefeed.changes — table, operation, organization, id, and the '
  'column named by the trigger''s argument as the addressed user. Security definer: writers have no access to the feed.';

create function changefeed.tg_memberships__capture_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    insert into changefeed.changes (table_name, op, organization_id, user_id) values (tg_table_name, tg_op, old.organization_id, old.user_id);
  else
    insert into changefeed.changes (table_name, op, organization_id, user_id) values (tg_table_name, tg_op, new.organization_id, new.user_id);
  end if;
  return null;
end
$$;
comment on function changefeed.tg_memberships__capture_change() is
  'Trigger (after row): record that a user''s membership changed (joined, role changed, removed), so the daemon re-reads that user''s '
  'organizations before it delivers anything later in the feed.';

create function changefeed.tg__notify() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A constant payload: PostgreSQL folds identical notifications of one transaction into one.
  perform pg_notify('realtime', '');
  return null;
end
$$;
comment on function changefeed.tg__notify() is
  'Trigger (after statement): NOTIFY realtime, a wake-up hint for the daemon; the daemon also polls and catches up after reconnecting.';

create function changefeed.prune_changes(p_keep interval default interval '1 hour', p_limit integer default 10000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_pruned integer;
  v_newest bigint;
begin
  if p_keep is null or p_keep < interval '1 minute' or p_limit is null or p_limit < 1 then
    raise exception using errcode = 'BQ001', message = 'prune_changes keeps at least a minute and deletes at least one row per call';
  end if;
  with doomed as (
    select c.id from changefeed.changes c where c.changed_at < now() - p_keep order by c.id limit p_limit
  ), deleted as (
    delete from changefeed.changes c using doomed d where c.id = d.id returning c.id
  )
  select count(*), max(deleted.id) into v_pruned, v_newest from deleted;
  if v_newest is not null then
    update changefeed.state s set pruned_through = greatest(s.pruned_through, v_newest) where s.singleton;
  end if;
  return v_pruned;
end
$$;
comment on function changefeed.prune_changes(interval, integer) is
  'Delete up to p_limit feed rows older than p_keep and raise changefeed.state.pruned_through; returns the rows deleted. '
  'The gateway calls it every minute. Service role only.';
grant execute on function changefeed.prune_changes(interval, integer) to service_role;

-- Triggers ------------------------------------------------------------------------------------
-- Named _900/_910 so they run after every business trigger of the table (AFTER triggers fire in
-- name order); notifications carry their addressed user (user_id) for the delivery groups.

create trigger _900_capture_realtime_change after insert or update or delete on app.proposals
  for each row execute function changefeed.tg__capture_change();
create trigger _910_notify_realtime after insert or update or delete on app.proposals
  for each statement execute function changefeed.tg__notify();

create trigger _900_capture_realtime_change after insert or update or delete on app.bookings
  for each row execute function changefeed.tg__capture_change();
create trigger _910_notify_realtime after insert or update or delete on app.bookings
  for each statement execute function changefeed.tg__notify();

create trigger _900_capture_realtime_change after insert or update or delete on app.payments
  for each row execute function changefeed.tg__capture_change();
create trigger _910_notify_realtime after insert or update or delete on app.payments
  for each statement execute function changefeed.tg__notify();

create trigger _900_capture_realtime_change after insert or update or delete on app.inquiries
  for each row execute function changefeed.tg__capture_change();
create trigger _910_notify_realtime after insert or update or delete on app.inquiries
  for each statement execute function changefeed.tg__notify();

create trigger _900_capture_realtime_change after insert or update or delete on app.conversations
  for each row execute function changefeed.tg__capture_change();
create trigger _910_notify_realtime after insert or update or delete on app.conversations
  for each statement execute function changefeed.tg__notify();

create trigger _900_capture_realtime_change after insert or update or delete on app.messages
  for each row execute function changefeed.tg__capture_change();
create trigger _910_notify_realtime after insert or update or delete on app.messages
  for each statement execute function changefeed.tg__notify();

create trigger _900_capture_realtime_change after insert or update or delete on app.notifications
  for each row execute function changefeed.tg__capture_change('user_id');
create trigger _910_notify_realtime after insert or update or delete on app.notifications
  for each statement execute function changefeed.tg__notify();

create trigger _900_capture_realtime_change after insert or update of role or delete on app.memberships
  for each row execute function changefeed.tg_memberships__capture_change();
create trigger _910_notify_realtime after insert or update of role or delete on app.memberships
  for each statement execute function changefeed.tg__notify();
