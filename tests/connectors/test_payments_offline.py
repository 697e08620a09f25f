"""The offline payment provider (the `make run` default): the sandbox pay page drives the very
same signed webhook, which confirms the booking."""
from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from harness import load_fixture, post, start_banquet, stop_banquet, wait_for
from money import accepted_proposal


@pytest.fixture(scope="module")
def banquet(request):
    instance = start_banquet()
    load_fixture(instance)
    yield instance
    stop_banquet(instance, keep_artifacts="connectors_payments_offline" if request.session.testsfailed else None)


def test_the_sandbox_pay_page_confirms_the_booking_through_the_signed_webhook(banquet):
    booking = accepted_proposal(banquet)
    url = wait_for(lambda: banquet.sql("select checkout_url from app.payments where id = %s", booking["deposit_id"])[0][0], what="the sandbox URL")
    parsed = urllib.parse.urlparse(url)
    assert parsed.path == "/functions/v1/payments-sandbox"
    session = urllib.parse.parse_qs(parsed.query)["session"][0]
    assert session.startswith("cs_offline_")
    assert (banquet.data_dir / "outbox/payments" / f"{session}.json").exists()

    code, page, _ = post(f"{banquet.url}/functions/v1/payments-sandbox?session={session}", b"", method="GET")
    assert code == 200 and b"Pay (sandbox)" in page
    amount = f"{booking['currency']} {booking['deposit_minor'] / 100:,.2f}".encode()  # GBP: two decimals
    assert amount in page

    code, body, _ = post(f"{banquet.url}/functions/v1/payments-sandbox", f"session={session}".encode(),
                         {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert code == 200 and json.loads(body)["received"] == 1
    assert banquet.sql("select status from app.bookings where id = %s", booking["booking"]) == [("confirmed",)]
    assert banquet.sql("select status from app.payments where id = %s", booking["deposit_id"]) == [("paid",)]
    # Paying twice is one payment: the sandbox session has one PaymentIntent.
    post(f"{banquet.url}/functions/v1/payments-sandbox", f"session={session}".encode(),
         {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert banquet.sql("select count(*) from app.payments where booking_id = %s and status = 'paid'", booking["booking"]) == [(1,)]
    assert banquet.sql("select count(*) from app.webhook_events where provider = 'payments'") == [(2,)]


def test_the_daemon_names_every_connector_mode_offline_at_start(banquet):
    line = next(l for l in banquet.log().splitlines() if "banquet serving" in l)
    started = json.loads(line)
    for connector in ("whatsapp", "instagram", "payments", "fx"):
        assert started[connector].startswith("offline"), (connector, started[connector])
    health = json.loads(urllib.request.urlopen(banquet.url + "/health/all", timeout=5).read())
    assert health["listen"]["connectors"]["whatsapp"].startswith("offline (outbox ")
    assert health["listen"]["connectors"]["payments"].startswith("offline (sandbox pay page")
