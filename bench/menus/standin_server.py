"""The benchmark's stand-in for a model: a local OpenAI-compatible chat-completions server that
answers `menu_extract` requests with a deliberately simple extraction of its own. It is NOT a model
and its numbers are not a model's accuracy; it exists so `make bench-menus` can measure what the
daemon's LLM *path* keeps or loses end to end (prompt assembly, the page/size/text caps, the schema
the provider is given, validation and the one repair, minor-unit prices, the saved draft menu).

Requests are checked exactly as the AI tests' server checks them (tests/ai/providers.py,
`OpenAIServer`): bearer key (401 `invalid_api_key`), model, message roles and string contents,
`response_format` (strict `json_schema` rules: every property required, `additionalProperties:
false`; `json_object` needs the word JSON). On top of that it insists on what a menu request must
carry: a `max_tokens` that is a positive integer and a `<brochure>` block in a user message.

The extraction (`read_brochure`) sees only the text inside `<brochure>…</brochure>` of the first user
message — pdftotext's output after the daemon's caps and escaping — and reads it line by line with
regular expressions. It shares no code with the offline parser (Sources/Connectors/PDF/
MenuTextParser.swift) and is not tuned to the corpus; its imperfections are left in on purpose:

- an item is every `name … price` match on a line (`finditer`), so two columns that pdftotext put
  on one line come out as two items — but a name that runs into the other column's text, a price
  glued to a dietary mark or a name containing a number is read however the regex happens to split it;
- a heading is a line without a price made of short capitalised chunks; with two columns both
  headings are on one line and the items of both columns go to the first (sections are not scored);
- a line without a price that starts in lower case is the previous item's description; other
  unpriced lines ("Market fish, ask your server") are skipped;
- "per person"/"per guest" lines are packages, with "min N" as the minimum party;
- the first currency sign or code seen is the currency (£ GBP, € or EUR EUR, $ USD), else null;
- a repair request (the conversation carries its earlier answer and the problems) is answered
  from the same brochure again, so the same answer comes back: a stand-in cannot learn from the
  problems, which is what the benchmark should show if the path needed a repair.

Usage is reported as characters / 4 for prompt and answer tokens; the model name is
`bench-standin-regex`, which has no price in the table, so `ai_runs.cost_source` is `none`.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "ai"))
from providers import OpenAIServer, Reply, chat_completion, openai_error  # noqa: E402

MODEL = "bench-standin-regex"

# A price as a brochure prints it: a sign or code before or after, decimals with . or , (or none).
PRICE = r"(?:£|\$|EUR|GBP|USD)\s?\d{1,5}(?:[.,]\d{1,2})?|\d{1,5}(?:[.,]\d{1,2})?\s?(?:€|EUR)|\d{1,5}(?:\.\d{1,2})?"
# Name, optional dot leaders, price, then a gap, a line end or the next column.
ITEM = re.compile(r"(?P<name>[^\W\d][^£$€\d]*?)\s*(?:\.{2,}\s*)?(?P<price>" + PRICE + r")(?=\s{2,}|\s*$)")
PACKAGE = re.compile(r"^(?P<name>.+?)\s+(?P<price>" + PRICE + r")\s+per\s+(?:person|guest|head)\b(?P<rest>.*)$", re.I)
MIN_GUESTS = re.compile(r"min(?:imum)?\.?\s*(\d+)", re.I)
MARKS = {"v": "vegetarian", "vg": "vegan", "ve": "vegan", "gf": "gluten_free", "df": "dairy_free"}
MARK = re.compile(r"\((v|vg|ve|gf|df)\)", re.I)


def minor_units(price: str) -> int:
    number = re.search(r"\d+(?:[.,]\d{1,2})?", price).group(0).replace(",", ".")
    return round(float(number) * 100)


def currency_of(price: str) -> str | None:
    if "£" in price or "GBP" in price:
        return "GBP"
    if "€" in price or "EUR" in price:
        return "EUR"
    if "$" in price or "USD" in price:
        return "USD"
    return None


def is_heading(line: str) -> bool:
    chunks = re.split(r"\s{2,}", line.strip())
    return all(0 < len(chunk.split()) <= 4 and chunk[0].isupper() and "," not in chunk for chunk in chunks)


def read_brochure(text: str) -> dict:
    """The stand-in's whole "understanding" of a brochure, line by line (see the module docstring)."""
    menu = {"name": None, "currency": None, "sections": [], "packages": []}
    section = None
    last = None  # the item or package an unpriced lower-case line describes
    for raw in text.replace("\f", "\n").splitlines():
        line = raw.rstrip()
        if not line.strip():
            last = None
            continue
        if menu["name"] is None:
            menu["name"] = line.strip()[:200]
            continue
        package = PACKAGE.match(line.strip())
        if package:
            guests = MIN_GUESTS.search(package.group("rest"))
            last = {"name": package.group("name").strip()[:200], "description": None,
                    "price_per_guest_minor": minor_units(package.group("price")),
                    "min_guests": int(guests.group(1)) if guests else None}
            menu["packages"].append(last)
            menu["currency"] = menu["currency"] or currency_of(package.group("price"))
            continue
        matches = list(ITEM.finditer(line))
        if not matches:
            if line.strip()[0].islower() and last is not None and last.get("description") is None:
                last["description"] = line.strip()[:1000]
            elif is_heading(line):
                section = {"name": re.split(r"\s{2,}", line.strip())[0][:200], "items": []}
                menu["sections"].append(section)
                last = None
            continue
        if section is None:
            section = {"name": None, "items": []}
            menu["sections"].append(section)
        for match in matches:
            name = match.group("name")
            dietary = list(dict.fromkeys(MARKS[m.lower()] for m in MARK.findall(name)))[:5]
            name = re.sub(r"\s+", " ", MARK.sub("", name)).strip(" .")
            if not name:
                continue
            last = {"name": name[:200], "description": None, "price_minor": minor_units(match.group("price")), "dietary": dietary}
            section["items"].append(last)
            menu["currency"] = menu["currency"] or currency_of(match.group("price"))
    menu["sections"] = [s for s in menu["sections"] if s["items"]]
    return menu


