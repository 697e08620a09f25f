"""The operator's console at /console, end to end: a real `banquet serve` (its bridge runs the
jobs), real PostgreSQL, headless Chromium, and plain HTTP for the access rules.

The dead job is made the way it happens in production: the email transport cannot write (the
offline mailbox path is a file, not a directory), the job runs out of attempts, the operator
fixes the disk and redrives it from the console, and the page shows it succeed.
"""
from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent))
from console_browser import CONSOLE_TOKEN, _count_failures, browser, console  # noqa: E402,F401  (fixtures)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))
from helpers import make_user  # noqa: E402

# Set by any script the hostile values manage to run; it must stay unset.
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 1">'

PAGES = ["/console", "/console/jobs", "/console/jobs?status=dead", "/console/jobs/1", "/console/writebacks",
         "/console/mailbox", "/console/mailbox/x.eml", "/console/outbox", "/console/outbox/whatsapp/x.json", "/console/ai"]
JSON_ENDPOINTS = ["/console/api/overview", "/console/api/jobs", "/console/api/jobs/1", "/console/api/writebacks",
                  "/console/api/mailbox", "/console/api/outbox", "/console/api/ai"]
ACTIONS = ["/console/jobs/1/retry", "/console/jobs/1/cancel", "/console/api/jobs/1/retry", "/console/api/jobs/1/cancel", "/console/logout"]


def screenshot(console, browser, name: str) -> Path:
    path = console.artifacts / f"{name}.png"
    assert browser.save_screenshot(str(path)), f"screenshot {name} not written"
    assert path.stat().st_size > 1000
    return path


def assert_no_script_ran(browser):
    assert browser.execute_script("return window.__pwned === undefined"), "hostile markup ran a script"
    try:
        alert = browser.switch_to.alert
        raise AssertionError(f"an alert opened: {alert.text}")
    except NoAlertPresentException:
        pass


def wait(browser, seconds: float = 20) -> WebDriverWait:
    return WebDriverWait(browser, seconds, poll_frequency=0.1)


def click(browser, selector: str, by: str = By.CSS_SELECTOR, seconds: float = 10):
    """Clicks what `selector` finds, again if live refresh replaced it in between."""
    def attempt(_):
        try:
            browser.find_element(by, selector).click()
            return True
        except StaleElementReferenceException:
            return False
    wait(browser, seconds).until(attempt)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def logged_in(console, browser):
    """The browser after logging in through the form with the console token."""
    browser.get(console.url + "/console")
    wait(browser).until(EC.url_contains("/console/login"))
    assert "next=%2Fconsole" in browser.current_url
    browser.find_element(By.ID, "token").send_keys(CONSOLE_TOKEN)
    browser.find_element(By.ID, "login").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "queues")))
    return browser


# --- in the browser ---------------------------------------------------------------------------------


def test_login_shows_the_queues_and_says_it_is_an_operator_tool(console, logged_in):
    browser = logged_in
    assert urlparse(browser.current_url).path == "/console"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Queues"
    assert "Operator console" in browser.find_element(By.CLASS_NAME, "operator").text
    assert "never for tenant staff" in browser.find_element(By.CLASS_NAME, "operator").text
    cookie = browser.get_cookie("banquet_console")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert CONSOLE_TOKEN not in cookie["value"]
    screenshot(console, browser, "01-queues")


