"""Drafting through Bedrock Converse, played by a server that recomputes every SigV4 signature
with botocore: a model id with `:` (percent-encoded on the wire, double-encoded in the canonical
URI), errors in AWS's shapes, and task-role credentials from an ECS endpoint."""
from __future__ import annotations

import json

import pytest

import os
import subprocess

from providers import BedrockServer, ECSCredentialsServer, Reply, aws_error
from venue import ai_runs, make_venue, new_inquiry, proposal_items, wait_for_draft

MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
KEY_ID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TASK_KEY, TASK_SECRET, TASK_TOKEN = "ASIATASKROLE", "task-secret-0123456789", "IQoJb3JpZ2luX2VjEXAMPLETOKEN//+="


@pytest.fixture(scope="module")
def server():
    s = BedrockServer({KEY_ID: (SECRET, None), TASK_KEY: (TASK_SECRET, TASK_TOKEN)}, models=(MODEL,))
    yield s
    s.close()


def bedrock_env(server, **extra):
    env = {"BANQUET_LLM_PROVIDER": "bedrock", "BEDROCK_REGION": "eu-west-1", "BEDROCK_MODEL_ID": MODEL,
           "BEDROCK_ENDPOINT_URL": server.endpoint, "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def banquet(daemons, server):
    return daemons(bedrock_env(server, LLM_TIMEOUT_SECONDS="2"))


def draft(venue):
    return {"title": "Bedrock dinner", "notes": "Drafted by Claude.", "items": [
        {"menu_item_id": venue.items["Cured trout, fennel"][0], "package_id": None, "quantity": 15},
        {"menu_item_id": venue.items["Wild mushroom risotto"][0], "package_id": None, "quantity": 15}]}


def test_draft_through_converse_with_a_colon_in_the_model_id(banquet, server):
    venue = make_venue(banquet)
    server.requests.clear()
    checks = server.signature_checks
    server.script = [lambda body: draft(venue)]

    proposal, job = wait_for_draft(banquet, new_inquiry(banquet, venue, party_size=15))

    assert job[1] == "succeeded" and proposal[1] == "ready", job
    assert [(i[3], i[5]) for i in proposal_items(banquet, proposal[0])] == [("Cured trout, fennel", 1300), ("Wild mushroom risotto", 2450)]
    assert server.signature_checks > checks, "the signature was recomputed and matched"
    seen = server.requests[-1]
    assert seen.path == "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
    assert seen.body["toolConfig"]["toolChoice"] == {"tool": {"name": "proposal_draft"}}
    assert seen.body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]["required"] == ["items", "notes", "title"]
    runs = ai_runs(banquet, job[0])
    assert [(r[0], r[1], r[3], r[4], r[5], r[6], r[7]) for r in runs] == [
        ("bedrock", MODEL, "ok", 1000, 150, 1000 * 0.8 + 150 * 4.0, "price_table")]


def test_throttling_is_retried(banquet, server):
    venue = make_venue(banquet)
    server.script = [aws_error(429, "ThrottlingException", "Too many requests, please wait before trying again."), lambda body: draft(venue)]
    proposal, job = wait_for_draft(banquet, new_inquiry(banquet, venue, party_size=15), timeout=60)
    assert job[1] == "succeeded" and job[2] == 2, job
    assert [r[3] for r in ai_runs(banquet, job[0])] == ["rate_limited", "ok"]


@pytest.mark.parametrize("reply, outcome", [
    (aws_error(503, "ServiceUnavailableException", "Bedrock is unable to process your request."), "unavailable"),
    (Reply(200, {}, delay=3.0), "timeout"),
])
def test_outages_and_timeouts_are_retried(banquet, server, reply, outcome):
    venue = make_venue(banquet)
    server.script = [reply, lambda body: draft(venue)]
    proposal, job = wait_for_draft(banquet, new_inquiry(banquet, venue, party_size=15), timeout=60)
    assert job[1] == "succeeded" and job[2] == 2, job
    assert [r[3] for r in ai_runs(banquet, job[0])] == [outcome, "ok"]


def test_a_tool_input_against_the_schema_is_repaired_then_rejected(banquet, server):
    venue = make_venue(banquet)
    server.requests.clear()
    server.script = [{"title": "No items"}]
    proposal, job = wait_for_draft(banquet, new_inquiry(banquet, venue))
    assert job[1] == "dead" and "invalid_answer" in job[3] and "$.items: is required" in job[3], job
    roles = [m["role"] for m in server.requests[-1].body["messages"]]
    assert roles == ["user", "assistant", "user"], "the repair turn keeps Converse's alternating roles"
    assert [r[3] for r in ai_runs(banquet, job[0])] == ["invalid_answer", "invalid_answer"]


def test_doctor_checks_bedrock_credentials_by_signing_a_call(server):
    bin_ = os.environ.get("BANQUET_BIN", "../../.build/debug/banquet")
    server.script = [{"ok": True}]
    env = dict(os.environ, **bedrock_env(server), DATABASE_URL=os.environ.get("BANQUET_TEST_DATABASE_URL", ""))
    healthy = subprocess.run([bin_, "doctor"], env=env, capture_output=True, text=True, timeout=60)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    env["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-value"
    broken = subprocess.run([bin_, "doctor"], env=env, capture_output=True, text=True, timeout=60)
    llm = next(line for line in broken.stdout.splitlines() if line.startswith("llm"))
    assert broken.returncode == 1 and "BROKEN" in llm and "unauthorized" in llm and "wrong-secret-value" not in broken.stdout


def test_an_invalid_model_id_is_a_validation_error(daemons, server):
    banquet = daemons(bedrock_env(server, BEDROCK_MODEL_ID="anthropic.claude-v9:0"))
    venue = make_venue(banquet)
    proposal, job = wait_for_draft(banquet, new_inquiry(banquet, venue))
    assert job[1] == "dead" and job[2] == 1 and "rejected" in job[3] and "model identifier is invalid" in job[3], job


def test_a_wrong_secret_fails_the_signature_check(daemons, server):
    banquet = daemons(bedrock_env(server, AWS_SECRET_ACCESS_KEY="not-the-secret-at-all"))
    venue = make_venue(banquet)
    proposal, job = wait_for_draft(banquet, new_inquiry(banquet, venue))
    assert job[1] == "dead" and job[2] == 1, job
    assert job[3].startswith("unauthorized") and "signature we calculated does not match" in job[3]
    assert "not-the-secret-at-all" not in job[3]
    assert [r[3] for r in ai_runs(banquet, job[0])] == ["unauthorized"]


def test_ecs_task_role_credentials(daemons, server):
    ecs = ECSCredentialsServer(TASK_KEY, TASK_SECRET, TASK_TOKEN, authorization="ecs-auth-token")
    try:
        banquet = daemons(bedrock_env(server, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
                                      AWS_CONTAINER_CREDENTIALS_FULL_URI=f"http://127.0.0.1:{ecs.port}/v2/credentials/test",
                                      AWS_CONTAINER_AUTHORIZATION_TOKEN="ecs-auth-token"))
        venue = make_venue(banquet)
        server.script = [lambda body: draft(venue)]
        proposal, job = wait_for_draft(banquet, new_inquiry(banquet, venue, party_size=15))
        assert job[1] == "succeeded", job
        assert ecs.calls >= 1
        assert server.requests[-1].headers["x-amz-security-token"] == TASK_TOKEN
        assert "Credential=ASIATASKROLE/" in server.requests[-1].headers["authorization"]
    finally:
        ecs.close()
