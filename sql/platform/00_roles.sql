-- Platform stand-in: the roles Supabase creates. Applied only on plain PostgreSQL (never on
-- Supabase, which already has them); idempotent, so a second `banquet migrate` is a no-op.
-- Roles are cluster-wide while the runner's advisory lock is per database, so two runners
-- migrating different databases of one cluster (parallel tests) can race here: a role created
-- by the other runner in the meantime is fine, hence the exception handlers.
do $$
declare
  r record;
begin
  for r in
    select * from (values
      ('anon', 'nologin noinherit'),
      ('authenticated', 'nologin noinherit'),
      ('service_role', 'nologin noinherit bypassrls'),
      -- The gateway logs in as authenticator and switches role per request (SET LOCAL ROLE), as PostgREST does.
      ('authenticator', 'login noinherit')
    ) as roles(name, options)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      begin
        execute format('create role %I %s', r.name, r.options);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end
$$;

grant anon, authenticated, service_role to authenticator;
