#!/usr/bin/env python3
"""make bench-menus: precision, recall and F1 of menu extraction on generated brochures, two paths.

Generates a corpus of menus (tests/ai/menus.py: three layouts × five price formats, with and
without package pages), renders each to PDF with fpdf2 and reads it back twice:

- offline: `banquet extract-menu` (pdftotext -layout + the offline parser, exactly what
  menu.extract runs offline);
- LLM path: a real `banquet serve` (BANQUET_LLM_PROVIDER=openai) on a fresh copy of the test
  template runs the `menu.extract` job for each brochure put in storage — pdftotext with its caps,
  the versioned prompt, the OpenAI-compatible provider over HTTP, schema validation with its one
  repair, `save_menu_extraction` — against bench/menus/standin_server.py, a local server that
  checks requests like the AI tests' server and answers with a simple regex reading of the
  brochure text it is sent. It is not a model: these numbers measure what the path keeps or loses
  end to end, never a model's accuracy. What is scored is the saved inactive draft menu.

Each is compared with the ground truth:

- items: an item counts when its name matches (case and spacing folded);
- items with prices: name and price both match — the number that matters for a draft menu;
- packages: name and price per guest.

Writes bench/results/menus.json and the table in docs/benchmarks.md (between its markers).
Never a CI gate. The LLM path needs the test cluster and template (`make bench-menus` runs
`test-db` first; BANQUET_TEST_DATABASE_URL/BANQUET_TEST_TEMPLATE as for the tests).
"""
from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ai"))
sys.path.insert(0, str(ROOT / "bench" / "menus"))
import menus  # noqa: E402

BIN = os.environ.get("BANQUET_BIN", str(ROOT / ".build/debug/banquet"))
CORPUS = int(os.environ.get("BENCH_MENUS", "30"))


def fold(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


def score(found: set, truth: set) -> dict:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "true_positives": hits,
            "found": len(found), "expected": len(truth)}


class Tally:
    """Found and expected (seed, name, price) triples of one path, overall and by layout."""

    def __init__(self):
        self.totals = {"items": [set(), set()], "items_with_prices": [set(), set()], "packages": [set(), set()]}
        self.by_layout: dict[str, dict] = {}

    def add(self, seed: int, menu, items: list[tuple[str, int]], packages: list[tuple[str, int]]):
        found_items = [(seed, fold(name), price) for name, price in items]
        truth_items = [(seed, fold(i.name), i.price_minor) for section in menu.sections.values() for i in section]
        pairs = {
            "items": ({x[:2] for x in found_items}, {x[:2] for x in truth_items}),
            "items_with_prices": (set(found_items), set(truth_items)),
            "packages": ({(seed, fold(n), p) for n, p in packages}, {(seed, fold(p.name), p.price_minor) for p in menu.packages}),
        }
        layout = self.by_layout.setdefault(f"{menu.layout}/{menu.price_format}", {"menus": 0, "found": set(), "truth": set()})
        layout["menus"] += 1
        layout["found"] |= set(found_items)
        layout["truth"] |= set(truth_items)
        for key, (found, truth) in pairs.items():
            self.totals[key][0] |= found
            self.totals[key][1] |= truth

    def scores(self):
        return {key: score(found, truth) for key, (found, truth) in self.totals.items()}

    def layouts(self):
        return {k: {"menus": v["menus"], **score(v["found"], v["truth"])} for k, v in sorted(self.by_layout.items())}


def corpus():
    # Every other menu uses the harder variants (Title Case headings, "£ 12.50", unpriced lines).
    for seed in range(CORPUS):
        menu = menus.generate(seed, hard=seed % 2 == 1)
        yield seed, menu, menus.render(menu)


def offline(brochures, tmp: Path) -> Tally:
    tally = Tally()
    for seed, menu, pdf_bytes in brochures:
        pdf = tmp / f"menu-{seed}.pdf"
        pdf.write_bytes(pdf_bytes)
        out = subprocess.run([BIN, "extract-menu", str(pdf)], capture_output=True, text=True, check=True)
        parsed = json.loads(out.stdout)
        tally.add(seed, menu, [(i["name"], i["price_minor"]) for s in parsed["sections"] for i in s["items"]],
                  [(p["name"], p["price_per_guest_minor"]) for p in parsed["packages"]])
    return tally


