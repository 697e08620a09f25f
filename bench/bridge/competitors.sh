#!/usr/bin/env bash
# PgQueuer and Procrastinate, from PyPI, draining the same N no-op jobs as Banquet. Creates the
# virtualenv bench/.venv (gitignored) on first use, then runs pgqueuer_bench.py and
# procrastinate_bench.py, each against its own fresh database on BENCH_DATABASE_URL's cluster.
#
#   bench/bridge/competitors.sh            (N=100000; WORKERS, BATCH, CONCURRENCY: competitor_common.py)
#   N=5000 bench/bridge/competitors.sh
#
# Prints one JSON line per system. Versions are pinned below so results stay comparable; bump
# them deliberately.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$ROOT/bench/.venv"
PACKAGES=(pgqueuer==1.6.0 procrastinate==3.10.0 asyncpg==0.32.0 "psycopg[binary]==3.3.9" psycopg-pool==3.3.3)

if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import pgqueuer, procrastinate, asyncpg, psycopg' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
fi

export BENCH_DATABASE_URL
cd "$ROOT/bench/bridge"
"$VENV/bin/python" pgqueuer_bench.py
"$VENV/bin/python" procrastinate_bench.py
