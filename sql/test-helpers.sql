-- Test helpers for the pgTAP suite (supabase/tests/database). Load ONCE into the test database,
-- after the migrations and before pg_prove; never part of the migration history.
--
--   psql -v ON_ERROR_STOP=1 -d <test db> -f sql/test-helpers.sql
--
-- Each pgTAP file runs in its own transaction and rolls back, so helpers cannot be shared by
-- defining them in a test file; they live here, in schema `tests`.

create extension if not exists pgtap with schema extensions;
-- The foundation revokes EXECUTE from PUBLIC by default, which also hit pgTAP's functions: the
-- tests assert while acting as anon/authenticated/service_role, so those roles need them.
grant execute on all functions in schema extensions to anon, authenticated, service_role;
-- As on Supabase, extension functions resolve without a schema prefix (plan(), is(), throws_ok()).
do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- A user in auth.users (and its profile); returns its id.
create or replace function tests.create_user(p_email text, p_full_name text default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid := gen_random_uuid();
begin
  insert into auth.users (id, aud, role, email, raw_user_meta_data)
  values (v_id, 'authenticated', 'authenticated', lower(p_email), jsonb_build_object('full_name', p_full_name));
  insert into app.profiles (id, full_name) values (v_id, coalesce(p_full_name, split_part(p_email, '@', 1)));
  return v_id;
end
$$;

-- Act as a signed-in user for the rest of the transaction, exactly as the gateway does.
create or replace function tests.act_as(p_user_id uuid)
returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims',
    json_build_object('sub', p_user_id, 'role', 'authenticated',
                      'email', (select email from auth.users where id = p_user_id))::text, true);
  execute 'set local role authenticated';
end
$$;

create or replace function tests.act_as_anon()
returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', json_build_object('role', 'anon')::text, true);
  execute 'set local role anon';
end
$$;

create or replace function tests.act_as_service()
returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', json_build_object('role', 'service_role')::text, true);
  execute 'set local role service_role';
end
$$;

-- Back to the superuser the test started as.
create or replace function tests.reset_role()
returns void
language plpgsql
as $$
begin
  perform set_config('request.jwt.claims', '', true);
  execute 'reset role';
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
