-- splinter 0006 multiple_permissive_policies (performance): two permissive policies for the same
-- role and command are OR-ed, and Postgres evaluates both for every row. Merge them into one.
select
    'multiple_permissive_policies' as rule,
    format('%I.%I', n.nspname, c.relname) as object,
    format('role %s has %s permissive %s policies: %s', r.rolname, count(*), act.cmd,
           string_agg(quote_ident(p.polname), ', ' order by p.polname)) as detail
from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_temp.lint_schemas n on n.oid = c.relnamespace
    join pg_catalog.pg_roles r on p.polroles @> array[r.oid] or p.polroles = array[0::oid],
    lateral unnest(case p.polcmd
        when 'r' then array['SELECT']
        when 'a' then array['INSERT']
        when 'w' then array['UPDATE']
        when 'd' then array['DELETE']
        else array['SELECT', 'INSERT', 'UPDATE', 'DELETE']
    end) as act(cmd)
where c.relkind in ('r', 'p')
    and p.polpermissive
    and r.rolname !~ '^pg_'
    and r.rolname not like 'supabase%admin'
    and not r.rolbypassrls
    and not r.rolsuper
group by n.nspname, c.relname, r.rolname, act.cmd
having count(*) > 1
order by 2, 3;
