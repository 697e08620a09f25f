-- Shared scope for every check in this directory. scripts/sql-checks.sh runs this file first, in
-- the same session as each check (files starting with "_" are not checks).
--
-- "Ours" is every schema except the platform's and the catalogs', so a schema added later is
-- linted without touching the checks. Objects owned by an extension (pgTAP, plpgsql_check, …) are
-- never ours either; each check filters those through pg_depend.
--
-- search_path is emptied so pg_get_expr() prints every function schema-qualified
-- ("auth.uid()", not "uid()"): auth_rls_initplan depends on that, as splinter's does.
set search_path = '';

create or replace temp view lint_schemas as
select n.oid, n.nspname
from pg_catalog.pg_namespace n
where n.nspname not in (
        'auth', 'storage', 'extensions', 'information_schema', 'supabase_migrations', 'tests',
        -- the rest of a hosted Supabase project's platform schemas
        'cron', 'graphql', 'graphql_public', 'net', 'pgbouncer', 'pgsodium', 'pgsodium_masks',
        'pgtle', 'realtime', 'supabase_functions', 'vault'
    )
    and n.nspname !~ '^pg_';

-- An object owned by an extension (deptype 'e'), e.g. pgTAP installed into public for a test run.
create or replace function pg_temp.lint_is_extension_member(classid regclass, objid oid)
returns boolean language sql stable as $$
    select exists (
        select 1 from pg_catalog.pg_depend d
        where d.classid = $1 and d.objid = $2 and d.deptype = 'e'
    )
$$;

-- A reviewed exemption: the object's COMMENT carries a line "@lint-allow <rule>: <why>".
-- Only checks whose finding can be deliberate honour it (see docs/quality.md).
create or replace function pg_temp.lint_allowed(comment text, rule text)
returns boolean language sql immutable as $$
    select coalesce($1 ~ ('(^|\n)\s*@lint-allow\s+' || $2 || '\M'), false)
$$;
