"""make bench-realtime: postgres_changes delivery at 1,000 and 5,000 subscribers across 100
organizations, with changes committed at 100/s.

A release `banquet serve` on a fresh database copied from the migrated template (the test
suite's harness starts it); subscribers are raw Phoenix WebSockets in this one asyncio process
(the same protocol as the supabase client), each joined to `app.bookings` with its own access
token. The writer updates one booking of a random organization every 10 ms, each in its own
transaction. Latency is client receipt time minus the event's commit_timestamp (set by the feed
trigger inside the writing transaction, so it slightly overstates the latency); same machine,
same clock. SQL statements per change come from `realtime_sql_statements_total` (fetch +
deliver) over the run. Writes bench/results/realtime.json and the realtime table in
docs/benchmarks.md. A measurement, never a gate.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "realtime"))

import conftest  # noqa: E402  (the harness: start_banquet / stop_banquet)
from realtime_helpers import RawSocket, add_booking, make_tenants, metric  # noqa: E402

ORGANIZATIONS = 100
SIZES = [int(n) for n in os.environ.get("BENCH_SUBSCRIBERS", "1000,5000").split(",")]
# `grouped` is Banquet's delivery; `per_subscriber` reads each change once per subscriber, as
# Supabase's Postgres Changes checks RLS — the comparison, measured in the same run.
MODES = os.environ.get("BENCH_DELIVERY", "grouped,per_subscriber").split(",")
RATE = float(os.environ.get("BENCH_CHANGES_PER_SECOND", "100"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
RESULTS = ROOT / "bench" / "results" / "realtime.json"
DOC = ROOT / "docs" / "benchmarks.md"


def parse_ts(text: str) -> float:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc (clock ticks)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def statements(banquet) -> float:
    return sum(metric(banquet, "realtime_sql_statements_total", purpose=p) for p in ("fetch", "deliver"))


async def run_size(banquet, tenants, bookings, subscribers: int, mode: str) -> dict:
    per_org = subscribers // ORGANIZATIONS
    members = [(t, m) for t in tenants for m in t.members[:per_org]]
    sockets: list[RawSocket] = []
    for start in range(0, len(members), 250):  # connect in waves: the joins read memberships
        chunk = members[start:start + 250]
        opened = await asyncio.gather(*(RawSocket.connect(banquet) for _ in chunk))
        replies = await asyncio.gather(*(s.join_changes(f"bench:{start + i}", m.token) for i, (s, (_, m)) in enumerate(zip(opened, chunk))))
        assert all(r["status"] == "ok" for r in replies)
        sockets += opened
    await asyncio.sleep(1)

    import psycopg
    changes = int(RATE * SECONDS)
    # The client keeps every received event (100,000 parsed rows at 5,000 subscribers); Python's
    # cyclic collector then pauses this process for hundreds of milliseconds, which would be
    # measured as delivery latency. Nothing here makes cycles, so it is off while measuring.
    gc.disable()
    before_statements, before_changes = statements(banquet), metric(banquet, "realtime_changes_total")
    load_before = open("/proc/loadavg").read().split()[0]
    wall, client_cpu, server_cpu = time.perf_counter(), time.process_time(), cpu_seconds(banquet.process.pid)
    with psycopg.connect(banquet.db_url, autocommit=True) as conn:
        started = time.perf_counter()
        for n in range(changes):
            target = started + n / RATE
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tenant = random.choice(tenants)
            conn.execute("update app.bookings set guest_count = %s where id = %s", (10 + n % 400, bookings[tenant.organization]))
        achieved = changes / (time.perf_counter() - started)
    expected = changes * per_org
    deadline = time.time() + 60
    while sum(len(s.changes) for s in sockets) < expected and time.time() < deadline:
        await asyncio.sleep(0.1)
    wall, client_cpu, server_cpu = time.perf_counter() - wall, time.process_time() - client_cpu, cpu_seconds(banquet.process.pid) - server_cpu
    await asyncio.sleep(0.5)
    delivered_changes = metric(banquet, "realtime_changes_total") - before_changes
    spent = statements(banquet) - before_statements
    latencies = [received - parse_ts(p["data"]["commit_timestamp"]) for s in sockets for received, p in s.changes]
    received = len(latencies)
    gc.enable()
    await asyncio.gather(*(s.close() for s in sockets))
    await asyncio.sleep(1)
    return {
        "delivery": mode, "subscribers": len(sockets), "organizations": ORGANIZATIONS, "changes": changes, "changes_per_second": round(achieved, 1),
        "messages_expected": expected, "messages_received": received,
        "latency_ms": {"p50": round(percentile(latencies, 0.50) * 1000, 1), "p99": round(percentile(latencies, 0.99) * 1000, 1),
                       "max": round(max(latencies) * 1000, 1), "mean": round(statistics.mean(latencies) * 1000, 1)},
        "sql_statements": int(spent), "feed_rows_read": int(delivered_changes),
        "sql_statements_per_change": round(spent / changes, 2),
        # Where the time went: CPU share (of one core) of the daemon and of this client process while
        # the changes were written and received, and the machine's load when the run began.
        "daemon_cpu_percent": round(100 * server_cpu / wall), "client_cpu_percent": round(100 * client_cpu / wall),
        "load_average_at_start": float(load_before),
    }


def write_doc(result: dict) -> None:
    rows = "\n".join(
        f"| {r['delivery']} | {r['subscribers']:,} | {r['changes']:,} at {r['changes_per_second']}/s | {r['messages_received']:,} / {r['messages_expected']:,} "
        f"| {r['latency_ms']['p50']} | {r['latency_ms']['p99']} | {r['latency_ms']['max']} | {r['sql_statements_per_change']} "
        f"| {r['daemon_cpu_percent']} % / {r['client_cpu_percent']} % | {r['load_average_at_start']} |"
        for r in result["runs"])
    meta = result["meta"]
    block = f"""<!-- bench-realtime:start -->
