"""Every page of the journey opens in a real browser through the sidebar, with no exception."""

from __future__ import annotations

import pytest
from browser import assert_no_exception, shot, wait_idle

from explainer.content import journey

pytestmark = pytest.mark.e2e


def test_every_page_opens_through_the_navigation(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("heading", name="How a neural network works").wait_for()
    for stop in journey.stops():
        nav = page.locator("[data-testid='stSidebarNav'] a", has_text=stop.title)
        nav.first.click()
        wait_idle(page, timeout=60_000)
        assert_no_exception(page)
        main = page.locator("[data-testid='stMain']")
        assert len(main.inner_text().strip()) > 80, f"{stop.title} looks empty"
        shot(page, f"page-{stop.page.removeprefix('pages/').removesuffix('.py')}")