def llm_path(brochures) -> tuple[Tally, dict]:
    """Every brochure through a real daemon's menu.extract job and the OpenAI-compatible provider,
    against the stand-in server; scores what was saved as the draft menu."""
    import importlib.util

    import psycopg  # noqa: F401  (the harness needs it; fail here with a clear import error)
    from standin_server import MODEL, MenuStandInServer, read_brochure
    spec = importlib.util.spec_from_file_location("gateway_harness", ROOT / "tests" / "gateway" / "conftest.py")
    harness = importlib.util.module_from_spec(spec)
    sys.modules["gateway_harness"] = harness
    spec.loader.exec_module(harness)
    from brochures import upload
    from venue import make_venue

    key = "sk-bench-" + uuid.uuid4().hex[:16]
    server = MenuStandInServer(api_key=key)
    banquet = harness.start_banquet({"BANQUET_LLM_PROVIDER": "openai", "LLM_BASE_URL": server.base_url, "LLM_API_KEY": key,
                                     "LLM_MODEL": MODEL, "LLM_TIMEOUT_SECONDS": "30"})
    tally = Tally()
    try:
        venue = make_venue(banquet, auto_draft=False, name="Bench Venue")
        # Each brochure where the local storage backend keeps objects, with its documents row,
        # whose trigger enqueues menu.extract — as in tests/ai/test_menu_extract.py.
        documents = {seed: upload(banquet, venue, pdf_bytes, f"bench-{seed:03d}.pdf") for seed, _, pdf_bytes in brochures}
        deadline = time.monotonic() + 60 + 10 * len(documents)
        while True:
            rows = banquet.sql("""select id::text, extraction_status, extraction_error, extracted_menu_id from app.documents
                                  where id = any(%s::uuid[])""", list(documents.values()))
            if all(r[1] not in ("pending", "none") for r in rows):
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"bench-menus: menu.extract did not finish in time; daemon log: {banquet.log_path}")
            time.sleep(0.5)
        status = {r[0]: r for r in rows}
        statuses: dict[str, int] = {}
        failures = []
        answered, kept, changed = set(), set(), set()
        for seed, menu, pdf_bytes in brochures:
            _, state, error, menu_id = status[documents[seed]]
            statuses[state] = statuses.get(state, 0) + 1
            if state != "done":
                failures.append({"seed": seed, "status": state, "error": error})
            items = banquet.sql("select name, price_minor from app.menu_items where menu_id = %s order by sort_order", menu_id) if menu_id else []
            packages = banquet.sql("select name, price_per_guest_minor from app.packages where menu_id = %s", menu_id) if menu_id else []
            tally.add(seed, menu, items, packages)
            # The stand-in's own reading of this brochure's pdftotext text, outside the daemon: what
            # the path was handed. Saved vs this is what the path itself kept, lost or changed.
            with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
                pdf.write(pdf_bytes)
                pdf.flush()
                text = subprocess.run(["pdftotext", "-layout", pdf.name, "-"], capture_output=True, text=True, check=True).stdout
            direct = {(seed, fold(i["name"]), i["price_minor"]) for s in read_brochure(text)["sections"] for i in s["items"]}
            saved = {(seed, fold(n), p) for n, p in items}
            answered |= direct
            kept |= saved & direct
            changed |= saved - direct
        runs = banquet.sql("""select outcome, count(*)::int, sum(input_tokens)::bigint, sum(output_tokens)::bigint, round(avg(latency_ms))::int,
                                     max(prompt_version),
                                     max(cost_source)
                              from app.ai_runs where organization_id = %s and purpose = 'menu_extract' group by outcome order by outcome""",
                           venue.organization_id)
        stats = {
            "documents": statuses, "not_done": failures,
            "model_calls": {r[0]: r[1] for r in runs}, "repair_requests": server.repairs, "brochures_sent": server.brochures,
            "input_tokens": sum(r[2] for r in runs), "output_tokens": sum(r[3] for r in runs),
            "mean_call_latency_ms": round(sum(r[1] * r[4] for r in runs) / max(1, sum(r[1] for r in runs))),
            "path_kept": {"items_answered_by_stand_in": len(answered), "saved_as_answered": len(kept),
                          "share_kept": round(len(kept) / len(answered), 4) if answered else 0.0,
                          "saved_but_not_answered": len(changed)},
            "prompt_version": runs[0][5] if runs else None, "cost_source": runs[0][6] if runs else None,
        }
        harness.stop_banquet(banquet)
    except BaseException:
        harness.stop_banquet(banquet, keep_artifacts="bench-menus")
        print(f"bench-menus: the daemon's data dir and log are kept in {harness.ARTIFACTS / 'bench-menus'}", file=sys.stderr)
        raise
    finally:
        server.close()
    return tally, stats


