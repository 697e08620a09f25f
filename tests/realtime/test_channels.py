"""Broadcast, private channels authorized by realtime.messages policies, presence, and the access
token's lifecycle, through the real supabase client."""
from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import websockets

from realtime_helpers import add_booking, jwt, make_tenants, record_id, subscribe, supabase_client, touch_booking


@pytest.fixture(scope="module")
def tenants(banquet):
    return make_tenants(banquet, 2, members=2)


async def joined(client, topic: str, params: dict | None = None, on=None):
    states = []
    channel = client.channel(topic, params or {})
    if on:
        on(channel)
    await channel.subscribe(lambda state, error: states.append((str(getattr(state, "value", state)), str(error) if error else None)))
    return channel, states


def test_broadcast_between_two_clients_of_one_organization(banquet, tenants):
    a = tenants[0]

    async def scenario():
        one, two = await supabase_client(banquet, a.members[0].token), await supabase_client(banquet, a.members[1].token)
        heard_one, heard_two = asyncio.Queue(), asyncio.Queue()
        ch_one, s1 = await joined(one, "room-1", on=lambda ch: ch.on_broadcast("cursor", heard_one.put_nowait))
        ch_two, s2 = await joined(two, "room-1", on=lambda ch: ch.on_broadcast("cursor", heard_two.put_nowait))
        assert s1[-1][0] == s2[-1][0] == "SUBSCRIBED"
        await ch_one.send_broadcast("cursor", {"x": 1, "y": 2})
        message = await asyncio.wait_for(heard_two.get(), 5)
        assert message["event"] == "cursor" and message["payload"] == {"x": 1, "y": 2}
        await ch_two.send_broadcast("cursor", {"x": 3})
        assert (await asyncio.wait_for(heard_one.get(), 5))["payload"] == {"x": 3}
        assert heard_one.empty(), "self is off: the sender does not hear itself"
        await one.realtime.close()
        await two.realtime.close()

    asyncio.run(scenario())


def test_private_channel_members_broadcast_and_another_tenant_is_refused(banquet, tenants):
    a, b = tenants
    topic = f"org:{a.organization}:chat"
    private = {"config": {"private": True, "broadcast": {"self": True, "ack": True}}}

    async def scenario():
        one, two = await supabase_client(banquet, a.members[0].token), await supabase_client(banquet, a.members[1].token)
        outsider = await supabase_client(banquet, b.members[0].token)
        heard_two = asyncio.Queue()
        ch_one, s1 = await joined(one, topic, private)
        ch_two, s2 = await joined(two, topic, private, on=lambda ch: ch.on_broadcast("*", heard_two.put_nowait))
        assert s1[-1][0] == s2[-1][0] == "SUBSCRIBED"

        _, sb = await joined(outsider, topic, private)
        assert sb[0][0] == "CHANNEL_ERROR"
        assert "Unauthorized: You do not have permissions to read from this Channel topic" in sb[0][1]
        await ch_one.send_broadcast("note", {"text": "table 4 wants the cheese board"})
        message = await asyncio.wait_for(heard_two.get(), 5)
        assert message["payload"] == {"text": "table 4 wants the cheese board"}
        await one.realtime.close()
        await two.realtime.close()
        await outsider.realtime.close()

    asyncio.run(scenario())


def test_public_twin_of_a_private_topic_hears_nothing_private(banquet, tenants):
    a, b = tenants
    topic = f"org:{a.organization}:ops"

    async def scenario():
        member = await supabase_client(banquet, a.members[0].token)
        outsider = await supabase_client(banquet, b.members[0].token)
        heard = asyncio.Queue()
        ch_private, s1 = await joined(member, topic, {"config": {"private": True}})
        ch_public, s2 = await joined(outsider, topic, on=lambda ch: ch.on_broadcast("*", heard.put_nowait))
        assert s1[-1][0] == s2[-1][0] == "SUBSCRIBED"
        await ch_private.send_broadcast("secret", {"n": 1})
        await ch_public.send_broadcast("public", {"n": 2})   # reaches nobody else, but proves the socket works
        await asyncio.sleep(0.5)
        assert heard.empty()
        await member.realtime.close()
        await outsider.realtime.close()

    asyncio.run(scenario())


