#!/usr/bin/env bash
# Prove the lint queries in sql/checks/ (and scripts/plpgsql-check.sh) catch what they claim to:
# build a scratch database with the platform stand-ins, one bad fixture per rule and a set of good
# objects, then assert every rule reports its bad fixture and none reports a good one. The scratch
# database is dropped afterwards.
#
#   ADMIN_URL=postgres://postgres@127.0.0.1:54329/postgres scripts/test-sql-checks.sh
#
# ADMIN_URL must be a superuser connection to any database (it creates and drops the scratch one);
# it defaults to DATABASE_URL with the database swapped for "postgres".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADMIN_URL="${ADMIN_URL:-${DATABASE_URL:?set ADMIN_URL or DATABASE_URL}}"
ADMIN_URL="${ADMIN_URL%/*}/postgres"
SCRATCH="banquet_checks_$$"
SCRATCH_URL="${ADMIN_URL%/*}/$SCRATCH"

psql_admin() { psql "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() { psql_admin -c "drop database if exists $SCRATCH" >/dev/null 2>&1 || true; }
trap cleanup EXIT

psql_admin -c "create database $SCRATCH"
for f in "$ROOT"/sql/platform/*.sql; do psql "$SCRATCH_URL" -X -q -v ON_ERROR_STOP=1 -c "set client_min_messages = warning" -f "$f" >/dev/null; done

psql "$SCRATCH_URL" -X -q -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
create schema app;
alter default privileges revoke execute on functions from public;

-- Bad fixtures: each named for the rule that must catch it -----------------------------------------
create table public.no_rls_in_public (id int primary key);                  -- rls_disabled_in_public, every_table_has_rls
create table app.no_rls (id int primary key);                               -- every_table_has_rls
create table app.policy_without_rls (id int primary key, owner uuid);       -- policy_exists_rls_disabled
create policy "Owners read" on app.policy_without_rls for select to authenticated using (owner = (select auth.uid()));

create table app.parent (id int primary key);
alter table app.parent enable row level security;
create table app.unindexed_child (id int primary key, parent_id int references app.parent (id));   -- unindexed_foreign_keys
alter table app.unindexed_child enable row level security;

create table app.initplan (id int primary key, owner uuid);                 -- auth_rls_initplan
alter table app.initplan enable row level security;
create policy "Bare uid" on app.initplan for select to authenticated using (owner = auth.uid());

create table app.doubled (id int primary key, owner uuid);                  -- multiple_permissive_policies
alter table app.doubled enable row level security;
create policy "First" on app.doubled for select to authenticated using (owner = (select auth.uid()));
create policy "Second" on app.doubled for select to authenticated using (id > 0);

create table app.wide_open (id int primary key);                            -- rls_policy_always_true
alter table app.wide_open enable row level security;
create policy "Anyone updates" on app.wide_open for update to authenticated using (true) with check (true);

create table app.to_public (id int primary key, owner uuid);                -- policy_names_role
alter table app.to_public enable row level security;
create policy "No role named" on app.to_public for select using (owner = (select auth.uid()));

create view public.definer_view as select id from app.parent;               -- security_definer_view
grant select on public.definer_view to authenticated;

create function app.mutable_path() returns int language sql as 'select 1';  -- function_search_path_mutable
create function app.definer_loose_path() returns int language sql security definer
  set search_path = public, app as 'select 1';                               -- definer_functions_pin_search_path
create function app.definer_no_path() returns int language sql security definer
  as 'select 1';                                                             -- both of the above
alter default privileges grant execute on functions to public;
create function public.everyone_may_call() returns int language sql set search_path = '' as 'select 1';  -- no_public_execute
alter default privileges revoke execute on functions from public;
create function public.anon_definer() returns int language sql security definer set search_path = ''
  as 'select 1';                                                             -- anon_security_definer_function_executable
grant execute on function public.anon_definer() to anon;
create table app.oid_column (id int primary key, handler regprocedure, kind regclass);   -- no_reg_type_columns
alter table app.oid_column enable row level security;

-- Good objects: no rule may report any of these -----------------------------------------------------
create table app.good (id int primary key, parent_id int, owner uuid, created_at timestamptz);
alter table app.good add foreign key (parent_id) references app.parent (id);
create index on app.good (parent_id, created_at);      -- a composite index led by the key covers it
alter table app.good enable row level security;
create policy "Owners read their rows" on app.good for select to authenticated using (owner = (select auth.uid()));
create policy "Owners update their rows" on app.good for update to authenticated
  using (owner = (select auth.uid())) with check (owner = (select auth.uid()));
create policy "Anyone reads" on app.parent for select to anon using (true);
create view public.good_view with (security_invoker = true) as select id from app.parent;
grant select on public.good_view to authenticated;
create function public.good_definer() returns int language sql security definer set search_path = ''
  as 'select 1';
grant execute on function public.good_definer() to authenticated;
create function public.good_guest_endpoint() returns int language sql security definer set search_path = ''
  as 'select 1';
grant execute on function public.good_guest_endpoint() to anon;
comment on function public.good_guest_endpoint() is 'Guest form.
@lint-allow anon_security_definer_function_executable: validates its input and writes one row';

-- plpgsql_check fixtures: errors only a run of the broken branch would reveal -----------------------
create function app.plpgsql_bad_column() returns int language plpgsql set search_path = '' as $$
begin
  return (select no_such_column from app.parent limit 1);
end $$;
create function app.tg_parent__bad_new() returns trigger language plpgsql set search_path = '' as $$
begin
  new.no_such_field := 1;
  return new;
end $$;
create trigger _100_bad_new before insert on app.parent for each row execute function app.tg_parent__bad_new();
create function app.plpgsql_good() returns int language plpgsql set search_path = '' as $$
begin
  return (select count(*)::int from app.parent);
end $$;
SQL

report="$(DATABASE_URL="$SCRATCH_URL" "$ROOT/scripts/sql-checks.sh" 2>&1 || true)"

passed=0 failed=0
expect() {  # expect <rule> <object prefix>: the report lists object under rule
  local rule="$1" object="$2"
  if awk -v r="$rule" -v o="$object" '
       /^(ok|FINDING|ERROR) / { cur = $2 }
       cur == r && index($0, "    " o) == 1 { found = 1 }
       END { exit !found }' <<<"$report"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL: $rule did not report $object"
  fi
}
refute() {  # refute <object prefix>: no rule lists it
  if grep -q "^    $1" <<<"$report"; then
    failed=$((failed + 1)); echo "FAIL: good object $1 was reported:"; grep -A1 "^    $1" <<<"$report"
  else
    passed=$((passed + 1))
  fi
}

expect rls_disabled_in_public public.no_rls_in_public
expect every_table_has_rls public.no_rls_in_public
expect every_table_has_rls app.no_rls
expect policy_exists_rls_disabled app.policy_without_rls
expect unindexed_foreign_keys app.unindexed_child
expect auth_rls_initplan 'app.initplan policy "Bare uid"'
expect multiple_permissive_policies app.doubled
expect rls_policy_always_true 'app.wide_open policy "Anyone updates"'
expect policy_names_role 'app.to_public policy "No role named"'
expect security_definer_view public.definer_view
expect function_search_path_mutable 'app.mutable_path()'
expect function_search_path_mutable 'app.definer_no_path()'
expect definer_functions_pin_search_path 'app.definer_loose_path()'
expect definer_functions_pin_search_path 'app.definer_no_path()'
expect no_public_execute 'public.everyone_may_call()'
expect anon_security_definer_function_executable 'public.anon_definer()'
expect no_reg_type_columns app.oid_column.handler
refute app.good
refute app.oid_column.kind
refute app.parent
refute public.good_view
refute 'public.good_definer()'
refute 'public.good_guest_endpoint()'

plpgsql_report="$(DATABASE_URL="$SCRATCH_URL" "$ROOT/scripts/plpgsql-check.sh" 2>&1)" && plpgsql_rc=0 || plpgsql_rc=$?
check_plpgsql() {  # check_plpgsql <description> <grep -E pattern>
  if grep -qE "$2" <<<"$plpgsql_report"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: plpgsql-check: $1"; fi
}
check_plpgsql "reports the unknown column" '^ERROR +app\.plpgsql_bad_column\(\)'
check_plpgsql "checks a trigger function against its table" '^ERROR +app\.tg_parent__bad_new\(\) on app\.parent'
check_plpgsql "summary counts the errors" '^plpgsql_check: [0-9]+ functions .*, 2 errors'
if grep -q 'plpgsql_good' <<<"$plpgsql_report"; then failed=$((failed + 1)); echo "FAIL: plpgsql-check reported app.plpgsql_good()"; else passed=$((passed + 1)); fi
if [[ $plpgsql_rc -eq 1 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: plpgsql-check exited $plpgsql_rc, want 1"; fi

# every rule must have been exercised by at least one bad fixture
for file in "$ROOT"/sql/checks/[!_]*.sql; do
  rule="$(basename "$file" .sql)"
  if ! grep -q "^FINDING  $rule " <<<"$report"; then
    failed=$((failed + 1)); echo "FAIL: rule $rule has no bad fixture (or did not fire)"
  fi
done

if [[ $failed -gt 0 || -n "${VERBOSE:-}" ]]; then echo "$report"; echo "$plpgsql_report"; fi
echo "test-sql-checks: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
