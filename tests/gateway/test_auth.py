"""/auth/v1 through the real supabase client, unchanged, against a real `banquet serve`.

Autoconfirm on (the default). Signup confirmation with autoconfirm off is in
test_auth_confirmation.py, the password-grant rate limit in test_auth_rate_limit.py (each needs a
daemon of its own).
"""
from __future__ import annotations

import hashlib
import time

import httpx
import pytest
from supabase_auth.errors import AuthApiError, AuthWeakPasswordError

from auth_helpers import claims_of, client, emails_to, follow_link, forge, link_in, parsed_error, wait_for_email
from conftest import new_email

# Every password and token the module handles; the last test proves none reached the log.
SECRETS: list[str] = []


def secret(value: str) -> str:
    SECRETS.append(value)
    return value


def test_signup_sign_in_refresh_get_update_sign_out(banquet):
    ada, bob = client(banquet), client(banquet)
    ada_email, bob_email = new_email(), new_email()
    ada_password, bob_password = secret("correct horse battery"), secret("bob-secret-42")

    signed_up = ada.auth.sign_up({"email": ada_email, "password": ada_password, "options": {"data": {"name": "Ada"}}})
    assert signed_up.session is not None, "autoconfirm signs the new user in"
    assert signed_up.user.email == ada_email
    assert signed_up.user.user_metadata == {"name": "Ada"}
    assert signed_up.user.app_metadata == {"provider": "email", "providers": ["email"]}
    assert signed_up.user.email_confirmed_at is not None
    other = bob.auth.sign_up({"email": bob_email, "password": bob_password})
    assert other.user.id != signed_up.user.id
    SECRETS.extend([signed_up.session.refresh_token, signed_up.session.access_token, other.session.refresh_token])

    # Sign in with the password: a session whose access token carries GoTrue's claims.
    session = ada.auth.sign_in_with_password({"email": ada_email, "password": ada_password}).session
    SECRETS.extend([session.access_token, session.refresh_token])
    assert session.token_type == "bearer"
    assert session.expires_in == 3600
    assert abs(session.expires_at - (time.time() + 3600)) < 30
    claims = claims_of(session.access_token)
    assert claims["sub"] == signed_up.user.id
    assert claims["role"] == "authenticated" and claims["aud"] == "authenticated"
    assert claims["email"] == ada_email and claims["phone"] == ""
    assert claims["is_anonymous"] is False and claims["aal"] == "aal1"
    assert claims["app_metadata"] == {"provider": "email", "providers": ["email"]}
    assert claims["user_metadata"] == {"name": "Ada"}
    assert claims["amr"][0]["method"] == "password"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["session_id"] != claims_of(signed_up.session.access_token)["session_id"], "each sign-in is its own session"

    # Refresh: a new pair; the access token names the same session.
    refreshed = ada.auth.refresh_session().session
    SECRETS.extend([refreshed.access_token, refreshed.refresh_token])
    assert refreshed.refresh_token != session.refresh_token
    assert claims_of(refreshed.access_token)["session_id"] == claims["session_id"]

    # Get the user with the session's token.
    user = ada.auth.get_user().user
    assert user.id == signed_up.user.id and user.email == ada_email and user.last_sign_in_at is not None

    # Update metadata (merged key by key; null removes a key) and the password.
    ada.auth.update_user({"data": {"company": "Analytical Engines"}})
    updated = ada.auth.update_user({"data": {"name": None, "team": "ops"}}).user
    assert updated.user_metadata == {"company": "Analytical Engines", "team": "ops"}
    new_password = secret("a brand new passphrase")
    ada.auth.update_user({"password": new_password})
    with pytest.raises(AuthApiError) as old:
        client(banquet).auth.sign_in_with_password({"email": ada_email, "password": ada_password})
    assert (old.value.code, old.value.status, old.value.message) == ("invalid_credentials", 400, "Invalid login credentials")
    again = client(banquet).auth.sign_in_with_password({"email": ada_email, "password": new_password}).session
    SECRETS.extend([again.access_token, again.refresh_token])
    assert claims_of(again.access_token)["user_metadata"] == {"company": "Analytical Engines", "team": "ops"}

    # Changing the password ended every other session (GoTrue's UpdatePassword): the signup's
    # refresh token is gone, the current session (ada's client) still works.
    with pytest.raises(AuthApiError) as ended:
        client(banquet).auth.refresh_session(signed_up.session.refresh_token)
    assert ended.value.code == "refresh_token_not_found"
    assert ada.auth.get_user().user.id == signed_up.user.id

    # Sign out: the old refresh token then fails, and the access token no longer passes /user.
    current = ada.auth.get_session()
    ada.auth.sign_out()
    assert ada.auth.get_session() is None
    with pytest.raises(AuthApiError) as after:
        client(banquet).auth.refresh_session(current.refresh_token)
    assert (after.value.code, after.value.status) == ("refresh_token_not_found", 400)
    assert after.value.message == "Invalid Refresh Token: Refresh Token Not Found"
    with pytest.raises(AuthApiError) as gone:
        client(banquet).auth.get_user(current.access_token)
    assert (gone.value.code, gone.value.status) == ("session_not_found", 403)

    # Bob was never touched by any of this.
    assert bob.auth.get_user().user.email == bob_email


