"""Instagram end to end: a keyword comment → exactly one private reply; a person's reply after
24 hours carries HUMAN_AGENT; after 7 days it is refused."""
from __future__ import annotations

import json
import time
import uuid

import psycopg
import pytest

from harness import dumps, fixture_id, hub_signature, load_fixture, post, start_banquet, stop_banquet, wait_for
from providers import FakeGraph

TOKEN = "instagram-test-token"
APP_SECRET = "instagram-app-secret"
ACCOUNT = "17841400000000001"


@pytest.fixture(scope="module")
def env(request):
    graph = FakeGraph(TOKEN)
    banquet = start_banquet({
        "BANQUET_INSTAGRAM_TRANSPORT": "graph",
        "INSTAGRAM_ACCESS_TOKEN": TOKEN,
        "INSTAGRAM_GRAPH_URL": graph.url,
        "INSTAGRAM_APP_SECRET": APP_SECRET,
        "INSTAGRAM_VERIFY_TOKEN": "ig-verify",
    })
    load_fixture(banquet)
    org, venue = fixture_id(banquet, "org_a"), fixture_id(banquet, "venue_a")
    banquet.sql("insert into app.channel_accounts (organization_id, venue_id, channel, external_id) values (%s, %s, 'instagram', %s)", org, venue, ACCOUNT)
    banquet.sql("""insert into app.automation_rules (organization_id, name, channel, keywords, intent, reply_body, cooldown_minutes)
                   values (%s, 'Prices', 'instagram', '{price}', 'pricing', 'Our prices are on their way to your DMs!', 60)""", org)
    yield banquet, graph, org
    stop_banquet(banquet, keep_artifacts="connectors_instagram" if request.session.testsfailed else None)
    graph.stop()


def webhook(banquet, payload):
    body = dumps(payload)
    return post(banquet.url + "/functions/v1/instagram", body, {"Content-Type": "application/json", "X-Hub-Signature-256": hub_signature(APP_SECRET, body)})


def comment(comment_id, media_id, commenter, text):
    return {"object": "instagram", "entry": [{"id": ACCOUNT, "time": int(time.time()), "changes": [{"field": "comments", "value": {
        "from": {"id": commenter, "username": "guest_" + commenter[-4:]}, "media": {"id": media_id, "media_product_type": "FEED"},
        "id": comment_id, "text": text}}]}]}


def direct_message(sender, mid, text):
    return {"object": "instagram", "entry": [{"id": ACCOUNT, "time": int(time.time()), "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": ACCOUNT}, "timestamp": int(time.time() * 1000), "message": {"mid": mid, "text": text}}]}]}


def test_a_keyword_comment_gets_exactly_one_private_reply_per_commenter_and_post(env):
    banquet, graph, _ = env
    commenter, media = "9" + str(uuid.uuid4().int)[:15], "18000000000000001"
    first = "c1-" + uuid.uuid4().hex
    assert webhook(banquet, comment(first, media, commenter, "What's the PRICE for 30 people?"))[0] == 200
    replies = wait_for(lambda: graph.sends(to=first), what="the private reply")
    assert replies[0].json() == {"recipient": {"comment_id": first}, "message": {"text": "Our prices are on their way to your DMs!"}}
    # The same comment redelivered, and a second keyword comment by the same person on the same post.
    assert webhook(banquet, comment(first, media, commenter, "What's the PRICE for 30 people?"))[0] == 200
    second = "c2-" + uuid.uuid4().hex
    assert webhook(banquet, comment(second, media, commenter, "price again?"))[0] == 200
    time.sleep(1.5)
    assert len(graph.sends(to=first)) == 1 and graph.sends(to=second) == []
    assert banquet.sql("select count(*) from app.comment_replies where commenter_id = %s", commenter) == [(1,)]
    # A comment without a keyword gets nothing.
    other = "c3-" + uuid.uuid4().hex
    assert webhook(banquet, comment(other, "18000000000000002", "8" + str(uuid.uuid4().int)[:15], "lovely room"))[0] == 200
    time.sleep(1)
    assert graph.sends(to=other) == []


def conversation_with(banquet, sender):
    mid = "mid." + uuid.uuid4().hex
    assert webhook(banquet, direct_message(sender, mid, "Hello, do you host birthdays?"))[0] == 200
    return banquet.sql("select conversation_id::text from app.messages where provider_message_id = %s", mid)[0][0]


def staff_reply(banquet, org, conversation, body):
    staff = fixture_id(banquet, "staff_a")
    return banquet.sql("""insert into app.messages (organization_id, conversation_id, direction, body, status, sent_by)
                          values (%s, %s, 'out', %s, 'queued', %s) returning id::text""", org, conversation, body, staff)[0][0]


def test_inside_24_hours_a_reply_is_a_response_after_24_hours_it_carries_human_agent_after_7_days_it_is_refused(env):
    banquet, graph, org = env
    sender = "7" + str(uuid.uuid4().int)[:15]
    conversation = conversation_with(banquet, sender)

    staff_reply(banquet, org, conversation, "Yes we do!")
    inside = wait_for(lambda: graph.sends(to=sender), what="the in-window reply")[0].json()
    assert inside["messaging_type"] == "RESPONSE" and "tag" not in inside

    banquet.sql("update app.conversations set last_inbound_at = now() - interval '30 hours', window_expires_at = now() - interval '6 hours' where id = %s", conversation)
    message_id = staff_reply(banquet, org, conversation, "Following up on your birthday party")
    tagged = wait_for(lambda: graph.sends(to=sender)[1:], what="the HUMAN_AGENT reply")[0].json()
    assert (tagged["messaging_type"], tagged["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    wait_for(lambda: banquet.sql("select status from app.messages where id = %s", message_id) == [("sent",)], what="the tagged reply marked sent")

    banquet.sql("update app.conversations set last_inbound_at = now() - interval '8 days', window_expires_at = now() - interval '7 days' where id = %s", conversation)
    with pytest.raises(psycopg.Error) as refused:
        staff_reply(banquet, org, conversation, "Too late")
    assert refused.value.sqlstate == "BQ501"
    assert "7 days" in (refused.value.diag.message_hint or "")
    time.sleep(1)
    assert len(graph.sends(to=sender)) == 2


def test_instagram_webhook_refuses_a_bad_signature_and_a_wrong_verify_token(env):
    banquet, _, _ = env
    mid = "mid.attack." + uuid.uuid4().hex
    body = dumps(direct_message("123", mid, "hi"))
    assert post(banquet.url + "/functions/v1/instagram", body, {"X-Hub-Signature-256": hub_signature("wrong", body)})[0] == 401
    other = dumps(direct_message("456", mid, "another body"))
    assert post(banquet.url + "/functions/v1/instagram", body, {"X-Hub-Signature-256": hub_signature(APP_SECRET, other)})[0] == 401
    assert post(banquet.url + "/functions/v1/instagram", body, {})[0] == 401
    huge = dumps({"object": "instagram", "pad": "x" * (1 << 20)})
    assert post(banquet.url + "/functions/v1/instagram", huge, {"X-Hub-Signature-256": hub_signature(APP_SECRET, huge)})[0] == 413
    assert post(banquet.url + "/functions/v1/instagram?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=5", b"", method="GET")[0] == 403
    assert post(banquet.url + "/functions/v1/instagram?hub.mode=subscribe&hub.verify_token=ig-verify&hub.challenge=5", b"", method="GET")[:2] == (200, b"5")
    assert banquet.sql("select count(*) from app.webhook_events where event_id = %s", mid) == [(0,)]
