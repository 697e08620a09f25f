-- Realtime Authorization for private channels, as on Supabase: RLS policies on realtime.messages
-- decide who may join (SELECT) and send (INSERT) on a topic. A private channel named
-- `org:<organization id>:<anything>` (a conversation's presence, a team's broadcast) belongs to
-- that organization: its members may receive and send; nobody else may join it.
--
-- realtime.messages and realtime.topic() are the platform's (sql/platform/30_realtime.sql stands
-- in for them on plain PostgreSQL); the gateway checks each join and send in a transaction it
-- rolls back, with `realtime.topic` set to the channel's topic.

set local lock_timeout = '5s';

-- Functions -----------------------------------------------------------------------------------

create function app.channel_organization_id(p_topic text) returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when p_topic ~ '^org:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(:|$)'
    then substr(p_topic, 5, 36)::uuid
  end
$$;
comment on function app.channel_organization_id(text) is
  'The organization a realtime topic `org:<uuid>[:…]` belongs to; null for any other topic. Used by realtime.messages policies.';
grant execute on function app.channel_organization_id(text) to authenticated, service_role;

-- RLS policies --------------------------------------------------------------------------------

create policy "Members can receive their organization's channel messages" on realtime.messages
  for select to authenticated
  using (
    extension in ('broadcast', 'presence')
    and app.channel_organization_id((select realtime.topic())) in (select app.user_organization_ids())
  );

create policy "Members can send to their organization's channels" on realtime.messages
  for insert to authenticated
  with check (
    extension in ('broadcast', 'presence')
    and app.channel_organization_id((select realtime.topic())) in (select app.user_organization_ids())
  );
