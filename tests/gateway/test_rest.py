"""/rest/v1: PostgREST-compatible RPC through the real supabase client and over plain HTTP."""
from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from postgrest.exceptions import APIError

from conftest import JWT_SECRET
from helpers import claims, client_as, forge_jwt, make_user, rpc

# A second exposed schema, to prove Accept-Profile / Content-Profile.
BANQUET_ENV = {"BANQUET_DB_SCHEMAS": "public,gateway_test"}


@pytest.fixture(scope="module")
def users(banquet):
    """Two signed-in users, each owning an organization with one venue."""
    result = {}
    for name in ("a", "b"):
        user_id, token = make_user(banquet)
        client = client_as(banquet, token)
        org = client.rpc("create_organization", {"p_name": f"Org {name.upper()}"}).execute().data
        venue = client.rpc("create_venue", {"p_organization_id": org, "p_name": f"Venue {name.upper()}"}).execute().data
        result[name] = {"id": user_id, "token": token, "client": client, "org": org, "venue": venue}
    return result


@pytest.fixture(scope="module")
def probes(banquet):
    """Test-only functions: raise any SQLSTATE, echo a whole body, return void, read request settings.
    Created after the daemon started, so calling them proves the NOTIFY-driven cache reload."""
    banquet.sql("""
        create function public.gw_raise(p_code text) returns void language plpgsql as $$
        begin raise exception 'internal detail: table app.secret_stuff' using errcode = p_code, detail = 'd', hint = 'h'; end $$;
        create function public.gw_echo(jsonb) returns jsonb language sql as $$ select $1 $$;
        create function public.gw_nothing(p_x int default 0) returns void language sql as $$ select $$;
        create function public.gw_request() returns jsonb language sql stable as $$
          select jsonb_build_object('uid', auth.uid(), 'role', current_user, 'method', current_setting('request.method'),
                                    'path', current_setting('request.path'),
                                    'custom', current_setting('request.headers')::jsonb ->> 'x-custom',
                                    'authorization', current_setting('request.headers')::jsonb ->> 'authorization',
                                    'readonly', current_setting('transaction_read_only')) $$;
        create function public.gw_pair(p_n int, out doubled int, out label text) language sql stable as $$ select p_n * 2, 'n=' || p_n $$;
        create function public.gw_pairs(p_n int) returns table (n int, square int) language sql stable as $$ select i, i * i from generate_series(1, p_n) i $$;
        create function public.gw_over(p_a int) returns text language sql stable as $$ select 'int ' || p_a $$;
        create function public.gw_over(p_b text) returns text language sql stable as $$ select 'text ' || p_b $$;
        create function public.gw_numbers(p_n int) returns setof int language sql stable as $$ select generate_series(1, p_n) $$;
        create schema gateway_test;
        grant usage on schema gateway_test to anon, authenticated;
        create function gateway_test.whoami() returns text language sql stable as $$ select 'gateway_test' $$;
        grant execute on all functions in schema public to anon, authenticated;
        grant execute on all functions in schema gateway_test to anon, authenticated;
        notify pgrst, 'reload schema';
    """)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if rpc(banquet, "gw_nothing").status_code == 204:
            return
        time.sleep(0.1)
    pytest.fail("the schema cache did not reload within 5 s of NOTIFY pgrst")


# --- through the real supabase client --------------------------------------------------------------

def test_create_and_list_organizations_through_the_client(users):
    a = users["a"]
    uuid.UUID(a["org"])  # a scalar uuid answer arrives as a JSON string
    mine = a["client"].rpc("my_organizations").execute().data
    assert [org["organization_id"] for org in mine] == [a["org"]]
    assert mine[0]["role"] == "owner"


def test_count_exact_through_the_client(users):
    a = users["a"]
    a["client"].rpc("create_organization", {"p_name": "Org A2"}).execute()
    response = a["client"].rpc("my_organizations", {}, count="exact").execute()
    assert response.count == 2 == len(response.data)


