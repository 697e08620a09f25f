"""The venue's web entry points: the public inquiry form (JSON or form-encoded, honeypot,
per-IP limit, CORS for the venue's own site) and the iCalendar feed at a secret URL."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from harness import fixture_id, load_fixture, post, start_banquet, stop_banquet

ORIGIN = "https://www.venue-a.test"


@pytest.fixture(scope="module")
def env(request):
    banquet = start_banquet()
    load_fixture(banquet)
    venue = fixture_id(banquet, "venue_a")
    token = banquet.sql("select public.set_venue_web_settings(%s, %s)", venue, [ORIGIN])[0][0]
    yield banquet, venue, token
    stop_banquet(banquet, keep_artifacts="connectors_web" if request.session.testsfailed else None)


def form_url(banquet, venue):
    return f"{banquet.url}/functions/v1/inquiry?venue={venue}"


def test_a_json_inquiry_from_the_venue_site_is_recorded_with_cors(env):
    banquet, venue, _ = env
    date = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    body = json.dumps({"name": "Grace Hopper", "email": "grace@example.com", "event_date": date, "party_size": 24, "message": "A retirement dinner"}).encode()
    code, answer, headers = post(form_url(banquet, venue), body, {"Content-Type": "application/json", "Origin": ORIGIN})
    assert code == 201, answer
    inquiry = json.loads(answer)["inquiry_id"]
    assert headers.get("Access-Control-Allow-Origin") == ORIGIN
    assert banquet.sql("select guest_name, party_size, source, host(source_ip) from app.inquiries where id = %s", inquiry) == \
        [("Grace Hopper", 24, "web_form", "127.0.0.1")]


def test_a_plain_html_form_post_works_and_the_honeypot_stores_nothing(env):
    banquet, venue, _ = env
    date = (dt.date.today() + dt.timedelta(days=41)).isoformat()
    form = f"name=Alan+Turing&email=alan%40example.com&event_date={date}&party_size=12&website=".encode()
    code, answer, _ = post(form_url(banquet, venue), form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 201, answer
    assert banquet.sql("select count(*) from app.inquiries where guest_email = 'alan@example.com'") == [(1,)]
    bot = f"name=Bot&email=bot%40example.com&event_date={date}&party_size=12&website=http%3A%2F%2Fspam.test".encode()
    code, answer, _ = post(form_url(banquet, venue), bot, {"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 201 and json.loads(answer)["inquiry_id"]
    assert banquet.sql("select count(*) from app.inquiries where guest_email = 'bot@example.com'") == [(0,)]


def test_bad_input_gets_the_rule_that_failed_and_another_origin_is_refused(env):
    banquet, venue, _ = env
    code, answer, _ = post(form_url(banquet, venue), json.dumps({"name": "No Contact", "party_size": 5, "event_date": "2030-01-01"}).encode(),
                           {"Content-Type": "application/json"})
    assert code == 400 and json.loads(answer)["code"] == "BQ101"
    code, _, headers = post(form_url(banquet, venue), b"", {"Origin": "https://evil.test", "Access-Control-Request-Method": "POST"}, method="OPTIONS")
    assert code == 403 and "Access-Control-Allow-Origin" not in headers
    code, _, headers = post(form_url(banquet, venue), b"", {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}, method="OPTIONS")
    assert code == 204 and headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_forwarded_for_header_is_not_trusted_without_a_proxy(env):
    banquet, venue, _ = env
    date = (dt.date.today() + dt.timedelta(days=45)).isoformat()
    body = json.dumps({"name": "Spoofer", "email": "spoof@example.com", "event_date": date, "party_size": 10}).encode()
    code, answer, _ = post(form_url(banquet, venue), body, {"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"})
    assert code == 201
    assert banquet.sql("select host(source_ip) from app.inquiries where id = %s", json.loads(answer)["inquiry_id"]) == [("127.0.0.1",)]


def test_the_per_ip_limit_applies(env):
    banquet, venue, _ = env
    date = (dt.date.today() + dt.timedelta(days=50)).isoformat()
    codes = []
    for i in range(22):
        body = json.dumps({"name": f"Guest {i}", "email": f"ip-{i}@example.com", "event_date": date, "party_size": 10}).encode()
        codes.append(post(form_url(banquet, venue), body, {"Content-Type": "application/json"})[0])
    assert 429 in codes
    assert banquet.sql("select count(*) from app.inquiries where source_ip = '127.0.0.1' and created_at > now() - interval '1 hour'")[0][0] == 20


def test_the_calendar_feed_lists_bookings_at_the_secret_url_only(env):
    banquet, venue, token = env
    starts = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=20)
    banquet.sql("select public.hold_space(tests.id('space_a'), %s, %s, 20, tests.id('inquiry_a'))", starts, starts + dt.timedelta(hours=4))
    code, feed, headers = post(f"{banquet.url}/functions/v1/calendar?token={token}", b"", method="GET")
    assert code == 200 and headers["Content-Type"].startswith("text/calendar")
    text = feed.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{starts.strftime('%Y%m%dT%H%M%SZ')}" in text
    assert "STATUS:TENTATIVE" in text and "SUMMARY:Guest A (20 guests) — Space A" in text
    assert post(f"{banquet.url}/functions/v1/calendar?token={'0' * 64}", b"", method="GET")[0] == 404
    rotated = banquet.sql("select public.set_venue_web_settings(%s, %s, true)", venue, [ORIGIN])[0][0]
    assert rotated != token
    assert post(f"{banquet.url}/functions/v1/calendar?token={token}", b"", method="GET")[0] == 404
