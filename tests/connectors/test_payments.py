"""Money end to end against a local Stripe-compatible server: a proposal accepted → deposit due
→ checkout session created (form-encoded, Idempotency-Key) → URL on the payment and in the
guest's email → signed checkout.session.completed → booking confirmed; replays change nothing;
a refund is recorded; webhook attacks are refused with nothing written."""
from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from harness import dumps, load_fixture, post, start_banquet, stop_banquet, stripe_signature, wait_for
from money import accepted_proposal
from providers import FakeStripe

SECRET_KEY = "sk_test_banquet_0123456789"
WEBHOOK_SECRET = "whsec_test_banquet_payments"


@pytest.fixture(scope="module")
def env(request):
    stripe = FakeStripe(SECRET_KEY)
    banquet = start_banquet({
        "BANQUET_PAYMENTS_TRANSPORT": "stripe",
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_API_URL": stripe.url,
        "PAYMENTS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PAYMENTS_SUCCESS_URL": "https://venue-a.test/paid",
        "PAYMENTS_CANCEL_URL": "https://venue-a.test/cancelled",
    })
    load_fixture(banquet)
    yield banquet, stripe
    stop_banquet(banquet, keep_artifacts="connectors_payments" if request.session.testsfailed else None)
    stripe.stop()


@pytest.fixture(scope="module")
def booking(env):
    banquet, stripe = env
    return accepted_proposal(banquet)


def deliver(banquet, event: dict | bytes, secret=WEBHOOK_SECRET, timestamp=None, signature=None):
    body = event if isinstance(event, bytes) else dumps(event)
    header = signature or stripe_signature(secret, body, timestamp)
    return post(banquet.url + "/functions/v1/payments", body, {"Content-Type": "application/json", "Stripe-Signature": header})


def stripe_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {"id": event_id or "evt_" + uuid.uuid4().hex, "object": "event", "api_version": "2024-06-20", "created": int(time.time()),
            "livemode": False, "type": event_type, "data": {"object": obj}}


def test_an_accepted_proposal_gets_a_checkout_session_for_its_deposit(env, booking):
    banquet, stripe = env
    assert booking["booking_status"] == "held"
    created = wait_for(lambda: stripe.matching(lambda r: r.path == "/v1/checkout/sessions"), what="the checkout session request")
    form = created[0].form()
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == str(booking["deposit_minor"])
    assert form["line_items[0][price_data][currency]"] == booking["currency"].lower()
    assert form["metadata[payment_id]"] == booking["deposit_id"]
    assert form["payment_intent_data[metadata][payment_id]"] == booking["deposit_id"]
    assert form["customer_email"] == "guest@example.com"
    job = banquet.sql("select id from bridge.jobs where kind = 'payment.checkout' and payload ->> 'payment_id' = %s", booking["deposit_id"])[0][0]
    assert created[0].headers["idempotency-key"] == f"job-{job}"

    url = wait_for(lambda: banquet.sql("select checkout_url from app.payments where id = %s", booking["deposit_id"])[0][0], what="the URL on the payment")
    session = next(iter(stripe.sessions.values()))
    assert url == session["url"]
    mail = wait_for(lambda: [p for p in banquet.mailbox() if session["url"] in p.read_text(errors="replace")], what="the guest's payment email")
    assert "guest@example.com" in mail[0].read_text(errors="replace")


