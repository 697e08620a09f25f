#!/usr/bin/env bash
# make bench-gateway: a read RPC and a write RPC through `banquet serve --role gateway` (release
# build) at 32 concurrent connections with wrk, next to pgbench running the very same per-request
# transaction (begin; the set_config statement; the call; commit) at the same concurrency, in the
# same run, on the same database. Writes bench/results/gateway.json and the gateway table in
# docs/benchmarks.md. A measurement, never a gate.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ADMIN_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:54330/postgres}"
TEMPLATE="${BENCH_TEMPLATE:-banquet_template}"
BIN="${BANQUET_BIN:-$ROOT/.build/release/banquet}"
PORT="${BENCH_HTTP_PORT:-54397}"
DURATION="${BENCH_SECONDS:-15}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
DB=bench_gateway
DB_URL="${ADMIN_URL%/*}/$DB"
SECRET="bench-gateway-secret-0123456789abcdef0123456789"
WORK="$(mktemp -d)"
export PGOPTIONS="-c client_min_messages=warning"
step() { printf '\n== %s\n' "$*" >&2; }
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)

step "fresh database $DB (template $TEMPLATE + supabase/seed.sql)"
psql "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 -c "drop database if exists $DB with (force)" -c "create database $DB template $TEMPLATE"
psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -f "$ROOT/supabase/seed.sql" >/dev/null
# The seed's first organization, its owner, and one of its menus.
ORG=20000000-0000-4000-8000-000000000001
OWNER=10000000-0000-4000-8000-000000000001
MENU=$(psql "$DB_URL" -X -tAc "select id from app.menus m where exists (select 1 from app.venues v where v.id = m.venue_id and v.organization_id = '$ORG') limit 1")

step "banquet serve --role gateway on :$PORT"
export BANQUET_JWT_SECRET="$SECRET"
ANON_KEY=$("$BIN" token --role anon --ttl 1d)
USER_TOKEN=$("$BIN" token --role authenticated --sub "$OWNER" --email owner@bench.test --ttl 1d)
CLAIMS=$(python3 -c "import base64,sys; p=sys.argv[1].split('.')[1]; print(base64.urlsafe_b64decode(p+'='*(-len(p)%4)).decode())" "$USER_TOKEN")
DATABASE_URL="$DB_URL" BANQUET_HTTP_PORT=$PORT BANQUET_DATA_DIR="$WORK" BANQUET_LOG_LEVEL=warning BANQUET_DB_POOL_SIZE=$CONNECTIONS \
  "$BIN" serve --role gateway > "$WORK/daemon.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
export ANON_KEY USER_TOKEN

READ_FN=list_inquiries
READ_BODY="{\"p_organization_id\":\"$ORG\"}"
WRITE_FN=save_menu_item
WRITE_BODY="{\"p_menu_id\":\"$MENU\",\"p_name\":\"Bench dish %d\",\"p_price_minor\":1250}"

# The gateway's exact statements for one call, as pgbench runs them: extended protocol, every
# value a bind parameter (pgbench's -D variables become $n in -M extended), as PostgresNIO sends them.
pgbench_script() {  # $1 function, $2 call statement
  cat <<SQL
begin isolation level read committed;
select set_config('search_path', '"public", "extensions"', true), set_config('statement_timeout', '8s', true), set_config('role', 'authenticated', true), set_config('request.jwt.claims', :claims, true), set_config('request.method', 'POST', true), set_config('request.path', '/rest/v1/rpc/$1', true), set_config('request.headers', :headers, true);
$2
commit;
SQL
}
pgbench_script "$READ_FN" "select coalesce(json_agg(_r), '[]')::text, count(*)::int from json_to_record(:readbody::json) as _args(\"p_organization_id\" uuid), lateral \"public\".\"list_inquiries\"(\"p_organization_id\" := _args.\"p_organization_id\") _r;" > "$WORK/read.sql"
{ echo '\set n random(1, 1000000000)'
  pgbench_script "$WRITE_FN" "select to_json(\"public\".\"save_menu_item\"(\"p_menu_id\" := _args.\"p_menu_id\", \"p_name\" := _args.\"p_name\", \"p_price_minor\" := _args.\"p_price_minor\"))::text, 1 from json_to_record(replace(:writebody::text, '%d', :n::text)::json) as _args(\"p_menu_id\" uuid, \"p_name\" text, \"p_price_minor\" bigint);"
} > "$WORK/write.sql"
PGBENCH_VARS=(-D "claims=$CLAIMS" -D 'headers={"content-type":"application/json"}' -D "readbody=$READ_BODY" -D "writebody=$WRITE_BODY")