def main():
    started = time.monotonic()
    brochures = list(corpus())
    with tempfile.TemporaryDirectory() as tmp:
        offline_tally = offline(brochures, Path(tmp))
    offline_seconds = round(time.monotonic() - started, 2)
    started = time.monotonic()
    llm_tally, llm_stats = llm_path(brochures)
    llm_seconds = round(time.monotonic() - started, 2)

    offline_scores, llm_scores = offline_tally.scores(), llm_tally.scores()
    result = {
        "benchmark": "menus", "parser": "offline (pdftotext -layout + MenuTextParser)", "corpus_menus": CORPUS,
        "machine": f"{platform.machine()} {os.cpu_count()} cores", "seconds": offline_seconds,
        "scores": offline_scores,
        "items_with_prices_by_layout": offline_tally.layouts(),
        "items_with_prices_side_by_side": {
            "offline": {k: offline_scores["items_with_prices"][k] for k in ("precision", "recall", "f1")},
            "llm_path": {k: llm_scores["items_with_prices"][k] for k in ("precision", "recall", "f1")},
        },
        "llm_path": {
            "what": ("banquet serve's menu.extract job (pdftotext -layout with its caps, prompt menu_extract, OpenAI-compatible "
                     "provider over HTTP, schema validation with one repair, save_menu_extraction) against a local stand-in "
                     "server (bench/menus/standin_server.py: request checks as tests/ai's server, answers with a line-by-line "
                     "regex reading of the brochure text it receives). Not a model; not a model's accuracy."),
            "server_model": "bench-standin-regex", "seconds": llm_seconds,
            "scores": llm_scores,
            "items_with_prices_by_layout": llm_tally.layouts(),
            **llm_stats,
        },
    }
    out = ROOT / "bench" / "results" / "menus.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    def cells(s):
        return f"{s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['found']} / {s['expected']}"

    rows = ["| measure | offline P | offline R | offline F1 | offline found / expected "
            "| LLM path P | LLM path R | LLM path F1 | LLM path found / expected |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for key in offline_scores:
        rows.append(f"| {key.replace('_', ' ')} | {cells(offline_scores[key])} | {cells(llm_scores[key])} |")
    rows += ["", "| layout / price format | menus | offline F1 (items with prices) | LLM path F1 (items with prices) |",
             "| --- | --- | --- | --- |"]
    llm_layouts = llm_tally.layouts()
    for key, s in offline_tally.layouts().items():
        rows.append(f"| {key} | {s['menus']} | {s['f1']:.3f} | {llm_layouts[key]['f1']:.3f} |")
    table = "\n".join(rows)
    calls = ", ".join(f"{n} {outcome}" for outcome, n in llm_stats["model_calls"].items()) or "none"
    docs_status = ", ".join(f"{n} {state}" for state, n in sorted(llm_stats["documents"].items()))
    note = (f"LLM path: {CORPUS} `menu.extract` jobs in a real `banquet serve` against the local stand-in server "
            f"(`bench/menus/standin_server.py`, a regex reading of the brochure text it is sent, **not a model**): "
            f"documents {docs_status}; model calls {calls}, {llm_stats['repair_requests']} repair request(s); "
            f"prompt `{llm_stats['prompt_version']}`. Of the {llm_stats['path_kept']['items_answered_by_stand_in']} items the stand-in "
            f"reads from pdftotext's text on its own, {llm_stats['path_kept']['saved_as_answered']} were saved unchanged by the path "
            f"and {llm_stats['path_kept']['saved_but_not_answered']} saved items differ from its reading. The LLM-path columns measure what the path keeps or loses end to end "
            f"with that stand-in, never a model's accuracy.")
    docs = ROOT / "docs" / "benchmarks.md"
    text = docs.read_text()
    begin, end = "<!-- bench-menus:begin -->", "<!-- bench-menus:end -->"
    section = (f"{begin}\n_Offline menu parser and the LLM path on {CORPUS} generated brochures ({result['machine']}), "
               f"`make bench-menus`; raw numbers in `bench/results/menus.json`._\n\n{note}\n\n{table}\n{end}")
    if begin in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: section, text, flags=re.S)
    else:
        text += "\n## Menu extraction\n\n" + section + "\n"
    docs.write_text(text)
    print(table)
    print()
    print(note)
    print(f"\nitems with prices F1: offline {offline_scores['items_with_prices']['f1']:.3f} (target 0.9), "
          f"LLM path with the stand-in {llm_scores['items_with_prices']['f1']:.3f} (no target: not a model)")


if __name__ == "__main__":
    main()
