"""The browser suite: real `banquet serve` processes (the gateway harness) opened in headless
Chromium. `browser` and `screenshot` come from browser.py, for every module here."""
from browser import browser, screenshot  # noqa: F401  (fixtures)