def test_a_dead_job_is_listed_with_its_error_and_redriven_after_the_fix(console, logged_in):
    browser = logged_in
    # The mailbox "disk" is broken: its path is a file, so the transport cannot create it.
    console.mailbox_dir.parent.mkdir(parents=True, exist_ok=True)
    console.mailbox_dir.write_text("not a directory")
    subject = f"Proposal {uuid.uuid4().hex[:6]} {HOSTILE}"
    job_id = console.enqueue("email.send", {"to": "guest@example.com", "subject": subject, "text": "Your proposal is ready."},
                             max_attempts=1)
    retrying_id = console.enqueue("email.send", {"to": "staff@example.com", "subject": "Retry later", "text": "second try"})
    status, error = console.wait_for_status(job_id, "dead")
    assert "cannot write" in error
    wait(browser).until(lambda _: console.sql("select attempts from bridge.jobs where id = %s", retrying_id)[0][0] >= 1
                        and console.job(retrying_id)[0] == "pending" and console.job(retrying_id)[1])

    browser.get(console.url + "/console/jobs?status=failing")
    failing = wait(browser).until(EC.presence_of_element_located((By.ID, f"job-{retrying_id}")))
    assert "cannot write" in failing.find_element(By.CLASS_NAME, "error").text
    browser.get(console.url + "/console/jobs?status=dead")
    row = wait(browser).until(EC.presence_of_element_located((By.ID, f"job-{job_id}")))
    assert "cannot write" in row.find_element(By.CLASS_NAME, "error").text
    screenshot(console, browser, "02-dead-job")

    console.mailbox_dir.unlink()  # the operator fixes the disk
    click(browser, f"#job-{job_id} button.redrive")
    wait(browser).until(EC.url_contains(f"/console/jobs/{job_id}?notice=redriven"))
    assert "Redriven" in browser.find_element(By.ID, "notice").text
    # The page itself is not reloaded: the marker survives while live refresh swaps <main>.
    browser.execute_script("window.__stillHere = true")
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "job-status"), "succeeded"))
    # The bridge may finish the redriven job before the page first renders; either way a live
    # refresh tick must come, and the page must not have been reloaded for it.
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "updated"), "(live)"))
    assert browser.execute_script("return window.__stillHere === true")
    assert console.job(job_id)[0] == "succeeded"
    screenshot(console, browser, "03-redriven-succeeded")
    console.wait_for_status(retrying_id, "succeeded", timeout=90)  # its own backoff, then the fixed disk


def test_the_mailbox_shows_the_message_with_its_hostile_subject_as_text(console, logged_in):
    browser = logged_in
    browser.get(console.url + "/console/mailbox")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.mail")))
    link = next(link for link in browser.find_elements(By.CSS_SELECTOR, "a.mail") if "Proposal" in link.text)
    assert HOSTILE in link.text  # the markup is shown as characters, not parsed
    assert_no_script_ran(browser)
    link.click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "mail-text")))
    assert browser.find_element(By.ID, "mail-text").text == "Your proposal is ready."
    headers = browser.find_element(By.ID, "mail-headers").text
    assert "guest@example.com" in headers and HOSTILE in headers
    assert_no_script_ran(browser)
    screenshot(console, browser, "04-mail")


def test_an_html_email_is_shown_in_a_sandboxed_frame(console, logged_in):
    browser = logged_in
    job_id = console.enqueue("email.send", {"to": "staff@example.com", "subject": "HTML card", "text": "plain version",
                                            "html": f"<h1 id='inside'>Booking held</h1>{HOSTILE}"})
    console.wait_for_status(job_id, "succeeded")
    browser.get(console.url + "/console/mailbox")
    wait(browser).until(EC.presence_of_element_located((By.LINK_TEXT, "HTML card")))
    click(browser, "HTML card", by=By.LINK_TEXT)
    frame = wait(browser).until(EC.presence_of_element_located((By.ID, "mail-html")))
    assert frame.get_attribute("sandbox") == ""
    browser.switch_to.frame(frame)
    assert browser.find_element(By.ID, "inside").text == "Booking held"
    assert_no_script_ran(browser)
    browser.switch_to.default_content()
    assert_no_script_ran(browser)
    screenshot(console, browser, "05-mail-html")


def test_an_outbox_message_is_readable(console, logged_in):
    browser = logged_in
    job_id = console.enqueue("whatsapp.send", {"account": "1098765", "to": "+34600111222", "text": "Your table for 12 is held until Friday"})
    console.wait_for_status(job_id, "succeeded")
    browser.get(console.url + "/console/outbox")
    link = wait(browser).until(EC.presence_of_element_located((By.PARTIAL_LINK_TEXT, "Your table for 12")))
    link.click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "outbox-json")))
    assert browser.find_element(By.ID, "outbox-text").text == "Your table for 12 is held until Friday"
    assert "+34600111222" in browser.find_element(By.ID, "outbox-summary").text
    written = json.loads(browser.find_element(By.ID, "outbox-json").text)
    assert written["request"]["messaging_product"] == "whatsapp" and written["request"]["text"]["body"].startswith("Your table")
    screenshot(console, browser, "06-outbox")


