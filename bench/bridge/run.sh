#!/usr/bin/env bash
# `make bench-bridge`: every bridge benchmark in ONE run on one cluster, one after another (never
# in parallel: they share the CPU and the disk), each against its own fresh database:
#
#   (a) banquet_drain.sh all    the release `banquet serve` draining N bridge.noop jobs, then
#                               commit-to-start latency at a steady RATE jobs/s, and its peak RSS
#   (b,c) competitors.sh        PgQueuer and Procrastinate (PyPI, bench/.venv) draining N no-ops
#   (d) sql_ceiling.sh          pgbench running the daemon's claim-and-complete SQL, no daemon
#
# Writes bench/results/bridge.json (flat keys banquet_jobs_per_s, pgqueuer_jobs_per_s,
# procrastinate_jobs_per_s, sql_ceiling_jobs_per_s, latency_p50_ms, latency_p99_ms, rss_mb, plus
# every raw result) and the bridge table in docs/benchmarks.md. Measurements, never a gate.
#
#   make bench-bridge                     N=100000
#   N=5000 DURATION=5 bench/bridge/run.sh  a quick smoke run
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/bridge"
OUT="$ROOT/bench/results/bridge.json"

# A dedicated cluster, so the benchmark neither disturbs nor is disturbed by `make run`/tests.
BENCH_PG_PORT="${BENCH_PG_PORT:-54380}"
if [[ -z "${BENCH_DATABASE_URL:-}" ]]; then
  PGDATA_DIR="${BENCH_PGDATA_DIR:-$ROOT/.data/pg-bench}" PG_PORT="$BENCH_PG_PORT" PG_DB=postgres "$ROOT/scripts/db.sh" start
  export BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:$BENCH_PG_PORT/postgres"
fi
export BANQUET_BIN="${BANQUET_BIN:-$ROOT/.build/release/banquet}"
[[ -x "$BANQUET_BIN" ]] || { echo "run.sh: $BANQUET_BIN missing: swift build -c release --product banquet" >&2; exit 1; }

lines="$(mktemp)"
trap 'rm -f "$lines"' EXIT
step() { echo "bench-bridge: $*" >&2; }

step "(a) Banquet daemon: drain ${N:-100000} jobs, then latency at ${RATE:-200} jobs/s"
"$HERE/banquet_drain.sh" all | tee -a "$lines"
step "(b, c) PgQueuer and Procrastinate"
"$HERE/competitors.sh" | tee -a "$lines"
step "(d) SQL ceiling: pgbench, one complete per job and batched"
COMPLETE=each "$HERE/sql_ceiling.sh" | tee -a "$lines"
COMPLETE=batch "$HERE/sql_ceiling.sh" | tee -a "$lines"

server_version="$(psql "$BENCH_DATABASE_URL" -X -At -c 'show server_version')"
python3 "$HERE/summarize.py" "$lines" "$server_version" "$OUT" "$ROOT/docs/benchmarks.md"
step "wrote $OUT and docs/benchmarks.md"