# CPU per request, by process: on a machine whose cores are all busy, throughput is set by the
# sum of these, so they say where the gateway's time goes next to pgbench's.
POSTMASTER=$(psql "$DB_URL" -X -tAc "select pid from pg_stat_activity where backend_type = 'checkpointer'" | xargs -I{} awk '{print $4}' /proc/{}/stat)
cpu_snapshot() { python3 "$HERE/cpu.py" "$POSTMASTER" "$PID"; }
per_request_us() {  # before after count client_seconds → "postgres_us banquet_us client_us"
  python3 -c "import sys; b=sys.argv[1].split(); a=sys.argv[2].split(); n=float(sys.argv[3]); c=float(sys.argv[4]); print(f'{(float(a[0])-float(b[0]))/n*1e6:.0f} {(float(a[1])-float(b[1]))/n*1e6:.0f} {c/n*1e6:.0f}')" "$1" "$2" "$3" "$4"
}
run_pgbench() {  # $1 script → "tps postgres_us banquet_us client_us"
  local before after
  before=$(cpu_snapshot)
  /usr/bin/time -f "%U %S" -o "$1.time" pgbench -n -M extended -c "$CONNECTIONS" -j 2 -T "$DURATION" "${PGBENCH_VARS[@]}" -f "$1" "$DB_URL" > "$1.out" 2>&1
  after=$(cpu_snapshot)
  cat "$1.out" >&2
  local tps count client
  tps=$(awk '/^tps = / { print $3; exit }' "$1.out")
  count=$(awk '/number of transactions actually processed/ { print $NF; exit }' "$1.out")
  client=$(awk '{ print $1 + $2 }' "$1.time")
  echo "$tps $(per_request_us "$before" "$after" "$count" "$client")"
}
run_wrk() {  # $1 label, $2 seconds, then wrk's own arguments → "rps p99_ms non2xx postgres_us banquet_us client_us"
  local label=$1 seconds=$2 before after count client
  shift 2
  before=$(cpu_snapshot)
  /usr/bin/time -f "%U %S" -o "$WORK/wrk-$label.time" wrk -t2 -c"$CONNECTIONS" -d"${seconds}s" --latency "$@" > "$WORK/wrk-$label.out" 2>&1
  after=$(cpu_snapshot)
  cat "$WORK/wrk-$label.out" >&2
  count=$(awk '/requests in/ { print $1; exit }' "$WORK/wrk-$label.out")
  client=$(awk '{ print $1 + $2 }' "$WORK/wrk-$label.time")
  echo "$(python3 "$HERE/parse_wrk.py" "$WORK/wrk-$label.out") $(per_request_us "$before" "$after" "$count" "$client")"
}
run_rpc() {  # $1 function, $2 body
  BODY="$2" run_wrk "$1" "$DURATION" -s "$HERE/rpc.lua" "http://127.0.0.1:$PORT/rest/v1/rpc/$1"
}

step "warm-up (5 s each, not recorded)"
BODY="$READ_BODY" wrk -t2 -c"$CONNECTIONS" -d5s -s "$HERE/rpc.lua" "http://127.0.0.1:$PORT/rest/v1/rpc/$READ_FN" >"$WORK/warmup.out" || { cat "$WORK/warmup.out" >&2; exit 1; }
pgbench -n -M extended -c "$CONNECTIONS" -j 2 -T 5 "${PGBENCH_VARS[@]}" -f "$WORK/read.sql" "$DB_URL" >"$WORK/warmup.out" 2>&1 || { grep -m3 -i error "$WORK/warmup.out" >&2; exit 1; }

step "read: pgbench";        read -r PG_READ CPU_PG_READ <<<"$(run_pgbench "$WORK/read.sql" | awk '{print $1, $2 "/" $4}')"
step "read: gateway (wrk)";  read -r GW_READ P99_READ BAD_READ CPU_GW_READ <<<"$(run_rpc "$READ_FN" "$READ_BODY" | awk '{print $1, $2, $3, $4 "/" $5 "/" $6}')"
step "write: pgbench";       read -r PG_WRITE CPU_PG_WRITE <<<"$(run_pgbench "$WORK/write.sql" | awk '{print $1, $2 "/" $4}')"
step "write: gateway (wrk)"; read -r GW_WRITE P99_WRITE BAD_WRITE CPU_GW_WRITE <<<"$(run_rpc "$WRITE_FN" "$WRITE_BODY" | awk '{print $1, $2, $3, $4 "/" $5 "/" $6}')"
echo "cpu µs per request: pgbench read (postgres/pgbench) $CPU_PG_READ, gateway read (postgres/banquet/wrk) $CPU_GW_READ; pgbench write $CPU_PG_WRITE, gateway write $CPU_GW_WRITE" >&2
step "baseline: GET /health (no database), the daemon's HTTP cost alone"
read -r _ _ _ _ CPU_HEALTH _ <<<"$(run_wrk health 5 "http://127.0.0.1:$PORT/health")"
RSS_MB=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$PID/status")
if [[ "$BAD_READ" != 0 || "$BAD_WRITE" != 0 ]]; then
  echo "bench-gateway: non-2xx answers (read $BAD_READ, write $BAD_WRITE); see the daemon log:" >&2
  tail -20 "$WORK/daemon.log" >&2
  exit 1
fi
python3 "$HERE/summarize.py" "$ROOT/bench/results/gateway.json" "$ROOT/docs/benchmarks.md" \
  "$GW_READ" "$PG_READ" "$GW_WRITE" "$PG_WRITE" "$P99_READ" "$P99_WRITE" "$RSS_MB" "$CONNECTIONS" "$DURATION" \
  "$(psql "$DB_URL" -X -tAc 'show server_version')" "$(nproc)" "$CPU_PG_READ" "$CPU_GW_READ" "$CPU_PG_WRITE" "$CPU_GW_WRITE" "$LOAD_BEFORE" "$CPU_HEALTH"
step "wrote bench/results/gateway.json and docs/benchmarks.md"