def test_presence_join_and_leave(banquet, tenants):
    a = tenants[0]

    async def scenario():
        watcher, visitor = await supabase_client(banquet, a.members[0].token), await supabase_client(banquet, a.members[1].token)
        joins, leaves = asyncio.Queue(), asyncio.Queue()

        def listen(channel):
            channel.on_presence_join(lambda key, current, new: joins.put_nowait((key, new)))
            channel.on_presence_leave(lambda key, current, left: leaves.put_nowait((key, left)))

        topic = f"conversation-{a.organization}"
        ch_w, sw = await joined(watcher, topic, {"config": {"presence": {"key": "watcher", "enabled": True}}}, on=listen)
        await ch_w.track({"user": "watcher"})
        key, new = await asyncio.wait_for(joins.get(), 5)
        assert key == "watcher" and new[0]["user"] == "watcher"

        ch_v, sv = await joined(visitor, topic, {"config": {"presence": {"key": "visitor", "enabled": True}}})
        await ch_v.track({"user": "visitor", "typing": False})
        key, new = await asyncio.wait_for(joins.get(), 5)
        assert key == "visitor" and new[0]["typing"] is False
        assert set(ch_w.presence_state()) == {"watcher", "visitor"}

        await visitor.realtime.close()     # the socket goes away without untracking
        key, left = await asyncio.wait_for(leaves.get(), 5)
        assert key == "visitor"
        assert set(ch_w.presence_state()) == {"watcher"}
        await watcher.realtime.close()

    asyncio.run(scenario())


def test_an_expired_token_is_refused(banquet, tenants):
    member = tenants[0].members[0]

    async def scenario():
        client = await supabase_client(banquet, jwt(sub=member.id, exp=time.time() - 120))
        sub = await subscribe(client, "expired")
        assert sub.states[0][0] == "CHANNEL_ERROR" and "Token has expired" in sub.states[0][1]
        await client.realtime.close()

    asyncio.run(scenario())


def test_a_channel_is_closed_when_its_token_expires_and_a_refreshed_token_keeps_it(banquet, tenants):
    a = tenants[0]
    member = a.members[0]
    booking = add_booking(banquet, a)

    async def scenario():
        short = await supabase_client(banquet, jwt(sub=member.id, ttl=3))
        lapsing = await subscribe(short, "lapsing")
        assert lapsing.states[-1][0] == "SUBSCRIBED"

        refreshed = await supabase_client(banquet, jwt(sub=member.id, ttl=3))
        kept = await subscribe(refreshed, "kept")
        await refreshed.realtime.set_auth(jwt(sub=member.id, ttl=3600))

        await asyncio.sleep(4.5)
        assert ("CLOSED", None) in lapsing.states, lapsing.states
        assert any(state == "CHANNEL_ERROR" and "Token has expired" in (error or "") for state, error in lapsing.states)
        assert "CLOSED" not in [state for state, _ in kept.states]
        touch_booking(banquet, booking, 28)
        assert record_id((await kept.next())[1]) == booking
        await asyncio.sleep(0.2)
        assert lapsing.drained() == []
        await short.realtime.close()
        await refreshed.realtime.close()

    asyncio.run(scenario())


def test_the_socket_needs_a_valid_apikey(banquet):
    ws_url = banquet.url.replace("http://", "ws://") + "/realtime/v1/websocket?vsn=1.0.0"

    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(ws_url + "&apikey=not-a-token")
        assert refused.value.response.status_code == 400   # the upgrade handler refuses; no socket opens
        ok = await websockets.connect(ws_url + f"&apikey={banquet.anon_key}")
        await ok.close()

    asyncio.run(scenario())
    plain = httpx.get(banquet.url + "/realtime/v1/websocket", params={"apikey": banquet.anon_key, "vsn": "1.0.0"})
    assert plain.status_code == 400 and "WebSocket" in plain.json()["message"]
    bad = httpx.get(banquet.url + "/realtime/v1/websocket", params={"apikey": "not-a-token", "vsn": "1.0.0"})
    assert bad.status_code == 401 and bad.json()["message"] == "Invalid API key"
    # Every other route still answers over the upgraded server.
    assert httpx.get(banquet.url + "/health/all").status_code == 200