def test_signup_refusals(banquet):
    supabase = client(banquet)
    address = new_email()
    supabase.auth.sign_up({"email": address, "password": secret("first-password")})
    with pytest.raises(AuthApiError) as duplicate:
        client(banquet).auth.sign_up({"email": address.upper(), "password": secret("second-password")})
    assert (duplicate.value.code, duplicate.value.status, duplicate.value.message) == ("user_already_exists", 422, "User already registered")
    with pytest.raises(AuthWeakPasswordError) as weak:
        client(banquet).auth.sign_up({"email": new_email(), "password": "12345"})
    assert (weak.value.code, weak.value.status, weak.value.reasons) == ("weak_password", 422, ["length"])
    assert weak.value.message == "Password should be at least 6 characters."
    with pytest.raises(AuthApiError) as malformed:
        client(banquet).auth.sign_up({"email": "not-an-address", "password": "long enough"})
    assert (malformed.value.code, malformed.value.status) == ("validation_failed", 400)
    # The duplicate left the first account as it was.
    assert client(banquet).auth.sign_in_with_password({"email": address, "password": "first-password"}).user.email == address


def test_refresh_token_replay_ends_the_session(banquet):
    supabase = client(banquet)
    address, password = new_email(), secret("replay-password")
    supabase.auth.sign_up({"email": address, "password": password})
    first = supabase.auth.sign_in_with_password({"email": address, "password": password}).session
    SECRETS.extend([first.access_token, first.refresh_token])

    # Stored hashed: the table holds sha256(token), never the token.
    stored = banquet.sql("select token_hash, revoked from auth.refresh_tokens where session_id = %s", claims_of(first.access_token)["session_id"])
    assert stored == [(hashlib.sha256(first.refresh_token.encode()).hexdigest(), False)]
    assert banquet.sql("select count(*) from auth.refresh_tokens where token_hash = %s", first.refresh_token) == [(0,)]

    second = supabase.auth.refresh_session().session
    SECRETS.extend([second.access_token, second.refresh_token])
    assert supabase.auth.get_user(second.access_token).user.email == address

    # The rotated token presented again: reuse. The whole session ends.
    with pytest.raises(AuthApiError) as replay:
        client(banquet).auth.refresh_session(first.refresh_token)
    assert (replay.value.code, replay.value.status, replay.value.message) == (
        "refresh_token_already_used", 400, "Invalid Refresh Token: Already Used")
    for token in (first.access_token, second.access_token):
        with pytest.raises(AuthApiError) as revoked:
            client(banquet).auth.get_user(token)
        assert (revoked.value.code, revoked.value.status) == ("session_not_found", 403)
    with pytest.raises(AuthApiError) as successor:
        client(banquet).auth.refresh_session(second.refresh_token)
    assert successor.value.code == "refresh_token_not_found"
    assert banquet.sql("select count(*) from auth.sessions where id = %s", claims_of(first.access_token)["session_id"]) == [(0,)]
    assert "refresh token reuse" in banquet.log()


