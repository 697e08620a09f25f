-- splinter 0011 function_search_path_mutable (security): a function without its own search_path
-- resolves unqualified names through the caller's, which a caller can point at objects of its own.
select
    'function_search_path_mutable' as rule,
    format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as object,
    'function does not set search_path (add: set search_path = '''')' as detail
from pg_catalog.pg_proc p
    join pg_temp.lint_schemas n on n.oid = p.pronamespace
where p.prokind in ('f', 'p')
    and not pg_temp.lint_is_extension_member('pg_proc', p.oid)
    and not exists (
        select 1 from unnest(coalesce(p.proconfig, '{}')) as config
        where config like 'search_path=%'
    )
order by 2;
