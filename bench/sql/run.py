#!/usr/bin/env python3
"""SQL RPC benchmark: latency of every read RPC as the owner of the largest tenant.

Finds every function in schema `public` named list_*, get_*, dashboard_*, report_* or my_*, binds
its arguments from the data (see bind()), and calls it many times exactly as the gateway does
(PostgREST-style): one transaction per call, `set local role authenticated`, the JWT claims in
`request.jwt.claims`, the result serialised with json_agg. Every call is rolled back, so a
function that writes (say, marks something read) leaves the data as seeded.

All calls to one function run in one psql session, as calls share pooled connections behind the
gateway; so PL/pgSQL's switch to a cached generic plan after five calls is measured, not hidden.
Times are measured by psql's \\timing around the call alone (client-observed, over a local TCP
connection), after a warm-up. p50/p95 per function go to bench/results/sql.json and to the table
between <!-- bench-sql:start --> and <!-- bench-sql:end --> in docs/benchmarks.md. Targets (list/get
p95 < 10 ms, dashboards/reports < 50 ms) are recorded, never enforced.

    DATABASE_URL=… bench/sql/run.py [--calls 200] [--warmup 20] [--only REGEX]

--only times a subset and prints it without touching the recorded results.

Run it on a database loaded by scripts/seed-scale.sql. Needs only Python 3 and psql.
"""
import argparse
import datetime
import json
import math
import os
import pathlib
import random
import re
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "sql.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench-sql:start -->", "<!-- bench-sql:end -->"
DEFAULT_PATTERN = r"^(list|get|dashboard|report|my)_"
TARGET_MS = [(r"^(dashboard|report)_", 50.0), (r".", 10.0)]


def psql(url, sql, *extra):
    """Run SQL, return stdout (unaligned, tuples only)."""
    return subprocess.run(
        ["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", *extra],
        input=sql, check=True, capture_output=True, text=True,
    ).stdout


def query_json(url, sql):
    return json.loads(psql(url, f"select coalesce(json_agg(q), '[]') from ({sql}) q;") or "[]")


def literal(value):
    return "null" if value is None else "'" + str(value).replace("'", "''") + "'"


class Tenant:
    """The largest organization (by inquiries, else members) and its owner, plus id pools."""

    def __init__(self, url):
        self.url = url
        has_inquiries = psql(url, "select to_regclass('app.inquiries') is not null").strip() == "t"
        size = ("(select count(*) from app.inquiries i where i.organization_id = o.id)" if has_inquiries
                else "(select count(*) from app.memberships m where m.organization_id = o.id)")
        rows = query_json(url, f"""
            select o.id, m.user_id as owner, {size} as size
            from app.organizations o
                join lateral (select user_id from app.memberships m
                              where m.organization_id = o.id and m.role = 'owner'
                              order by m.created_at limit 1) m on true
            order by size desc limit 1""")
        if not rows:
            sys.exit("bench-sql: no organization with an owner; load scripts/seed-scale.sql first")
        self.org, self.owner, self.size = rows[0]["id"], rows[0]["owner"], rows[0]["size"]
        self.pools = {}

    def pool(self, entity):
        """Up to 500 ids of the tenant's rows of app.<entity>s (or …ies, …es, or the bare name)."""
        if entity not in self.pools:
            self.pools[entity] = []
            plurals = [f"{entity}s", f"{entity}es", entity] + ([entity[:-1] + "ies"] if entity.endswith("y") else [])
            for table in plurals:
                cols = query_json(self.url, f"""
                    select attname from pg_attribute
                    where attrelid = to_regclass('app.{table}') and attnum > 0 and not attisdropped""")
                names = {c["attname"] for c in cols}
                if "id" not in names:
                    continue
                where = f"where organization_id = {literal(self.org)}" if "organization_id" in names else ""
                rows = query_json(self.url, f"select id from app.{table} {where} order by random() limit 500")
                self.pools[entity] = [r["id"] for r in rows]
                break
        return self.pools[entity]

    def values(self, column):
        """Up to 500 of the tenant's values of a text column named <column> or public_<column>
        (e.g. p_token -> app.proposals.public_token), from the first app table that has one."""
        key = "column:" + column
        if key not in self.pools:
            self.pools[key] = []
            tables = query_json(self.url, f"""
                select c.table_name, c.column_name from information_schema.columns c
                where c.table_schema = 'app' and c.column_name in ({literal(column)}, {literal('public_' + column)})
                  and exists (select 1 from information_schema.columns o where o.table_schema = 'app'
                              and o.table_name = c.table_name and o.column_name = 'organization_id')
                order by c.column_name = {literal('public_' + column)} desc, c.table_name""")
            for t in tables[:1]:
                rows = query_json(self.url, f"""
                    select {t['column_name']} as v from app.{t['table_name']}
                    where organization_id = {literal(self.org)} and {t['column_name']} is not null
                    order by random() limit 500""")
                self.pools[key] = [r["v"] for r in rows]
        return self.pools[key]


