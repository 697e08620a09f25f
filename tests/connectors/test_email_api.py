"""Email over Resend's API (Idempotency-Key from the job) and its Svix-signed delivery events:
a bounce fails the notification and marks the address undeliverable."""
from __future__ import annotations

import base64
import time
import uuid

import pytest

from harness import dumps, fixture_id, load_fixture, post, start_banquet, stop_banquet, svix_headers, wait_for
from providers import FakeResend

API_KEY = "re_test_0123456789"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"svix-test-signing-key-32-bytes!!").decode()


@pytest.fixture(scope="module")
def env(request):
    resend = FakeResend(API_KEY)
    banquet = start_banquet({"BANQUET_EMAIL_TRANSPORT": "resend", "RESEND_API_KEY": API_KEY, "RESEND_API_URL": resend.url,
                             "RESEND_WEBHOOK_SECRET": WEBHOOK_SECRET})
    load_fixture(banquet)
    yield banquet, resend
    stop_banquet(banquet, keep_artifacts="connectors_email_api" if request.session.testsfailed else None)
    resend.stop()


def email_notification(banquet, to: str) -> str:
    return banquet.sql("""insert into app.notifications (organization_id, kind, title, body, channel, email_to)
                          values (%s, 'test.email', 'Your booking', 'See you soon', 'email', %s) returning id::text""",
                       fixture_id(banquet, "org_a"), to)[0][0]


def event(banquet, payload: dict, msg_id: str | None = None, secret=WEBHOOK_SECRET, timestamp=None):
    body = dumps(payload)
    return post(banquet.url + "/functions/v1/email-events", body, svix_headers(secret, body, msg_id or "msg_" + uuid.uuid4().hex, timestamp))


def test_an_email_goes_through_resend_with_the_job_idempotency_key_and_a_bounce_marks_the_address(env):
    banquet, resend = env
    notification = email_notification(banquet, "guest@example.com")
    sent = wait_for(lambda: banquet.sql("select status, provider_message_id, transport from app.notifications where id = %s and status = 'sent'", notification),
                    what="the notification sent through Resend")
    request = resend.matching(lambda r: r.path == "/emails" and r.json()["subject"] == "Your booking")[0]
    body = request.json()
    assert body["to"] == ["guest@example.com"] and body["subject"] == "Your booking" and body["text"].startswith("See you soon")
    job = banquet.sql("select id from bridge.jobs where kind = 'email.send' and payload ->> 'notification_id' = %s", notification)[0][0]
    assert request.headers["idempotency-key"] == f"job-{job}@banquet.local"
    assert sent[0][2] == "resend"
    email_id = sent[0][1]

    bounced = {"type": "email.bounced", "created_at": "2026-11-29T10:00:00.000Z",
               "data": {"email_id": email_id, "to": ["guest@example.com"], "subject": "Your booking",
                        "bounce": {"message": "The recipient's mailbox does not exist", "type": "Permanent", "subType": "General"}}}
    msg_id = "msg_" + uuid.uuid4().hex
    assert event(banquet, bounced, msg_id)[0] == 200
    assert event(banquet, bounced, msg_id)[0] == 200  # redelivered: a no-op
    assert banquet.sql("select status, error from app.notifications where id = %s", notification) == \
        [("failed", "bounced: The recipient's mailbox does not exist")]
    undeliverable = banquet.sql("select email_undeliverable_at is not null, email_undeliverable_reason from app.contacts where organization_id = %s and email = 'guest@example.com'",
                                fixture_id(banquet, "org_a"))
    assert undeliverable == [(True, "bounced: The recipient's mailbox does not exist")]
    assert banquet.sql("select count(*) from app.webhook_events where provider = 'email' and event_id = %s", msg_id) == [(1,)]


def test_a_rate_limited_email_is_retried_after_retry_after_and_a_validation_error_is_permanent(env):
    banquet, resend = env
    resend.script["slow@example.com"] = [(429, {"statusCode": 429, "message": "Too many requests", "name": "rate_limit_exceeded"}, {"Retry-After": "2"})]
    slow = email_notification(banquet, "slow@example.com")
    wait_for(lambda: banquet.sql("select status from app.notifications where id = %s", slow) == [("sent",)], timeout=30, what="the retried email")
    attempts = resend.matching(lambda r: r.path == "/emails" and r.json()["to"] == ["slow@example.com"])
    assert len(attempts) == 2 and attempts[1].at - attempts[0].at >= 1.9

    resend.script["bad@example.com"] = [(422, {"statusCode": 422, "message": "Invalid `to` field.", "name": "validation_error"}, {})]
    bad = email_notification(banquet, "bad@example.com")
    job = wait_for(lambda: banquet.sql("select status, last_error from bridge.jobs where kind = 'email.send' and payload ->> 'notification_id' = %s and status = 'dead'", bad),
                   what="the email dead on 422")
    assert "Invalid `to` field" in job[0][1]
    assert len(resend.matching(lambda r: r.path == "/emails" and r.json()["to"] == ["bad@example.com"])) == 1


def test_email_event_attacks_are_refused_with_nothing_written(env):
    banquet, _ = env
    payload = {"type": "email.delivered", "data": {"email_id": "x", "to": ["a@example.com"]}}
    body = dumps(payload)
    msg_id = "msg_attack_" + uuid.uuid4().hex
    other_secret = "whsec_" + base64.b64encode(b"another-key-another-key-another!").decode()
    assert post(banquet.url + "/functions/v1/email-events", body, svix_headers(other_secret, body, msg_id))[0] == 401
    assert post(banquet.url + "/functions/v1/email-events", body, svix_headers(WEBHOOK_SECRET, dumps({**payload, "type": "email.bounced"}), msg_id))[0] == 401
    assert post(banquet.url + "/functions/v1/email-events", body, svix_headers(WEBHOOK_SECRET, body, msg_id, int(time.time()) - 600))[0] == 401
    assert post(banquet.url + "/functions/v1/email-events", body, {"Content-Type": "application/json"})[0] == 401
    assert post(banquet.url + "/functions/v1/email-events", dumps({"pad": "x" * 300_000}), svix_headers(WEBHOOK_SECRET, b"", msg_id))[0] == 413
    assert banquet.sql("select count(*) from app.webhook_events where event_id = %s", msg_id) == [(0,)]
