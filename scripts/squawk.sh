#!/usr/bin/env bash
# Lint the migrations with squawk (PyPI: squawk-cli) for statements that lock or break a live
# database. The rules it runs, and why some are off, are in .squawk.toml; see docs/quality.md.
#
#   scripts/squawk.sh [file.sql …]      (default: every supabase/migrations/*.sql)
#
# Exit status: 0 clean, non-zero on any finding (or if squawk is missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if ! command -v squawk >/dev/null 2>&1; then
  echo "squawk: not installed (pip install squawk-cli)" >&2
  exit 2
fi
if [[ $# -eq 0 ]]; then set -- supabase/migrations/*.sql; fi

if squawk --config .squawk.toml "$@"; then
  echo "squawk: $# files, 0 findings"
else
  status=$?
  echo "squawk: findings in the files above (rules and exclusions: .squawk.toml)" >&2
  exit "$status"
fi