def test_single_object_through_the_client(users):
    b = users["b"]
    one = b["client"].rpc("my_organizations").single().execute().data
    assert isinstance(one, dict) and one["organization_id"] == b["org"]
    with pytest.raises(APIError) as raised:
        users["a"]["client"].rpc("my_organizations").single().execute()  # A has two
    assert raised.value.code == "PGRST116"
    assert raised.value.details == "The result contains 2 rows"


def test_an_rpc_error_arrives_parsed(users):
    with pytest.raises(APIError) as raised:
        users["a"]["client"].rpc("create_organization", {"p_name": "   "}).execute()
    error = raised.value
    assert error.code == "BQ001"
    assert error.message == "p_name is required"
    assert error.hint == "Send a non-blank p_name."
    assert error.details is None


def test_anon_calling_a_member_rpc_is_401(banquet, users):
    with pytest.raises(APIError) as raised:
        client_as(banquet).rpc("my_organizations").execute()
    assert raised.value.code == "42501"
    raw = rpc(banquet, "my_organizations")
    assert raw.status_code == 401
    assert raw.headers["www-authenticate"] == "Bearer"


def test_another_tenants_data_is_not_returned(users):
    a, b = users["a"], users["b"]
    assert [v["id"] for v in a["client"].rpc("list_venues", {"p_organization_id": a["org"]}).execute().data] == [a["venue"]]
    assert b["client"].rpc("list_venues", {"p_organization_id": a["org"]}).execute().data == []
    with pytest.raises(APIError) as raised:
        b["client"].rpc("get_venue_catalog", {"p_venue_id": a["venue"]}).execute()
    assert raised.value.code in ("BQ002", "42501")


def test_a_member_rpc_as_a_non_member_is_403(banquet, users):
    response = rpc(banquet, "create_venue", {"p_organization_id": users["a"]["org"], "p_name": "Intruder"}, token=users["b"]["token"])
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "42501"


# --- methods and read-only transactions --------------------------------------------------------------

def test_get_on_a_reading_function_succeeds(banquet, users):
    response = rpc(banquet, "list_venues", method="GET", params={"p_organization_id": users["a"]["org"]}, token=users["a"]["token"])
    assert response.status_code == 200, response.text
    assert [v["id"] for v in response.json()] == [users["a"]["venue"]]


def test_get_on_a_writing_function_fails_as_postgrest_does(banquet, users):
    response = rpc(banquet, "create_organization", method="GET", params={"p_name": "Via GET"}, token=users["a"]["token"])
    assert response.status_code == 405
    assert response.json()["code"] == "25006"
    assert banquet.sql("select count(*) from app.organizations where name = 'Via GET'")[0][0] == 0


def test_request_settings_reach_sql(banquet, users, probes):
    response = rpc(banquet, "gw_request", token=users["a"]["token"], headers={"X-Custom": 'he said "hi" \\ ok'})
    body = response.json()
    assert body["uid"] == users["a"]["id"]
    assert body["role"] == "authenticated"
    assert (body["method"], body["path"], body["custom"]) == ("POST", "/rest/v1/rpc/gw_request", 'he said "hi" \\ ok')
    assert body["authorization"] is None, "the bearer token must not be copied into request.headers"
    assert body["readonly"] == "on", "a stable function runs read-only even on POST"


def test_put_on_rpc_is_405(banquet):
    response = rpc(banquet, "my_organizations", method="PUT")
    assert response.status_code == 405 and response.json()["code"] == "PGRST101"


# --- return shapes ----------------------------------------------------------------------------------