class MenuStandInServer(OpenAIServer):
    """OpenAIServer's checks, then `read_brochure` as the answer. Counts what it was asked."""

    def __init__(self, api_key: str):
        super().__init__(api_key=api_key, supports_json_schema=True)
        self.brochures = 0
        self.repairs = 0
        self.script = [self.answer]

    def handle(self, method, path, headers, raw) -> Reply:
        if method == "POST" and path == "/v1/chat/completions":
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if isinstance(body, dict):
                tokens = body.get("max_tokens", body.get("max_completion_tokens"))
                if tokens is not None and (not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1):
                    return openai_error(400, f"Invalid 'max_tokens': expected a positive integer, got {tokens!r}.",
                                        "invalid_request_error", param="max_tokens")
        return super().handle(method, path, headers, raw)

    def answer(self, body: dict) -> Reply:
        users = [m["content"] for m in body["messages"] if m["role"] == "user"]
        found = next((re.search(r"<brochure>\n?(.*?)\n?</brochure>", u, re.S) for u in users if "<brochure>" in u), None)
        if found is None:
            return openai_error(400, "bench stand-in: no <brochure> block in any user message", "invalid_request_error", param="messages")
        if any(m["role"] == "assistant" for m in body["messages"]):
            self.repairs += 1
        else:
            self.brochures += 1
        # The daemon escapes < and > inside untrusted text; a reader of the prompt sees them back.
        text = found.group(1).replace("&lt;", "<").replace("&gt;", ">")
        content = json.dumps(read_brochure(text))
        prompt = sum(len(m["content"]) for m in body["messages"])
        return chat_completion(content, model=body["model"], prompt_tokens=prompt // 4, completion_tokens=len(content) // 4)
