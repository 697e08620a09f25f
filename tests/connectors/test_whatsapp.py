"""WhatsApp end to end: signed inbound webhooks → conversation and message → keyword reply or
LLM classification → the reply reaches the local Graph server → status webhooks; the late
131047 failure; every mapped send error; webhook attacks; concurrent redelivery."""
from __future__ import annotations

import json
import threading
import uuid

import pytest

from harness import dumps, fixture_id, hub_signature, load_fixture, post, start_banquet, stop_banquet, wait_for
from providers import FakeGraph, graph_error
from whatsapp_payloads import REENGAGEMENT_ERROR, inbound_text, status

TOKEN = "graph-test-token-0123456789"
APP_SECRET = "whatsapp-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"
PHONE_NUMBER_ID = "wa-a"  # tests.fixture()'s WhatsApp account for org_a


@pytest.fixture(scope="module")
def env(request):
    graph = FakeGraph(TOKEN)
    banquet = start_banquet({
        "BANQUET_WHATSAPP_TRANSPORT": "graph",
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_GRAPH_URL": graph.url,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        # Quick enough for a test, still limited: the limits module measures them.
        "BANQUET_RATE_LIMITS": "whatsapp:account=50/1s,whatsapp:recipient=5/1s",
    })
    load_fixture(banquet)
    org = fixture_id(banquet, "org_a")
    banquet.sql("""insert into app.automation_rules (organization_id, name, channel, keywords, intent, reply_body)
                   values (%s, 'Menu', 'whatsapp', '{menu}', 'menu_request', 'Here is our menu: https://venue-a.test/menu')""", org)
    banquet.sql("""insert into app.message_templates (organization_id, channel, name, body)
                   values (%s, 'whatsapp', 'booking_followup', 'Hi {{1}}, may we help with your booking?')""", org)
    yield banquet, graph, org
    failed = request.session.testsfailed > 0
    stop_banquet(banquet, keep_artifacts="connectors_whatsapp" if failed else None)
    graph.stop()


def webhook(banquet, payload: dict | bytes, secret: str = APP_SECRET, signature: str | None = None):
    body = payload if isinstance(payload, bytes) else dumps(payload)
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature or hub_signature(secret, body)}
    return post(banquet.url + "/functions/v1/whatsapp", body, headers)


def new_sender() -> str:
    return "4477009" + str(uuid.uuid4().int)[:5]


def open_conversation(banquet, sender: str) -> str:
    """An inbound message (the guest wrote, so the 24-hour window is open); returns the conversation."""
    wamid = f"wamid.in.{uuid.uuid4().hex}"
    banquet.sql("select public.receive_message('whatsapp', %s, %s, 'hello there', %s)", PHONE_NUMBER_ID, sender, wamid)
    return banquet.sql("select conversation_id::text from app.messages where provider_message_id = %s", wamid)[0][0]


def send_text(banquet, org: str, conversation: str, body: str) -> str:
    return banquet.sql("""insert into app.messages (organization_id, conversation_id, direction, body, status)
                          values (%s, %s, 'out', %s, 'queued') returning id::text""", org, conversation, body)[0][0]


def message(banquet, message_id: str):
    return banquet.sql("select status, provider_message_id, error from app.messages where id = %s", message_id)[0]


def test_the_verify_token_handshake_answers_the_challenge_and_refuses_a_wrong_token(env):
    banquet, _, _ = env
    url = banquet.url + "/functions/v1/whatsapp?hub.mode=subscribe&hub.verify_token={}&hub.challenge=1158201444"
    status_code, body, _ = post(url.format(VERIFY_TOKEN), b"", method="GET")
    assert (status_code, body) == (200, b"1158201444")
    status_code, _, _ = post(url.format("guessed-token"), b"", method="GET")
    assert status_code == 403


