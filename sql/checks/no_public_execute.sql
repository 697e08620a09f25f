-- Banquet: no function of ours is executable by PUBLIC (every role, including anon). EXECUTE is
-- granted per function to the roles that may call it. A null proacl means the built-in default,
-- which grants EXECUTE to PUBLIC; otherwise PUBLIC is grantee 0 in the ACL.
select
    'no_public_execute' as rule,
    format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as object,
    case when p.proacl is null
        then 'default privileges: PUBLIC may execute (revoke execute … from public)'
        else 'PUBLIC was granted EXECUTE (revoke execute … from public)'
    end as detail
from pg_catalog.pg_proc p
    join pg_temp.lint_schemas n on n.oid = p.pronamespace
where p.prokind in ('f', 'p')
    and not pg_temp.lint_is_extension_member('pg_proc', p.oid)
    and (p.proacl is null
         or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE'))
order by 2;
