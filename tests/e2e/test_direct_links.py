"""A link straight to a page opens the full app, even as the first request a fresh server gets."""

from __future__ import annotations

import pytest
from browser import SHOTS, assert_no_exception, wait_idle

from bench.appserver import start_app, stop_app
from explainer.content import journey

pytestmark = pytest.mark.e2e


def test_a_direct_link_on_a_fresh_server_opens_the_page_inside_the_app(browser):
    target = journey.stops()[-1]  # the last page of the journey that exists
    process, url = start_app(SHOTS / "server-direct.log")
    try:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{url}/{target.page.removeprefix('pages/').removesuffix('.py')}")
        wait_idle(page, timeout=60_000)
        # the first run may show Streamlit's file list for a moment: the router then reruns once
        nav = page.locator("[data-testid='stSidebarNav']", has_text="Building blocks")
        nav.wait_for(timeout=60_000)
        for section in journey.SECTIONS:
            if journey.stops(section):
                assert section in nav.inner_text()  # the router's sections, not a file list
        assert "app" not in [line.strip() for line in nav.inner_text().splitlines()]
        page.get_by_role("heading", name=target.title).first.wait_for()
        assert_no_exception(page)
        page.close()
    finally:
        stop_app(process)