def test_cancel_a_queued_job(console, logged_in):
    browser = logged_in
    job_id = console.enqueue("email.send", {"to": "later@example.com", "subject": "Reminder", "text": "tomorrow"},
                             run_at="2099-01-01T00:00:00Z")
    browser.get(console.url + f"/console/jobs/{job_id}")
    assert browser.find_element(By.ID, "job-status").text == "pending"
    click(browser, "button.cancel")
    wait(browser).until(EC.url_contains("notice=cancelled"))
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "job-status"), "cancelled"))
    assert console.job(job_id)[0] == "cancelled"
    screenshot(console, browser, "07-cancelled")


def test_a_hostile_job_error_renders_as_text(console, logged_in):
    browser = logged_in
    job_id = console.enqueue("email.send", {"to": HOSTILE, "subject": "x", "text": "x"})
    status, error = console.wait_for_status(job_id, "dead")
    assert HOSTILE in error  # the handler quotes the bad recipient back
    browser.get(console.url + "/console/jobs?status=dead")
    row = wait(browser).until(EC.presence_of_element_located((By.ID, f"job-{job_id}")))
    assert HOSTILE in row.find_element(By.CLASS_NAME, "error").text
    assert_no_script_ran(browser)
    browser.get(console.url + f"/console/jobs/{job_id}")
    assert HOSTILE in browser.find_element(By.ID, "job-error").text
    assert_no_script_ran(browser)
    screenshot(console, browser, "08-hostile-error")


def test_the_queues_page_counts_throughput_and_charts_outcomes(console, logged_in):
    browser = logged_in
    succeeded = "select count(*) from bridge.jobs where status = 'succeeded' and finished_at > now() - interval '1 hour'"
    succeeded_before = console.sql(succeeded)[0][0]
    browser.get(console.url + "/console")
    row = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "tr[data-kind='email.send']")))
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "email" and cells[1] == "email.send"
    assert int(cells[6]) == 1  # dead now: the hostile recipient (the other dead job was redriven)
    assert float(cells[8]) > 0  # completed per minute over 15 minutes
    chart = browser.find_element(By.ID, "outcome-chart")
    completed = sum(int(bar.get_attribute("data-count")) for bar in chart.find_elements(By.CSS_SELECTOR, "rect.completed"))
    dead = sum(int(bar.get_attribute("data-count")) for bar in chart.find_elements(By.CSS_SELECTOR, "rect.dead"))
    # Recurring maintenance jobs may finish meanwhile: the chart's count lies between the two reads.
    assert 4 <= succeeded_before <= completed <= console.sql(succeeded)[0][0]
    assert dead == 1
    screenshot(console, browser, "09-queues-chart")


def test_write_backs_and_the_ai_ledger(console, logged_in):
    browser = logged_in
    console.sql("""insert into app.ai_runs (purpose, provider, model, input_tokens, output_tokens, cost_usd_micros, created_at)
                   values ('proposal_draft', 'openrouter', 'test-model-<b>x</b>', 1200, 300, 4500, now()),
                          ('proposal_draft', 'openrouter', 'test-model-<b>x</b>', 800, 200, 3000, now())""")
    browser.get(console.url + "/console/ai")
    ledger = wait(browser).until(EC.presence_of_element_located((By.ID, "ai-ledger")))
    line = next(row for row in ledger.find_elements(By.CSS_SELECTOR, "tbody tr") if "test-model-<b>x</b>" in row.text)
    cells = [cell.text for cell in line.find_elements(By.TAG_NAME, "td")]
    assert cells[1:] == ["test-model-<b>x</b>", "openrouter", "2", "0", "2000", "500", "$0.007500"]
    screenshot(console, browser, "10-ai-ledger")

    browser.get(console.url + "/console/writebacks")
    table = wait(browser).until(EC.presence_of_element_located((By.ID, "writebacks")))
    assert "app.email_send_writeback" in table.text and "app.channel_send_writeback" in table.text
    email_row = next(row for row in table.find_elements(By.CSS_SELECTOR, "tbody tr") if "app.email_send_writeback" in row.text)
    assert json.loads(email_row.find_element(By.TAG_NAME, "pre").text)["transport"] == "mailbox"


