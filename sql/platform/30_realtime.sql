-- Platform stand-in: the part of Supabase Realtime's `realtime` schema Banquet uses — the
-- `realtime.messages` table that Realtime Authorization checks private channels against, and
-- `realtime.topic()`, which its RLS policies call. On Supabase the platform owns both; Banquet's
-- migrations only add policies to the table, as a Supabase project does.
create schema if not exists realtime;
comment on schema realtime is 'banquet platform stand-in for Supabase Realtime';
grant usage on schema realtime to anon, authenticated, service_role;

create table if not exists realtime.messages (
  id uuid not null default gen_random_uuid() primary key,
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now()
);
alter table realtime.messages enable row level security;
grant select, insert on realtime.messages to anon, authenticated;
grant all on realtime.messages to service_role;

-- The topic of the channel being authorized; the realtime server sets `realtime.topic` for the
-- transaction in which it checks a join or a send.
create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;
grant execute on function realtime.topic() to anon, authenticated, service_role;
