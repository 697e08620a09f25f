"""The comparison mode `make bench-realtime` measures Banquet's grouped delivery against:
`BANQUET_REALTIME_DELIVERY=per_subscriber` reads each change once per subscriber, as Supabase's
Postgres Changes checks RLS. Its cost must grow with the subscribers (else the benchmark compares
nothing), and it must deliver exactly what grouped delivery does."""
from __future__ import annotations

import asyncio

from realtime_helpers import RawSocket, add_booking, change_and_measure, make_tenants, metric, record_id

BANQUET_ENV = {"BANQUET_REALTIME_DELIVERY": "per_subscriber", "BANQUET_REALTIME_POLL_MS": "600000"}


def test_per_subscriber_delivery_reads_once_per_subscriber_and_delivers_the_same(banquet):
    tenants = make_tenants(banquet, 3, members=5)
    target = tenants[0]
    booking = add_booking(banquet, target)

    async def scenario():
        by_org: dict[str, list] = {t.organization: [] for t in tenants}
        members = [(t, m) for t in tenants for m in t.members]
        sockets = await asyncio.gather(*(RawSocket.connect(banquet) for _ in members))
        replies = await asyncio.gather(*(s.join_changes(f"bookings:{i}", m.token) for i, (s, (_, m)) in enumerate(zip(sockets, members))))
        assert all(r["status"] == "ok" for r in replies)
        for (tenant, _), socket in zip(members, sockets):
            by_org[tenant.organization].append(socket)
        assert metric(banquet, "realtime_postgres_changes_subscribers") == 15
        cost, _ = await change_and_measure(banquet, by_org, target, booking, 21)
        # begin, then per subscriber of the organization its claims and its read, then rollback.
        assert cost["deliver"] == 2 + 2 * 5, cost
        await asyncio.gather(*(s.heartbeat() for s in sockets))
        for tenant in tenants:
            for socket in by_org[tenant.organization]:
                got = {record_id(p) for _, p in socket.changes}
                assert got == ({booking} if tenant is target else set()), (tenant.organization, got)
        await asyncio.gather(*(s.close() for s in sockets))

    asyncio.run(scenario())