def test_void_is_204_and_whole_body_and_sets(banquet, probes):
    assert rpc(banquet, "gw_nothing", {"p_x": 1}).status_code == 204
    echoed = rpc(banquet, "gw_echo", content=b'[1, {"a": "b"}]')
    assert echoed.status_code == 200 and echoed.json() == [1, {"a": "b"}]
    numbers = rpc(banquet, "gw_numbers", {"p_n": 3}, headers={"Prefer": "count=exact"})
    assert numbers.json() == [1, 2, 3]
    assert numbers.headers["content-range"] == "0-2/3"
    empty = rpc(banquet, "gw_numbers", {"p_n": 0})
    assert empty.json() == [] and empty.headers["content-range"] == "*/*"
    single = rpc(banquet, "gw_numbers", {"p_n": 2}, headers={"Accept": "application/vnd.pgrst.object+json"})
    assert single.status_code == 406 and single.json()["code"] == "PGRST116"
    one = rpc(banquet, "gw_numbers", {"p_n": 1}, headers={"Accept": "application/vnd.pgrst.object+json"})
    assert one.status_code == 200 and one.json() == 1


def test_composite_answers_and_overloads(banquet, probes):
    # A single composite row is an object; a table function is an array of objects.
    assert rpc(banquet, "gw_pair", {"p_n": 21}).json() == {"doubled": 42, "label": "n=21"}
    assert rpc(banquet, "gw_pairs", {"p_n": 2}).json() == [{"n": 1, "square": 1}, {"n": 2, "square": 4}]
    # Overloads are told apart by argument names, in POST bodies and GET query strings alike.
    assert rpc(banquet, "gw_over", {"p_a": 7}).json() == "int 7"
    assert rpc(banquet, "gw_over", {"p_b": "x"}).json() == "text x"
    assert rpc(banquet, "gw_over", method="GET", params={"p_b": "y"}).json() == "text y"
    both = rpc(banquet, "gw_over", {"p_a": 1, "p_b": "x"})
    assert both.status_code == 404 and both.json()["code"] == "PGRST202"


def test_unsupported_accept_is_406(banquet, probes):
    response = rpc(banquet, "gw_numbers", {"p_n": 1}, headers={"Accept": "text/csv"})
    assert response.status_code == 406 and response.json()["code"] == "PGRST107"


def test_profiles_select_the_schema(banquet, probes):
    assert rpc(banquet, "whoami", method="GET", headers={"Accept-Profile": "gateway_test"}).json() == "gateway_test"
    assert rpc(banquet, "whoami", headers={"Content-Profile": "gateway_test"}).json() == "gateway_test"
    assert rpc(banquet, "whoami").status_code == 404  # not in the default schema
    refused = rpc(banquet, "whoami", headers={"Content-Profile": "app"})
    assert refused.status_code == 406
    assert refused.json() == {"code": "PGRST106", "message": "The schema must be one of the following: public, gateway_test",
                              "details": None, "hint": None}


# --- schema cache ---------------------------------------------------------------------------------

def test_a_new_function_is_callable_after_notify_pgrst(banquet, probes):
    banquet.sql("create function public.gw_late() returns int language sql as $$ select 42 $$; grant execute on function public.gw_late() to anon")
    assert rpc(banquet, "gw_late").status_code == 404, "not before the reload"
    banquet.sql("notify pgrst, 'reload schema'")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        response = rpc(banquet, "gw_late")
        if response.status_code == 200:
            assert response.json() == 42
            return
        time.sleep(0.05)
    pytest.fail("not callable 3 s after NOTIFY pgrst")


def test_unknown_function_and_wrong_argument_names(banquet, users):
    missing = rpc(banquet, "my_organisations", token=users["a"]["token"])
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "PGRST202",
        "message": "Could not find the function public.my_organisations without parameters in the schema cache",
        "details": "Searched for the function public.my_organisations without parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
        "hint": "Perhaps you meant to call the function public.my_organizations",
    }
    wrong = rpc(banquet, "create_organization", {"p_nme": "x", "p_default_currency": "EUR"}, token=users["a"]["token"])
    assert wrong.status_code == 404
    body = wrong.json()
    assert body["message"] == "Could not find the function public.create_organization(p_default_currency, p_nme) in the schema cache"
    assert body["hint"] == "Perhaps you meant to call the function public.create_organization(p_default_currency, p_name)"


