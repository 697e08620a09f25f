"""One loader for the gateway suite's real-daemon harness (tests/gateway/conftest.py): a real
`banquet serve` per test module on a copy of the template database. The AI, realtime, connector
and browser suites build on it; each used to carry its own copy of these lines.

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # tests/
    from harness_loader import gateway_harness
    harness = gateway_harness()

The module is registered as `gateway_harness` before it runs (its dataclasses look their module
up while the class is built) and loaded once per session, so suites run together share it.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_CONFTEST = Path(__file__).resolve().parent / "gateway" / "conftest.py"


def gateway_harness():
    module = sys.modules.get("gateway_harness")
    if module is None:
        spec = importlib.util.spec_from_file_location("gateway_harness", _CONFTEST)
        module = importlib.util.module_from_spec(spec)
        sys.modules["gateway_harness"] = module
        spec.loader.exec_module(module)
    return module
