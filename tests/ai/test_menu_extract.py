"""menu.extract end to end: brochures generated here with fpdf2, put where the local storage
backend keeps them (<BANQUET_DATA_DIR>/storage/<bucket>/<object name>), a documents row, and the
daemon's pdftotext + offline parser → an inactive draft menu; unreadable brochures each end with
their own status."""
from __future__ import annotations

import pytest

import menus
from brochures import finished, saved_items, upload
from venue import make_venue


@pytest.fixture(scope="module")
def banquet(daemons):
    # A low page cap, so the oversized case needs only a few pages.
    return daemons({"PDF_MAX_PAGES": "6"})


@pytest.mark.parametrize("seed, layout, price_format", [
    (11, "single", "gbp"), (12, "leaders", "eur_suffix"), (13, "two_column", "bare"), (14, "single", "eur_code"), (15, "two_column", "usd"),
])
def test_menus_become_inactive_drafts(banquet, seed, layout, price_format):
    venue = make_venue(banquet, auto_draft=False)
    menu = menus.generate(seed, layout=layout, price_format=price_format, packages=True)
    document = upload(banquet, venue, menus.render(menu))

    status, error, menu_id = finished(banquet, document)

    assert status == "done", error
    name, active, description = banquet.sql("select name, active, description from app.menus where id = %s", menu_id)[0]
    assert active is False and name == menu.title
    expected = [(section.upper(), item.name, item.price_minor, item.dietary) for section, items in menu.sections.items() for item in items]
    assert [(c, n, p, d) for c, n, p, d in saved_items(banquet, menu_id)] == expected
    packages = banquet.sql("select name, price_per_guest_minor, min_guests, active from app.packages where menu_id = %s order by name", menu_id)
    assert packages == sorted((p.name, p.price_minor, p.min_guests, False) for p in menu.packages)
    if menu.currency and menu.currency != "GBP":
        assert f"prices were in {menu.currency}" in description, "a currency other than the venue's is flagged"
    run = banquet.sql("select provider, prompt_version, outcome from app.ai_runs where organization_id = %s and purpose = 'menu_extract'",
                      venue.organization_id)
    assert run == [("offline", "menu_extract.v1", "ok")]


@pytest.mark.parametrize("content, status, words", [
    (menus.scanned_pdf(), "scanned", "no text layer"),
    (menus.encrypted_pdf(), "encrypted", "password"),
    (menus.corrupt_pdf(), "corrupt", "not a readable PDF"),
    (b"<html>not a pdf</html>", "corrupt", "no %PDF- header"),
    (menus.long_pdf(8), "oversized", "8 pages; the limit is 6"),
])
def test_unreadable_brochures_end_with_their_own_status(banquet, content, status, words):
    venue = make_venue(banquet, auto_draft=False)
    document = upload(banquet, venue, content)
    got, error, menu_id = finished(banquet, document)
    assert (got, menu_id) == (status, None)
    assert words in error
    job = banquet.sql("select status from bridge.jobs where kind = 'menu.extract' and payload ->> 'document_id' = %s", document)[0]
    assert job == ("succeeded",), "an unreadable brochure is an answer, not a crash or a retry"


def test_a_missing_file_fails_with_a_reason(banquet):
    venue = make_venue(banquet, auto_draft=False)
    document = banquet.sql("""insert into app.documents (organization_id, venue_id, kind, bucket_id, object_path, file_name, mime_type)
                              values (%s, %s, 'brochure', 'venue-brochures', %s, 'gone.pdf', 'application/pdf') returning id""",
                           venue.organization_id, venue.venue_id, f"{venue.organization_id}/gone.pdf")[0][0]
    status, error, _ = finished(banquet, str(document))
    assert status == "failed" and "not in storage" in error


def test_over_budget_extraction_stops_with_its_status(banquet):
    venue = make_venue(banquet, auto_draft=False)
    banquet.sql("insert into app.ai_budgets (organization_id, monthly_limit_usd_micros) values (%s, 0)", venue.organization_id)
    document = upload(banquet, venue, menus.render(menus.generate(3)))
    status, error, menu_id = finished(banquet, document)
    assert (status, menu_id) == ("budget_exceeded", None)
    assert error.startswith("ai_budget_exceeded")
    assert banquet.sql("select count(*) from app.ai_runs where organization_id = %s", venue.organization_id) == [(0,)]
