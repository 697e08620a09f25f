"""PgQueuer draining N no-op jobs: enqueue them in batches, then time WORKERS PgQueuer workers
(each one process, one asyncpg connection, drain mode: exit once the queue is empty) until the
queue is empty. Prints one JSON line. Settings: see competitor_common.py.

    bench/.venv/bin/python bench/bridge/pgqueuer_bench.py
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pgqueuer
from pgqueuer import PgQueuer, Queries
from pgqueuer.db import AsyncpgDriver
from pgqueuer.domain.types import QueueExecutionMode

from competitor_common import BATCH, CONCURRENCY, ENQUEUE_BATCH, N, batches, drain_in_processes, fresh_database, report


async def enqueue(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        queries = Queries(AsyncpgDriver(connection))
        await queries.install()
        for size in batches(N, ENQUEUE_BATCH):
            await queries.enqueue(["noop"] * size, [None] * size, [0] * size)
        await connection.execute("vacuum analyze")
    finally:
        await connection.close()


async def drain(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        queuer = PgQueuer(AsyncpgDriver(connection))

        @queuer.entrypoint("noop")
        async def noop(job: pgqueuer.Job) -> None:
            return None

        await queuer.run(batch_size=BATCH, max_concurrent_tasks=max(CONCURRENCY, 2 * BATCH),
                         dequeue_timeout=timedelta(seconds=1), mode=QueueExecutionMode.drain)
    finally:
        await connection.close()


def worker(url: str) -> None:
    asyncio.run(drain(url))


async def remaining(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval("select count(*) from pgqueuer")
    finally:
        await connection.close()


def main() -> None:
    url = fresh_database("bench_bridge_pgqueuer")
    asyncio.run(enqueue(url))
    seconds = drain_in_processes(worker, url)
    left = asyncio.run(remaining(url))
    if left:
        raise SystemExit(f"pgqueuer_bench: {left} of {N} jobs were not drained")
    report("pgqueuer", pgqueuer.__version__, seconds)


if __name__ == "__main__":
    main()
