-- splinter 0010 security_definer_view (ERROR, security): a view runs with its owner's rights
-- unless created "with (security_invoker = true)", so one readable by anon or authenticated
-- bypasses the RLS of every table beneath it.
select
    'security_definer_view' as rule,
    format('%I.%I', n.nspname, c.relname) as object,
    'view is readable by anon/authenticated and runs as its owner (add: with (security_invoker = true))' as detail
from pg_catalog.pg_class c
    join pg_temp.lint_schemas n on n.oid = c.relnamespace
where c.relkind in ('v', 'm')
    and (pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
         or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))
    and not pg_temp.lint_is_extension_member('pg_class', c.oid)
    and not (lower(coalesce(c.reloptions::text, '{}'))::text[]
             && array['security_invoker=1', 'security_invoker=true', 'security_invoker=yes', 'security_invoker=on'])
order by 2;