# Values for arguments without a default, chosen by name then type. Returns a SQL literal for
# one call, or None when the argument cannot be bound (the function is then skipped).
# Time windows end now and span what the screen shows: a month for lists (a calendar page),
# a year for dashboards and reports.
def bind(tenant, name, type_, window_days):
    key = re.sub(r"^(p_|in_|_)", "", name)
    if key in ("organization_id", "org_id", "org"):
        return literal(tenant.org) + "::uuid"
    if key in ("user_id", "member_id"):
        return literal(tenant.owner) + "::uuid"
    if key.endswith("_id") and type_ in ("uuid", "bigint", "integer"):
        ids = tenant.pool(key[:-3])
        return f"{literal(random.choice(ids))}::{type_}" if ids else None
    if key in ("limit", "page_size", "max"):
        return "50"
    if key in ("offset",):
        return "0"
    if type_ in ("timestamp with time zone", "date"):
        if re.match(r"(from|start|since|after)", key):
            return f"(now() - interval '{window_days} days')::{type_}"
        if re.match(r"(to|end|until|before)", key):
            return f"now()::{type_}"
    if type_ == "text" and (found := tenant.values(key)):
        return literal(random.choice(found))
    if key in ("currency", "from_currency"):
        return "'EUR'"
    if key == "to_currency":
        return "'GBP'"
    return None


def discover(url, pattern):
    return query_json(url, f"""
        select p.proname as name, p.oid::regprocedure::text as signature,
               case p.provolatile when 'v' then 'volatile' when 's' then 'stable' else 'immutable' end as volatility,
               coalesce((
                 select json_agg(json_build_object('name', a.name, 'type', format_type(a.type, null),
                                                   'has_default', a.ord > p.pronargs - p.pronargdefaults)
                                 order by a.ord)
                 from unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) with ordinality as a(name, type, ord)
               ), '[]') as args
        from pg_proc p
        where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
          and p.proname ~ {literal(pattern)}
          and has_function_privilege('authenticated', p.oid, 'execute')
          and not exists (select 1 from pg_depend d
                          where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        order by 1, 2""")


def call_sql(tenant, fn):
    """One call as the gateway makes it, or (None, reason) if an argument cannot be bound."""
    named = []
    for arg in fn["args"]:
        # Defaults are left to the function, except the tenant: "all my organizations" is not the
        # question a screen of the app asks.
        if arg["has_default"] and not re.fullmatch(r"(p_)?(organization_id|org_id)", arg["name"] or ""):
            continue
        window_days = 365 if re.match(r"(dashboard|report)_", fn["name"]) else 31
        value = bind(tenant, arg["name"] or "", arg["type"], window_days)
        if value is None:
            return None, f"cannot bind argument {arg['name']} {arg['type']}"
        named.append(f"{arg['name']} => {value}")
    return f"select coalesce(json_agg(r), '[]') from public.{fn['name']}({', '.join(named)}) r", None


