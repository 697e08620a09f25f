"""The change feed survives a lost LISTEN connection, and the cost of a change does not grow with
the number of subscribers (1,000 subscriptions across 100 organizations, raw WebSockets)."""
from __future__ import annotations

import asyncio
import time

import httpx
import psycopg

from realtime_helpers import RawSocket, add_booking, change_and_measure, make_tenants, metric, record_id, subscribe, supabase_client, touch_booking

# Without polling, only NOTIFY and the catch-up after a reconnect deliver: the statement counts are
# exact and the recovery test cannot pass by polling.
BANQUET_ENV = {"BANQUET_REALTIME_POLL_MS": "600000"}


def listener_pids(banquet) -> list[int]:
    return [row[0] for row in banquet.sql(
        "select pid from pg_stat_activity where application_name = 'banquet-realtime' and datname = current_database()")]


def test_a_change_committed_while_listen_is_down_is_still_delivered(banquet):
    tenant = make_tenants(banquet, 1)[0]
    booking = add_booking(banquet, tenant)

    async def scenario():
        client = await supabase_client(banquet, tenant.members[0].token)
        sub = await subscribe(client, "recovery")
        assert sub.states[-1][0] == "SUBSCRIBED"
        assert listener_pids(banquet), "the feed listens on its own connection"
        # One transaction: the listener is gone before the change commits, so its NOTIFY is lost.
        with psycopg.connect(banquet.db_url) as conn, conn.transaction():
            killed = conn.execute("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                                  "where application_name = 'banquet-realtime' and datname = current_database()").fetchone()[0]
            conn.execute("update app.bookings set guest_count = 44 where id = %s", (booking,))
        assert killed == 1
        _, payload = await sub.next(timeout=10)
        assert record_id(payload) == booking and payload["data"]["record"]["guest_count"] == 44
        await client.realtime.close()

    asyncio.run(scenario())
    assert "realtime feed listener reconnected; catching up" in banquet.log()


def test_one_change_reaches_only_its_organization_and_costs_the_same_at_100_and_1000_subscribers(banquet):
    tenants = make_tenants(banquet, 100, members=10)
    target, other = tenants[0], tenants[1]
    booking, other_booking = add_booking(banquet, target), add_booking(banquet, other)

    async def connect(members):
        sockets = await asyncio.gather(*(RawSocket.connect(banquet) for _ in members))
        replies = await asyncio.gather(*(s.join_changes(f"bookings:{i}", m.token) for i, (s, m) in enumerate(zip(sockets, members))))
        assert all(r["status"] == "ok" for r in replies), [r for r in replies if r["status"] != "ok"][:3]
        return sockets

    async def scenario():
        by_org: dict[str, list] = {t.organization: [] for t in tenants}
        # 100 subscribers: one member of each organization.
        first = await connect([t.members[0] for t in tenants])
        for tenant, socket in zip(tenants, first):
            by_org[tenant.organization].append(socket)
        cost_100, _ = await change_and_measure(banquet, by_org, target, booking, 11)
        # 1,000 subscribers: every member of every organization.
        rest_members = [(t, m) for t in tenants for m in t.members[1:]]
        rest = await connect([m for _, m in rest_members])
        for (tenant, _), socket in zip(rest_members, rest):
            by_org[tenant.organization].append(socket)
        assert metric(banquet, "realtime_postgres_changes_subscribers") == 1000
        cost_1000, slowest = await change_and_measure(banquet, by_org, target, booking, 12)
        assert cost_1000 == cost_100, (cost_100, cost_1000)
        assert cost_1000["deliver"] == 4, "begin, the group's claims, its one read, rollback"
        assert slowest < 1.0, f"the slowest of the organization's 10 members got it {slowest:.3f} s after commit"

        # Only the organization's members got it: everything sent before a heartbeat's reply has arrived.
        await change_and_measure(banquet, by_org, other, other_booking, 13)
        everyone = first + rest
        await asyncio.gather(*(s.heartbeat() for s in everyone))
        for tenant in tenants:
            for socket in by_org[tenant.organization]:
                got = {record_id(p) for _, p in socket.changes}
                expected = {booking} if tenant is target else {other_booking} if tenant is other else set()
                assert got == expected, (tenant.organization, got)
        await asyncio.gather(*(s.close() for s in everyone))

    asyncio.run(scenario())


def health(banquet) -> tuple[int, dict]:
    response = httpx.get(banquet.url + "/health/all", timeout=10)
    return response.status_code, response.json()


def test_health_all_reports_the_change_feed_and_degrades_while_it_cannot_listen(banquet):
    tenant = make_tenants(banquet, 1)[0]
    booking = add_booking(banquet, tenant)

    async def scenario():
        client = await supabase_client(banquet, tenant.members[0].token)
        await subscribe(client, "health")
        code, body = health(banquet)
        assert code == 200 and body["status"] == "ok"
        realtime = body["realtime"]
        assert realtime["status"] == "ok" and realtime["listening"] is True
        assert realtime["sockets"] >= 1 and realtime["channels"] >= 1
        before = realtime["feedPosition"] or 0
        touch_booking(banquet, booking, 61)
        newest = banquet.sql("select max(id) from changefeed.changes")[0][0]
        deadline = time.time() + 5
        while (health(banquet)[1]["realtime"]["feedPosition"] or 0) < newest and time.time() < deadline:
            await asyncio.sleep(0.05)
        assert health(banquet)[1]["realtime"]["feedPosition"] >= newest > before

        # The listener is cut off and cannot reconnect: /health/all says so with 503. (The
        # database refuses new connections meanwhile; the health check's pooled ones stay.)
        admin, name = banquet.db_url.rsplit("/", 1)[0] + "/postgres", banquet.db_url.rsplit("/", 1)[1]
        pids = listener_pids(banquet)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'alter database "{name}" allow_connections false')
            try:
                for pid in pids:
                    conn.execute("select pg_terminate_backend(%s)", (pid,))
                deadline = time.time() + 5
                while health(banquet)[1]["realtime"]["listening"] and time.time() < deadline:
                    await asyncio.sleep(0.05)
                code, body = health(banquet)
                assert code == 503 and body["status"] == "degraded"
                assert body["realtime"]["status"] == "degraded" and body["realtime"]["listening"] is False
            finally:
                conn.execute(f'alter database "{name}" allow_connections true')
        deadline = time.time() + 15
        while not health(banquet)[1]["realtime"]["listening"] and time.time() < deadline:
            await asyncio.sleep(0.1)
        code, body = health(banquet)
        assert code == 200 and body["realtime"]["listening"] is True
        await client.realtime.close()

    asyncio.run(scenario())
