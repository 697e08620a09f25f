"""WhatsApp sending limits measured at the local Graph server: per phone number and per guest,
never exceeded; and the circuit breaker opening while the provider is down."""
from __future__ import annotations

import uuid

import pytest

from harness import fixture_id, load_fixture, start_banquet, stop_banquet, wait_for
from providers import FakeGraph

TOKEN = "graph-test-token-limits"
PER_ACCOUNT, ACCOUNT_WINDOW = 4, 1.0
RECIPIENT_WINDOW = 2.0


@pytest.fixture(scope="module")
def env(request):
    graph = FakeGraph(TOKEN)
    banquet = start_banquet({
        "BANQUET_WHATSAPP_TRANSPORT": "graph",
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_GRAPH_URL": graph.url,
        "BANQUET_RATE_LIMITS": f"whatsapp:account={PER_ACCOUNT}/1s,whatsapp:recipient=1/2s",
        "BANQUET_QUEUES": "*=16",
        "BANQUET_BREAKER_FAILURES": "3",
        "BANQUET_BREAKER_OPEN_SECONDS": "4",
        # Waits longer than this hand the job back to the queue (bridge.defer) instead of holding a slot.
        "BANQUET_RATE_LIMIT_MAX_WAIT_MS": "500",
    })
    load_fixture(banquet)
    yield banquet, graph, fixture_id(banquet, "org_a")
    stop_banquet(banquet, keep_artifacts="connectors_whatsapp_limits" if request.session.testsfailed else None)
    graph.stop()


def conversation_for(banquet, sender: str) -> str:
    wamid = f"wamid.in.{uuid.uuid4().hex}"
    banquet.sql("select public.receive_message('whatsapp', 'wa-a', %s, 'hi', %s)", sender, wamid)
    return banquet.sql("select conversation_id::text from app.messages where provider_message_id = %s", wamid)[0][0]


def enqueue(banquet, org, conversations_and_bodies):
    values = ",".join(banquet_sql_literal(c, b) for c, b in conversations_and_bodies)
    return [r[0] for r in banquet.sql(f"""insert into app.messages (organization_id, conversation_id, direction, body, status)
        select %s, v.c::uuid, 'out', v.b, 'queued' from (values {values}) v(c, b) returning id::text""", org)]


def banquet_sql_literal(conversation, body):
    return "('{}', '{}')".format(conversation, body.replace("'", "''"))


def most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_sends_per_phone_number_stay_within_the_limit(env):
    banquet, graph, org = env
    senders = ["4477008" + str(uuid.uuid4().int)[:5] for _ in range(12)]
    conversations = [conversation_for(banquet, s) for s in senders]
    before = len(graph.sends())
    ids = enqueue(banquet, org, [(c, "burst") for c in conversations])
    wait_for(lambda: banquet.sql("select count(*) from app.messages where id = any(%s::uuid[]) and status = 'sent'", ids)[0][0] == len(ids),
             timeout=40, what="all burst messages sent")
    times = [r.at for r in graph.sends()[before:]]
    assert len(times) == 12
    # Measured at the server, with 50 ms for network jitter: never more than the limit per window.
    assert most_in_any_window(times, ACCOUNT_WINDOW - 0.05) <= PER_ACCOUNT
    assert times[-1] - times[0] >= (12 / PER_ACCOUNT - 1) * ACCOUNT_WINDOW - 0.1, "the burst was spread out, not sent at once"


def test_sends_to_one_guest_are_spaced_by_the_recipient_limit(env):
    banquet, graph, org = env
    sender = "4477007" + str(uuid.uuid4().int)[:5]
    conversation = conversation_for(banquet, sender)
    ids = enqueue(banquet, org, [(conversation, f"part {i}") for i in range(3)])
    wait_for(lambda: banquet.sql("select count(*) from app.messages where id = any(%s::uuid[]) and status = 'sent'", ids)[0][0] == 3,
             timeout=40, what="three messages to one guest sent")
    times = sorted(r.at for r in graph.sends(to="+" + sender))
    assert len(times) == 3
    assert all(b - a >= RECIPIENT_WINDOW - 0.05 for a, b in zip(times, times[1:])), times


def test_a_burst_to_one_guest_is_deferred_without_spending_attempts(env):
    """Seven messages at once to one guest (1 per 2 s): more deferrals than whatsapp.send's five
    attempts, yet none goes dead, because a rate-limit wait does not count as an attempt."""
    banquet, graph, org = env
    sender = "4477005" + str(uuid.uuid4().int)[:5]
    conversation = conversation_for(banquet, sender)
    ids = enqueue(banquet, org, [(conversation, f"burst {i}") for i in range(7)])
    wait_for(lambda: banquet.sql("select count(*) from app.messages where id = any(%s::uuid[]) and status = 'sent'", ids)[0][0] == 7,
             timeout=60, what="seven messages to one guest sent")
    assert banquet.sql("""select max(attempts), count(*) filter (where status = 'dead') from bridge.jobs
                          where kind = 'whatsapp.send' and payload ->> 'message_id' = any(%s)""", ids) == [(1, 0)]
    times = sorted(r.at for r in graph.sends(to="+" + sender))
    assert len(times) == 7 and all(b - a >= RECIPIENT_WINDOW - 0.05 for a, b in zip(times, times[1:]))


def test_the_circuit_breaker_opens_while_graph_is_down(env):
    banquet, graph, org = env
    graph.down = True
    try:
        senders = ["4477006" + str(uuid.uuid4().int)[:5] for _ in range(6)]
        conversations = [conversation_for(banquet, s) for s in senders]
        before = len(graph.requests)
        enqueue(banquet, org, [(c, "while down") for c in conversations])
        wait_for(lambda: "circuit breaker opened" in banquet.log(), timeout=30, what="the breaker to open")
        opened_at = len(graph.requests)
        # While open (4 s), the provider is not called at all.
        import time
        time.sleep(2.5)
        assert len(graph.requests) == opened_at, "no calls while the breaker is open"
        assert opened_at - before >= 3
    finally:
        graph.down = False
