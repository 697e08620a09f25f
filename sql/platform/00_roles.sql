-- Platform stand-in: the roles Supabase creates. Applied only on plain PostgreSQL (never on
-- Supabase, which already has them); idempotent, so a second `banquet migrate` is a no-op.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    -- The gateway logs in as authenticator and switches role per request (SET LOCAL ROLE), as PostgREST does.
    create role authenticator noinherit login;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;
