-- splinter 0001 unindexed_foreign_keys (performance): a foreign key without an index on its
-- columns makes every delete/update of the referenced row scan the referencing table, and every
-- join or RLS filter on it a sequential scan.
-- Stricter than splinter about what covers, kinder about how: any valid, non-partial index whose
-- leading columns are exactly the key's columns (in any order) covers it, so (organization_id,
-- created_at) covers a key on organization_id; splinter demands an index on the key alone.
with foreign_keys as (
    select ct.conrelid, ct.conname, ct.conkey
    from pg_catalog.pg_constraint ct
        join pg_catalog.pg_class cl on cl.oid = ct.conrelid
        join pg_temp.lint_schemas n on n.oid = cl.relnamespace
    where ct.contype = 'f'
        and ct.conparentid = 0   -- a partition's inherited copy is covered by its parent's index
        and not pg_temp.lint_is_extension_member('pg_class', cl.oid)
)
select
    'unindexed_foreign_keys' as rule,
    format('%s constraint %I', fk.conrelid::regclass, fk.conname) as object,
    format('no index leads with (%s)',
           (select string_agg(quote_ident(a.attname), ', ' order by k.ord)
            from unnest(fk.conkey) with ordinality as k(attnum, ord)
                join pg_catalog.pg_attribute a on a.attrelid = fk.conrelid and a.attnum = k.attnum)) as detail
from foreign_keys fk
where not exists (
    select 1
    from pg_catalog.pg_index i
    where i.indrelid = fk.conrelid
        and i.indisvalid
        and i.indpred is null
        and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(fk.conkey)] @> fk.conkey
        and cardinality(fk.conkey) <= i.indnkeyatts
)
order by 2;
