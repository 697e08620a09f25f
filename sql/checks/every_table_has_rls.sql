-- Banquet: every table in every schema of ours has RLS enabled, not only those in public. A table
-- in app or bridge is unreachable over HTTP today, but one grant or definer view away from it;
-- with RLS on and no policy it stays deny-all for every role without BYPASSRLS.
select
    'every_table_has_rls' as rule,
    format('%I.%I', n.nspname, c.relname) as object,
    'RLS is not enabled (alter table … enable row level security)' as detail
from pg_catalog.pg_class c
    join pg_temp.lint_schemas n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and not pg_temp.lint_is_extension_member('pg_class', c.oid)
order by 2;