def test_an_inbound_keyword_gets_the_rule_reply_through_graph_and_its_statuses_move_it_to_read(env):
    banquet, graph, _ = env
    sender, wamid = new_sender(), f"wamid.{uuid.uuid4().hex}"
    code, body, _ = webhook(banquet, inbound_text(PHONE_NUMBER_ID, wamid, sender, "Could you send me the MENU please?", name="Ada Guest"))
    assert code == 200, body
    assert json.loads(body)["received"] == 1

    rows = banquet.sql("""select m.direction, m.intent, c.channel, ct.phone, ct.full_name from app.messages m
                          join app.conversations c on c.id = m.conversation_id join app.contacts ct on ct.id = c.contact_id
                          where m.provider_message_id = %s""", wamid)
    assert rows == [("in", "menu_request", "whatsapp", "+" + sender, "Ada Guest")]

    sends = wait_for(lambda: graph.sends(to="+" + sender), what="the keyword reply at the Graph server")
    request = sends[0].json()
    assert request["messaging_product"] == "whatsapp" and request["type"] == "text"
    assert request["text"]["body"] == "Here is our menu: https://venue-a.test/menu"
    assert sends[0].path == f"/v21.0/{PHONE_NUMBER_ID}/messages"

    reply_id = banquet.sql("""select m.id::text from app.messages m join app.messages i on i.conversation_id = m.conversation_id
                              where i.provider_message_id = %s and m.direction = 'out'""", wamid)[0][0]
    sent = wait_for(lambda: (lambda r: r if r[0] == "sent" else None)(message(banquet, reply_id)), what="the reply marked sent")
    reply_wamid = sent[1]
    assert reply_wamid.startswith("wamid.HBgL")

    assert webhook(banquet, status(PHONE_NUMBER_ID, reply_wamid, sender, "delivered"))[0] == 200
    assert message(banquet, reply_id)[0] == "delivered"
    assert webhook(banquet, status(PHONE_NUMBER_ID, reply_wamid, sender, "read"))[0] == 200
    assert message(banquet, reply_id)[0] == "read"
    # Statuses only move forward: a late "delivered" does not undo "read".
    banquet.sql("delete from app.webhook_events where event_id = %s", f"{reply_wamid}:delivered")
    assert webhook(banquet, status(PHONE_NUMBER_ID, reply_wamid, sender, "delivered"))[0] == 200
    assert message(banquet, reply_id)[0] == "read"


def test_an_inbound_without_a_keyword_enqueues_llm_classification(env):
    banquet, _, _ = env
    wamid = f"wamid.{uuid.uuid4().hex}"
    assert webhook(banquet, inbound_text(PHONE_NUMBER_ID, wamid, new_sender(), "Is there parking nearby?"))[0] == 200
    message_id = banquet.sql("select id::text from app.messages where provider_message_id = %s", wamid)[0][0]
    jobs = banquet.sql("select payload ->> 'text' from bridge.jobs where kind = 'llm.classify_message' and payload ->> 'message_id' = %s", message_id)
    assert jobs == [("Is there parking nearby?",)]


def test_a_send_accepted_with_200_then_failed_131047_on_its_status_fails_the_message_and_suggests_a_template(env):
    banquet, graph, org = env
    sender = new_sender()
    conversation = open_conversation(banquet, sender)
    message_id = send_text(banquet, org, conversation, "Following up on your booking")
    sent = wait_for(lambda: (lambda r: r if r[0] == "sent" else None)(message(banquet, message_id)), what="the message sent (200)")

    code, _, _ = webhook(banquet, status(PHONE_NUMBER_ID, sent[1], sender, "failed", errors=[REENGAGEMENT_ERROR]))
    assert code == 200
    state, _, error = message(banquet, message_id)
    assert state == "failed"
    assert error.startswith("WhatsApp error 131047: Re-engagement message")
    # The guest's "hello there" goes to AI triage, whose offline model may flag it for a person
    # (message.needs_human) on the same conversation: a different rule, not counted here.
    notes = banquet.sql("""select kind, body from app.notifications where entity_id = %s and kind like 'message.%%'
                           and kind <> 'message.needs_human'""", conversation)
    assert len(notes) == 1 and notes[0][0] == "message.window_closed"
    assert "booking_followup (en)" in notes[0][1]


def test_statuses_that_overtake_the_send_write_back_are_held_then_applied(env):
    """Meta may report `delivered` and `read` before the send job has written the wamid back. Those
    statuses are held (the event is acknowledged and marked why) and applied by the write-back, so
    the message ends `read`, not stuck at `sent`."""
    banquet, graph, _ = env
    sender = new_sender()
    conversation = open_conversation(banquet, sender)
    early = "wamid.HBgLEARLY" + uuid.uuid4().hex.upper()
    for state in ("delivered", "read"):
        assert webhook(banquet, status(PHONE_NUMBER_ID, early, sender, state))[0] == 200
    assert banquet.sql("select status, error from app.webhook_events where event_id = %s", f"{early}:read") == \
        [("ignored", f"no outbound message {early} yet: held for its send's write-back")]

    # The Graph server will answer the send with that wamid.
    graph.script["+" + sender] = [(200, {"messaging_product": "whatsapp", "contacts": [{"input": "+" + sender, "wa_id": sender}],
                                         "messages": [{"id": early}]}, {})]
    code, reply_id = send_message_rpc(banquet, "staff_a", {"p_conversation_id": conversation, "p_body": "It is free that day."})
    assert code == 200, reply_id
    state, wamid, _ = wait_for(lambda: (lambda r: r if r[0] == "read" else None)(message(banquet, reply_id)), what="the reply marked read")
    assert wamid == early
    assert banquet.sql("select event_id, status, error from app.webhook_events where event_id like %s order by event_id", early + ":%") == \
        [(f"{early}:delivered", "processed", None), (f"{early}:read", "processed", None)]
    assert banquet.sql("select count(*) from app.held_message_statuses where provider_message_id = %s", early) == [(0,)]


