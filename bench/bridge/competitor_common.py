"""What the competitor benchmarks share: settings from the environment, a fresh database per run,
worker processes started together, and the one JSON line each prints.

Environment (all optional):
  BENCH_DATABASE_URL  cluster to create the benchmark database on
                      (default postgres://postgres@127.0.0.1:54350/postgres)
  N                   jobs to enqueue and drain (100000)
  ENQUEUE_BATCH       jobs per enqueue call (1000)
  WORKERS             worker processes draining in parallel (1)
  BATCH               jobs a worker fetches per round trip (64, as Banquet's claim batch)
  CONCURRENCY         jobs a worker runs at once (64, as Banquet's default)
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:54350/postgres")
N = int(os.environ.get("N", "100000"))
ENQUEUE_BATCH = int(os.environ.get("ENQUEUE_BATCH", "1000"))
WORKERS = int(os.environ.get("WORKERS", "1"))
BATCH = int(os.environ.get("BATCH", "64"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "64"))


def fresh_database(name: str) -> str:
    """Drop and recreate database `name` on the benchmark cluster; return its URL."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def batches(total: int, size: int) -> list[int]:
    """Sizes of the enqueue batches that add up to `total`."""
    return [min(size, total - start) for start in range(0, total, size)]


def drain_in_processes(worker: Callable[[str], None], url: str) -> float:
    """Run `worker(url)` in WORKERS processes at once; return the seconds until all have exited."""
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=worker, args=(url,)) for _ in range(WORKERS)]
    start = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - start
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise SystemExit(f"worker processes failed with exit codes {failed}")
    return elapsed


def report(system: str, version: str, seconds: float, **extra: object) -> None:
    print(json.dumps({"system": system, "version": version, "jobs": N, "seconds": round(seconds, 3),
                      "jobs_per_s": round(N / seconds), "workers": WORKERS, "batch": BATCH,
                      "concurrency": CONCURRENCY, **extra}))
