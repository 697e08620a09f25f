"""The frontend's whole path through the real supabase client, unchanged: sign up two users, sign
in, refresh, get and update the user, call RPCs, store a logo, sign out."""
from __future__ import annotations

import struct
import zlib

import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client

from conftest import new_email


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def new_client(banquet):
    return create_client(banquet.url, banquet.anon_key, options=ClientOptions(auto_refresh_token=False, persist_session=False))


def test_sign_up_call_store_and_sign_out(banquet):
    ana, bo = new_client(banquet), new_client(banquet)
    ana_email, bo_email = new_email(), new_email()
    signed_up = ana.auth.sign_up({"email": ana_email, "password": "ana-password-1"})
    assert signed_up.session is not None and signed_up.user.email == ana_email
    bo.auth.sign_up({"email": bo_email, "password": "bo-password-1"})
    bo.auth.sign_out()
    signed_in = bo.auth.sign_in_with_password({"email": bo_email, "password": "bo-password-1"})
    assert signed_in.user.email == bo_email

    # RPCs run as the signed-in user.
    org = ana.rpc("create_organization", {"p_name": "Flow Rooms"}).execute().data
    assert [o["organization_id"] for o in ana.rpc("my_organizations").execute().data] == [org]
    assert bo.rpc("my_organizations").execute().data == []
    assert bo.rpc("list_venues", {"p_organization_id": org}).execute().data == []

    # A refreshed session keeps working; the user can be read and updated.
    before = ana.auth.get_session().access_token
    refreshed = ana.auth.refresh_session()
    assert refreshed.session.access_token != before
    assert ana.rpc("my_organizations").execute().data
    ana.auth.update_user({"data": {"full_name": "Ana Flow"}})
    assert ana.auth.get_user().user.user_metadata["full_name"] == "Ana Flow"

    # Storage as the owner; another tenant's user is refused.
    logo = png_bytes()
    ana.storage.from_("logos").upload(f"{org}/logo.png", logo, {"content-type": "image/png"})
    assert ana.storage.from_("logos").download(f"{org}/logo.png") == logo
    with pytest.raises(Exception):
        bo.storage.from_("logos").upload(f"{org}/intruder.png", logo, {"content-type": "image/png"})
    assert [o["name"] for o in ana.storage.from_("logos").list(org)] == ["logo.png"]

    # Signed out, the client is anonymous again: a member RPC is refused.
    ana.auth.sign_out()
    with pytest.raises(APIError) as raised:
        ana.rpc("my_organizations").execute()
    assert raised.value.code == "42501"