def test_the_same_delivery_three_times_at_once_is_recorded_once(env):
    banquet, _, _ = env
    wamid = f"wamid.{uuid.uuid4().hex}"
    body = dumps(inbound_text(PHONE_NUMBER_ID, wamid, new_sender(), "three times"))
    results = []
    threads = [threading.Thread(target=lambda: results.append(webhook(banquet, body)[0])) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200, 200]
    assert banquet.sql("select count(*) from app.messages where provider_message_id = %s", wamid) == [(1,)]
    assert banquet.sql("select count(*) from app.webhook_events where provider = 'whatsapp' and event_id = %s", wamid) == [(1,)]


def test_webhook_attacks_are_refused_and_write_nothing(env):
    banquet, _, _ = env
    wamid = f"wamid.attack.{uuid.uuid4().hex}"
    body = dumps(inbound_text(PHONE_NUMBER_ID, wamid, new_sender(), "menu"))
    other = dumps(inbound_text(PHONE_NUMBER_ID, wamid, new_sender(), "a different body"))
    assert webhook(banquet, body, secret="not-the-app-secret")[0] == 401
    assert webhook(banquet, body, signature=hub_signature(APP_SECRET, other))[0] == 401
    assert webhook(banquet, body, signature="sha256=zz")[0] == 401
    assert post(banquet.url + "/functions/v1/whatsapp", body, {"Content-Type": "application/json"})[0] == 401
    oversized = dumps({"object": "whatsapp_business_account", "padding": "x" * (1 << 20)})
    assert webhook(banquet, oversized)[0] == 413
    assert banquet.sql("select count(*) from app.webhook_events where event_id = %s", wamid) == [(0,)]
    assert banquet.sql("select count(*) from app.messages where provider_message_id = %s", wamid) == [(0,)]


def test_an_unknown_account_is_acknowledged_and_logged_not_processed(env):
    banquet, _, _ = env
    wamid = f"wamid.{uuid.uuid4().hex}"
    code, body, _ = webhook(banquet, inbound_text("999000111", wamid, new_sender(), "hello"))
    assert code == 200 and json.loads(body)["ignored"] == 1
    assert banquet.sql("select status, error from app.webhook_events where event_id = %s", wamid) == [("ignored", "no active whatsapp account 999000111")]
    assert banquet.sql("select count(*) from app.messages where provider_message_id = %s", wamid) == [(0,)]
    assert "webhook for an unknown account" in banquet.log()


PERMANENT = [
    (131026, "Message undeliverable", "Unable to deliver the message: the recipient may not be on WhatsApp"),
    (131051, "Unsupported message type", "Message type is not currently supported"),
    (132000, "Template Param Count Mismatch", "Number of parameters does not match the expected number of params"),
    (132001, "Template does not exist", "Template name does not exist in the translation"),
    (133010, "Phone number not registered", "Phone number not registered on the WhatsApp Business Platform"),
]


@pytest.mark.parametrize("code,title,details", PERMANENT)
def test_a_permanent_graph_error_fails_the_message_at_once_with_the_provider_reason(env, code, title, details):
    banquet, graph, org = env
    sender = new_sender()
    conversation = open_conversation(banquet, sender)
    graph.script["+" + sender] = [(400, graph_error(code, f"(#{code}) {title}", details), {})]
    message_id = send_text(banquet, org, conversation, "hello")
    failed = wait_for(lambda: (lambda r: r if r[0] == "failed" else None)(message(banquet, message_id)), what=f"the message failed on {code}")
    assert failed[2] == f"WhatsApp error {code}: (#{code}) {title}: {details}"
    assert len(graph.sends(to="+" + sender)) == 1, "a permanent error is not retried"
    assert banquet.sql("select count(*) from app.notifications where entity_id = %s and kind = 'message.failed'", conversation) == [(1,)]


