"""menu.extract through the OpenAI-compatible provider, end to end: a brochure in storage → the
daemon's pdftotext → the menu_extract prompt → a local server → validation → the saved draft menu.
The server is the benchmark's stand-in (bench/menus/standin_server.py), so this also checks that the
stand-in `make bench-menus` relies on gets exactly the brochure text and that the path saves exactly
what it answered — the benchmark's LLM-path numbers then say something about the path."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import menus
from brochures import finished, saved_items, upload
from venue import make_venue

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "menus"))
from standin_server import MODEL, MenuStandInServer, read_brochure  # noqa: E402

KEY = "sk-bench-test-0123456789"


@pytest.fixture(scope="module")
def server():
    s = MenuStandInServer(api_key=KEY)
    yield s
    s.close()


@pytest.fixture(scope="module")
def banquet(daemons, server):
    return daemons({"BANQUET_LLM_PROVIDER": "openai", "LLM_BASE_URL": server.base_url, "LLM_API_KEY": KEY,
                    "LLM_MODEL": MODEL, "LLM_TIMEOUT_SECONDS": "10"})


@pytest.mark.parametrize("seed, layout, price_format", [(21, "leaders", "gbp"), (22, "two_column", "eur_suffix")])
def test_the_llm_path_saves_what_the_server_answered(banquet, server, tmp_path, seed, layout, price_format):
    venue = make_venue(banquet, auto_draft=False)
    pdf = menus.render(menus.generate(seed, layout=layout, price_format=price_format, packages=True))
    document = upload(banquet, venue, pdf)

    status, error, menu_id = finished(banquet, document)

    assert status == "done", error
    request = server.requests[-1].body
    assert request["model"] == MODEL and request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    # The server was sent pdftotext's -layout text of this brochure, whole (it is far below the cap).
    (tmp_path / "b.pdf").write_bytes(pdf)
    layout_text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True,
                                 check=True).stdout
    sent = next(m["content"] for m in request["messages"] if m["role"] == "user")
    assert "<brochure>" in sent and layout_text.strip().replace("<", "&lt;").replace(">", "&gt;") in sent
    # What it answered is what was saved: names, prices in minor units, tags, in order.
    answer = read_brochure(layout_text)
    expected = [(section["name"], item["name"], item["price_minor"], item["dietary"])
                for section in answer["sections"] for item in section["items"]]
    assert expected, "the stand-in read at least one item"
    assert saved_items(banquet, menu_id) == expected
    packages = banquet.sql("select name, price_per_guest_minor, min_guests from app.packages where menu_id = %s order by name", menu_id)
    assert packages == sorted((p["name"], p["price_per_guest_minor"], p["min_guests"]) for p in answer["packages"])
    run = banquet.sql("""select provider, model, prompt_version, outcome, cost_source from app.ai_runs
                         where organization_id = %s and purpose = 'menu_extract'""", venue.organization_id)
    assert run == [("openai", MODEL, "menu_extract.v1", "ok", "none")]
