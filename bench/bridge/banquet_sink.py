#!/usr/bin/env python3
"""A local HTTP sink that counts side-effect attempts, for the bridge tests and benchmarks.

    banquet_sink.py [port] [--watch-stdin]
        port 0 or omitted: pick a free one; prints "PORT <n>" on stdout.
        --watch-stdin: exit when stdin closes (tests: the sink dies with the test process).

POST paths choose the answer:
    /ok                              200
    /status/<code>[?retry_after=V]   <code>, with Retry-After: V when given
    /flaky/<n>                       503 for the first <n> requests of an Idempotency-Key, then 200
    /slow/<ms>                       sleep <ms> then 200
    /gather/<n>?max_ms=M             hold until <n> gather requests are open at once (or M ms,
                                     default 10000, have passed), then 200: proves concurrency
                                     without depending on how fast a loaded machine claims
GET /stats  -> {"total": n, "keys": {idempotency_key: count}, "peak_in_flight": most POSTs open at once}
GET /log    -> [[epoch_seconds, idempotency_key, path], ...] in arrival order
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

lock = threading.Lock()
log = []
per_key = {}
in_flight = 0
peak_in_flight = 0
gathering = threading.Condition(lock)
gather_open = 0
gather_reached = False


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"{}", headers=None):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (e.g. a daemon killed mid-request)

    def do_GET(self):
        with lock:
            if self.path.startswith("/stats"):
                body = json.dumps({"total": len(log), "keys": per_key, "peak_in_flight": peak_in_flight})
            else:
                body = json.dumps(log)
        self.reply(200, body.encode())

    def do_POST(self):
        global in_flight, peak_in_flight
        with lock:
            in_flight += 1
            peak_in_flight = max(peak_in_flight, in_flight)
        try:
            self.answer_post()
        finally:
            with lock:
                in_flight -= 1

    def answer_post(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        key = self.headers.get("Idempotency-Key") or ""
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        with lock:
            log.append([time.time(), key, url.path])
            per_key[key] = per_key.get(key, 0) + 1
            seen = per_key[key]
        kind = parts[0] if parts else "ok"
        if kind == "status" and len(parts) > 1:
            query = parse_qs(url.query)
            headers = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else {}
            self.reply(int(parts[1]), headers=headers)
        elif kind == "flaky" and len(parts) > 1:
            self.reply(503 if seen <= int(parts[1]) else 200)
        elif kind == "gather" and len(parts) > 1:
            self.gather(int(parts[1]), int(parse_qs(url.query).get("max_ms", ["10000"])[0]))
            self.reply(200)
        elif kind == "slow" and len(parts) > 1:
            time.sleep(int(parts[1]) / 1000)
            self.reply(200)
        else:
            self.reply(200)

    def gather(self, target, max_ms):
        """Hold until `target` gather requests are open together; once that happens, all go."""
        global gather_open, gather_reached
        with gathering:
            gather_open += 1
            if gather_open >= target:
                gather_reached = True
                gathering.notify_all()
            gathering.wait_for(lambda: gather_reached, timeout=max_ms / 1000)
            gather_open -= 1


def exit_when_parent_goes():
    """With --watch-stdin the sink lives only as long as its parent holds our stdin open."""
    sys.stdin.read()
    os._exit(0)


def main():
    args = [a for a in sys.argv[1:] if a != "--watch-stdin"]
    if "--watch-stdin" in sys.argv:
        threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    port = int(args[0]) if args else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Sink)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
