# Shared by the bridge benchmarks (sourced, not run).
#
# BENCH_DATABASE_URL names the cluster (its database is only used to create and drop the
# per-benchmark databases); default: the bridge developer cluster on port 54350.
BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:54350/postgres}"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The URL of database $1 on the benchmark cluster (same credentials, host and query string).
db_url() {
  local url="$BENCH_DATABASE_URL" query=""
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
  echo "${url%/*}/$1$query"
}

# Drop and recreate database $1: every run starts from an empty database.
fresh_db() {
  psql "$BENCH_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 \
    -c "drop database if exists \"$1\" with (force)" -c "create database \"$1\""
}

# Seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
