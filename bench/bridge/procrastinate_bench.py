"""Procrastinate draining N no-op jobs: defer them in batches, then time WORKERS Procrastinate
workers (each one process with a psycopg pool, CONCURRENCY jobs at once, wait=False: exit once
the queue is empty) until the queue is empty. Prints one JSON line. Settings: see
competitor_common.py.

    bench/.venv/bin/python bench/bridge/procrastinate_bench.py
"""

from __future__ import annotations

import asyncio
import logging
from importlib.metadata import version

import procrastinate
import psycopg

from competitor_common import CONCURRENCY, ENQUEUE_BATCH, N, batches, drain_in_processes, fresh_database, report

# Procrastinate warns that the app lives in __main__; that is deliberate in a one-file benchmark.
logging.getLogger("procrastinate").setLevel(logging.ERROR)


def make_app(url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name="noop", queue="bench")
    async def noop() -> None:
        return None

    return app


async def enqueue(url: str) -> None:
    app = make_app(url)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        task = app.tasks["noop"]
        for size in batches(N, ENQUEUE_BATCH):
            await task.batch_defer_async(*({} for _ in range(size)))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum analyze")


async def drain(url: str) -> None:
    app = make_app(url)
    async with app.open_async():
        await app.run_worker_async(queues=["bench"], concurrency=CONCURRENCY, wait=False,
                                   install_signal_handlers=False)


def worker(url: str) -> None:
    asyncio.run(drain(url))


def unfinished(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("select count(*) from procrastinate_jobs where status <> 'succeeded'").fetchone()[0]


def main() -> None:
    url = fresh_database("bench_bridge_procrastinate")
    asyncio.run(enqueue(url))
    seconds = drain_in_processes(worker, url)
    left = unfinished(url)
    if left:
        raise SystemExit(f"procrastinate_bench: {left} of {N} jobs were not drained")
    report("procrastinate", version("procrastinate"), seconds)


if __name__ == "__main__":
    main()
