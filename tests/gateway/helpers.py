"""Shared helpers for the gateway tests: users made directly in SQL, raw HTTP calls, tokens."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import httpx
from supabase import Client, ClientOptions, create_client


def make_user(banquet, email: str | None = None) -> tuple[str, str]:
    """A user row in auth.users and a signed access token for it (no /auth/v1 round trip)."""
    user_id = str(uuid.uuid4())
    email = email or f"{user_id[:8]}@example.com"
    banquet.sql("insert into auth.users (id, email, aud, role) values (%s, %s, 'authenticated', 'authenticated')", user_id, email)
    return user_id, banquet.token("authenticated", sub=user_id, email=email)


def client_as(banquet, token: str | None = None) -> Client:
    """The real supabase client, unchanged: anon key as apikey, the user's token as bearer."""
    client = create_client(banquet.url, banquet.anon_key, options=ClientOptions(auto_refresh_token=False, persist_session=False))
    if token:
        client.postgrest.auth(token)
    return client


def rpc(banquet, name: str, body=None, *, token: str | None = None, method: str = "POST", headers: dict | None = None,
        params: dict | None = None, content: bytes | None = None, apikey: str | None = "anon") -> httpx.Response:
    """A raw HTTP call to /rest/v1/rpc/<name>, for what the client does not expose."""
    all_headers = {}
    if apikey == "anon":
        all_headers["apikey"] = banquet.anon_key
    elif apikey:
        all_headers["apikey"] = apikey
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    url = f"{banquet.url}/rest/v1/rpc/{name}"
    if method == "GET":
        return httpx.get(url, params=params, headers=all_headers, timeout=10)
    if content is not None:
        return httpx.request(method, url, content=content, headers={"Content-Type": "application/json", **all_headers}, timeout=10)
    return httpx.request(method, url, json=body if body is not None else {}, headers=all_headers, timeout=10)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge_jwt(claims: dict, secret: str | None, alg: str = "HS256") -> str:
    """A JWT built by hand, for the attacks: alg none, a foreign key, expired claims."""
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    if alg == "none" or secret is None:
        return f"{header}.{payload}."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    signature = b64url(hmac.new(secret.encode(), f"{header}.{payload}".encode(), digest).digest())
    return f"{header}.{payload}.{signature}"


def claims(role: str = "authenticated", sub: str | None = None, ttl: int = 3600, **extra) -> dict:
    now = int(time.time())
    result = {"role": role, "iat": now, "exp": now + ttl, **extra}
    if sub:
        result["sub"] = sub
        result["aud"] = "authenticated"
    return result
