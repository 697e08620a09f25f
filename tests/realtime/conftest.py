"""The realtime tests run real `banquet serve` processes against real PostgreSQL, through the
gateway suite's harness (tests/gateway/conftest.py): same databases-from-template, same daemon
start-up. Clients are the real supabase Python client (`acreate_client`) and, for the scale check,
raw WebSockets speaking the same Phoenix protocol."""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

sys.path.insert(0, str(HERE.parent))
from harness_loader import gateway_harness  # noqa: E402

harness = gateway_harness()

JWT_SECRET = harness.JWT_SECRET


# Records how many tests had failed when a module started, so its daemon's log is kept if it fails.
_count_failures = harness._count_failures

# A daemon per test module (module-level BANQUET_ENV adds settings), the gateway suite's own fixture.
banquet = harness.banquet
