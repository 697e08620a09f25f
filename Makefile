# Banquet's command interface. Two commands matter on a fresh machine:
#   make run   install, build, start the embedded PostgreSQL, migrate, seed, serve
#   make test  every test: Swift against real PostgreSQL, pgTAP, SQL lint and checks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := /opt/swift/usr/bin:$(PATH)

ROOT        := $(CURDIR)
DATA_DIR    ?= $(ROOT)/.data
PG_PORT     ?= 54329
HTTP_PORT   ?= 54321
TEST_PG_PORT ?= 54330
DB_URL      ?= postgres://postgres@127.0.0.1:$(PG_PORT)/banquet
TEST_ADMIN_URL := postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/postgres
TEMPLATE_DB := banquet_template
PGTAP_DB    := banquet_pgtap
BIN         := $(ROOT)/.build/debug/banquet

RUN_DB  := PGDATA_DIR=$(DATA_DIR)/pg PG_PORT=$(PG_PORT) PG_DB=banquet scripts/db.sh
TEST_DB := PGDATA_DIR=$(DATA_DIR)/pg-test PG_PORT=$(TEST_PG_PORT) PG_DB=postgres scripts/db.sh
TEST_PSQL := psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $(TEST_PG_PORT) -U postgres

.PHONY: help run serve deps build migrate seed db-start db-stop psql clean \
        test test-db test-swift test-gateway test-ai test-connectors test-browser test-console test-realtime test-pgtap test-sql-lint test-checks schema docs \
        seed-scale bench bench-sql bench-bridge bench-gateway bench-menus bench-realtime doctor drafts proposal-links

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

# --- running ----------------------------------------------------------------------------------

run: deps build db-start migrate seed ## everything, then the daemon in the foreground
	@echo
	@echo "  Banquet is starting"
	@echo "  API URL    http://localhost:$(HTTP_PORT)   (health: http://localhost:$(HTTP_PORT)/health/all)"
	@echo "  RPC        http://localhost:$(HTTP_PORT)/rest/v1/rpc/<function>   (OpenAPI: GET /rest/v1/ with the apikey)"
	@echo "  auth       http://localhost:$(HTTP_PORT)/auth/v1   storage: http://localhost:$(HTTP_PORT)/storage/v1"
	@echo "  demo users owner@harbourvine.test, manager@…, staff@…, owner@lonestar.test, staff@lonestar.test   (password banquet-demo)"
	@echo "  guest page http://localhost:$(HTTP_PORT)/p/<token>   (the link in each proposal email; make proposal-links lists them)"
	@echo "  realtime   ws://localhost:$(HTTP_PORT)/realtime/v1/websocket?apikey=<anon key>&vsn=1.0.0   (docs/realtime.md)"
	@BANQUET_DATA_DIR=$(DATA_DIR) $(BIN) keys
	@echo "  database   $(DB_URL)   (make psql)"
	@echo "  mailbox    $(DATA_DIR)/mailbox   (offline email: one .eml per message)"
	@echo "  AI drafts  make drafts   (proposals the offline AI provider drafted, with their lines and ai_runs)"
	@echo "  outbox     $(DATA_DIR)/outbox    (offline WhatsApp/Instagram sends; payments sandbox: /functions/v1/payments-sandbox)"
	@echo "  console    http://localhost:$(HTTP_PORT)/console   (operators only: log in with the service_role key above or BANQUET_CONSOLE_TOKEN)"
	@echo "  connectors each one's mode (offline or real) is in the 'banquet serving' line below and in /health/all"
	@echo "  stop       Ctrl-C, then make db-stop"
	@echo
	@DATABASE_URL=$(DB_URL) BANQUET_HTTP_PORT=$(HTTP_PORT) BANQUET_DATA_DIR=$(DATA_DIR) exec $(BIN) serve

deps: ## install PostgreSQL 15, pgTAP, plpgsql_check, squawk, aiosmtpd if missing
	@scripts/install-deps.sh

build: ## debug build of the banquet binary
	swift build --product banquet

db-start: ## start (creating if needed) the embedded cluster on $(PG_PORT)
	@$(RUN_DB) start

db-stop: ## stop the embedded clusters
	@$(RUN_DB) stop
	@$(TEST_DB) stop

