#!/usr/bin/env bash
# Prove the generative bad-input check (supabase/tests/database/920_generative_bad_input.sql)
# catches what it claims to: in a scratch copy of the migrated template database, plant public
# RPCs that break each promise, run the check, and assert it fails naming each of them:
#
#   public.planted_raw_error(p_name text)         lets a raw check/not-null constraint error through
#   public.planted_partial_write(p_venue_id uuid)  writes a row, then raises a Banquet error
#   public.planted_hang()                          sleeps past the 5 s statement_timeout
#   public.planted_leak(p_venue_id uuid)           returns any organization's venue to anyone
#
# Nothing in the check names these functions: it finds them in pg_catalog like any new RPC.
# The scratch database is dropped afterwards.
#
#   ADMIN_URL=postgres://postgres@127.0.0.1:54330/postgres TEMPLATE_DB=banquet_template scripts/test-generative-check.sh
#
# ADMIN_URL must be a superuser connection (it creates and drops the scratch database);
# TEMPLATE_DB is a database with sql/platform and every migration applied (make test-db builds it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADMIN_URL="${ADMIN_URL:-${DATABASE_URL:?set ADMIN_URL or DATABASE_URL}}"
ADMIN_URL="${ADMIN_URL%/*}/postgres"
TEMPLATE_DB="${TEMPLATE_DB:-banquet_template}"
SCRATCH="banquet_gencheck_$$"
SCRATCH_URL="${ADMIN_URL%/*}/$SCRATCH"

psql_admin() { psql "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() { psql_admin -c "drop database if exists $SCRATCH with (force)" >/dev/null 2>&1 || true; }
trap cleanup EXIT

psql_admin -c "create database $SCRATCH template $TEMPLATE_DB"
psql "$SCRATCH_URL" -X -q -v ON_ERROR_STOP=1 -c "set client_min_messages = warning" -f "$ROOT/sql/test-helpers.sql" >/dev/null

psql "$SCRATCH_URL" -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
-- A raw constraint error: no validation before the insert, so '' or 10,240 characters hit
-- organizations_name_check and null hits the not-null constraint.
create function public.planted_raw_error(p_name text)
returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into app.organizations (name) values (p_name) returning id
$$;
grant execute on function public.planted_raw_error(text) to authenticated;

-- A partial write: the row is written first and the argument refused afterwards.
create function public.planted_partial_write(p_venue_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update app.venues set name = name where id = p_venue_id;
  raise exception using errcode = 'BQ001', message = 'p_venue_id checked only after writing';
end
$$;
grant execute on function public.planted_partial_write(uuid) to authenticated;

-- A hang: longer than the check's statement_timeout.
create function public.planted_hang()
returns void
language sql
set search_path = ''
as $$
  select pg_catalog.pg_sleep(6)
$$;
grant execute on function public.planted_hang() to authenticated;

-- A leak: a definer function that forgets to check membership.
create function public.planted_leak(p_venue_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('id', v.id, 'name', v.name) from app.venues v where v.id = p_venue_id
$$;
grant execute on function public.planted_leak(uuid) to authenticated;
SQL

output="$(pg_prove -d "$SCRATCH_URL" "$ROOT/supabase/tests/database/920_generative_bad_input.sql" 2>&1)" && rc=0 || rc=$?

passed=0 failed=0
expect() {  # expect <description> <grep -E pattern>
  if grep -qE -- "$2" <<<"$output"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
expect "the raw constraint error is reported" 'planted_raw_error as owner_a \(p_name: (empty|oversized)\): 23514'
expect "the raw not-null error is reported" 'planted_raw_error as owner_a \(p_name: null\): 23502'
expect "the write before the error is reported" 'planted_partial_write as owner_a \(baseline\): [0-9]+ row\(s\) written before the error'
expect "the hang is reported" 'planted_hang as owner_a \(baseline\)'
expect "the raw-error assertion fails" 'Failed test 2: "every error is a Banquet SQLSTATE'
expect "the write assertion fails" 'Failed test 3: "no call writes anything when it errors'
expect "the hang assertion fails" 'Failed test 4: "no call hangs'
expect "the leak is reported" 'planted_leak as owner_b returned org A.s row'
expect "the leak assertion fails" 'Failed test 7: "another tenant.s calls return nothing of org A.s'
expect "the summary counts them" '# generative check: [0-9]+ functions, [0-9]+ calls .*, [1-9][0-9]* raw errors, [1-9][0-9]* writes on error, [1-9][0-9]* hangs'
if [[ $rc -ne 0 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: pg_prove exited 0 on the planted functions"; fi

if [[ $failed -gt 0 || -n "${VERBOSE:-}" ]]; then echo "$output"; fi
grep -E '^# generative check:' <<<"$output" | sed 's/^# /planted run: /' || true
echo "test-generative-check: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
