#!/usr/bin/env bash
# Static analysis of every PL/pgSQL function of ours with plpgsql_check: unknown columns and
# tables, type mismatches, wrong arity, dead code, unused variables — the errors PostgreSQL
# itself only reports when a branch finally runs.
#
#   DATABASE_URL=postgres://… scripts/plpgsql-check.sh
#
# "Ours" is every schema sql/checks/_scope.sql admits (public, app, bridge, and any added later).
# A trigger function is checked once per table a trigger attaches it to, against that table's row
# type and transition tables (NEW/OLD and REFERENCING only resolve against a relation).
#
# Errors fail the run (exit 1). Warnings are printed and do not: plpgsql_check also warns about
# style (an unused parameter kept for a stable API, an implicit cast), and those are judgement
# calls for review. PLPGSQL_CHECK_EXTRA=1 adds the "extra" warnings (never-read variables, …),
# PLPGSQL_CHECK_PERFORMANCE=1 the performance ones.
#
# The extension is created inside a transaction that is rolled back, so the database is left
# exactly as migrated (the server must load plpgsql_check: shared_preload_libraries or on demand).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${DATABASE_URL:?set DATABASE_URL to a migrated database}"
extra=$([[ -n "${PLPGSQL_CHECK_EXTRA:-}" ]] && echo true || echo false)
perf=$([[ -n "${PLPGSQL_CHECK_PERFORMANCE:-}" ]] && echo true || echo false)

out="$(psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -A -t -F $'\x1f' \
  -v extra="$extra" -v perf="$perf" -f "$ROOT/sql/checks/_scope.sql" -f - <<'SQL'
set client_min_messages = warning;
begin;
create schema if not exists extensions;
create extension if not exists plpgsql_check schema extensions;
select extnamespace::regnamespace as ext from pg_catalog.pg_extension where extname = 'plpgsql_check' \gset

create temp view targets as
select
    p.oid,
    format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as fn,
    p.prorettype,
    t.tgrelid,
    t.tgoldtable,
    t.tgnewtable
from pg_catalog.pg_proc p
    join pg_temp.lint_schemas n on n.oid = p.pronamespace
    join pg_catalog.pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
    left join lateral (
        select distinct tg.tgrelid, tg.tgoldtable, tg.tgnewtable
        from pg_catalog.pg_trigger tg
        where tg.tgfoid = p.oid and p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype
    ) t on true
where not pg_temp.lint_is_extension_member('pg_proc', p.oid);

-- one summary row, then one row per issue: level, function, relation, line, sqlstate, message, hint
-- (fields separated by \x1f, not tab: `read` collapses runs of whitespace separators, losing empty ones)
select 'summary', count(distinct oid), count(tgrelid), '', '', '', '' from targets;

select
    'warning', fn, '', '', '',
    case when prorettype = 'pg_catalog.event_trigger'::pg_catalog.regtype
         then 'event trigger function: not checked'
         else 'trigger function not attached to any table: not checked (needs a relation for NEW/OLD)' end,
    ''
from targets
where prorettype in ('pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype)
    and tgrelid is null;

select
    case when r.level = 'error' then 'error' else 'warning' end,
    t.fn,
    coalesce(t.tgrelid::regclass::text, ''),
    coalesce(r.lineno::text, ''),
    coalesce(r.sqlstate, ''),
    r.level || ': ' || r.message || coalesce(' — ' || nullif(r.detail, ''), ''),
    coalesce(r.hint, '')
from targets t,
    lateral :"ext".plpgsql_check_function_tb(
        t.oid, coalesce(t.tgrelid, 0),
        fatal_errors := false, other_warnings := true,
        extra_warnings := :extra, performance_warnings := :perf,
        oldtable := t.tgoldtable, newtable := t.tgnewtable) r
where t.prorettype <> 'pg_catalog.event_trigger'::pg_catalog.regtype
    and (t.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype or t.tgrelid is not null)
order by 1, 2, 3, 4;
rollback;
SQL
)"

functions=0 bindings=0 errors=0 warnings=0
while IFS=$'\x1f' read -r level fn rel line sqlstate message hint; do
  case "$level" in
    summary) functions="$fn" bindings="$rel"; continue ;;
    error) errors=$((errors + 1)) ;;
    warning) warnings=$((warnings + 1)) ;;
    *) continue ;;
  esac
  where="$fn${rel:+ on $rel}${line:+ line $line}"
  printf '%-8s %s\n         %s%s\n' "${level^^}" "$where" "$message" "${sqlstate:+ [$sqlstate]}"
  if [[ -n "$hint" ]]; then printf '         hint: %s\n' "$hint"; fi
done <<<"$out"

echo "plpgsql_check: $functions functions ($bindings trigger bindings), $errors errors, $warnings warnings"
[[ $errors -eq 0 ]]