def test_malformed_json_is_pgrst102(banquet, users):
    response = rpc(banquet, "create_organization", content=b'{"p_name": ', token=users["a"]["token"])
    assert response.status_code == 400
    assert response.json()["code"] == "PGRST102"


def test_bad_argument_values_are_400_not_500(banquet, users):
    response = rpc(banquet, "list_venues", {"p_organization_id": "not-a-uuid"}, token=users["a"]["token"])
    assert response.status_code == 400
    assert response.json()["code"] == "22P02"


# --- the SQLSTATE table ----------------------------------------------------------------------------

# PostgREST 12's table (src/PostgREST/Error.hs) plus Banquet's codes; docs/gateway.md prints it.
SQLSTATE_STATUS = [
    ("08006", 503), ("09000", 500), ("0L000", 403), ("0P000", 403), ("23503", 409), ("23505", 409),
    ("25006", 405), ("25001", 500), ("28000", 403), ("2D000", 500), ("38000", 500), ("39000", 500),
    ("3B000", 500), ("40001", 500), ("53400", 500), ("53100", 503), ("54000", 500), ("55000", 500),
    ("57P01", 503), ("57014", 500), ("58000", 500), ("F0000", 500), ("HV000", 500), ("P0001", 400),
    ("P0002", 500), ("XX000", 500), ("42883", 404), ("42P01", 404), ("42P17", 500), ("PT418", 418),
    ("PT402", 402), ("22023", 400), ("23514", 400), ("21000", 500),
    ("BQ001", 400), ("BQ002", 404), ("BQ003", 409), ("BQ004", 400), ("BQ005", 400), ("BQ006", 400),
    ("BQ007", 409), ("BQ008", 409), ("BQ105", 429), ("BQ201", 409), ("BQ202", 404), ("BQ205", 410), ("BQ301", 409),
    ("BQ303", 409), ("BQ602", 400), ("BQ701", 409), ("BR404", 404), ("BR409", 409),
]


@pytest.mark.parametrize("sqlstate,status", SQLSTATE_STATUS)
def test_sqlstate_to_http(banquet, users, probes, sqlstate, status):
    response = rpc(banquet, "gw_raise", {"p_code": sqlstate}, token=users["a"]["token"])
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details", "hint"}
    request_id = response.headers["x-request-id"]
    if status >= 500:
        # Internals never reach the client: no server message, only the request id.
        assert "secret_stuff" not in response.text
        assert request_id in body["hint"]
    else:
        assert body == {"code": sqlstate, "message": "internal detail: table app.secret_stuff", "details": "d", "hint": "h"}


def test_42501_is_401_for_anon_and_403_for_users(banquet, users, probes):
    anon = rpc(banquet, "gw_raise", {"p_code": "42501"})
    assert anon.status_code == 401 and anon.headers["www-authenticate"] == "Bearer"
    user = rpc(banquet, "gw_raise", {"p_code": "42501"}, token=users["a"]["token"])
    assert user.status_code == 403


def test_a_5xx_is_logged_with_its_request_id(banquet, users, probes):
    response = rpc(banquet, "gw_raise", {"p_code": "XX000"}, token=users["a"]["token"])
    request_id = response.headers["x-request-id"]
    deadline = time.monotonic() + 2
    while request_id not in banquet.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [line for line in banquet.log().splitlines() if request_id in line]
    assert any("rpc failed" in line and "XX000" in line for line in lines), lines


# --- keys and tokens --------------------------------------------------------------------------------

