-- Banquet: every policy names the role it is for ("to authenticated"). A policy without TO
-- applies to PUBLIC, so it is also evaluated for anon and for roles added later — and it reads
-- ambiguously in review.
select
    'policy_names_role' as rule,
    format('%I.%I policy %I', n.nspname, c.relname, p.polname) as object,
    'policy applies to PUBLIC (add: to authenticated | anon | service_role)' as detail
from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_temp.lint_schemas n on n.oid = c.relnamespace
where p.polroles = array[0::oid]
order by 2;
