#!/usr/bin/env bash
# Embedded PostgreSQL 15 for `make run` and the tests: a private cluster under a data directory
# in the repository, on its own port, bound to 127.0.0.1, trust auth for local connections only.
#
#   scripts/db.sh start|stop|status|url|psql [args]
#
# Environment: PGDATA_DIR (default .data/pg), PG_PORT (default 54329), PG_DB (default banquet).
# PostgreSQL refuses to run as root, so when we are root the cluster belongs to the `postgres`
# system user (created by the Debian package) and every server command runs through runuser.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGDATA_DIR="${PGDATA_DIR:-$ROOT/.data/pg}"
# As root the cluster belongs to the `postgres` user, which must be able to reach the data
# directory. A checkout under a private home (e.g. /root) is out of its reach: then keep the
# cluster under /var/lib/postgresql/banquet/<checkout-hash>/ instead, and say so.
if [[ $(id -u) -eq 0 ]] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  fallback="/var/lib/postgresql/banquet/$(echo -n "$ROOT" | md5sum | cut -c1-12)/$(basename "$PGDATA_DIR")"
  echo "db: postgres cannot reach $ROOT; keeping the cluster in $fallback" >&2
  PGDATA_DIR="$fallback"
fi
PG_PORT="${PG_PORT:-54329}"
PG_DB="${PG_DB:-banquet}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}"

log() { echo "db: $*" >&2; }

ensure_binaries() {
  if [[ -x "$PG_BIN/pg_ctl" ]] && command -v pg_prove >/dev/null 2>&1 \
     && [[ -f /usr/share/postgresql/15/extension/pgtap.control ]] \
     && [[ -f /usr/share/postgresql/15/extension/plpgsql_check.control ]]; then
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    log "PostgreSQL 15 (with pgTAP and plpgsql_check) is missing; run as root or: sudo apt-get install -y postgresql-15 postgresql-15-pgtap postgresql-15-plpgsql-check"
    exit 1
  fi
  log "installing PostgreSQL 15, pgTAP and plpgsql_check from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-pgtap postgresql-15-plpgsql-check libtap-parser-sourcehandler-pgtap-perl >/dev/null
  PG_BIN=/usr/lib/postgresql/15/bin
}

# Run a command as the cluster owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_cluster() {
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then return; fi
  log "creating cluster in $PGDATA_DIR (port $PG_PORT)"
  mkdir -p "$PGDATA_DIR"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$(dirname "$PGDATA_DIR")" "$PGDATA_DIR"
    # The postgres user must be able to traverse every directory above the data directory.
    if ! runuser -u postgres -- test -x "$(dirname "$PGDATA_DIR")"; then
      log "the postgres user cannot reach $PGDATA_DIR; set PGDATA_DIR to a directory it can reach"
      exit 1
    fi
  fi
  as_owner "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$PGDATA_DIR/postgresql.conf" <<CONF
# Banquet embedded cluster
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGDATA_DIR'
max_connections = 200
shared_buffers = 256MB
fsync = on
shared_preload_libraries = 'plpgsql_check'
log_min_messages = warning
CONF
}

is_running() { as_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }

start() {
  ensure_binaries
  ensure_cluster
  if is_running; then
    log "already running on port $PG_PORT"
  else
    as_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 start >/dev/null
    log "started on port $PG_PORT (log: $PGDATA_DIR/server.log)"
  fi
  if ! psql_super -d postgres -tAc "select 1 from pg_database where datname = '$PG_DB'" | grep -q 1; then
    psql_super -d postgres -qc "create database \"$PG_DB\""
    log "created database $PG_DB"
  fi
}

stop() {
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]] && is_running; then
    as_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
    log "stopped"
  else
    log "not running"
  fi
}

psql_super() { psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if is_running; then echo "running on port $PG_PORT"; else echo "stopped"; exit 1; fi ;;
  url) echo "postgres://postgres@127.0.0.1:$PG_PORT/$PG_DB" ;;
  psql) shift; psql_super -d "$PG_DB" "$@" ;;
  *) echo "usage: $0 start|stop|restart|status|url|psql" >&2; exit 2 ;;
esac
