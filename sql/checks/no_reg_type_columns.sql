-- pg_upgrade refuses a cluster whose user tables hold columns of the reg* types that store OIDs
-- of objects a major upgrade renumbers (regproc, regprocedure, regoper, regoperator, regconfig,
-- regdictionary, regnamespace, regcollation); regclass, regrole and regtype are carried. Supabase's
-- database linter warns on the same thing. Store the object's qualified name as text and resolve
-- it when it is used.
select
    'no_reg_type_columns' as rule,
    format('%I.%I.%I', n.nspname, c.relname, a.attname) as object,
    format('column has type %s, which pg_upgrade cannot carry (store the qualified name as text)', a.atttypid::regtype) as detail
from pg_catalog.pg_attribute a
    join pg_catalog.pg_class c on c.oid = a.attrelid
    join pg_temp.lint_schemas n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'm')
    and a.attnum > 0 and not a.attisdropped
    and a.atttypid in ('pg_catalog.regproc'::pg_catalog.regtype, 'pg_catalog.regprocedure'::pg_catalog.regtype,
                       'pg_catalog.regoper'::pg_catalog.regtype, 'pg_catalog.regoperator'::pg_catalog.regtype,
                       'pg_catalog.regconfig'::pg_catalog.regtype, 'pg_catalog.regdictionary'::pg_catalog.regtype,
                       'pg_catalog.regnamespace'::pg_catalog.regtype, 'pg_catalog.regcollation'::pg_catalog.regtype)
    and not pg_temp.lint_is_extension_member('pg_class', c.oid)
order by 2;