def test_password_recovery_through_the_mailbox(banquet):
    supabase = client(banquet)
    address, old_password, new_password = new_email(), secret("forgotten-password"), secret("remembered-at-last")
    supabase.auth.sign_up({"email": address, "password": old_password})
    supabase.auth.sign_out()

    # An unknown address gets the same answer and no email (no account enumeration).
    stranger = new_email()
    client(banquet).auth.reset_password_for_email(stranger)
    client(banquet).auth.reset_password_for_email(address, {"redirect_to": "http://localhost:3000/reset"})

    message = wait_for_email(banquet, address, "Reset your password")
    link = link_in(message, banquet)
    token = link.split("token=")[1].split("&")[0]
    SECRETS.append(token)
    # Once sent, the email's job no longer holds the link (bridge scrubs finished secret payloads).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        jobs = banquet.sql("select status, payload from bridge.jobs where kind = 'email.send' and payload ->> 'to' = %s", address)
        if jobs and all(status == "succeeded" for status, _ in jobs):
            break
        time.sleep(0.1)
    assert jobs and all(payload.get("scrubbed") and "text" not in payload for _, payload in jobs), jobs
    assert banquet.sql("select count(*) from bridge.jobs where payload::text like %s", f"%{token}%") == [(0,)]
    target, fragment = follow_link(banquet, link)
    assert target == "http://localhost:3000/reset"
    assert fragment["type"] == "recovery" and fragment["token_type"] == "bearer"
    assert int(fragment["expires_in"]) == 3600 and "sb" in fragment
    SECRETS.extend([fragment["access_token"], fragment["refresh_token"]])
    assert claims_of(fragment["access_token"])["amr"][0]["method"] == "otp"
    assert emails_to(banquet, stranger) == []

    # The link works once.
    _, spent = follow_link(banquet, link)
    assert (spent["error"], spent["error_code"]) == ("access_denied", "otp_expired")
    assert spent["error_description"] == "Email link is invalid or has expired"

    # The frontend takes the session from the fragment and sets the new password with it.
    recovering = client(banquet)
    recovering.auth.set_session(fragment["access_token"], fragment["refresh_token"])
    recovering.auth.update_user({"password": new_password})
    with pytest.raises(AuthApiError) as old:
        client(banquet).auth.sign_in_with_password({"email": address, "password": old_password})
    assert old.value.code == "invalid_credentials"
    signed_in = client(banquet).auth.sign_in_with_password({"email": address, "password": new_password})
    assert signed_in.user.email == address
    SECRETS.extend([signed_in.session.access_token, signed_in.session.refresh_token])


def test_verify_otp_with_the_token_hash(banquet):
    address, password = new_email(), secret("otp-route-password")
    client(banquet).auth.sign_up({"email": address, "password": password})
    client(banquet).auth.reset_password_for_email(address)
    token = link_in(wait_for_email(banquet, address, "Reset your password"), banquet).split("token=")[1].split("&")[0]
    SECRETS.append(token)
    supabase = client(banquet)
    verified = supabase.auth.verify_otp({"type": "recovery", "token_hash": token})
    assert verified.user.email == address and verified.session is not None
    SECRETS.extend([verified.session.access_token, verified.session.refresh_token])
    assert supabase.auth.get_user().user.email == address
    with pytest.raises(AuthApiError) as reused:
        client(banquet).auth.verify_otp({"type": "recovery", "token_hash": token})
    assert (reused.value.code, reused.value.status, reused.value.message) == ("otp_expired", 403, "Token has expired or is invalid")


def test_sign_out_scopes_and_email_change(banquet):
    address, password = new_email(), secret("two-devices-password")
    client(banquet).auth.sign_up({"email": address, "password": password})
    laptop, phone, tablet = client(banquet), client(banquet), client(banquet)
    for device in (laptop, phone, tablet):
        signed_in = device.auth.sign_in_with_password({"email": address, "password": password}).session
        SECRETS.extend([signed_in.access_token, signed_in.refresh_token])
    phone_session, tablet_session = phone.auth.get_session(), tablet.auth.get_session()

    # others: every session but the caller's ends.
    laptop.auth.sign_out({"scope": "others"})
    assert laptop.auth.get_user().user.email == address
    for ended in (phone_session, tablet_session):
        with pytest.raises(AuthApiError) as refused:
            client(banquet).auth.refresh_session(ended.refresh_token)
        assert refused.value.code == "refresh_token_not_found"

    # Email change applies at once with autoconfirm; the new address signs in, the old does not.
    changed = new_email()
    assert laptop.auth.update_user({"email": changed}).user.email == changed
    assert client(banquet).auth.sign_in_with_password({"email": changed, "password": password}).user.email == changed
    with pytest.raises(AuthApiError):
        client(banquet).auth.sign_in_with_password({"email": address, "password": password})

    # local: only the caller's session ends.
    other_device = client(banquet)
    other_device.auth.sign_in_with_password({"email": changed, "password": password})
    kept = other_device.auth.get_session()
    SECRETS.extend([kept.access_token, kept.refresh_token])
    laptop_session = laptop.auth.get_session()
    laptop.auth.sign_out({"scope": "local"})
    with pytest.raises(AuthApiError) as local:
        client(banquet).auth.get_user(laptop_session.access_token)
    assert local.value.code == "session_not_found"
    assert other_device.auth.get_user().user.email == changed


