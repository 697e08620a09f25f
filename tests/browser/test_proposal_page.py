"""The guest's proposal page in a real browser: a real `banquet serve` (its offline mailbox and
payments sandbox), its proposal email read back from the `.eml`, the link opened in headless
Chromium. Totals are compared with the database, hostile names must render as text, and every
dead link (expired, superseded, declined, unknown) must answer a clear page with its status.
Screenshots: <ARTIFACTS>/browser/test_proposal_page/*.png (browser.py)."""
from __future__ import annotations

import email
import email.policy
import re
import socket
import struct
import time
import uuid
import zlib
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By

from browser import gateway

HOSTILE_GUEST = "<script>window.__pwned=1</script>Ada & \"Bob\""
HOSTILE_ITEM = "<img src=x onerror=\"window.__pwned=2\">Chef's <b>special</b>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def banquet(request):
    # A known port, so the daemon's public URL (links in emails) is the URL it serves.
    port = free_port()
    instance = gateway.start_banquet({"BANQUET_HTTP_PORT": str(port), "BANQUET_PUBLIC_URL": f"http://localhost:{port}"})
    with __import__("psycopg").connect(instance.db_url, autocommit=True) as conn:
        conn.execute((gateway.ROOT / "sql/test-helpers.sql").read_text())
        conn.execute("select tests.fixture()")
    yield instance
    gateway.stop_banquet(instance, keep_artifacts="browser_proposal_page" if request.session.testsfailed else None)


def money(minor: int, currency: str) -> str:
    """Money as the page prints it (BanquetCore.Money) for two-decimal currencies."""
    sign = "-" if minor < 0 else ""
    return f"{sign}{currency} {abs(minor) / 100:,.2f}"


