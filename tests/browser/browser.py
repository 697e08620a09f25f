"""Headless Chromium for the browser tests, driven by selenium through Debian's chromium-driver
(scripts/install-deps.sh installs `chromium`, `chromium-driver` and PyPI `selenium`).

Two fixtures, re-exported by this directory's conftest.py:

- `browser`: a selenium WebDriver for a headless Chromium with a phone-sized window (412×915),
  one per test module;
- `screenshot`: `screenshot("accepted")` saves the current page as
  `<ARTIFACTS>/browser/<module>/<name>.png` and returns the path. ARTIFACTS is the gateway
  harness's (`BANQUET_TEST_ARTIFACTS`, default `.data/test-artifacts`), so screenshots stay
  after the test daemon's own data directory is removed.

    def test_something(banquet, browser, screenshot):
        browser.get(banquet.url + "/p/…")
        screenshot("proposal")
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]

sys.path.insert(0, str(ROOT / "tests"))
from harness_loader import gateway_harness  # noqa: E402

gateway = gateway_harness()

ARTIFACTS = Path(gateway.ARTIFACTS) / "browser"
PHONE = (412, 915)


def chromium_binary() -> str:
    # Debian's /usr/bin/chromium is a shell wrapper; chromedriver wants the browser itself.
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("chromium is not installed (scripts/install-deps.sh installs it)")


def chromedriver() -> str:
    path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not Path(path).exists():
        pytest.skip("chromium-driver is not installed (scripts/install-deps.sh installs it)")
    return path


def start_browser(width: int = PHONE[0], height: int = PHONE[1]) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    # A driver path given explicitly: selenium must not try to download one.
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver()), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser():
    driver = start_browser()
    yield driver
    driver.quit()


@pytest.fixture
def screenshot(browser, request):
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]", "_", request.module.__name__)

    def save(name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".png")
        browser.save_screenshot(str(path))
        return path

    return save
