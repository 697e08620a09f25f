-- splinter 0028 anon_security_definer_function_executable (security): a SECURITY DEFINER function
-- that anon may execute is a privileged, RLS-bypassing operation open to anyone holding the
-- public anon key (POST /rest/v1/rpc/<name>).
-- Banquet's guest endpoints (submit an inquiry, view/accept a proposal by token) are exactly this,
-- on purpose. Such a function says so in its COMMENT with a line
--   @lint-allow anon_security_definer_function_executable: <why it is safe>
-- which a reviewer reads in the migration; every other one is a finding.
select
    'anon_security_definer_function_executable' as rule,
    format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as object,
    'SECURITY DEFINER function is executable by anon; revoke it, make it SECURITY INVOKER, or '
        || 'document why in its COMMENT with "@lint-allow anon_security_definer_function_executable: <reason>"' as detail
from pg_catalog.pg_proc p
    join pg_temp.lint_schemas n on n.oid = p.pronamespace
where p.prosecdef
    and pg_catalog.has_function_privilege('anon', p.oid, 'EXECUTE')
    and not pg_temp.lint_is_extension_member('pg_proc', p.oid)
    and not pg_temp.lint_allowed(pg_catalog.obj_description(p.oid, 'pg_proc'), 'anon_security_definer_function_executable')
order by 2;
