-- Catalog: the database-wide promises of DESIGN.md, proven by walking pg_catalog rather than by
-- listing objects, so every table and function added later is held to them automatically.
-- Each assertion collects its offenders and compares the list with '{}': a failure names them.
-- (scripts/sql-checks.sh runs the same rules, and more, with a fix hint per finding.)
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(7);

-- Our schemas: everything but the platform's and the catalogs' (a new schema is ours by default).
create temp view our_schemas as
select oid, nspname
from pg_namespace
where nspname not in ('auth', 'storage', 'extensions', 'information_schema', 'supabase_migrations', 'tests',
                      'cron', 'graphql', 'graphql_public', 'net', 'pgbouncer', 'pgsodium', 'pgsodium_masks',
                      'pgtle', 'realtime', 'supabase_functions', 'vault')
  and nspname !~ '^pg_';

-- Our functions, minus those an extension owns (pgTAP itself may live in public).
create temp view our_functions as
select p.oid, p.proname, n.nspname, p.prosecdef, p.proconfig, p.proacl,
       format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as signature
from pg_proc p
  join our_schemas n on n.oid = p.pronamespace
where p.prokind in ('f', 'p')
  and not exists (select 1 from pg_depend d
                  where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e');

select is(
  (select coalesce(array_agg(format('%I.%I', n.nspname, c.relname) order by 1), '{}')
   from pg_class c join our_schemas n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p') and not c.relrowsecurity),
  '{}'::text[],
  'every table has row level security enabled'
);

select is(
  (select coalesce(array_agg(signature order by signature), '{}')
   from our_functions
   where prosecdef and not ('search_path=""' = any (coalesce(proconfig, '{}')))),
  '{}'::text[],
  'every SECURITY DEFINER function pins search_path to '''''
);

select is(
  (select coalesce(array_agg(format('%s.%I', ct.conrelid::regclass, ct.conname) order by 1), '{}')
   from pg_constraint ct
     join pg_class c on c.oid = ct.conrelid
     join our_schemas n on n.oid = c.relnamespace
   where ct.contype = 'f' and ct.conparentid = 0
     and not exists (
       select 1 from pg_index i
       where i.indrelid = ct.conrelid and i.indisvalid and i.indpred is null
         and cardinality(ct.conkey) <= i.indnkeyatts
         and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(ct.conkey)] @> ct.conkey)),
  '{}'::text[],
  'every foreign key has an index led by its columns'
);

-- A null proacl is the built-in default, which lets PUBLIC (grantee 0) execute.
select is(
  (select coalesce(array_agg(signature order by signature), '{}')
   from our_functions
   where proacl is null
      or exists (select 1 from aclexplode(proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE')),
  '{}'::text[],
  'no function is executable by PUBLIC'
);

select is(
  (select coalesce(array_agg(signature order by signature), '{}')
   from our_functions
   where nspname = 'public' and coalesce(btrim(obj_description(oid, 'pg_proc')), '') = ''),
  '{}'::text[],
  'every public (API) function has a COMMENT'
);

select is(
  (select coalesce(array_agg(format('%I.%I: %I', n.nspname, c.relname, p.polname) order by 1), '{}')
   from pg_policy p
     join pg_class c on c.oid = p.polrelid
     join our_schemas n on n.oid = c.relnamespace
   where p.polroles = array[0::oid]),
  '{}'::text[],
  'every policy names its role'
);

-- A bare auth.uid() in a policy runs once per row; (select auth.uid()) once per statement.
select is(
  (select coalesce(array_agg(format('%I.%I: %I', schemaname, tablename, policyname) order by 1), '{}')
   from pg_policies
   where schemaname in (select nspname from our_schemas)
     and regexp_replace(coalesce(qual, '') || ' ' || coalesce(with_check, ''),
                        'select\s+auth\.(uid|jwt|role|email)\(', '', 'gi')
         ~ 'auth\.(uid|jwt|role|email)\('),
  '{}'::text[],
  'every policy calls auth functions through (select …)'
);

select * from finish();
rollback;
