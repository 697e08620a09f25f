"""The password grant's per-IP brute-force limit (BANQUET_AUTH_RATE_LIMIT_PASSWORD, default 30
per 5 minutes), on a daemon of its own so no other test's sign-ins count."""
from __future__ import annotations

import httpx
from supabase_auth.errors import AuthApiError

from auth_helpers import client, parsed_error
from conftest import new_email


def test_wrong_password_31_times_is_rate_limited(banquet):
    address = new_email()
    client(banquet).auth.sign_up({"email": address, "password": "the-real-password"})
    url = f"{banquet.url}/auth/v1/token"
    headers = {"apikey": banquet.anon_key, "X-Supabase-Api-Version": "2024-01-01"}
    statuses = []
    for attempt in range(31):
        response = httpx.post(url, params={"grant_type": "password"}, headers=headers, json={"email": address, "password": f"guess-{attempt}"})
        statuses.append(response.status_code)
    assert statuses[:30] == [400] * 30
    assert statuses[30] == 429
    error = parsed_error(response)
    assert isinstance(error, AuthApiError)
    assert (error.code, error.status, error.message) == ("over_request_rate_limit", 429, "Request rate limit reached")
    assert int(response.headers["Retry-After"]) > 0
    # The right password is refused too now: the limit counts requests from the client IP.
    blocked = httpx.post(url, params={"grant_type": "password"}, headers=headers, json={"email": address, "password": "the-real-password"})
    assert blocked.status_code == 429