@pytest.mark.parametrize("code", [130429, 131056, 131000, 4, 80007])
def test_a_throttling_graph_error_is_retried_after_retry_after(env, code):
    banquet, graph, org = env
    sender = new_sender()
    conversation = open_conversation(banquet, sender)
    graph.script["+" + sender] = [(400 if code != 130429 else 429, graph_error(code, f"(#{code}) Rate limit hit"), {"Retry-After": "2"})]
    message_id = send_text(banquet, org, conversation, "hello")
    wait_for(lambda: message(banquet, message_id)[0] == "sent", timeout=30, what=f"the retried send after {code}")
    sends = graph.sends(to="+" + sender)
    assert len(sends) == 2
    assert sends[1].at - sends[0].at >= 1.9, "Retry-After: 2 honoured"


def test_an_expired_token_fails_permanently_and_flags_the_channel_account(env):
    banquet, graph, org = env
    sender = new_sender()
    conversation = open_conversation(banquet, sender)
    graph.script["+" + sender] = [(401, graph_error(190, "Error validating access token: Session has expired", subcode=463), {})]
    message_id = send_text(banquet, org, conversation, "hello")
    failed = wait_for(lambda: (lambda r: r if r[0] == "failed" else None)(message(banquet, message_id)), what="the message failed on 190")
    assert failed[2].startswith("WhatsApp error 190:")
    attention = banquet.sql("select attention from app.channel_accounts where external_id = %s", PHONE_NUMBER_ID)[0][0]
    assert attention and "access token" in attention
    banquet.sql("update app.channel_accounts set attention = null, attention_at = null where external_id = %s", PHONE_NUMBER_ID)


def test_131047_at_send_time_fails_the_message_and_suggests_a_template(env):
    banquet, graph, org = env
    sender = new_sender()
    conversation = open_conversation(banquet, sender)
    graph.script["+" + sender] = [(400, graph_error(131047, "(#131047) Re-engagement message", REENGAGEMENT_ERROR["error_data"]["details"]), {})]
    message_id = send_text(banquet, org, conversation, "hello")
    wait_for(lambda: message(banquet, message_id)[0] == "failed", what="the message failed on 131047")
    notes = banquet.sql("select body from app.notifications where entity_id = %s and kind = 'message.window_closed'", conversation)
    assert len(notes) == 1 and "Send an approved template instead: booking_followup (en)" in notes[0][0]


def test_a_template_send_carries_its_components(env):
    banquet, graph, org = env
    sender = new_sender()
    conversation = open_conversation(banquet, sender)
    template = banquet.sql("select id::text from app.message_templates where name = 'booking_followup'")[0][0]
    message_id = banquet.sql("""insert into app.messages (organization_id, conversation_id, direction, kind, body, template_id, template_params, status)
                                values (%s, %s, 'out', 'template', 'Hi Ada, may we help with your booking?', %s, '["Ada"]', 'queued')
                                returning id::text""", org, conversation, template)[0][0]
    sends = wait_for(lambda: graph.sends(to="+" + sender), what="the template send")
    assert sends[0].json()["template"] == {"name": "booking_followup", "language": {"code": "en"},
                                           "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ada"}]}]}
    wait_for(lambda: message(banquet, message_id)[0] == "sent", what="the template marked sent")


def test_template_approval_is_synced_daily_from_the_business_management_api(env):
    banquet, graph, org = env
    banquet.sql("update app.channel_accounts set business_account_id = 'waba-1' where external_id = %s", PHONE_NUMBER_ID)
    banquet.sql("insert into app.message_templates (organization_id, channel, name, body) values (%s, 'whatsapp', 'promo_offer', 'Offer {{1}}')", org)
    banquet.sql("update app.message_templates set approval_status = 'pending' where name = 'promo_offer'")
    # More than one page of 100, so the cursor is followed.
    graph.templates["waba-1"] = [{"name": f"filler_{i}", "language": "en_US", "status": "PENDING", "id": str(i)} for i in range(120)] + [
        {"name": "promo_offer", "language": "en", "status": "APPROVED", "category": "MARKETING", "id": "900",
         "components": [{"type": "BODY", "text": "Offer {{1}}"}]},
        {"name": "menu_share", "language": "en", "status": "APPROVED", "category": "UTILITY", "id": "901",
         "components": [{"type": "HEADER", "format": "TEXT", "text": "Menu"}, {"type": "BODY", "text": "Here is the menu for {{1}}"}]},
        {"name": "old_promo", "language": "en", "status": "REJECTED", "id": "902", "components": [{"type": "BODY", "text": "Old"}]},
    ]
    banquet.sql("select bridge.enqueue('whatsapp.templates_fanout')")
    wait_for(lambda: banquet.sql("select approval_status from app.message_templates where organization_id = %s and name = 'promo_offer'", org) == [("approved",)],
             what="the template approved from Meta's status")
    assert banquet.sql("select body, approval_status from app.message_templates where organization_id = %s and name = 'menu_share'", org) == \
        [("Here is the menu for {{1}}", "approved")]
    assert banquet.sql("select approval_status from app.message_templates where organization_id = %s and name = 'old_promo'", org) == [("rejected",)]
    assert banquet.sql("select count(*) from app.message_templates where organization_id = %s and name like 'filler_%%'", org) == [(120,)]
    listed = graph.matching(lambda r: "/message_templates" in r.path)
    assert len(listed) == 2 and "after=100" in listed[1].path
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in listed)


