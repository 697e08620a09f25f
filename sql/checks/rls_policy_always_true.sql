-- splinter 0024 rls_policy_always_true (security): a permissive policy for anon/authenticated/PUBLIC
-- whose USING or WITH CHECK is constant true lets every such caller write every row.
-- As in splinter, "select using (true)" is not flagged: public read access is a legitimate choice.
with policies as (
    select
        n.nspname, c.relname, p.polname, p.polpermissive, p.polroles,
        case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                      when 'd' then 'DELETE' else 'ALL' end as command,
        p.polqual is null as no_qual,
        p.polwithcheck is null as no_check,
        regexp_replace(lower(coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '')), '\s', '', 'g') as qual,
        regexp_replace(lower(coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '')), '\s', '', 'g') as with_check
    from pg_catalog.pg_policy p
        join pg_catalog.pg_class c on c.oid = p.polrelid
        join pg_temp.lint_schemas n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p')
        and c.relrowsecurity
        and p.polpermissive
        and (p.polroles = array[0::oid]
             or exists (select 1 from unnest(p.polroles) r where r::regrole::text in ('anon', 'authenticated')))
),
judged as (
    select *,
        command in ('UPDATE', 'DELETE', 'ALL')
            and (qual in ('true', '(true)', '1=1', '(1=1)') or no_qual) as using_true,
        with_check in ('true', '(true)', '1=1', '(1=1)')
            or (no_check and command = 'INSERT')
            or (no_check and command in ('UPDATE', 'ALL') and qual in ('true', '(true)', '1=1', '(1=1)')) as check_true
    from policies
)
select
    'rls_policy_always_true' as rule,
    format('%I.%I policy %I', nspname, relname, polname) as object,
    format('%s policy for %s is always true in %s', command,
           (select string_agg(case when r = 0 then 'PUBLIC' else r::regrole::text end, ', ') from unnest(polroles) r),
           concat_ws(' and ', case when using_true then 'USING' end, case when check_true then 'WITH CHECK' end)) as detail
from judged
where using_true or check_true
order by 2;
