"""The AI tests run real `banquet serve` processes against real PostgreSQL, through the gateway
suite's harness (tests/gateway/conftest.py): same databases-from-template, same daemon start-up.
Providers are played by the local servers in providers.py."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

sys.path.insert(0, str(HERE.parent))
from harness_loader import gateway_harness  # noqa: E402

harness = gateway_harness()

start_banquet = harness.start_banquet
stop_banquet = harness.stop_banquet


# Records how many tests had failed when a module started, so its daemon's log is kept if it fails.
_count_failures = harness._count_failures


@pytest.fixture(scope="module")
def daemons(request):
    """Starts daemons on demand (`daemons(env)`), each with its own database; stops them all at the end.
    Logs are kept under .data/test-artifacts when a test in the module failed."""
    started = []

    def start(extra_env: dict[str, str] | None = None):
        instance = start_banquet(extra_env)
        started.append(instance)
        return instance

    yield start
    failed = request.session.testsfailed > getattr(request.module, "_failed_before", 0)
    for index, instance in enumerate(started):
        stop_banquet(instance, keep_artifacts=f"{request.module.__name__}-{index}" if failed else None)