def test_apikey_and_bad_jwts_over_plain_http(banquet):
    auth = f"{banquet.url}/auth/v1"

    # No apikey: refused before GoTrue's logic, as Supabase's API gateway refuses it.
    response = httpx.post(f"{auth}/token", params={"grant_type": "password"}, json={"email": "a@b.co", "password": "x" * 8})
    assert response.status_code == 401
    assert response.json()["message"] == "No API key found in request"
    response = httpx.get(f"{auth}/user", headers={"apikey": "not-a-key"})
    assert (response.status_code, response.json()["message"]) == (401, "Invalid API key")

    user = client(banquet)
    address, password = new_email(), secret("jwt-test-password")
    signed_up = user.auth.sign_up({"email": address, "password": password})
    SECRETS.extend([signed_up.session.access_token, signed_up.session.refresh_token])
    good = claims_of(signed_up.session.access_token)
    now = int(time.time())
    forged = {
        "alg none": forge(good, alg="none"),
        "wrong key": forge(good, secret="another-secret-that-is-long-enough-000000"),
        "expired": forge({**good, "iat": now - 7200, "exp": now - 3600}),
    }
    for name, token in forged.items():
        for version in ("2024-01-01", None):
            headers = {"apikey": banquet.anon_key, "Authorization": f"Bearer {token}"}
            if version:
                headers["X-Supabase-Api-Version"] = version
            response = httpx.get(f"{auth}/user", headers=headers)
            assert response.status_code == 403, (name, response.text)  # GoTrue answers bad_jwt with 403
            assert response.headers["x-sb-error-code"] == "bad_jwt"
            body = response.json()
            if version:  # GoTrue's 2024-01-01 shape, version echoed
                assert body["code"] == "bad_jwt" and response.headers["X-Supabase-Api-Version"] == "2024-01-01"
            else:  # the original shape
                assert (body["code"], body["error_code"]) == (403, "bad_jwt") and "msg" in body
            error = parsed_error(response)
            assert isinstance(error, AuthApiError), (name, error)
            assert (error.code, error.status) == ("bad_jwt", 403)
            assert error.message.startswith("invalid JWT: unable to parse or verify signature"), error.message

    # The genuine token passes; the anon key (no sub) does not name a user.
    assert httpx.get(f"{auth}/user", headers={"apikey": banquet.anon_key, "Authorization": f"Bearer {signed_up.session.access_token}"}).status_code == 200
    anon = parsed_error(httpx.get(f"{auth}/user", headers={"apikey": banquet.anon_key, "Authorization": f"Bearer {banquet.anon_key}"}))
    assert (anon.code, anon.status, anon.message) == ("bad_jwt", 403, "invalid claim: missing sub claim")

    # Malformed JSON and an unknown grant, in GoTrue's words.
    response = httpx.post(f"{auth}/token", params={"grant_type": "password"}, content=b"{not json", headers={"apikey": banquet.anon_key})
    bad = parsed_error(response)
    assert (bad.code, bad.status) == ("bad_json", 400)
    grant = parsed_error(httpx.post(f"{auth}/token", params={"grant_type": "magic"}, json={}, headers={"apikey": banquet.anon_key}))
    assert (grant.code, grant.message) == ("invalid_credentials", "unsupported_grant_type")


def test_no_secret_reaches_the_log(banquet):
    log = banquet.log()
    assert "auth: login" in log and "auth: signup" in log and "auth: recovery sent" in log and "auth: logout" in log
    assert len(SECRETS) > 20
    leaked = [value for value in SECRETS if value in log]
    assert leaked == [], f"{len(leaked)} secrets in the daemon log"
    assert "$2b$" not in log and "$2a$" not in log, "a bcrypt hash in the log"
    for (token_hash,) in banquet.sql("select token_hash from auth.refresh_tokens"):
        assert token_hash not in log
