"""Shared steps of the /auth/v1 tests: clients, emails from the offline mailbox, raw tokens.

Everything here goes through the real supabase client or plain HTTP against a real daemon; the
only parsing done by hand is of the email (as a person's mail reader would) and of URLs.
"""
from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
from supabase import Client, ClientOptions, create_client
from supabase_auth.errors import AuthError
from supabase_auth.helpers import handle_exception

from conftest import JWT_SECRET, Banquet


def client(banquet: Banquet) -> Client:
    """A fresh supabase client as a frontend creates one; no auto refresh, so a test decides
    when tokens rotate."""
    return create_client(banquet.url, banquet.anon_key, options=ClientOptions(auto_refresh_token=False, persist_session=True))


def parsed_error(response: httpx.Response) -> AuthError:
    """What supabase_auth raises for this response: its own `handle_exception`, unchanged."""
    try:
        response.raise_for_status()
    except httpx.HTTPStatusError as error:
        return handle_exception(error)
    raise AssertionError(f"expected an error response, got {response.status_code}: {response.text}")


def wait_for_email(banquet: Banquet, to: str, subject: str, timeout: float = 10.0) -> email.message.EmailMessage:
    """The newest `.eml` in the daemon's offline mailbox addressed to `to` with `subject`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in reversed(banquet.mailbox()):
            message = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
            if to in str(message["To"]) and message["Subject"] == subject:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} with subject {subject!r} within {timeout}s; mailbox: {banquet.mailbox()}")


def emails_to(banquet: Banquet, to: str) -> list[email.message.EmailMessage]:
    messages = [email.message_from_bytes(Path(p).read_bytes(), policy=email.policy.default) for p in banquet.mailbox()]
    return [m for m in messages if to in str(m["To"])]


def link_in(message: email.message.EmailMessage, banquet: Banquet) -> str:
    """The verification link of an email's text part, pointed at the test daemon (the suite runs
    with BANQUET_PUBLIC_URL=http://localhost:0, an address no browser could open)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/auth/v1/verify\?\S+", text)
    assert match, f"no verify link in:\n{text}"
    link = urlsplit(match.group(0))
    assert link.netloc == "localhost:0", link  # the public URL the daemon was given
    base = urlsplit(banquet.url)
    return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))


def follow_link(banquet: Banquet, link: str) -> tuple[str, dict[str, str]]:
    """Opens a verify link as a browser does — no apikey, as on Supabase, whose API gateway
    leaves /auth/v1/verify open — and returns the redirect target and its fragment parameters."""
    response = httpx.get(link, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    target, _, fragment = location.partition("#")
    return target, {k: v[0] for k, v in parse_qs(fragment, keep_blank_values=True).items()}


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(claims: dict, alg: str = "HS256", secret: str = JWT_SECRET) -> str:
    """A JWT with the given header algorithm and key, for the refusal tests."""
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    if alg == "none":
        return f"{header}.{payload}."
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"
