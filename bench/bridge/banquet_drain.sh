#!/usr/bin/env bash
# Banquet's own throughput and latency: the release `banquet serve` against a fresh database.
#
#   bench/bridge/banquet_drain.sh [drain|rounds|latency|all]     (default: all)
#
#   drain    enqueue N (100,000) bridge.noop jobs in batches of 1,000, start the daemon, time until
#            every job succeeded → {"banquet_jobs_per_s": …, "rss_mb": peak RSS (VmHWM)}
#   rounds   one daemon drains ROUNDS (5) rounds of N jobs each → RSS (VmRSS) after every round, to
#            tell memory kept per job (RSS keeps rising) from an allocator's high-water mark (flat)
#   latency  start the daemon on an empty queue, enqueue RATE (200) jobs/s for DURATION (20) s, one
#            transaction per 1/20 s → commit-to-start latency p50/p99 from the database: each noop
#            result carries the time its handler started, each job its run_at (= enqueue time)
#
# Environment: BENCH_DATABASE_URL (see lib.sh), BANQUET_BIN (default .build/release/banquet; build
# it with `swift build -c release --product banquet`), N, RATE, DURATION, CONCURRENCY (64),
# CLAIM_BATCH (64), POLL_MS (1000). Prints one JSON line.
#
# Profiling: WRAP is put before the daemon's command line, e.g.
#   N=5000 WRAP="valgrind --tool=callgrind --callgrind-out-file=bench/results/callgrind.out" bench/bridge/banquet_drain.sh drain
#   N=20000 WRAP="valgrind --tool=massif --massif-out-file=bench/results/massif.out" bench/bridge/banquet_drain.sh drain
# (then callgrind_annotate / ms_print); rates and RSS measured under valgrind mean nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE="${1:-all}"
N="${N:-100000}"
RATE="${RATE:-200}"
SECONDS_TOTAL="${DURATION:-20}"
CONCURRENCY="${CONCURRENCY:-64}"
CLAIM_BATCH="${CLAIM_BATCH:-64}"
POLL_MS="${POLL_MS:-1000}"
BIN="${BANQUET_BIN:-$ROOT/.build/release/banquet}"
DB="${BENCH_DB:-bench_bridge_banquet}"
URL="$(db_url "$DB")"
psql_db() { psql "$URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

[[ -x "$BIN" ]] || { echo "banquet_drain: $BIN not found; run: swift build -c release --product banquet" >&2; exit 1; }

DAEMON_PID=""
LOG="$(mktemp)"
cleanup() {
  [[ -n "$DAEMON_PID" ]] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  rm -f "$LOG"
}
trap cleanup EXIT

# A fresh database with the platform stand-ins and every migration, and the no-op kind with its
# write-back (noop_kind.sql).
prepare() {
  fresh_db "$DB"
  for f in "$ROOT"/sql/platform/*.sql "$ROOT"/supabase/migrations/*.sql; do
    psql_db --single-transaction -f "$f" >/dev/null
  done
  psql_db -f "$ROOT/bench/bridge/noop_kind.sql" >/dev/null
}

start_daemon() {
  DATABASE_URL="$URL" BANQUET_HTTP_PORT="${BENCH_HTTP_PORT:-54398}" BANQUET_WORKER_ID="bench-$$" BANQUET_QUEUES="*=$CONCURRENCY" \
  BANQUET_CLAIM_BATCH="$CLAIM_BATCH" BANQUET_POLL_INTERVAL_MS="$POLL_MS" BANQUET_LOG_LEVEL="${BANQUET_LOG_LEVEL:-warning}" \
  BANQUET_DATA_DIR="$(mktemp -d)" ${WRAP:-} "$BIN" serve >"$LOG" 2>&1 &
  DAEMON_PID=$!
}

stop_daemon() {
  kill "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=""
}

peak_rss_mb() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$DAEMON_PID/status"; }

# Average claim batch and group-commit size the daemon achieved, from its /metrics counters.
batch_sizes() {
  curl -s "http://127.0.0.1:${BENCH_HTTP_PORT:-54398}/metrics" | awk '
    /^bridge_claim_calls_total/ { calls = $2 } /^bridge_claim_jobs_total/ { claimed = $2 }
    /^bridge_group_commits_total/ { commits = $2 } /^bridge_group_commit_jobs_total/ { committed = $2 }
    END { printf "%.1f %.1f\n", (calls ? claimed / calls : 0), (commits ? committed / commits : 0) }'
}

# CPU seconds (user + system) the daemon process has used so far: where a drain's time goes,
# the daemon or PostgreSQL (which shares the same cores).
daemon_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$DAEMON_PID/stat"; }

succeeded() { psql_db -At -c "select count(*) from bridge.jobs where status = 'succeeded'"; }

# Waits until $1 jobs succeeded; fails if the daemon dies or nothing moves for 60 s.
wait_for() {
  local want="$1" last=-1 still=0 done_jobs
  while :; do
    done_jobs=$(succeeded)
    [[ "$done_jobs" -ge "$want" ]] && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "banquet_drain: daemon exited:" >&2; tail -20 "$LOG" >&2; exit 1; }
    if [[ "$done_jobs" -eq "$last" ]]; then still=$((still + 1)); else still=0; last="$done_jobs"; fi
    [[ "$still" -lt 300 ]] || { echo "banquet_drain: stuck at $done_jobs of $want" >&2; tail -20 "$LOG" >&2; exit 1; }
    sleep 0.2
  done
}

drain() {
  prepare
  psql_db -c "select bridge.enqueue_batch('bridge.noop', array(select '{}'::jsonb from generate_series(1, 1000))) from generate_series(1, $((N / 1000)))" >/dev/null
  psql_db -c "vacuum analyze bridge.jobs" >/dev/null
  local start end
  start=$(now)
  start_daemon
  wait_for "$N"
  end=$(now)
  DRAIN_RSS=$(peak_rss_mb)
  DRAIN_CPU=$(daemon_cpu_s)
  read -r CLAIM_AVG COMMIT_AVG < <(batch_sizes)
  stop_daemon
  local written
  written=$(psql_db -At -c "select count(*) from public.bench_writebacks")
  [[ "$written" -eq "$N" ]] || { echo "banquet_drain: $written write-backs for $N jobs" >&2; exit 1; }
  DRAIN_RATE=$(python3 -c "print(round($N / ($end - $start)))")
  DRAIN_SECONDS=$(python3 -c "print(round($end - $start, 3))")
}

rounds() {
  prepare
  start_daemon
  ROUND_RSS=()
  for ((r = 1; r <= ${ROUNDS:-5}; r++)); do
    psql_db -c "select bridge.enqueue_batch('bridge.noop', array(select '{}'::jsonb from generate_series(1, 1000))) from generate_series(1, $((N / 1000)))" >/dev/null
    wait_for $((r * N))
    sleep 1
    ROUND_RSS+=("$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$DAEMON_PID/status")")
  done
  stop_daemon
}

latency() {
  prepare
  start_daemon
  sleep 2  # connected and listening
  local per_tick=$((RATE / 20)) ticks=$((SECONDS_TOTAL * 20))
  for ((i = 0; i < ticks; i++)); do
    echo "select bridge.enqueue_batch('bridge.noop', array(select '{}'::jsonb from generate_series(1, $per_tick)));"
    sleep 0.05
  done | psql_db >/dev/null
  wait_for $((per_tick * ticks))
  LATENCY_RSS=$(peak_rss_mb)
  stop_daemon
  read -r P50 P99 < <(psql_db -At -F ' ' -c "
    with l as (select ((result->>'started_at_epoch')::double precision - extract(epoch from run_at)) * 1000 as ms
                 from bridge.jobs where status = 'succeeded')
    select round(percentile_cont(0.5) within group (order by ms)::numeric, 2),
           round(percentile_cont(0.99) within group (order by ms)::numeric, 2) from l")
}

case "$MODE" in
  drain) drain; echo "{\"system\": \"banquet\", \"jobs\": $N, \"seconds\": $DRAIN_SECONDS, \"banquet_jobs_per_s\": $DRAIN_RATE, \"rss_mb\": $DRAIN_RSS, \"daemon_cpu_s\": $DRAIN_CPU, \"avg_claim_batch\": $CLAIM_AVG, \"avg_group_commit\": $COMMIT_AVG, \"concurrency\": $CONCURRENCY, \"claim_batch\": $CLAIM_BATCH}" ;;
  rounds) rounds; echo "{\"system\": \"banquet\", \"jobs_per_round\": $N, \"rss_mb_after_each_round\": [$(IFS=,; echo "${ROUND_RSS[*]}")]}" ;;
  latency) latency; echo "{\"system\": \"banquet\", \"rate_per_s\": $RATE, \"seconds\": $SECONDS_TOTAL, \"latency_p50_ms\": $P50, \"latency_p99_ms\": $P99, \"rss_mb\": $LATENCY_RSS}" ;;
  all) drain; latency
       echo "{\"system\": \"banquet\", \"jobs\": $N, \"seconds\": $DRAIN_SECONDS, \"banquet_jobs_per_s\": $DRAIN_RATE, \"rss_mb\": $DRAIN_RSS, \"daemon_cpu_s\": $DRAIN_CPU, \"concurrency\": $CONCURRENCY, \"claim_batch\": $CLAIM_BATCH, \"rate_per_s\": $RATE, \"latency_p50_ms\": $P50, \"latency_p99_ms\": $P99}" ;;
  *) echo "usage: $0 [drain|latency|all]" >&2; exit 2 ;;
esac
