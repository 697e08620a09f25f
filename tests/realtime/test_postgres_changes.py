"""postgres_changes through the real supabase client: RLS-filtered delivery within a second,
filters, event types, subscribe errors."""
from __future__ import annotations

import asyncio
import time

import pytest

from realtime_helpers import add_booking, make_tenants, record_id, subscribe, supabase_client, touch_booking


@pytest.fixture(scope="module")
def tenants(banquet):
    return make_tenants(banquet, 2)


def test_member_receives_her_booking_within_a_second_and_another_tenant_nothing(banquet, tenants):
    a, b = tenants
    booking_a, booking_b = add_booking(banquet, a), add_booking(banquet, b)

    async def scenario():
        client_a, client_b = await supabase_client(banquet, a.members[0].token), await supabase_client(banquet, b.members[0].token)
        sub_a = await subscribe(client_a, "bookings-a")
        sub_b = await subscribe(client_b, "bookings-b")
        assert sub_a.states[-1][0] == "SUBSCRIBED" and sub_b.states[-1][0] == "SUBSCRIBED"
        assert sub_a.system and sub_a.system[0].message == "Subscribed to PostgreSQL"

        committed = time.time()
        touch_booking(banquet, booking_a, 21)
        received_at, payload = await sub_a.next(timeout=5)
        latency = received_at - committed
        data = payload["data"]
        assert (data["schema"], data["table"], data["type"]) == ("app", "bookings", "UPDATE")
        assert data["record"]["id"] == booking_a and data["record"]["guest_count"] == 21
        assert data["old_record"] == {"id": booking_a}
        assert {"name": "guest_count", "type": "int4"} in data["columns"]
        assert data["commit_timestamp"].endswith("Z")
        assert latency < 1.0, f"delivered {latency:.3f} s after commit"

        # B's own change reaches B: B's stream is live, and A's earlier change would have come first.
        touch_booking(banquet, booking_b, 31)
        _, payload_b = await sub_b.next(timeout=5)
        assert record_id(payload_b) == booking_b
        # A's next change reaches A after B's change was delivered: had B's leaked to A, it would be queued first.
        touch_booking(banquet, booking_a, 22)
        _, again = await sub_a.next(timeout=5)
        assert record_id(again) == booking_a and again["data"]["record"]["guest_count"] == 22
        assert sub_a.drained() == [] and sub_b.drained() == []
        await client_a.realtime.close()
        await client_b.realtime.close()

    asyncio.run(scenario())


def test_a_filter_on_one_id_delivers_only_that_row(banquet, tenants):
    a = tenants[0]
    wanted, other = add_booking(banquet, a), add_booking(banquet, a)

    async def scenario():
        client = await supabase_client(banquet, a.members[0].token)
        sub = await subscribe(client, "one-booking", filter=f"id=eq.{wanted}")
        assert sub.states[-1][0] == "SUBSCRIBED"
        touch_booking(banquet, other, 40)
        touch_booking(banquet, wanted, 41)
        _, payload = await sub.next()
        assert record_id(payload) == wanted
        touch_booking(banquet, other, 42)
        touch_booking(banquet, wanted, 43)
        _, payload = await sub.next()
        assert record_id(payload) == wanted and payload["data"]["record"]["guest_count"] == 43
        assert sub.drained() == []
        await client.realtime.close()

    asyncio.run(scenario())


def test_updates_in_one_transaction_arrive_as_the_states_they_left(banquet, tenants):
    """Each event carries the row as its change left it (the feed's image), not the row as it is
    when delivered: three updates committed together arrive as three states, and a filter on the
    first state matches the first event."""
    a = tenants[0]
    booking = add_booking(banquet, a)

    async def scenario():
        client = await supabase_client(banquet, a.members[0].token)
        every = await subscribe(client, "every-state")
        first_state = await subscribe(client, "first-state", filter="guest_count=eq.40")
        banquet.sql(f"""do $$ begin
            update app.bookings set guest_count = 40 where id = '{booking}';
            update app.bookings set guest_count = 41 where id = '{booking}';
            update app.bookings set guest_count = 42 where id = '{booking}';
          end $$""")
        states = [p["data"]["record"]["guest_count"] for _, p in [await every.next(), await every.next(), await every.next()]]
        assert states == [40, 41, 42]
        _, payload = await first_state.next()
        assert record_id(payload) == booking and payload["data"]["record"]["guest_count"] == 40
        await asyncio.sleep(0.3)
        assert every.drained() == [] and first_state.drained() == []
        await client.realtime.close()

    asyncio.run(scenario())


def test_a_feed_row_without_an_image_is_sent_as_the_row_reads_now(banquet, tenants):
    """Feed rows captured before migration 20261129012000 have no image; they are delivered with
    the row as read under RLS, as before, rather than dropped."""
    a = tenants[0]
    booking = add_booking(banquet, a, guests=55)

    async def scenario():
        client = await supabase_client(banquet, a.members[0].token)
        sub = await subscribe(client, "imageless", filter=f"id=eq.{booking}")
        banquet.sql("insert into changefeed.changes (table_name, op, organization_id, record_id) values ('bookings', 'UPDATE', %s, %s)",
                    a.organization, booking)
        banquet.sql("notify realtime")
        _, payload = await sub.next()
        assert payload["data"]["type"] == "UPDATE" and payload["data"]["record"]["guest_count"] == 55
        await client.realtime.close()

    asyncio.run(scenario())


