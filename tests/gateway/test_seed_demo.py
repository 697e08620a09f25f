"""The demo data `make run` loads (supabase/seed.sql): its users sign in through the real supabase
client with the documented password, and each sees only its own organization."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from supabase import ClientOptions, create_client
from supabase_auth.errors import AuthApiError

SEED = Path(__file__).resolve().parents[2] / "supabase" / "seed.sql"
PASSWORD = "banquet-demo"
HARBOUR, LONE_STAR = "20000000-0000-4000-8000-000000000001", "20000000-0000-4000-8000-000000000002"
USERS = {
    "owner@harbourvine.test": (HARBOUR, "owner"),
    "manager@harbourvine.test": (HARBOUR, "manager"),
    "staff@harbourvine.test": (HARBOUR, "staff"),
    "owner@lonestar.test": (LONE_STAR, "owner"),
    "staff@lonestar.test": (LONE_STAR, "staff"),
}


@pytest.fixture(scope="module")
def seeded(banquet):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", banquet.db_url, "-f", str(SEED)],
                   check=True, capture_output=True)
    return banquet


def client(banquet):
    return create_client(banquet.url, banquet.anon_key, options=ClientOptions(auto_refresh_token=False, persist_session=False))


@pytest.mark.parametrize("email", sorted(USERS))
def test_every_demo_user_signs_in_and_sees_only_their_organization(seeded, email):
    organization, role = USERS[email]
    c = client(seeded)
    session = c.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    assert session.user.email == email
    mine = c.rpc("my_organizations").execute().data
    assert [(o["organization_id"], o["role"]) for o in mine] == [(organization, role)]
    other = LONE_STAR if organization == HARBOUR else HARBOUR
    assert c.rpc("list_venues", {"p_organization_id": organization}).execute().data, "the demo organization has venues"
    assert c.rpc("list_venues", {"p_organization_id": other}).execute().data == []


def test_a_wrong_password_is_refused(seeded):
    with pytest.raises(AuthApiError, match="Invalid login credentials"):
        client(seeded).auth.sign_in_with_password({"email": "owner@harbourvine.test", "password": "not-the-demo-password"})