def wait_for(predicate, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def staff_token(banquet) -> str:
    staff = banquet.sql("select tests.id('staff_a')::text")[0][0]
    return banquet.token("authenticated", sub=staff)


def rpc(banquet, name: str, body: dict, token: str):
    response = httpx.post(f"{banquet.url}/rest/v1/rpc/{name}", json=body, timeout=10,
                          headers={"apikey": banquet.anon_key, "Authorization": f"Bearer {token}"})
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def new_inquiry(banquet, guest_name: str) -> tuple[str, str]:
    """An inquiry for venue_a from a fresh guest address; returns (inquiry id, guest email)."""
    address = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    inquiry = banquet.sql(
        """insert into app.inquiries (organization_id, venue_id, guest_name, guest_email, event_date, start_time, party_size)
           values (tests.id('org_a'), tests.id('venue_a'), %s, %s, current_date + 40, '19:00', 24) returning id::text""",
        guest_name, address)[0][0]
    return inquiry, address


def sent_proposal(banquet, inquiry: str, items: list[tuple[str, int, int]]) -> tuple[str, str]:
    """A proposal with `items` (description, quantity, unit price), sent by staff through the REST
    gateway (so its transaction carries the daemon's public URL); returns (proposal id, token)."""
    token = staff_token(banquet)
    proposal = rpc(banquet, "create_proposal", {"p_inquiry_id": inquiry, "p_space_id": banquet.sql("select tests.id('space_a')::text")[0][0]}, token)
    for description, quantity, unit in items:
        rpc(banquet, "add_proposal_item", {"p_proposal_id": proposal, "p_description": description, "p_quantity": quantity, "p_unit_price_minor": unit}, token)
    public_token = rpc(banquet, "send_proposal", {"p_proposal_id": proposal, "p_valid_days": 10}, token)
    return proposal, public_token


def png(width: int = 40, height: int = 20) -> bytes:
    """A small solid PNG, written by hand (zlib + CRCs), for the venue's logo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x2f\x5d\x50" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload_logo(banquet) -> str:
    """The venue's logo, uploaded to the public logos bucket by its owner and registered."""
    org, venue, owner = banquet.sql("select tests.id('org_a')::text, tests.id('venue_a')::text, tests.id('owner_a')::text")[0]
    token = banquet.token("authenticated", sub=owner)
    path = f"{org}/logo.png"
    response = httpx.post(f"{banquet.url}/storage/v1/object/logos/{path}", content=png(), timeout=10,
                          headers={"apikey": banquet.anon_key, "Authorization": f"Bearer {token}", "Content-Type": "image/png"})
    assert response.status_code == 200, response.text
    rpc(banquet, "register_document", {"p_venue_id": venue, "p_kind": "logo", "p_object_path": path}, token)
    return path


def read_eml(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def mail_to(banquet, address: str, subject_prefix: str) -> email.message.EmailMessage:
    def find():
        for path in banquet.mailbox():
            message = read_eml(path)
            if message["To"] == address and str(message["Subject"]).startswith(subject_prefix):
                return message
        return None
    return wait_for(find, what=f"an email to {address}: {subject_prefix}")


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative", message.get_content_type()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def link_in(text: str, base: str) -> str:
    match = re.search(re.escape(base) + r"/p/[A-Za-z0-9_-]+", text)
    assert match, f"no {base}/p/… link in:\n{text}"
    return match.group(0)


def pwned(browser) -> bool:
    return browser.execute_script("return window.__pwned !== undefined")


def text_of(browser, css: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, css).text.strip()


# --- the whole guest path --------------------------------------------------------------------------

def test_a_guest_opens_the_emailed_link_sees_the_totals_and_accepts(banquet, browser, screenshot):
    logo = upload_logo(banquet)
    inquiry, address = new_inquiry(banquet, HOSTILE_GUEST)
    proposal, token = sent_proposal(banquet, inquiry, [("Three-course dinner", 24, 5500), (HOSTILE_ITEM, 2, 4500)])

    # The proposal email: text and HTML, the venue's name, the link on the URL the daemon serves.
    message = mail_to(banquet, address, "Your proposal from Venue A")
    text, html = parts(message)
    assert "Venue A" in text and "Venue A" in html
    link = link_in(text, banquet.url)
    assert link == f"{banquet.url}/p/{token}"
    assert f'href="{link}"' in html
    assert "<script>window.__pwned" not in html and "&lt;script&gt;window.__pwned" in html
    assert f'src="{banquet.url}/storage/v1/object/public/logos/{logo}"' in html, "the venue's logo"

    browser.get(link)
    screenshot("proposal")
    row = banquet.sql("""select subtotal_minor, service_charge_minor, tax_minor, total_minor, deposit_minor, currency, status
                         from app.proposals where id = %s""", proposal)[0]
    subtotal, service, tax, total, deposit, currency, status = row
    assert status == "viewed", "opening the page marks the proposal viewed"
    assert text_of(browser, "#subtotal") == money(subtotal, currency)
    assert text_of(browser, "#service-charge") == money(service, currency)
    assert text_of(browser, "#tax") == money(tax, currency)
    assert text_of(browser, "#total") == money(total, currency)
    assert text_of(browser, "#deposit") == money(deposit, currency)
    lines = banquet.sql("select description, total_minor from app.proposal_items where proposal_id = %s order by sort_order", proposal)
    rendered = [(r.find_element(By.CSS_SELECTOR, ".description").text, r.find_element(By.CSS_SELECTOR, ".amount").text)
                for r in browser.find_elements(By.CSS_SELECTOR, "#items tr.item")]
    assert rendered == [(description, money(amount, currency)) for description, amount in lines]
    assert text_of(browser, "#venue-name") == "Venue A"
    assert browser.execute_script("const i = document.getElementById('logo'); return i.complete && i.naturalWidth") == 40, \
        "the logo loads from the public bucket (allowed by the CSP)"
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), "nothing overflows a phone's width"
    assert text_of(browser, "#guest-name") == HOSTILE_GUEST, "the guest's name renders as text"
    assert not pwned(browser), "no injected script or handler ran"

    browser.find_element(By.ID, "name").clear()
    browser.find_element(By.ID, "name").send_keys("Ada Lovelace")
    browser.find_element(By.ID, "note").send_keys("Vegetarian options please")
    browser.find_element(By.ID, "accept-button").click()
    wait_for(lambda: browser.find_elements(By.ID, "booking-status"), what="the booking page")
    assert browser.current_url == link, "post/redirect/get back to the page"
    assert text_of(browser, "#booking-status") == "Booking held"
    assert text_of(browser, "#deposit-amount") == money(deposit, currency)
    assert text_of(browser, "#deposit-due")
    booking = banquet.sql("select b.status, p.guest_name, p.guest_note from app.bookings b join app.proposals p on p.id = b.proposal_id where p.id = %s", proposal)
    assert booking == [("held", "Ada Lovelace", "Vegetarian options please")]
    screenshot("accepted")

    # How to pay: the deposit's checkout link appears once the daemon created it (offline sandbox).
    checkout = wait_for(lambda: banquet.sql("""select checkout_url from app.payments p join app.bookings b on b.id = p.booking_id
                                               where b.proposal_id = %s and p.kind = 'deposit'""", proposal)[0][0], what="the checkout URL")
    def pay_link():
        browser.refresh()
        return browser.find_elements(By.ID, "pay-deposit")
    pay = wait_for(pay_link, what="the pay link on the page")[0]
    assert pay.get_attribute("href") == checkout
    screenshot("pay-link")
    assert not pwned(browser)

    # The guest was told by email too, with the page's link.
    held = mail_to(banquet, address, "Your booking at Venue A is held")
    held_text, _ = parts(held)
    assert link in held_text and money(deposit, currency) in held_text

    # Accepting again is refused with a clear page (409), nothing changes.
    response = httpx.post(f"{link}/accept", data={"name": "Mallory"})
    assert response.status_code == 409 and "can no longer" in response.text
    assert banquet.sql("select guest_name from app.proposals where id = %s", proposal) == [("Ada Lovelace",)]


def test_a_guest_declines_with_a_reason(banquet, browser, screenshot):
    inquiry, address = new_inquiry(banquet, "Grace Hopper")
    proposal, token = sent_proposal(banquet, inquiry, [("Buffet", 24, 3000)])
    text, _ = parts(mail_to(banquet, address, "Your proposal from Venue A"))
    browser.get(link_in(text, banquet.url))
    browser.find_element(By.ID, "reason").send_keys("We found a place closer to home <b>sorry</b>")
    browser.find_element(By.ID, "decline-button").click()
    wait_for(lambda: browser.find_elements(By.ID, "declined"), what="the declined page")
    screenshot("declined")
    assert "You declined this proposal." in text_of(browser, "#declined")
    assert banquet.sql("select status, guest_note from app.proposals where id = %s", proposal) == [
        ("declined", "We found a place closer to home <b>sorry</b>")]
    assert banquet.sql("select count(*) from app.notifications where kind = 'proposal.declined' and entity_id = %s", proposal) == [(1,)]
    assert httpx.get(f"{banquet.url}/p/{token}").status_code == 410


def test_an_expired_link_shows_a_clear_page(banquet, browser, screenshot):
    inquiry, _ = new_inquiry(banquet, "Katherine Johnson")
    proposal, token = sent_proposal(banquet, inquiry, [("Canapés", 24, 1200)])
    banquet.sql("update app.proposals set expires_at = now() - interval '1 minute' where id = %s", proposal)
    browser.get(f"{banquet.url}/p/{token}")
    screenshot("expired")
    assert "This proposal expired on" in text_of(browser, "#expired")
    assert not browser.find_elements(By.ID, "accept-button")
    assert banquet.sql("select status from app.proposals where id = %s", proposal) == [("expired",)]
    response = httpx.get(f"{banquet.url}/p/{token}")
    assert response.status_code == 410
    assert "Traceback" not in response.text and "BQ" not in response.text


def test_a_superseded_link_and_an_unknown_link_show_clear_pages(banquet, browser, screenshot):
    inquiry, _ = new_inquiry(banquet, "Dorothy Vaughan")
    proposal, token = sent_proposal(banquet, inquiry, [("Lunch", 24, 2500)])
    staff = staff_token(banquet)
    version2 = rpc(banquet, "new_proposal_version", {"p_proposal_id": proposal}, staff)
    rpc(banquet, "send_proposal", {"p_proposal_id": version2}, staff)
    browser.get(f"{banquet.url}/p/{token}")
    screenshot("superseded")
    assert text_of(browser, "#message h1") == "This proposal has been replaced"
    assert httpx.get(f"{banquet.url}/p/{token}").status_code == 410

    browser.get(f"{banquet.url}/p/not-a-real-token")
    screenshot("unknown")
    assert text_of(browser, "#message h1") == "This link is not valid"
    assert httpx.get(f"{banquet.url}/p/not-a-real-token").status_code == 404
    assert httpx.get(f"{banquet.url}/p/bad%27token").status_code == 404


def test_the_page_is_locked_down_and_refuses_cross_site_posts(banquet):
    inquiry, _ = new_inquiry(banquet, "Mary Jackson")
    proposal, token = sent_proposal(banquet, inquiry, [("Dinner", 24, 4000)])
    response = httpx.get(f"{banquet.url}/p/{token}")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script" not in response.text.lower()
    # A form posted from another site is refused; the proposal stays open.
    forged = httpx.post(f"{banquet.url}/p/{token}/accept", data={"name": "Mallory"}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    forged = httpx.post(f"{banquet.url}/p/{token}/decline", data={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    assert banquet.sql("select status from app.proposals where id = %s", proposal) == [("viewed",)]
    # The token is a credential: the access log names the page without it.
    assert token not in banquet.log()