def send_message_rpc(banquet, user: str, body: dict):
    """public.send_message through /rest/v1/rpc as a fixture user, the way the staff app calls it."""
    token = banquet.token("authenticated", sub=fixture_id(banquet, user), email=f"{user}@test.local")
    headers = {"apikey": banquet.anon_key, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    code, raw, _ = post(banquet.url + "/rest/v1/rpc/send_message", dumps(body), headers)
    return code, json.loads(raw)


def test_a_staff_reply_to_an_inbound_message_quotes_its_wamid_as_context(env):
    banquet, graph, _ = env
    sender, wamid = new_sender(), f"wamid.{uuid.uuid4().hex}"
    assert webhook(banquet, inbound_text(PHONE_NUMBER_ID, wamid, sender, "Is the terrace free on 12 June?"))[0] == 200
    inbound_id, conversation = banquet.sql("select id::text, conversation_id::text from app.messages where provider_message_id = %s", wamid)[0]

    code, reply_id = send_message_rpc(banquet, "staff_a", {"p_conversation_id": conversation, "p_body": "Yes, it is free that day.",
                                                           "p_reply_to_message_id": inbound_id})
    assert code == 200, reply_id
    assert banquet.sql("select reply_to_message_id::text, sent_by = tests.id('staff_a') from app.messages where id = %s", reply_id) == [(inbound_id, True)]

    sends = wait_for(lambda: graph.sends(to="+" + sender), what="the reply at the Graph server")
    request = sends[0].json()
    assert request["type"] == "text" and request["text"]["body"] == "Yes, it is free that day."
    assert request["context"] == {"message_id": wamid}
    wait_for(lambda: message(banquet, reply_id)[0] == "sent", what="the reply marked sent")

    # A plain message (the old two-argument call) carries no context.
    code, plain_id = send_message_rpc(banquet, "staff_a", {"p_conversation_id": conversation, "p_body": "See you then."})
    assert code == 200, plain_id
    plain = wait_for(lambda: [r for r in graph.sends(to="+" + sender) if r.json()["text"]["body"] == "See you then."], what="the plain message")
    assert "context" not in plain[0].json()


def test_a_reply_to_a_message_of_another_conversation_or_organization_is_refused(env):
    banquet, _, _ = env
    first, second = open_conversation(banquet, new_sender()), open_conversation(banquet, new_sender())
    other_message = banquet.sql("select id::text from app.messages where conversation_id = %s", second)[0][0]
    code, error = send_message_rpc(banquet, "staff_a", {"p_conversation_id": first, "p_body": "Hello", "p_reply_to_message_id": other_message})
    assert (code, error["code"]) == (404, "BQ002"), error
    # Another organization's member cannot see the conversation at all.
    code, error = send_message_rpc(banquet, "staff_b", {"p_conversation_id": second, "p_body": "Hello", "p_reply_to_message_id": other_message})
    assert (code, error["code"]) == (404, "BQ002"), error
    # A message without a provider id (not yet accepted by WhatsApp) has nothing to quote.
    queued = banquet.sql("""insert into app.messages (organization_id, conversation_id, direction, body, status)
                            select organization_id, id, 'in', 'typed at the desk', 'received' from app.conversations where id = %s
                            returning id::text""", first)[0][0]
    code, error = send_message_rpc(banquet, "staff_a", {"p_conversation_id": first, "p_body": "Hello", "p_reply_to_message_id": queued})
    assert (code, error["code"]) == (400, "BQ001"), error
    assert banquet.sql("select count(*) from app.messages where conversation_id = %s and body = 'Hello'", first) == [(0,)]