def test_neq_and_in_filters(banquet, tenants):
    a = tenants[0]
    first, second = add_booking(banquet, a, guests=50), add_booking(banquet, a, guests=60)

    async def scenario():
        client = await supabase_client(banquet, a.members[0].token)
        in_sub = await subscribe(client, "in-filter", filter="guest_count=in.(70,71)")
        neq_sub = await subscribe(client, "neq-filter", filter=f"id=neq.{first}")
        touch_booking(banquet, first, 70)
        touch_booking(banquet, second, 99)
        touch_booking(banquet, second, 71)
        assert [record_id(p) for _, p in [await in_sub.next(), await in_sub.next()]] == [first, second]
        assert [p["data"]["record"]["guest_count"] for _, p in [await neq_sub.next(), await neq_sub.next()]] == [99, 71]
        await asyncio.sleep(0.3)
        assert in_sub.drained() == [] and neq_sub.drained() == []
        await client.realtime.close()

    asyncio.run(scenario())


def test_event_filter_insert_only_and_delete_carries_the_key(banquet, tenants):
    a = tenants[0]
    existing = add_booking(banquet, a)

    async def scenario():
        client = await supabase_client(banquet, a.members[0].token)
        inserts = await subscribe(client, "inserts", event="INSERT")
        deletes = await subscribe(client, "deletes", event="DELETE")
        touch_booking(banquet, existing, 33)
        created = add_booking(banquet, a)
        _, payload = await inserts.next()
        assert payload["data"]["type"] == "INSERT" and record_id(payload) == created
        assert "old_record" not in payload["data"]
        banquet.sql("delete from app.bookings where id = %s", created)
        _, gone = await deletes.next()
        assert gone["data"]["type"] == "DELETE" and gone["data"]["old_record"] == {"id": created}
        assert "record" not in gone["data"]
        assert inserts.drained() == [] and deletes.drained() == []
        await client.realtime.close()

    asyncio.run(scenario())


def test_notifications_for_one_member_reach_only_her(banquet):
    org = make_tenants(banquet, 1, members=2)[0]
    ana, ben = org.members

    async def scenario():
        client_ana, client_ben = await supabase_client(banquet, ana.token), await supabase_client(banquet, ben.token)
        sub_ana = await subscribe(client_ana, "notes", table="notifications")
        sub_ben = await subscribe(client_ben, "notes", table="notifications")
        banquet.sql("insert into app.notifications (organization_id, user_id, kind, title) values (%s, %s, 'test', 'For Ana')", org.organization, ana.id)
        banquet.sql("insert into app.notifications (organization_id, kind, title) values (%s, 'test', 'For everyone')", org.organization)
        titles_ana = [(await sub_ana.next())[1]["data"]["record"]["title"] for _ in range(2)]
        assert titles_ana == ["For Ana", "For everyone"]
        _, payload = await sub_ben.next()
        assert payload["data"]["record"]["title"] == "For everyone"
        assert sub_ben.drained() == []
        await client_ana.realtime.close()
        await client_ben.realtime.close()

    asyncio.run(scenario())


def test_a_removed_member_stops_receiving(banquet):
    org = make_tenants(banquet, 1, members=2)[0]
    stays, leaves = org.members
    booking = add_booking(banquet, org)

    async def scenario():
        client_stays, client_leaves = await supabase_client(banquet, stays.token), await supabase_client(banquet, leaves.token)
        sub_stays = await subscribe(client_stays, "team")
        sub_leaves = await subscribe(client_leaves, "team")
        touch_booking(banquet, booking, 24)
        assert record_id((await sub_leaves.next())[1]) == booking
        assert record_id((await sub_stays.next())[1]) == booking
        banquet.sql("delete from app.memberships where organization_id = %s and user_id = %s", org.organization, leaves.id)
        touch_booking(banquet, booking, 25)
        assert (await sub_stays.next())[1]["data"]["record"]["guest_count"] == 25
        await asyncio.sleep(0.3)
        assert sub_leaves.drained() == []
        await client_stays.realtime.close()
        await client_leaves.realtime.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("binding, expected", [
    ({"table": "no_such_table"}, "is not published for realtime"),
    ({"table": "bookings", "filter": "no_column=eq.1"}, "column no_column does not exist"),
    ({"table": "bookings", "filter": "guest_count=like.1"}, "operator like is not supported"),
    ({"table": "bookings", "filter": "guest_count"}, "expected column=operator.value"),
    ({"table": "bookings", "schema": "public"}, "schema public has no realtime tables"),
])
def test_a_bad_subscription_gets_a_system_error_not_a_crash(banquet, tenants, binding, expected):
    async def scenario():
        client = await supabase_client(banquet, tenants[0].members[0].token)
        sub = await subscribe(client, "bad", table=binding["table"], filter=binding.get("filter"), schema=binding.get("schema", "app"))
        assert sub.states and sub.states[0][0] == "CHANNEL_ERROR", sub.states
        assert expected in sub.states[0][1]
        await client.realtime.close()

    asyncio.run(scenario())
    # The daemon is still serving.
    assert banquet.process.poll() is None
