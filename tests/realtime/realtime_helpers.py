"""Tenants made directly in SQL, tokens minted with the suite's secret, and the two kinds of
realtime client: the real supabase client and a raw Phoenix WebSocket for the scale check."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field

import httpx
import websockets
from supabase import AsyncClientOptions, acreate_client

from conftest import JWT_SECRET


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(role: str = "authenticated", sub: str | None = None, ttl: float = 3600, exp: float | None = None) -> str:
    """An HS256 token signed with the suite's secret, as GoTrue would issue it."""
    now = int(time.time())
    claims = {"role": role, "iat": now, "exp": int(exp if exp is not None else now + ttl), "iss": "banquet"}
    if sub:
        claims.update(sub=sub, aud="authenticated", email=f"{sub[:8]}@example.com")
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = _b64(hmac.new(JWT_SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"


@dataclass
class Member:
    id: str
    token: str


@dataclass
class Tenant:
    organization: str
    venue: str
    space: str
    members: list[Member] = field(default_factory=list)
    _day: int = 0

    def next_day(self) -> int:
        self._day += 1
        return self._day


def make_tenants(banquet, count: int, members: int = 1) -> list[Tenant]:
    """`count` organizations, each with a venue, a space and `members` users (the first the owner), in one statement."""
    tenants = []
    rows_users, rows_orgs, rows_members, rows_venues, rows_spaces = [], [], [], [], []
    for index in range(count):
        tenant = Tenant(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()))
        for position in range(members):
            user = str(uuid.uuid4())
            tenant.members.append(Member(user, jwt(sub=user)))
            rows_users.append(f"('{user}', '{user[:8]}@example.com', 'authenticated', 'authenticated')")
            rows_members.append(f"('{tenant.organization}', '{user}', '{'owner' if position == 0 else 'staff'}')")
        rows_orgs.append(f"('{tenant.organization}', 'Org {index}', 'GBP')")
        rows_venues.append(f"('{tenant.venue}', '{tenant.organization}', 'Venue {index}', 'Europe/London', 'GBP', 'events@venue.test')")
        rows_spaces.append(f"('{tenant.space}', '{tenant.organization}', '{tenant.venue}', 'Room', 1, 500)")
        tenants.append(tenant)
    banquet.sql(f"""
        insert into auth.users (id, email, aud, role) values {','.join(rows_users)};
        insert into app.organizations (id, name, default_currency) values {','.join(rows_orgs)};
        insert into app.memberships (organization_id, user_id, role) values {','.join(rows_members)};
        insert into app.venues (id, organization_id, name, timezone, currency, notification_email) values {','.join(rows_venues)};
        insert into app.spaces (id, organization_id, venue_id, name, min_guests, max_guests) values {','.join(rows_spaces)};
    """)
    return tenants


def add_booking(banquet, tenant: Tenant, guests: int = 20) -> str:
    """A held booking on its own day (the space cannot be double booked)."""
    booking = str(uuid.uuid4())
    day = tenant.next_day()
    banquet.sql("""
        insert into app.bookings (id, organization_id, venue_id, space_id, starts_at, ends_at, guest_count, currency)
        values (%s, %s, %s, %s, now() + make_interval(days => %s), now() + make_interval(days => %s, hours => 3), %s, 'GBP')
    """, booking, tenant.organization, tenant.venue, tenant.space, day + 30, day + 30, guests)
    return booking


def touch_booking(banquet, booking: str, guests: int) -> None:
    banquet.sql("update app.bookings set guest_count = %s where id = %s", guests, booking)


def metric(banquet, name: str, **labels) -> float:
    """The sum of a Prometheus metric's samples whose labels include `labels`."""
    text = httpx.get(banquet.url + "/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+)(\{[^}]*\})?\s+([0-9.e+-]+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match.group(3))
    return total


async def supabase_client(banquet, token: str | None):
    """The real async supabase client, with a user's access token for realtime."""
    client = await acreate_client(banquet.url, banquet.anon_key,
                                  options=AsyncClientOptions(auto_refresh_token=False, persist_session=False))
    if token:
        await client.realtime.set_auth(token)
    return client


class Subscription:
    """A channel with one postgres_changes binding whose events land in a queue."""

    def __init__(self):
        self.events: asyncio.Queue = asyncio.Queue()
        self.states: list = []
        self.system: list = []
        self.channel = None

    def on_change(self, payload):
        self.events.put_nowait((time.time(), payload))

    def on_state(self, state, error):
        self.states.append((str(getattr(state, "value", state)), str(error) if error else None))

    async def next(self, timeout: float = 5.0):
        return await asyncio.wait_for(self.events.get(), timeout)

    def drained(self) -> list:
        items = []
        while not self.events.empty():
            items.append(self.events.get_nowait())
        return items


async def subscribe(client, topic: str, *, table: str | None = "bookings", event: str = "*", filter: str | None = None,
                    schema: str = "app", params: dict | None = None) -> Subscription:
    sub = Subscription()
    channel = client.channel(topic, params or {})
    channel.on_postgres_changes(event, sub.on_change, table=table, schema=schema, filter=filter)
    channel.on_system(lambda payload: sub.system.append(payload))
    sub.channel = channel
    await channel.subscribe(sub.on_state)
    return sub


def record_id(payload) -> str:
    data = payload["data"]
    return (data.get("record") or data.get("old_record"))["id"]


class RawSocket:
    """A Phoenix channels client on a plain WebSocket, for many subscribers in one process."""

    def __init__(self, ws):
        self.ws = ws
        self.ref = 0
        self.changes: list[tuple[float, dict]] = []
        self.replies: dict[str, dict] = {}
        self.reply_waiters: dict[str, asyncio.Future] = {}
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, banquet):
        url = banquet.url.replace("http://", "ws://") + f"/realtime/v1/websocket?apikey={banquet.anon_key}&vsn=1.0.0"
        return cls(await websockets.connect(url, max_size=None, ping_interval=None, open_timeout=30))

    async def _read(self):
        try:
            async for text in self.ws:
                message = json.loads(text)
                if message["event"] == "postgres_changes":
                    self.changes.append((time.time(), message["payload"]))
                elif message["event"] == "phx_reply" and message.get("ref") in self.reply_waiters:
                    self.reply_waiters.pop(message["ref"]).set_result(message["payload"])
        except websockets.ConnectionClosed:
            pass

    async def push(self, topic: str, event: str, payload: dict, timeout: float = 30) -> dict:
        self.ref += 1
        ref = str(self.ref)
        waiter = asyncio.get_running_loop().create_future()
        self.reply_waiters[ref] = waiter
        await self.ws.send(json.dumps({"topic": topic, "event": event, "payload": payload, "ref": ref, "join_ref": ref}))
        return await asyncio.wait_for(waiter, timeout)

    async def join_changes(self, topic: str, token: str, table: str = "bookings") -> dict:
        return await self.push(f"realtime:{topic}", "phx_join", {
            "config": {"broadcast": {"ack": False, "self": False}, "presence": {"key": "", "enabled": False}, "private": False,
                       "postgres_changes": [{"event": "*", "schema": "app", "table": table}]},
            "access_token": token})

    async def heartbeat(self) -> dict:
        return await self.push("phoenix", "heartbeat", {})

    async def close(self):
        await self.ws.close()
        self.reader.cancel()


def statements(banquet) -> dict[str, float]:
    return {purpose: metric(banquet, "realtime_sql_statements_total", purpose=purpose) for purpose in ("fetch", "deliver")}


async def change_and_measure(banquet, sockets_by_org, tenant, booking, guests) -> tuple[dict[str, float], float]:
    """Commits one change and waits until every member socket of the tenant has it; returns the
    statements the realtime path ran for it."""
    before = statements(banquet)
    committed = time.time()
    touch_booking(banquet, booking, guests)
    members = sockets_by_org[tenant.organization]
    deadline = time.time() + 10
    while not all(any(record_id(p) == booking and p["data"]["record"]["guest_count"] == guests for _, p in s.changes) for s in members):
        assert time.time() < deadline, "not every member received the change"
        await asyncio.sleep(0.02)
    slowest = max(next(t for t, p in s.changes if p["data"]["record"]["guest_count"] == guests) for s in members) - committed
    await asyncio.sleep(0.3)   # let the counters settle (the fan-out has finished once every member has it)
    after = statements(banquet)
    return {purpose: after[purpose] - before[purpose] for purpose in after}, slowest