<!-- Generated by bench/realtime/run.py: do not edit by hand; run `make bench-realtime`. -->

Run {meta['date']} on {meta['postgres']}, release build, {meta['cpus']} CPUs (load average {meta['load_before']} at the start).
Subscribers are raw Phoenix WebSockets in one Python process, spread evenly over {ORGANIZATIONS} organizations, each
joined to `app.bookings` changes with its own token; one writer updates a booking of a random organization
{RATE:.0f} times a second for {SECONDS:.0f} s, one transaction each. Latency: client receipt minus the event's
`commit_timestamp` (same clock). Statements: `realtime_sql_statements_total` (fetch + deliver) over the run, per
change committed. Targets: p99 ≤ 1 s at 5,000 subscribers; statements per change independent of subscribers.
`grouped` is Banquet's delivery (one RLS read per delivery group); `per_subscriber` is the comparison, the same
daemon with `BANQUET_REALTIME_DELIVERY=per_subscriber` (one RLS read per subscriber per change, as Supabase's
Postgres Changes does), each on its own fresh daemon and database. Latency percentiles are over the messages received.

| Delivery | Subscribers | Changes | Messages received | p50 ms | p99 ms | max ms | SQL statements per change | CPU daemon / client | Load at start |
| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{rows}
<!-- bench-realtime:end -->"""
    text = DOC.read_text()
    if "<!-- bench-realtime:start -->" in text:
        head, _, rest = text.partition("<!-- bench-realtime:start -->")
        _, _, tail = rest.partition("<!-- bench-realtime:end -->")
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n## Realtime (`make bench-realtime`)\n\n" + block + "\n"
    DOC.write_text(text)


async def main() -> None:
    load_before = open("/proc/loadavg").read().split()[0]
    runs = []
    for mode in MODES:
        banquet = conftest.start_banquet({"BANQUET_REALTIME_DELIVERY": mode})
        try:
            tenants = make_tenants(banquet, ORGANIZATIONS, members=max(SIZES) // ORGANIZATIONS)
            bookings = {t.organization: add_booking(banquet, t) for t in tenants}
            for size in SIZES:
                print(f"== {mode}: {size} subscribers", flush=True)
                runs.append(await run_size(banquet, tenants, bookings, size, mode))
                print(json.dumps(runs[-1], indent=2), flush=True)
            version = banquet.sql("select version()")[0][0].split(" on ")[0]
        finally:
            conftest.stop_banquet(banquet)
    result = {"runs": runs, "meta": {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "postgres": version,
                                     "cpus": os.cpu_count(), "load_before": load_before, "machine": platform.machine()}}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    write_doc(result)
    print(f"wrote {RESULTS.relative_to(ROOT)} and docs/benchmarks.md")


if __name__ == "__main__":
    asyncio.run(main())
