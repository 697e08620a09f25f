-- splinter 0007 policy_exists_rls_disabled (security): policies were written but RLS is off, so
-- none of them is enforced.
select
    'policy_exists_rls_disabled' as rule,
    format('%I.%I', n.nspname, c.relname) as object,
    format('RLS is not enabled, so its policies are ignored: %s',
           string_agg(quote_ident(p.polname), ', ' order by p.polname)) as detail
from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_temp.lint_schemas n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and not pg_temp.lint_is_extension_member('pg_class', c.oid)
group by n.nspname, c.relname
order by 2;