def test_missing_and_foreign_apikey(banquet):
    missing = rpc(banquet, "my_organizations", apikey=None)
    assert missing.status_code == 401 and missing.json()["message"] == "No API key found in request"
    foreign = rpc(banquet, "my_organizations", apikey=forge_jwt(claims("anon"), "another-secret-0123456789abcdef-0123456789"))
    assert foreign.status_code == 401 and foreign.json()["message"] == "Invalid API key"


@pytest.mark.parametrize("case", ["alg_none", "wrong_key", "expired", "not_yet_valid", "hs512", "garbage", "unknown_role"])
def test_bad_bearer_tokens_are_401_pgrst301(banquet, users, case):
    sub = users["a"]["id"]
    token = {
        "alg_none": forge_jwt(claims(sub=sub), None, alg="none"),
        "wrong_key": forge_jwt(claims(sub=sub), "not-the-project-secret-0123456789abcdef"),
        "expired": forge_jwt(claims(sub=sub, ttl=-120), JWT_SECRET),
        "not_yet_valid": forge_jwt(claims(sub=sub, nbf=int(time.time()) + 600), JWT_SECRET),
        "hs512": forge_jwt(claims(sub=sub), JWT_SECRET, alg="HS512"),
        "garbage": "not.a.jwt",
        "unknown_role": forge_jwt(claims(role="postgres"), JWT_SECRET),
    }[case]
    response = rpc(banquet, "my_organizations", token=token)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "PGRST301"
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    if case == "expired":
        assert response.json()["message"] == "JWT expired"


def test_openapi_description(banquet, probes):
    doc = httpx.get(f"{banquet.url}/rest/v1/", headers={"apikey": banquet.anon_key}).json()
    assert doc["swagger"] == "2.0"
    post = doc["paths"]["/rpc/create_organization"]["post"]
    body = post["parameters"][0]["schema"]
    assert body["required"] == ["p_name"]
    assert body["properties"]["p_name"] == {"type": "string"}
    assert "get" in doc["paths"]["/rpc/my_organizations"], "stable functions are described for GET"
    assert "get" not in doc["paths"]["/rpc/create_organization"], "volatile ones only for POST"


# --- hardening: CORS, statement timeout, access log, metrics -------------------------------------------

def test_cors_preflight_and_headers(banquet):
    preflight = httpx.options(f"{banquet.url}/rest/v1/rpc/my_organizations", headers={
        "Origin": "https://venue.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "apikey, authorization, content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "apikey" in preflight.headers["access-control-allow-headers"]
    answer = rpc(banquet, "my_organizations", headers={"Origin": "https://venue.example"})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "Content-Range" in answer.headers["access-control-expose-headers"]


def test_statement_timeout_applies_per_role(banquet, users, probes):
    banquet.sql("""create function public.gw_sleep(p_seconds float) returns int language sql as $$ select 1 from pg_sleep(p_seconds) $$;
                   grant execute on function public.gw_sleep(float) to anon; notify pgrst, 'reload schema'""")
    time.sleep(0.5)
    started = time.monotonic()
    response = rpc(banquet, "gw_sleep", {"p_seconds": 10})  # anon: 3 s
    assert response.status_code == 500 and response.json()["code"] == "57014"
    assert time.monotonic() - started < 6


def test_access_log_and_metrics(banquet, users):
    response = rpc(banquet, "my_organizations", token=users["a"]["token"])
    request_id = response.headers["x-request-id"]
    deadline = time.monotonic() + 2
    while request_id not in banquet.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    entries = [json.loads(line) for line in banquet.log().splitlines() if request_id in line]
    entry = next(e for e in entries if e.get("msg") == "http")
    assert (entry["status"], entry["path"], entry["method"]) == ("200", "/rest/v1/rpc/my_organizations", "POST")
    assert users["a"]["token"] not in banquet.log(), "tokens never reach the log"
    metrics = httpx.get(f"{banquet.url}/metrics").text
    assert 'gateway_requests_total{route="rest",method="POST",status="200"}' in metrics
    assert "gateway_request_duration_seconds_bucket" in metrics
