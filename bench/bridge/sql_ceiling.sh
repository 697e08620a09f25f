#!/usr/bin/env bash
# The SQL ceiling of the bridge: pgbench runs the daemon's claim-and-complete SQL with no daemon
# in between, against a fresh database holding N no-op jobs, and we time the drain.
#
#   bench/bridge/sql_ceiling.sh                 N=100000 CLIENTS=4 BATCH=100 by default
#   N=5000 CLIENTS=2 BATCH=50 bench/bridge/sql_ceiling.sh
#
# Each pgbench transaction script is what one daemon worker does per round trip:
#   1. bridge.claim(worker, {bench}, BATCH)          — one transaction
#   2. bridge.complete(id, token) for every claimed job — one transaction for the whole batch
# (BATCH=1 gives one claim and one complete transaction per job.) Prints one JSON line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-100000}"
CLIENTS="${CLIENTS:-4}"
BATCH="${BATCH:-100}"
DB="${BENCH_DB:-bench_bridge_ceiling}"
URL="$(db_url "$DB")"
psql_db() { psql "$URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

fresh_db "$DB"
for f in "$ROOT"/sql/platform/*.sql "$ROOT"/supabase/migrations/20261121000000_foundation.sql \
         "$ROOT"/supabase/migrations/20261121000100_bridge.sql; do
  psql_db -f "$f" >/dev/null
done
psql_db <<SQL >/dev/null
select bridge.register_kind('bench.noop', 'bench', p_concurrency => 1000000);
select bridge.enqueue_batch('bench.noop', array(select '{}'::jsonb from generate_series(1, $N)));
analyze bridge.jobs;
SQL

script="$(mktemp)"
trap 'rm -f "$script"' EXIT
cat >"$script" <<SQL
select coalesce(array_agg(id), '{}') as ids, coalesce(array_agg(lease_token), '{}') as tokens
  from bridge.claim('pgbench-' || :client_id, array['bench'], $BATCH, 30) \gset
select count(bridge.complete(j.id, j.token)) from unnest(':ids'::bigint[], ':tokens'::uuid[]) as j(id, token);
SQL

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
python3 - "$N" "$start" "$end" "$CLIENTS" "$BATCH" <<'PY'
import json, sys
n, start, end, clients, batch = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
seconds = end - start
print(json.dumps({"system": "banquet-sql-ceiling", "jobs": n, "seconds": round(seconds, 3),
                  "jobs_per_second": round(n / seconds), "clients": clients, "batch": batch}))
PY