def measure(tenant, fn, calls, warmup):
    claims = json.dumps({"sub": tenant.owner, "role": "authenticated", "aud": "authenticated"})
    script = ["\\set ON_ERROR_STOP 1", "\\timing off"]
    for i in range(warmup + calls):
        sql, reason = call_sql(tenant, fn)
        if sql is None:
            return None, reason
        script += ["begin;", "set local role authenticated;",
                   f"select set_config('request.jwt.claims', {literal(claims)}, true) \\g /dev/null",
                   "\\timing on" if i >= warmup else "", sql + " \\g /dev/null", "\\timing off", "rollback;"]
    try:
        out = psql(tenant.url, "\n".join(script))
    except subprocess.CalledProcessError as e:
        return None, "error: " + (e.stderr.strip().splitlines() or ["?"])[-1]
    times = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
    if len(times) != calls:  # one timing per measured call, or the script is not what we think
        return None, f"expected {calls} timings, got {len(times)}"
    return times, None


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def render_table(results):
    lines = [
        START,
        "<!-- Generated by bench/sql/run.py: do not edit by hand; run `make bench-sql`. -->",
        "",
        f"Run {results['generated_at']} on PostgreSQL {results['server_version']}, as the owner of the "
        f"largest tenant ({results['tenant_size']} inquiries); data: "
        + ", ".join(f"{v:,} {k}" for k, v in results["rows"].items())
        + f". {results['calls']} calls per function after {results['warmup']} warm-up calls, one "
          "transaction each (`set local role authenticated`, JWT claims, `json_agg` of the result), "
          f"timed by psql over local TCP; load average {results['load_average_1m']} on {results['cpus']} CPUs "
          "at the start. Targets are recorded, not enforced.",
        "",
        "| Function | p50 ms | p95 ms | max ms | Target p95 ms | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in results["functions"].items():
        if "skipped" in r:
            lines.append(f"| `{name}` | | | | | skipped: {r['skipped']} |")
        else:
            ok = "ok" if r["p95_ms"] < r["target_p95_ms"] else "**over target**"
            lines.append(f"| `{name}` | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['max_ms']:.2f} "
                         f"| {r['target_p95_ms']:.0f} | {ok} |")
    lines += ["", END]
    return "\n".join(lines)


def write_doc(table):
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start, end = text.find(START), text.find(END)
    if start >= 0 and end > start:
        text = text[:start] + table + text[end + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## SQL RPCs\n\n" + table + "\n"
    DOC.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--only", default=DEFAULT_PATTERN,
                        help="regex on function names; when given, results are printed, not recorded")
    parser.add_argument("--seed", type=int, default=1, help="random seed for argument choice")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or sys.exit("bench-sql: set DATABASE_URL")
    random.seed(args.seed)

    tenant = Tenant(url)
    counted = ["organizations", "venues", "contacts", "inquiries", "conversations", "messages"]
    rows = {t: int(psql(url, f"select count(*) from app.{t}").strip())
            for t in counted if psql(url, f"select to_regclass('app.{t}') is not null").strip() == "t"}
    results = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "server_version": psql(url, "show server_version").strip(),
        "tenant": tenant.org, "tenant_size": tenant.size, "rows": rows,
        "calls": args.calls, "warmup": args.warmup,
        "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2),
        "functions": {},
    }
    functions = discover(url, args.only)
    for fn in functions:
        overloaded = sum(f["name"] == fn["name"] for f in functions) > 1
        label = fn["signature"].removeprefix("public.") if overloaded else fn["name"]
        times, reason = measure(tenant, fn, args.calls, args.warmup)
        target = next(t for pattern, t in TARGET_MS if re.search(pattern, fn["name"]))
        if times:
            r = {"calls": len(times), "p50_ms": round(statistics.median(times), 3),
                 "p95_ms": round(percentile(times, 95), 3), "max_ms": round(max(times), 3),
                 "target_p95_ms": target, "volatility": fn["volatility"]}
            print(f"{label:40} p50 {r['p50_ms']:8.2f} ms   p95 {r['p95_ms']:8.2f} ms   (target {target:.0f})")
        else:
            r = {"skipped": reason or "no timings"}
            print(f"{label:40} skipped: {r['skipped']}")
        results["functions"][label] = r

    if args.only != DEFAULT_PATTERN:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    write_doc(render_table(results))
    print(f"bench-sql: {len(results['functions'])} functions -> {RESULTS.relative_to(ROOT)}, {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