# --- over HTTP: access rules ---------------------------------------------------------------------------


def test_without_a_credential_pages_redirect_to_login_and_everything_else_is_401(console):
    with httpx.Client(base_url=console.url, follow_redirects=False, timeout=10) as http:
        for path in PAGES:
            response = http.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/console/login?next="), path
        for path in JSON_ENDPOINTS:
            response = http.get(path)
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"].startswith("Bearer")
        for path in ACTIONS:
            assert http.post(path).status_code == 401, path
        # Paths that do not exist look the same as those that do until a credential is shown.
        assert http.get("/console/api/nope").status_code == 401
        assert http.post("/console/api/jobs/1/nope").status_code == 401
        assert http.get("/console/nope/deeper").status_code == 303
        assert http.get("/console/api/nope", headers=bearer(CONSOLE_TOKEN)).status_code == 404
        assert http.get("/console/nope/deeper", headers=bearer(CONSOLE_TOKEN)).status_code == 404
        login = http.get("/console/login")
        assert login.status_code == 200 and 'name="token"' in login.text


def test_a_tenant_token_the_anon_key_and_a_forged_cookie_are_refused(console):
    _, user_token = make_user(console.banquet)
    forged = "banquet_console=9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    with httpx.Client(base_url=console.url, follow_redirects=False, timeout=10) as http:
        for token in (user_token, console.anon_key, "not-a-token", CONSOLE_TOKEN[:-1]):
            for path in PAGES + JSON_ENDPOINTS:
                assert http.get(path, headers=bearer(token)).status_code == 401, (path, token[:12])
            for path in ACTIONS:
                assert http.post(path, headers=bearer(token)).status_code == 401, (path, token[:12])
        for path in JSON_ENDPOINTS:
            assert http.get(path, headers={"Cookie": forged}).status_code == 401
        assert http.get("/console", headers={"Cookie": forged}).status_code == 303
        # Logging in with them fails too.
        for token in (user_token, console.anon_key):
            assert http.post("/console/login", data={"token": token}).status_code == 401


def test_the_console_token_and_the_service_role_key_open_the_json_api(console):
    with httpx.Client(base_url=console.url, timeout=10) as http:
        for token in (CONSOLE_TOKEN, console.service_key):
            overview = http.get("/console/api/overview", headers=bearer(token))
            assert overview.status_code == 200
            kinds = {row["kind"] for row in overview.json()["queues"]}
            assert "email.send" in kinds
        job_id = console.enqueue("email.send", {"to": "x@example.com", "subject": "s", "text": "t", "api_token": "sk_live_secret",
                                                "nested": {"password": "hunter2"}}, run_at="2099-01-01T00:00:00Z")
        job = http.get(f"/console/api/jobs/{job_id}", headers=bearer(CONSOLE_TOKEN)).json()
        assert job["payload"]["api_token"] == "***" and job["payload"]["nested"]["password"] == "***"
        assert job["payload"]["subject"] == "s"
        page = http.get(f"/console/jobs/{job_id}", headers=bearer(CONSOLE_TOKEN)).text
        assert "sk_live_secret" not in page and "hunter2" not in page
        cancelled = http.post(f"/console/api/jobs/{job_id}/cancel", headers=bearer(CONSOLE_TOKEN))
        assert cancelled.json() == {"id": job_id, "cancelled": True}
        again = http.post(f"/console/api/jobs/{job_id}/retry", headers=bearer(console.service_key))
        assert again.json() == {"id": job_id, "redriven": True}
        console.wait_for_status(job_id, "succeeded")  # redriven means due now
        finished = http.post(f"/console/api/jobs/{job_id}/cancel", headers=bearer(CONSOLE_TOKEN))
        assert finished.json() == {"id": job_id, "cancelled": False}
        assert http.post("/console/api/jobs/999999999/retry", headers=bearer(CONSOLE_TOKEN)).status_code == 404
        assert http.get("/console/api/jobs/999999999", headers=bearer(CONSOLE_TOKEN)).status_code == 404