drafts: ## the AI-drafted proposals in the embedded database: lines, totals and the ai_runs row behind each
	@psql -X -q "$(DB_URL)" -v ON_ERROR_STOP=1 -f scripts/show-drafts.sql

proposal-links: ## the guest page of every sent proposal in the embedded database (open one in a browser)
	@psql -X -q "$(DB_URL)" -v ON_ERROR_STOP=1 -c "select v.name as venue, p.status, 'http://localhost:$(HTTP_PORT)/p/' || p.public_token as guest_page from app.proposals p join app.venues v on v.id = p.venue_id where p.public_token is not null order by p.sent_at desc"

doctor: build ## every configured provider's credentials and reachability (non-zero exit when broken)
	@DATABASE_URL=$(DB_URL) BANQUET_DATA_DIR=$(DATA_DIR) $(BIN) doctor

psql: ## psql into the embedded database
	@$(RUN_DB) psql

migrate: ## apply sql/platform and supabase/migrations to $(DB_URL)
	$(BIN) migrate --database-url $(DB_URL)

seed: ## load supabase/seed.sql once (skipped when the database already has organizations)
	@if [[ "$$(psql -X -tA "$(DB_URL)" -c 'select count(*) from app.organizations')" == "0" ]]; then \
	  psql -X -q -v ON_ERROR_STOP=1 "$(DB_URL)" -f supabase/seed.sql && echo "seed: loaded supabase/seed.sql"; \
	else echo "seed: database already has data, skipped"; fi

clean: db-stop ## stop the clusters and delete .data and .build
	rm -rf $(DATA_DIR) .build

# --- tests ------------------------------------------------------------------------------------

test: deps build test-db test-sql-lint test-checks test-pgtap test-swift test-gateway test-ai test-connectors test-realtime test-browser ## every test
	@echo "make test: all suites passed"

test-db: ## (re)build the migrated template database on the test cluster
	@$(TEST_DB) start
	@$(TEST_PSQL) -d postgres -c "drop database if exists $(PGTAP_DB) with (force)" -c "drop database if exists $(TEMPLATE_DB) with (force)" -c "create database $(TEMPLATE_DB)"
	$(BIN) migrate --database-url postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/$(TEMPLATE_DB)
	@$(TEST_PSQL) -d postgres -c "create database $(PGTAP_DB) template $(TEMPLATE_DB)"
	@$(TEST_PSQL) -d $(PGTAP_DB) -c "create extension if not exists pgtap with schema extensions" -c "alter database $(PGTAP_DB) set search_path = public, extensions"
	@if [[ -f sql/test-helpers.sql ]]; then $(TEST_PSQL) -d $(PGTAP_DB) -f sql/test-helpers.sql; fi

