#!/usr/bin/env python3
"""make bench-menus: precision, recall and F1 of the offline menu parser on generated brochures.

Generates a corpus of menus (tests/ai/menus.py: three layouts × five price formats, with and
without package pages), renders each to PDF with fpdf2, reads it back with `banquet extract-menu`
(pdftotext -layout + the offline parser, exactly what menu.extract runs offline) and compares
with the ground truth:

- items: an item counts when its name matches (case and spacing folded);
- items with prices: name and price both match — the number that matters for a draft menu;
- packages: name and price per guest.

Writes bench/results/menus.json and the table in docs/benchmarks.md (between its markers).
Never a CI gate. The LLM path is not measured here (see docs/ai.md, "Benchmark").
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ai"))
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


def main():
    totals = {"items": [set(), set()], "items_with_prices": [set(), set()], "packages": [set(), set()]}
    by_layout: dict[str, dict] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(CORPUS):
            # Every other menu uses the harder variants (Title Case headings, "£ 12.50", unpriced lines).
            menu = menus.generate(seed, hard=seed % 2 == 1)
            pdf = Path(tmp) / f"menu-{seed}.pdf"
            pdf.write_bytes(menus.render(menu))
            out = subprocess.run([BIN, "extract-menu", str(pdf)], capture_output=True, text=True, check=True)
            parsed = json.loads(out.stdout)
            found_items = [(seed, fold(i["name"]), i["price_minor"]) for s in parsed["sections"] for i in s["items"]]
            truth_items = [(seed, fold(i.name), i.price_minor) for items in menu.sections.values() for i in items]
            found_packages = {(seed, fold(p["name"]), p["price_per_guest_minor"]) for p in parsed["packages"]}
            truth_packages = {(seed, fold(p.name), p.price_minor) for p in menu.packages}
            pairs = {
                "items": ({x[:2] for x in found_items}, {x[:2] for x in truth_items}),
                "items_with_prices": (set(found_items), set(truth_items)),
                "packages": (found_packages, truth_packages),
            }
            layout = by_layout.setdefault(f"{menu.layout}/{menu.price_format}", {"menus": 0, "found": set(), "truth": set()})
            layout["menus"] += 1
            layout["found"] |= set(found_items)
            layout["truth"] |= set(truth_items)
            for key, (found, truth) in pairs.items():
                totals[key][0] |= found
                totals[key][1] |= truth
    result = {
        "benchmark": "menus", "parser": "offline (pdftotext -layout + MenuTextParser)", "corpus_menus": CORPUS,
        "machine": f"{platform.machine()} {os.cpu_count()} cores", "seconds": round(time.monotonic() - started, 2),
        "scores": {key: score(found, truth) for key, (found, truth) in totals.items()},
        "items_with_prices_by_layout": {k: {"menus": v["menus"], **score(v["found"], v["truth"])} for k, v in sorted(by_layout.items())},
    }
    out = ROOT / "bench" / "results" / "menus.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    rows = ["| measure | precision | recall | F1 | found / expected |", "| --- | --- | --- | --- | --- |"]
    for key, s in result["scores"].items():
        rows.append(f"| {key.replace('_', ' ')} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['found']} / {s['expected']} |")
    rows += ["", "| layout / price format | menus | F1 (items with prices) |", "| --- | --- | --- |"]
    for key, s in result["items_with_prices_by_layout"].items():
        rows.append(f"| {key} | {s['menus']} | {s['f1']:.3f} |")
    table = "\n".join(rows)
    docs = ROOT / "docs" / "benchmarks.md"
    text = docs.read_text()
    begin, end = "<!-- bench-menus:begin -->", "<!-- bench-menus:end -->"
    section = (f"{begin}\n_Offline menu parser on {CORPUS} generated brochures ({result['machine']}), "
               f"`make bench-menus`; raw numbers in `bench/results/menus.json`._\n\n{table}\n{end}")
    if begin in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: section, text, flags=re.S)
    else:
        text += "\n## Menu extraction (offline parser)\n\n" + section + "\n"
    docs.write_text(text)
    print(table)
    f1 = result["scores"]["items_with_prices"]["f1"]
    print(f"\nitems with prices F1 = {f1:.3f} (target 0.9)")


if __name__ == "__main__":
    main()
