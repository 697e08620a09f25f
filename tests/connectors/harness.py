"""Shared pieces for the connector tests: the gateway suite's real-daemon harness, the test
fixture data (sql/test-helpers.sql's tests.fixture()), webhook signing, and waiting."""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The gateway suite's harness (a real `banquet serve` per module on a copy of the template).
sys.path.insert(0, str(ROOT / "tests"))
from harness_loader import gateway_harness  # noqa: E402

gateway = gateway_harness()
start_banquet = gateway.start_banquet
stop_banquet = gateway.stop_banquet


def load_fixture(banquet) -> None:
    """Loads sql/test-helpers.sql and runs tests.fixture(): org_a with venue_a (GBP), space_a,
    inquiry_a (guest@example.com, +447700900001), WhatsApp account 'wa-a'; org_b likewise."""
    import psycopg
    with psycopg.connect(banquet.db_url, autocommit=True) as conn:
        conn.execute((ROOT / "sql/test-helpers.sql").read_text())
        conn.execute("select tests.fixture()")


def fixture_id(banquet, name: str) -> str:
    return banquet.sql("select tests.id(%s)::text", name)[0][0]


def post(url: str, body: bytes, headers: dict[str, str] | None = None, method: str = "POST") -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, data=body if method != "GET" else None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def hub_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def stripe_signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def dumps(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def svix_headers(secret: str, body: bytes, msg_id: str, timestamp: int | None = None) -> dict[str, str]:
    """Svix's signing: base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed with the base64
    part of the whsec_ secret."""
    import base64
    t = str(int(time.time()) if timestamp is None else timestamp)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signature = base64.b64encode(hmac.new(key, f"{msg_id}.{t}.".encode() + body, hashlib.sha256).digest()).decode()
    return {"svix-id": msg_id, "svix-timestamp": t, "svix-signature": f"v1,{signature}", "Content-Type": "application/json"}