test-pgtap: ## pgTAP over supabase/tests/database
	pg_prove -h 127.0.0.1 -p $(TEST_PG_PORT) -U postgres -d $(PGTAP_DB) supabase/tests/database/*.sql

test-sql-lint: ## squawk over the migrations
	scripts/squawk.sh

test-checks: ## linter-equivalent checks, plpgsql_check, schema snapshot and docs drift, check self-tests
	DATABASE_URL=postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/$(TEMPLATE_DB) scripts/sql-checks.sh
	DATABASE_URL=postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/$(TEMPLATE_DB) scripts/plpgsql-check.sh
	DATABASE_URL=postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/$(TEMPLATE_DB) scripts/schema-snapshot.sh check
	DATABASE_URL=postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/$(TEMPLATE_DB) python3 scripts/gen-rpc-docs.py --check
	ADMIN_URL=$(TEST_ADMIN_URL) scripts/test-sql-checks.sh
	ADMIN_URL=$(TEST_ADMIN_URL) TEMPLATE_DB=$(TEMPLATE_DB) scripts/test-generative-check.sh

SWIFT_TEST_ENV = BANQUET_TEST_DATABASE_URL=$(TEST_ADMIN_URL) BANQUET_TEST_TEMPLATE=$(TEMPLATE_DB) BANQUET_BIN=$(BIN) \
  BANQUET_TEST_PGDATA=$(DATA_DIR)/pg-test

test-swift: ## swift test against the test cluster (needs test-db); then the cluster-restart test alone
	$(SWIFT_TEST_ENV) swift test
	@# It restarts the shared test cluster, so it runs by itself, after every other test.
	$(SWIFT_TEST_ENV) BANQUET_TEST_RESTART_CLUSTER=1 swift test --skip-build --filter daemonRecoversFromAPostgreSQLRestart

test-gateway: ## the HTTP gateway through the real supabase client, against real banquet serve processes (needs test-db)
	$(SWIFT_TEST_ENV) python3 -m pytest -p no:cacheprovider -c tests/gateway/pytest.ini tests/gateway $(PYTEST_ARGS)

test-ai: ## AI connectors end to end: offline, OpenAI-compatible and Bedrock stand-ins, PDF menus, budgets (needs test-db)
	$(SWIFT_TEST_ENV) python3 -m pytest -p no:cacheprovider -c tests/ai/pytest.ini tests/ai $(PYTEST_ARGS)

test-connectors: ## WhatsApp, Instagram, payments and FX against local provider servers and real banquet serve processes (needs test-db)
	$(SWIFT_TEST_ENV) python3 -m pytest -p no:cacheprovider -c tests/gateway/pytest.ini tests/connectors $(PYTEST_ARGS)

test-browser: ## the guest's proposal page, the emails and the operator console in headless Chromium (selenium + chromium-driver), real banquet serve (needs test-db); screenshots in $(DATA_DIR)/test-artifacts
	$(SWIFT_TEST_ENV) python3 -m pytest -p no:cacheprovider -c tests/browser/pytest.ini tests/browser $(PYTEST_ARGS)

test-console: ## the operator console's browser and HTTP tests alone (part of test-browser)
	$(SWIFT_TEST_ENV) python3 -m pytest -p no:cacheprovider -c tests/browser/pytest.ini tests/browser/test_console.py $(PYTEST_ARGS)

test-realtime: ## realtime (/realtime/v1/websocket) through the real supabase client and raw WebSockets, against real banquet serve processes (needs test-db)
	$(SWIFT_TEST_ENV) python3 -m pytest -p no:cacheprovider -c tests/realtime/pytest.ini tests/realtime $(PYTEST_ARGS)

schema: test-db ## regenerate sql/schema.sql from a freshly migrated database
	DATABASE_URL=postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/$(TEMPLATE_DB) scripts/schema-snapshot.sh dump

docs: test-db ## regenerate the RPC catalogue in docs/database.md
	DATABASE_URL=postgres://postgres@127.0.0.1:$(TEST_PG_PORT)/$(TEMPLATE_DB) python3 scripts/gen-rpc-docs.py

# --- benchmarks (never a test gate) -------------------------------------------------------------

seed-scale: build db-start migrate ## load the scale data set into the embedded database
	DATABASE_URL=$(DB_URL) scripts/seed-scale.sh

bench-sql: ## p50/p95 of every list/report RPC at scale -> bench/results/sql.json, docs/benchmarks.md
	DATABASE_URL=$(DB_URL) python3 bench/sql/run.py

bench-bridge: deps ## bridge throughput/latency vs PgQueuer, Procrastinate, pgbench ceiling
	swift build -c release --product banquet
	BANQUET_BIN=$(ROOT)/.build/release/banquet bench/bridge/run.sh

bench-gateway: deps test-db ## RPC through the gateway vs pgbench running the same transaction -> bench/results/gateway.json
	@command -v wrk >/dev/null || { echo "bench-gateway: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
	swift build -c release --product banquet
	BENCH_DATABASE_URL=$(TEST_ADMIN_URL) BANQUET_BIN=$(ROOT)/.build/release/banquet bench/gateway/run.sh


bench-menus: deps build test-db ## menu extraction P/R/F1, offline parser and the LLM path (local stand-in server) -> bench/results/menus.json, docs/benchmarks.md
	$(SWIFT_TEST_ENV) python3 bench/menus/run.py

bench-realtime: deps test-db ## realtime delivery latency p50/p99 and SQL statements per change at 1,000 and 5,000 subscribers -> bench/results/realtime.json, docs/benchmarks.md
	swift build -c release --product banquet
	$(SWIFT_TEST_ENV) BANQUET_BIN=$(ROOT)/.build/release/banquet python3 bench/realtime/run.py

bench: bench-sql bench-bridge bench-gateway bench-menus bench-realtime ## all benchmarks
