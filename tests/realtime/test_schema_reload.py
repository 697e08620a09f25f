"""Filters are checked against the watched tables' columns; after a migration (`banquet migrate`
sends `NOTIFY pgrst`, as PostgREST's schema cache expects) a new column can be filtered on at once,
without restarting the daemon."""
from __future__ import annotations

import asyncio

from realtime_helpers import RawSocket, make_tenants


def test_a_column_added_by_a_migration_can_be_filtered_on_after_notify_pgrst(banquet):
    tenant = make_tenants(banquet, 1)[0]

    async def join_filtered(column: str) -> dict:
        socket = await RawSocket.connect(banquet)
        reply = await socket.push("realtime:probe", "phx_join", {
            "config": {"broadcast": {"ack": False, "self": False}, "presence": {"key": "", "enabled": False}, "private": False,
                       "postgres_changes": [{"event": "*", "schema": "app", "table": "bookings", "filter": f"{column}=eq.1"}]},
            "access_token": tenant.members[0].token})
        await socket.close()
        return reply

    async def scenario():
        before = await join_filtered("review_probe")
        assert before["status"] == "error" and "review_probe does not exist" in before["response"]["reason"]
        banquet.sql("alter table app.bookings add column review_probe int")
        banquet.sql("notify pgrst")
        for _ in range(50):
            reply = await join_filtered("review_probe")
            if reply["status"] == "ok":
                break
            await asyncio.sleep(0.1)
        assert reply["status"] == "ok", reply
        assert reply["response"]["postgres_changes"][0]["filter"] == "review_probe=eq.1"

    asyncio.run(scenario())
