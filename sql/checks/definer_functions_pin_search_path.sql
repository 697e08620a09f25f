-- Banquet: a SECURITY DEFINER function pins search_path to exactly '' and qualifies every name.
-- Stricter than function_search_path_mutable, which accepts any search_path: "public, app" would
-- still let an object created in public shadow a pg_catalog one inside a privileged function.
select
    'definer_functions_pin_search_path' as rule,
    format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as object,
    format('SECURITY DEFINER with %s (want: set search_path = '''')',
           coalesce((select c from unnest(p.proconfig) c where c like 'search_path=%'), 'no search_path')) as detail
from pg_catalog.pg_proc p
    join pg_temp.lint_schemas n on n.oid = p.pronamespace
where p.prosecdef
    and not pg_temp.lint_is_extension_member('pg_proc', p.oid)
    and not ('search_path=""' = any (coalesce(p.proconfig, '{}')))
order by 2;
