"""An error the page code does not catch: the visitor sees a short notice, the log the details."""

from __future__ import annotations

import pytest
from browser import SHOTS, shot, wait_idle

from bench.appserver import ROOT, start_app, stop_app

pytestmark = pytest.mark.e2e


def test_a_page_whose_code_raises_shows_no_traceback_in_the_browser(browser):
    SHOTS.mkdir(exist_ok=True)
    log = SHOTS / "raising_page.log"
    process, url = start_app(log, script="tests/e2e/raising_page.py")
    try:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url)
        page.wait_for_selector("[data-testid='stException']", timeout=60_000)
        wait_idle(page)
        shot(page, "error_details_hidden")
        text = page.inner_text("body")
        page.close()
    finally:
        stop_app(process)
    assert "A page whose code raises" in text  # the page ran up to the error
    assert "This app has encountered an error" in text  # Streamlit's notice, details withheld
    for detail in ("Traceback", "RuntimeError", "secret detail", str(ROOT), "raising_page.py",
                   'File "'):
        assert detail not in text, detail
    logged = log.read_text()
    assert "secret detail" in logged and "RuntimeError" in logged  # for whoever runs the server