def test_cookie_posts_need_the_consoles_own_origin(console):
    job_id = console.enqueue("email.send", {"to": "y@example.com", "subject": "s", "text": "t"}, run_at="2099-01-01T00:00:00Z")
    with httpx.Client(base_url=console.url, follow_redirects=False, timeout=10) as http:
        login = http.post("/console/login", data={"token": CONSOLE_TOKEN, "next": "https://evil.example/"})
        assert login.status_code == 303 and login.headers["location"] == "/console"  # never an open redirect
        set_cookie = login.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and CONSOLE_TOKEN not in set_cookie
        # Sent by hand: Python's cookie jar does not return cookies to a dotless host like localhost.
        http.cookies.clear()
        http.headers["Cookie"] = set_cookie.split(";")[0]
        assert http.get("/console").status_code == 200
        for origin in ({"Origin": "http://evil.example"}, {"Referer": "http://evil.example/console"}, {}):
            refused = http.post(f"/console/jobs/{job_id}/cancel", headers=origin)
            assert refused.status_code == 403, origin
        assert console.job(job_id)[0] == "pending"
        accepted = http.post(f"/console/jobs/{job_id}/cancel", headers={"Origin": console.url})
        assert accepted.status_code == 303
        assert console.job(job_id)[0] == "cancelled"
        assert "access-control-allow-origin" not in http.get("/console", headers={"Origin": "http://evil.example"}).headers


def test_mailbox_and_outbox_paths_cannot_escape_their_directories(console):
    (console.mailbox_dir / ".hidden.eml.tmp").write_text("Subject: half written\r\n\r\n")
    with httpx.Client(base_url=console.url, timeout=10, headers=bearer(CONSOLE_TOKEN)) as http:
        assert http.get("/console/mailbox").status_code == 200
        for path in ["/console/mailbox/..%2Fjwt-secret", "/console/mailbox/..%2F..%2Fetc%2Fpasswd", "/console/mailbox/%2e%2e%2fjwt-secret",
                     "/console/mailbox/.hidden.eml.tmp", "/console/mailbox/nope.eml",
                     "/console/outbox/whatsapp/..%2F..%2Fjwt-secret", "/console/outbox/..%2F..%2F/jwt-secret",
                     "/console/outbox/secrets/x.json", "/console/outbox/whatsapp/%2Fetc%2Fpasswd"]:
            response = http.get(path)
            assert response.status_code == 404, path
            assert "root:" not in response.text


def test_the_json_lists_match_the_pages(console):
    with httpx.Client(base_url=console.url, timeout=10, headers=bearer(console.service_key)) as http:
        mailbox = http.get("/console/api/mailbox").json()
        assert any(HOSTILE in (message["subject"] or "") for message in mailbox)
        outbox = http.get("/console/api/outbox").json()
        assert any(item["text"] == "Your table for 12 is held until Friday" for item in outbox["whatsapp"])
        dead = http.get("/console/api/jobs", params={"status": "dead"}).json()
        assert all(job["status"] == "dead" for job in dead) and dead
        ledger = http.get("/console/api/ai").json()
        assert {"model": "test-model-<b>x</b>", "calls": 2, "cost_usd_micros": 7500}.items() <= next(
            line for line in ledger if line["model"] == "test-model-<b>x</b>").items()
        writebacks = http.get("/console/api/writebacks").json()
        assert any(item["function"] == "app.email_send_writeback" and item["result"]["transport"] == "mailbox" for item in writebacks)
        assert json.dumps(writebacks)  # plain JSON all the way down


def test_login_attempts_are_rate_limited_per_address(console):
    """Last in the module: it uses up this address's attempts for a minute."""
    with httpx.Client(base_url=console.url, follow_redirects=False, timeout=10) as http:
        statuses = [http.post("/console/login", data={"token": f"guess-{n}"}).status_code for n in range(25)]
        assert statuses[0] == 401 and statuses[-1] == 429
        assert http.post("/console/login", data={"token": CONSOLE_TOKEN}).status_code == 429  # even the right token waits