def test_the_signed_completed_event_confirms_the_booking_and_replays_change_nothing(env, booking):
    banquet, stripe = env
    wait_for(lambda: banquet.sql("select checkout_session_id from app.payments where id = %s", booking["deposit_id"])[0][0], what="the session")
    session = banquet.sql("select checkout_session_id from app.payments where id = %s", booking["deposit_id"])[0][0]
    payment_intent = "pi_" + uuid.uuid4().hex
    completed = stripe_event("checkout.session.completed", {
        "id": session, "object": "checkout.session", "payment_status": "paid", "status": "complete",
        "amount_total": booking["deposit_minor"], "currency": booking["currency"].lower(), "payment_intent": payment_intent,
        "client_reference_id": booking["deposit_id"], "metadata": {"payment_id": booking["deposit_id"], "booking_id": booking["booking"], "kind": "deposit"}})
    code, body, _ = deliver(banquet, completed)
    assert code == 200, body
    assert banquet.sql("select status from app.bookings where id = %s", booking["booking"]) == [("confirmed",)]
    assert banquet.sql("select status, provider_reference from app.payments where id = %s", booking["deposit_id"]) == [("paid", payment_intent)]

    # The same event again, three times at once: acknowledged, nothing doubled.
    results = []
    threads = [threading.Thread(target=lambda: results.append(deliver(banquet, completed)[:2])) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code == 200 and json.loads(body)["duplicates"] == 1 for code, body in results)
    # The PaymentIntent's own event for the same money: a different event, the same payment.
    succeeded = stripe_event("payment_intent.succeeded", {"id": payment_intent, "object": "payment_intent", "amount": booking["deposit_minor"],
                                                           "amount_received": booking["deposit_minor"], "metadata": {"payment_id": booking["deposit_id"]}})
    assert deliver(banquet, succeeded)[0] == 200
    assert banquet.sql("select count(*), sum(amount_minor) from app.payments where booking_id = %s and status = 'paid'", booking["booking"]) == [(1, booking["deposit_minor"])]
    assert banquet.sql("select count(*) from app.webhook_events where event_id = %s", completed["id"]) == [(1,)]


def test_a_refund_event_is_recorded_once(env, booking):
    banquet, _ = env
    refund_id = "re_" + uuid.uuid4().hex
    refunded = stripe_event("charge.refunded", {"id": "ch_" + uuid.uuid4().hex, "object": "charge", "amount_refunded": 5000, "refunded": False,
                                                 "metadata": {"payment_id": booking["deposit_id"]},
                                                 "refunds": {"object": "list", "data": [{"id": refund_id, "object": "refund", "amount": 5000}]}})
    assert deliver(banquet, refunded)[0] == 200
    assert deliver(banquet, refunded)[0] == 200
    assert banquet.sql("select kind, amount_minor, status from app.payments where provider_reference = %s", refund_id) == [("refund", 5000, "paid")]


def test_webhook_attacks_are_refused_with_nothing_written(env, booking):
    banquet, _ = env
    event = stripe_event("checkout.session.completed", {"id": "cs_attack", "object": "checkout.session", "payment_status": "paid",
                                                         "amount_total": 1, "metadata": {"payment_id": booking["deposit_id"]}})
    body = dumps(event)
    assert deliver(banquet, body, secret="whsec_wrong")[0] == 401
    assert deliver(banquet, body, signature=stripe_signature(WEBHOOK_SECRET, dumps({**event, "id": "evt_other"})))[0] == 401
    # A captured delivery replayed after the 5-minute tolerance.
    assert deliver(banquet, body, timestamp=int(time.time()) - 301)[0] == 401
    assert deliver(banquet, body, signature="t=abc")[0] == 401
    assert post(banquet.url + "/functions/v1/payments", body, {"Content-Type": "application/json"})[0] == 401
    assert deliver(banquet, dumps({**event, "padding": "x" * (300 * 1024)}))[0] == 413
    assert banquet.sql("select count(*) from app.webhook_events where event_id = %s", event["id"]) == [(0,)]


def test_a_provider_error_is_classified(env):
    """A rejected request (bad key) is permanent and tells staff; the circuit of the connector is its own."""
    banquet, stripe = env
    original = stripe.secret_key
    stripe.secret_key = "sk_rotated"
    try:
        payment = banquet.sql("""insert into app.payments (organization_id, booking_id, kind, amount_minor, currency, due_at)
                                 select organization_id, id, 'deposit', 1234, currency, now() + interval '1 day' from app.bookings limit 1
                                 returning id::text""")[0][0]
        job = wait_for(lambda: banquet.sql("select status, last_error from bridge.jobs where kind = 'payment.checkout' and payload ->> 'payment_id' = %s and status = 'dead'", payment),
                       what="the checkout job dead on 401")
        assert "returned 401" in job[0][1]
        assert banquet.sql("select count(*) from app.notifications where kind = 'payment.checkout_failed'") == [(1,)]
    finally:
        stripe.secret_key = original
