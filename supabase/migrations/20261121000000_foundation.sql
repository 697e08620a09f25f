-- Foundation: the schemas every later migration builds on, and the privilege defaults that make
-- "nothing is callable unless granted" true from the first function on.
--
--   public     the exposed API: RPC functions the frontend calls (no tables live here)
--   app        business tables and internal helpers, never exposed over HTTP
--   bridge     the side-effect job runtime (see 20261121000100_bridge.sql)
--   extensions extension objects, as on Supabase

-- Schemas -------------------------------------------------------------------------------------
create schema if not exists extensions;
create schema if not exists app;
create schema if not exists bridge;

comment on schema app is 'Banquet business tables and internal helpers; not exposed over HTTP.';
comment on schema bridge is 'Banquet job runtime: outbox, leases, retries, schedules.';

-- btree_gist lets one exclusion constraint combine a space id (=) with a time range (&&):
-- that is how a space can never be double booked.
create extension if not exists btree_gist with schema extensions;

-- Privileges ----------------------------------------------------------------------------------
-- Functions are executable by PUBLIC by default in PostgreSQL. Revoke that for everything this
-- project creates, so each function must grant EXECUTE to the roles that may call it.
alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;

-- The API schema is reachable by the request roles; what they may run is granted per function.
grant usage on schema public to anon, authenticated, service_role;
-- Internal schemas: policies and definer functions reach into them; request roles get USAGE so
-- RLS-guarded table privileges can be granted per table, never blanket.
grant usage on schema app to authenticated, service_role;
grant usage on schema bridge to service_role;
grant usage on schema extensions to anon, authenticated, service_role;
