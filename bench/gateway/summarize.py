"""Writes bench/results/gateway.json and the gateway table in docs/benchmarks.md
(between <!-- bench-gateway:start --> and <!-- bench-gateway:end -->)."""
import datetime
import json
import os
import sys

(out_json, benchmarks_md, gw_read, pg_read, gw_write, pg_write, p99_read, p99_write, rss, connections, seconds,
 server_version, cores, cpu_pg_read, cpu_gw_read, cpu_pg_write, cpu_gw_write, load_before, cpu_health) = sys.argv[1:20]


def split(text):
    return [int(x) for x in text.split("/")]


cpu = {"pgbench_read": dict(zip(("postgres", "pgbench"), split(cpu_pg_read))),
       "gateway_read": dict(zip(("postgres", "banquet", "wrk"), split(cpu_gw_read))),
       "pgbench_write": dict(zip(("postgres", "pgbench"), split(cpu_pg_write))),
       "gateway_write": dict(zip(("postgres", "banquet", "wrk"), split(cpu_gw_write))),
       "health_banquet": int(cpu_health)}
r = {
    "gateway_rps_read": float(gw_read), "pgbench_tps_read": float(pg_read),
    "gateway_rps_write": float(gw_write), "pgbench_tps_write": float(pg_write),
    "gateway_p99_ms_read": float(p99_read), "gateway_p99_ms_write": float(p99_write),
    "rss_mb": float(rss),
}
r["read_ratio"] = round(r["gateway_rps_read"] / r["pgbench_tps_read"], 3)
r["write_ratio"] = round(r["gateway_rps_write"] / r["pgbench_tps_write"], 3)
meta = {"recorded_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "load_average_before": float(load_before), "cpu_us_per_request": cpu,
        "connections": int(connections), "seconds_per_run": int(seconds), "postgres": server_version, "cores": int(cores),
        "read_rpc": "list_inquiries", "write_rpc": "save_menu_item", "load": "wrk -t2", "targets": {
            "ratio": ">= 0.8 of pgbench", "p99_ms": "< 10", "rss_mb": "<= 128"}}
os.makedirs(os.path.dirname(out_json), exist_ok=True)
with open(out_json, "w") as f:
    json.dump({**r, "meta": meta}, f, indent=2)
    f.write("\n")


def mark(ok):
    return "met" if ok else "**missed**"


table = f"""<!-- bench-gateway:start -->
Recorded {meta['recorded_at']} by `make bench-gateway` ({cores} cores, PostgreSQL {server_version}, {connections} connections,
{seconds} s per run, gateway = release `banquet serve --role gateway`, load from `wrk -t2`; pgbench runs the gateway's
exact transaction with `-M extended -j 2`).

| | gateway (req/s) | pgbench, same transaction (tps) | ratio (target ≥ 0.8) | gateway p99 (target < 10 ms) |
| --- | ---: | ---: | ---: | ---: |
| read `list_inquiries` | {r['gateway_rps_read']:,.0f} | {r['pgbench_tps_read']:,.0f} | {r['read_ratio']:.2f} ({mark(r['read_ratio'] >= 0.8)}) | {r['gateway_p99_ms_read']:.2f} ms ({mark(r['gateway_p99_ms_read'] < 10)}) |
| write `save_menu_item` | {r['gateway_rps_write']:,.0f} | {r['pgbench_tps_write']:,.0f} | {r['write_ratio']:.2f} ({mark(r['write_ratio'] >= 0.8)}) | {r['gateway_p99_ms_write']:.2f} ms ({mark(r['gateway_p99_ms_write'] < 10)}) |

Daemon peak RSS under this load (VmHWM): {r['rss_mb']:.1f} MB (target ≤ 128 MB: {mark(r['rss_mb'] <= 128)}).
Load average (1 min) before the run: {float(load_before):.1f}.

CPU per request (µs, from /proc: the cluster's processes, the daemon, the load generator) — with every
core busy, throughput is set by their sum, so this says where the gateway's time goes:

| | PostgreSQL | banquet | load generator | sum |
| --- | ---: | ---: | ---: | ---: |
| read, pgbench | {cpu['pgbench_read']['postgres']} | — | {cpu['pgbench_read']['pgbench']} | {cpu['pgbench_read']['postgres'] + cpu['pgbench_read']['pgbench']} |
| read, gateway | {cpu['gateway_read']['postgres']} | {cpu['gateway_read']['banquet']} | {cpu['gateway_read']['wrk']} | {sum(cpu['gateway_read'].values())} |
| write, pgbench | {cpu['pgbench_write']['postgres']} | — | {cpu['pgbench_write']['pgbench']} | {cpu['pgbench_write']['postgres'] + cpu['pgbench_write']['pgbench']} |
| write, gateway | {cpu['gateway_write']['postgres']} | {cpu['gateway_write']['banquet']} | {cpu['gateway_write']['wrk']} | {sum(cpu['gateway_write'].values())} |
| `GET /health` (no database), gateway | — | {cpu['health_banquet']} | — | — |
<!-- bench-gateway:end -->"""
text = open(benchmarks_md).read() if os.path.exists(benchmarks_md) else "# Benchmarks\n"
start, end = "<!-- bench-gateway:start -->", "<!-- bench-gateway:end -->"
if start in text:
    text = text[:text.index(start)] + table + text[text.index(end) + len(end):]
else:
    text = text.rstrip() + "\n\n## Gateway (`make bench-gateway`)\n\n" + table + "\n"
with open(benchmarks_md, "w") as f:
    f.write(text)
print(json.dumps(r))
