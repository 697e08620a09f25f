#!/usr/bin/env bash
# The SQL ceiling of the bridge: pgbench runs the daemon's claim-and-complete SQL with no daemon
# in between, against a fresh database holding N no-op jobs, and we time the drain.
#
#   bench/bridge/sql_ceiling.sh                  (N=100000 CLIENTS=8 BATCH=64 COMPLETE=each)
#   N=5000 CLIENTS=2 bench/bridge/sql_ceiling.sh
#
# One pgbench script run is one claim round of a daemon worker, with the same SQL the daemon
# sends (Sources/BridgeRuntime/JobStore.swift):
#   1. bridge.claim(worker, {bench}, BATCH)                  — one transaction
#   2. bridge.complete(id, token) for each claimed job:
#        COMPLETE=each   one transaction per job, as the daemon does (the default)
#        COMPLETE=batch  bridge.complete_many(ids, tokens): one transaction for the whole batch
# Same kind and queue as banquet_drain.sh: bridge.noop on queue bench, no concurrency cap, no
# write-back. Prints one JSON line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-100000}"
CLIENTS="${CLIENTS:-8}"
BATCH="${BATCH:-64}"
COMPLETE="${COMPLETE:-each}"
DB="${BENCH_DB:-bench_bridge_ceiling}"
URL="$(db_url "$DB")"
psql_db() { psql "$URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

fresh_db "$DB"
# Every migration, as the daemon's benchmark database has: the ceiling runs the same bridge SQL.
for f in "$ROOT"/sql/platform/*.sql "$ROOT"/supabase/migrations/*.sql; do
  psql_db --single-transaction -f "$f" >/dev/null
done
psql_db -f "$ROOT/bench/bridge/noop_kind.sql" >/dev/null
psql_db <<SQL >/dev/null
select bridge.enqueue_batch('bridge.noop', array(select '{}'::jsonb from generate_series(1, 1000))) from generate_series(1, $N / 1000);
select bridge.enqueue_batch('bridge.noop', array(select '{}'::jsonb from generate_series(1, $N % 1000)));
vacuum analyze bridge.jobs;
SQL

script="$(mktemp)"
trap 'rm -f "$script"' EXIT
{
  echo "select coalesce(array_agg(id), '{}') as ids, coalesce(array_agg(lease_token), '{}') as tokens"
  echo "  from bridge.claim('pgbench-' || :client_id, array['bench'], $BATCH, 30) \\gset"
  case "$COMPLETE" in
    each)
      for ((i = 1; i <= BATCH; i++)); do
        echo "select bridge.complete((':ids'::bigint[])[$i], (':tokens'::uuid[])[$i]) where cardinality(':ids'::bigint[]) >= $i;"
      done ;;
    batch)
      echo "select bridge.complete_many(':ids'::bigint[], ':tokens'::uuid[]);" ;;
    *) echo "sql_ceiling: COMPLETE must be each or batch" >&2; exit 2 ;;
  esac
} >"$script"

# Enough rounds for the clients to drain every job; the last rounds may find the queue empty.
rounds=$(( (N + CLIENTS * BATCH - 1) / (CLIENTS * BATCH) + 1 ))
start=$(now)
pgbench "$URL" -n -f "$script" -c "$CLIENTS" -j "$CLIENTS" -t "$rounds" >/dev/null
end=$(now)

done_jobs=$(psql_db -At -c "select count(*) from bridge.jobs where status = 'succeeded'")
if [[ "$done_jobs" -ne "$N" ]]; then
  echo "sql_ceiling: only $done_jobs of $N jobs succeeded" >&2
  exit 1
fi
written=$(psql_db -At -c "select count(*) from public.bench_writebacks")
if [[ "$written" -ne "$N" ]]; then
  echo "sql_ceiling: $written write-backs for $N jobs" >&2
  exit 1
fi
python3 - "$N" "$start" "$end" "$CLIENTS" "$BATCH" "$COMPLETE" <<'PY'
import json, sys
n, start, end, clients, batch, complete = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
seconds = end - start
print(json.dumps({"system": "sql-ceiling", "jobs": n, "seconds": round(seconds, 3), "jobs_per_s": round(n / seconds),
                  "clients": clients, "claim_batch": batch, "complete": complete}))
PY
