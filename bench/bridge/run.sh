#!/usr/bin/env bash
# Every bridge benchmark, one after another (never in parallel: they share the cluster's CPU and
# disk), each against its own fresh database; the JSON lines go to stdout and, collected, to
# bench/results/bridge.json.
#
#   bench/bridge/run.sh                  N=100000 jobs each
#   N=5000 bench/bridge/run.sh           a quick smoke run
#
#   (a) banquet_drain.sh drain   Banquet's daemon (needs .build/release/banquet; skipped without it)
#   (b) competitors.sh           PgQueuer and Procrastinate from PyPI, in bench/.venv
#   (d) sql_ceiling.sh           pgbench running the daemon's claim/complete SQL, per-job and batched
# Results are measurements, never a pass/fail gate.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$ROOT/bench/bridge"
OUT="$ROOT/bench/results/bridge.json"

lines="$(mktemp)"
trap 'rm -f "$lines"' EXIT

if [[ -x "${BANQUET_BIN:-$ROOT/.build/release/banquet}" ]]; then
  "$HERE/banquet_drain.sh" drain | tee -a "$lines"
else
  echo "run.sh: skipping Banquet's daemon (build it: swift build -c release --product banquet)" >&2
fi
"$HERE/competitors.sh" | tee -a "$lines"
COMPLETE=each "$HERE/sql_ceiling.sh" | tee -a "$lines"
COMPLETE=batch "$HERE/sql_ceiling.sh" | tee -a "$lines"

server_version="$(psql "$BENCH_DATABASE_URL" -X -At -c 'show server_version')"
python3 - "$lines" "$server_version" "$(nproc)" >"$OUT" <<'PY'
import datetime, json, sys
path, server_version, cores = sys.argv[1], sys.argv[2], int(sys.argv[3])
results = [json.loads(line) for line in open(path) if line.strip()]
print(json.dumps({"generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  "server_version": server_version, "cores": cores, "results": results}, indent=2))
PY
echo "run.sh: wrote $OUT" >&2
