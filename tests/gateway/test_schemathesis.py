"""schemathesis against GET /rest/v1/'s own description: no generated call may produce a 500.

Bounded: a few examples per operation, a fixed seed, one worker; the whole run takes well
under two minutes. It calls as a signed-in owner of an organization, so generated arguments
reach the functions' bodies rather than stopping at 401.
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from helpers import client_as, make_user

EXAMPLES = os.environ.get("BANQUET_SCHEMATHESIS_EXAMPLES", "8")


@pytest.mark.skipif(shutil.which("schemathesis") is None, reason="schemathesis is installed by scripts/install-deps.sh")
def test_no_generated_call_is_a_server_error(banquet):
    _, token = make_user(banquet)
    client_as(banquet, token).rpc("create_organization", {"p_name": "Fuzzed Org"}).execute()
    report = banquet.data_dir / "schemathesis.txt"
    result = subprocess.run([
        "schemathesis", "run", f"{banquet.url}/rest/v1/",
        "--url", f"{banquet.url}/rest/v1",
        "-H", f"apikey: {banquet.anon_key}", "-H", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error",
        "--max-examples", EXAMPLES, "--seed", "20261129", "--no-shrink",
        "--phases", "examples,fuzzing", "--request-timeout", "15",
        "--generation-allow-x00", "false",
    ], capture_output=True, text=True, timeout=900, cwd=banquet.data_dir)  # its cache stays out of the checkout
    report.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "passed" in result.stdout
    print(result.stdout[-800:])
