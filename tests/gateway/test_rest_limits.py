"""/rest/v1 limits: body size and the per-IP limit on anonymous calls."""
from __future__ import annotations

from helpers import make_user, rpc

BANQUET_ENV = {"BANQUET_RPC_ANON_RATE_LIMIT": "5", "BANQUET_MAX_BODY_BYTES": "2048"}


def test_oversized_body_is_413(banquet):
    _, token = make_user(banquet)
    response = rpc(banquet, "create_organization", content=b'{"p_name": "' + b"x" * 4096 + b'"}', token=token)
    assert response.status_code == 413
    assert response.json()["code"] == "PGRST413"
    assert banquet.sql("select count(*) from app.organizations")[0][0] == 0


def test_anonymous_calls_are_rate_limited_per_ip_but_users_are_not(banquet):
    statuses = [rpc(banquet, "get_public_proposal", {"p_token": "nope"}).status_code for _ in range(7)]
    assert 429 not in statuses[:5] and statuses[5:] == [429, 429], statuses
    limited = rpc(banquet, "get_public_proposal", {"p_token": "nope"})
    assert int(limited.headers["retry-after"]) >= 1
    _, token = make_user(banquet)
    assert rpc(banquet, "my_organizations", token=token).status_code == 200
