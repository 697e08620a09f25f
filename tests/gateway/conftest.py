"""A real `banquet serve` for the gateway tests, against a real PostgreSQL.

Each test module gets its own database (a copy of the migrated template on the test cluster) and
its own daemon on an ephemeral port, with a fixed JWT secret so the tests can mint keys.
Environment (set by `make test-gateway`): BANQUET_TEST_DATABASE_URL (admin URL of the test
cluster), BANQUET_TEST_TEMPLATE, BANQUET_BIN.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("BANQUET_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:54330/postgres")
TEMPLATE = os.environ.get("BANQUET_TEST_TEMPLATE", "banquet_template")
BIN = os.environ.get("BANQUET_BIN", str(ROOT / ".build/debug/banquet"))
JWT_SECRET = "test-secret-for-the-gateway-suite-0123456789abcdef"
ARTIFACTS = Path(os.environ.get("BANQUET_TEST_ARTIFACTS", ROOT / ".data/test-artifacts"))


def database_url(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@dataclass
class Banquet:
    """One running daemon and its database."""

    url: str
    db_url: str
    data_dir: Path
    log_path: Path
    anon_key: str
    service_key: str
    process: subprocess.Popen = field(repr=False)

    def token(self, role: str, sub: str | None = None, email: str | None = None, ttl: str = "1h") -> str:
        return mint(role, sub=sub, email=email, ttl=ttl, data_dir=self.data_dir)

    def sql(self, query: str, *params):
        """Runs SQL as the superuser and returns all rows (or [] for statements without rows)."""
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def mailbox(self) -> list[Path]:
        box = self.data_dir / "mailbox"
        return sorted(box.glob("*.eml")) if box.exists() else []


def mint(role: str, sub: str | None = None, email: str | None = None, ttl: str = "1h", data_dir: Path | None = None) -> str:
    args = [BIN, "token", "--role", role, "--ttl", ttl]
    if sub:
        args += ["--sub", sub]
    if email:
        args += ["--email", email]
    env = dict(os.environ, BANQUET_JWT_SECRET=JWT_SECRET)
    if data_dir:
        env["BANQUET_DATA_DIR"] = str(data_dir)
    return subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout.strip()


def start_banquet(extra_env: dict[str, str] | None = None, role: str = "all") -> Banquet:
    name = f"gw_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}" template "{TEMPLATE}"')
    data_dir = Path(tempfile.mkdtemp(prefix="banquet-gw-"))
    log_path = data_dir / "daemon.log"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(name),
        BANQUET_HTTP_PORT="0",
        BANQUET_DATA_DIR=str(data_dir),
        BANQUET_LOG_FORMAT="json",
        BANQUET_JWT_SECRET=JWT_SECRET,
        BANQUET_POLL_INTERVAL_MS="200",
        BANQUET_PUBLIC_URL="http://localhost:0",
    )
    env.update(extra_env or {})
    log = open(log_path, "w")
    process = subprocess.Popen([BIN, "serve", "--role", role], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"banquet serve exited with {process.returncode}:\n{log_path.read_text()}")
        if url is None:
            for line in log_path.read_text(errors="replace").splitlines():
                if "banquet serving" in line:
                    try:
                        url = json.loads(line)["url"]
                    except (ValueError, KeyError):
                        pass
        if url:
            try:
                with urllib.request.urlopen(url + "/health/all", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"banquet serve did not become healthy:\n{log_path.read_text()}")
    return Banquet(url=url, db_url=database_url(name), data_dir=data_dir, log_path=log_path,
                   anon_key=mint("anon", ttl="1d"), service_key=mint("service_role", ttl="1d"), process=process)


def stop_banquet(banquet: Banquet, keep_artifacts: str | None = None) -> None:
    banquet.process.terminate()
    try:
        banquet.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        banquet.process.kill()
    if keep_artifacts:
        target = ARTIFACTS / keep_artifacts
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(banquet.data_dir, target, ignore=shutil.ignore_patterns("jwt-secret"))
    shutil.rmtree(banquet.data_dir, ignore_errors=True)
    name = banquet.db_url.rpartition("/")[2]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def banquet(request):
    """A daemon per test module; its log is kept under .data/test-artifacts when a test failed."""
    extra = getattr(request.module, "BANQUET_ENV", None)
    instance = start_banquet(extra)
    yield instance
    failed = request.session.testsfailed > getattr(request.module, "_failed_before", 0)
    stop_banquet(instance, keep_artifacts=request.module.__name__ if failed else None)


@pytest.fixture(scope="module", autouse=True)
def _count_failures(request):
    request.module._failed_before = request.session.testsfailed
    yield


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"
