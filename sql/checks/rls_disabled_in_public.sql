-- splinter 0013 rls_disabled_in_public (ERROR, security): a table in the API schema `public`
-- without row level security is readable and writable by anyone the table grants reach.
select
    'rls_disabled_in_public' as rule,
    format('%I.%I', n.nspname, c.relname) as object,
    'table is in the exposed schema public but RLS is not enabled' as detail
from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
    and n.nspname = 'public'
    and not c.relrowsecurity
    and not pg_temp.lint_is_extension_member('pg_class', c.oid)
order by 2;
