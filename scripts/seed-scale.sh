#!/usr/bin/env bash
# Load the scale data set (scripts/seed-scale.sql) into $DATABASE_URL, a migrated database.
#
#   DATABASE_URL=… [SCALE=0.1] scripts/seed-scale.sh
#
# SCALE multiplies every volume (1 = 1,000 organizations, 200,000 inquiries, 2,000,000 messages).
# What is generated, and how triggers are treated, is described at the top of the .sql file.
# It refuses a database that already holds the scale seed; the demo seed may be present.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${DATABASE_URL:?set DATABASE_URL to a migrated database}"
exec psql "$DATABASE_URL" -X -v ON_ERROR_STOP=1 -v scale="${SCALE:-1}" -f "$ROOT/scripts/seed-scale.sql"
