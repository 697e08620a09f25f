"""Fixtures for the console's browser tests: a real `banquet serve` (the gateway suite's harness,
tests/gateway/conftest.py) with a console token and a mailbox directory the test can break, and
headless Chromium driven by selenium through chromium-driver.

Screenshots go to `<daemon data dir>/artifacts/*.png` and are copied to
`.data/test-artifacts/console/` when the module ends, so they outlive the daemon.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest


# browser.py loads the gateway suite's harness (tests/gateway/conftest.py) once and launches Chromium.
from browser import gateway as harness, start_browser  # noqa: E402

CONSOLE_TOKEN = "console-token-for-the-browser-suite-0123456789"


class ConsoleDaemon:
    """A running daemon plus what the console tests need around it."""

    def __init__(self, banquet, mailbox_dir: Path):
        self.banquet = banquet
        self.mailbox_dir = mailbox_dir
        self.artifacts = banquet.data_dir / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)

    def __getattr__(self, name):
        return getattr(self.banquet, name)

    def enqueue(self, kind: str, payload: dict, **named) -> int:
        """`bridge.enqueue` as the triggers call it; `named` are its p_* arguments."""
        import json
        extra = "".join(f", p_{key} => %s" for key in named)
        rows = self.banquet.sql(f"select bridge.enqueue(%s, %s::jsonb{extra})", kind, json.dumps(payload), *named.values())
        return rows[0][0]

    def job(self, job_id: int) -> tuple[str, str | None]:
        return tuple(self.banquet.sql("select status, last_error from bridge.jobs where id = %s", job_id)[0])

    def wait_for_status(self, job_id: int, status: str, timeout: float = 30) -> tuple[str, str | None]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.job(job_id)
            if current[0] == status:
                return current
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} is {self.job(job_id)}, not {status}, after {timeout} s")


@pytest.fixture(scope="module")
def console(request):
    """A daemon per module with BANQUET_CONSOLE_TOKEN set and its mailbox outside the data dir."""
    mailbox_root = Path(tempfile.mkdtemp(prefix="banquet-console-mail-"))
    mailbox_dir = mailbox_root / "mailbox"
    banquet = harness.start_banquet({"BANQUET_CONSOLE_TOKEN": CONSOLE_TOKEN, "BANQUET_MAILBOX_DIR": str(mailbox_dir)})
    daemon = ConsoleDaemon(banquet, mailbox_dir)
    yield daemon
    target = harness.ARTIFACTS / "console"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(daemon.artifacts, target)
    failed = request.session.testsfailed > getattr(request.module, "_failed_before", 0)
    harness.stop_banquet(banquet, keep_artifacts=request.module.__name__ if failed else None)
    shutil.rmtree(mailbox_root, ignore_errors=True)


# The gateway harness's autouse fixture: how many tests had failed when the module started.
_count_failures = harness._count_failures


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through chromium-driver (browser.py's launcher), at a desktop size."""
    driver = start_browser(1280, 1000)
    yield driver
    driver.quit()
