"""Signup confirmation by email (BANQUET_AUTH_AUTOCONFIRM=false), through the real supabase client."""
from __future__ import annotations

import pytest
from supabase_auth.errors import AuthApiError

from auth_helpers import claims_of, client, emails_to, follow_link, link_in, wait_for_email
from conftest import new_email

BANQUET_ENV = {"BANQUET_AUTH_AUTOCONFIRM": "false"}


def test_sign_in_is_refused_until_the_email_is_confirmed(banquet):
    address, password = new_email(), "confirm-me-please"
    signed_up = client(banquet).auth.sign_up({"email": address, "password": password})
    assert signed_up.session is None, "no session before the address is confirmed"
    assert signed_up.user.email == address and signed_up.user.email_confirmed_at is None
    assert signed_up.user.confirmation_sent_at is not None

    with pytest.raises(AuthApiError) as refused:
        client(banquet).auth.sign_in_with_password({"email": address, "password": password})
    assert (refused.value.code, refused.value.status, refused.value.message) == ("email_not_confirmed", 400, "Email not confirmed")

    message = wait_for_email(banquet, address, "Confirm your signup")
    target, fragment = follow_link(banquet, link_in(message, banquet))
    assert target == "http://localhost:0", "no redirect_to given: the site URL (here the public URL)"
    assert fragment["type"] == "signup"
    assert claims_of(fragment["access_token"])["email"] == address

    session = client(banquet).auth.sign_in_with_password({"email": address, "password": password}).session
    assert session is not None and session.user.email_confirmed_at is not None


def test_a_repeated_signup_reveals_nothing(banquet):
    address = new_email()
    first = client(banquet).auth.sign_up({"email": address, "password": "first-password"})
    follow_link(banquet, link_in(wait_for_email(banquet, address, "Confirm your signup"), banquet))
    # Confirmed now. Signing up again answers like a fresh signup (another id, no session) and
    # changes nothing: the original password still signs in.
    again = client(banquet).auth.sign_up({"email": address, "password": "attacker-password"})
    assert again.session is None and again.user.id != first.user.id
    assert client(banquet).auth.sign_in_with_password({"email": address, "password": "first-password"}).user.id == first.user.id
    with pytest.raises(AuthApiError):
        client(banquet).auth.sign_in_with_password({"email": address, "password": "attacker-password"})
    assert len(emails_to(banquet, address)) == 1, "no second email for a confirmed address"
