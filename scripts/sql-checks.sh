#!/usr/bin/env bash
# Lint the migrated database: run every sql/checks/*.sql (one rule each; files starting with "_"
# are shared setup) against $DATABASE_URL and print, per rule, "ok" or each finding's object with
# what is wrong and how to fix it.
#
#   DATABASE_URL=postgres://… scripts/sql-checks.sh [rule …]
#
# Exit status: 0 clean, 1 at least one finding, 2 a check could not run.
# See docs/quality.md for what each rule means and how to fix a finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECKS="$ROOT/sql/checks"
: "${DATABASE_URL:?set DATABASE_URL to a migrated database}"

if [[ $# -gt 0 ]]; then
  files=(); for rule in "$@"; do files+=("$CHECKS/$rule.sql"); done
else
  files=("$CHECKS"/[!_]*.sql)
fi

rules=0 findings=0 failed=0
for file in "${files[@]}"; do
  rule="$(basename "$file" .sql)"
  rules=$((rules + 1))
  # One session per check: _scope.sql defines the temp objects the check reads.
  if ! out="$(psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -A -t -F $'\t' \
                -f "$CHECKS/_scope.sql" -f "$file" 2>&1)"; then
    echo "ERROR    $rule: check failed to run" >&2
    sed 's/^/    /' <<<"$out" >&2
    failed=$((failed + 1))
    continue
  fi
  if [[ -z "$out" ]]; then
    echo "ok       $rule"
  else
    n="$(wc -l <<<"$out")"
    findings=$((findings + n))
    echo "FINDING  $rule ($n)"
    # columns: rule, object, detail
    awk -F'\t' '{ printf "    %s\n        %s\n", $2, $3 }' <<<"$out"
  fi
done

summary="sql-checks: $rules rules, $findings findings"
if [[ $failed -gt 0 ]]; then summary+=", $failed failed to run"; fi
echo "$summary"
if [[ $failed -gt 0 ]]; then exit 2; fi
if [[ $findings -gt 0 ]]; then exit 1; fi
