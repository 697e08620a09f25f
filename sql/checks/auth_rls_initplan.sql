-- splinter 0003 auth_rls_initplan (performance): auth.uid()/auth.jwt()/auth.role()/auth.email()
-- or current_setting() called bare in a policy is re-evaluated for every row; wrapped as
-- (select auth.uid()) the planner runs it once per statement as an InitPlan.
-- Relies on _scope.sql's empty search_path, so pg_get_expr() prints "auth.uid()".
with policies as (
    select
        n.nspname, c.relname, p.polname,
        pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
        pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_catalog.pg_policy p
        join pg_catalog.pg_class c on c.oid = p.polrelid
        join pg_temp.lint_schemas n on n.oid = c.relnamespace
    where c.relrowsecurity
),
bare_calls as (
    select policies.*, expr, which
    from policies,
        lateral (values (qual, 'USING'), (with_check, 'WITH CHECK')) as e(expr, which)
    where
        -- a call, minus those directly wrapped in a scalar sub-select
        expr ~ '(auth\.(uid|jwt|role|email)|current_setting)\('
        and regexp_replace(lower(expr), 'select\s+(auth\.(uid|jwt|role|email)|current_setting)\(', '', 'g')
            ~ '(auth\.(uid|jwt|role|email)|current_setting)\('
)
select
    'auth_rls_initplan' as rule,
    format('%I.%I policy %I', nspname, relname, polname) as object,
    string_agg(format('%s re-evaluates per row: %s', which, expr), '; ' order by which)
        || ' (wrap as (select auth.<function>()))' as detail
from bare_calls
group by nspname, relname, polname
order by 2;
