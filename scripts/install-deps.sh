#!/usr/bin/env bash
# Installs what Banquet needs on a fresh Debian 12 machine, and nothing when it is all there:
# PostgreSQL 15 with pgTAP, pg_prove and plpgsql_check; poppler (pdftotext); Python tools
# (squawk for migration lint, aiosmtpd as the tests' real SMTP server); Chromium, chromium-driver and
# selenium for the browser tests. Swift is expected at
# /opt/swift (see README).
set -euo pipefail

need_apt=()
[[ -x /usr/lib/postgresql/15/bin/pg_ctl ]] || need_apt+=(postgresql-15)
[[ -f /usr/share/postgresql/15/extension/pgtap.control ]] || need_apt+=(postgresql-15-pgtap)
[[ -f /usr/share/postgresql/15/extension/plpgsql_check.control ]] || need_apt+=(postgresql-15-plpgsql-check)
command -v pg_prove >/dev/null 2>&1 || need_apt+=(libtap-parser-sourcehandler-pgtap-perl)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client-15)
# The browser tests (tests/browser): headless Chromium driven through chromium-driver.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)

if ((${#need_apt[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing ${need_apt[*]}; run as root: apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "install-deps: apt-get install ${need_apt[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

need_pip=()
command -v squawk >/dev/null 2>&1 || need_pip+=(squawk-cli)
python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_pip+=(aiosmtpd)
# The gateway's tests: the real supabase client, pytest, psycopg, moto's S3 server, schemathesis.
python3 -c 'import supabase' >/dev/null 2>&1 || need_pip+=('supabase>=2.10,<3')
python3 -c 'import pytest' >/dev/null 2>&1 || need_pip+=(pytest)
python3 -c 'import psycopg' >/dev/null 2>&1 || need_pip+=('psycopg[binary]')
python3 -c 'import moto.server, flask_cors' >/dev/null 2>&1 || need_pip+=('moto[server]')
command -v schemathesis >/dev/null 2>&1 || need_pip+=(schemathesis)
# The AI tests and make bench-menus: brochures generated with fpdf2; botocore (with moto) checks SigV4.
python3 -c 'import fpdf' >/dev/null 2>&1 || need_pip+=(fpdf2)
# The browser tests drive Chromium with selenium.
python3 -c 'import selenium' >/dev/null 2>&1 || need_pip+=(selenium)
if ((${#need_pip[@]})); then
  echo "install-deps: pip install ${need_pip[*]}" >&2
  python3 -m pip install -q --disable-pip-version-check "${need_pip[@]}"
fi

if ! command -v swift >/dev/null 2>&1 && [[ ! -x /opt/swift/usr/bin/swift ]]; then
  echo "install-deps: Swift 6 toolchain not found (expected at /opt/swift or on PATH)" >&2
  exit 1
fi
