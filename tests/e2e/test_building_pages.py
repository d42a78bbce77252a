"""The three building-block pages in a real browser: open, interact, look, no exception."""

from __future__ import annotations

import re

import pytest
from browser import assert_no_exception, shot, wait_idle

pytestmark = pytest.mark.e2e


def open_building_page(page, app_url: str, path: str) -> None:
    """Open the app's root first, then the page by its URL.

    On a fresh server Streamlit runs a deep link's script without the router until the router has
    run once (a folder named pages/ switches on its older multipage mode), so the root comes first.
    """
    page.goto(app_url)
    wait_idle(page)
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    page.locator("[data-testid='stSidebarNav']", has_text="Building blocks").wait_for()


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']", has_text=label).first
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_neurons_page_computes_the_worked_example_and_reacts(page, app_url):
    open_building_page(page, app_url, "neurons")
    assert_no_exception(page)
    main = page.locator("[data-testid='stMain']")
    arithmetic = page.locator("[data-testid='stCode']").first
    assert "1 × 0.612 + 1 × 0.215" in arithmetic.text_content()
    assert metric_value(page, "output of cell 1") == "0.827"
    page.locator(".js-plotly-plot").nth(2).wait_for()  # plotly draws after the script ends
    shot(page, "neurons-default")

    page.get_by_text("ReLU  max(0, x)").click()
    page.locator("[data-testid='stCode']", has_text="max(0, 0.827)").wait_for()
    wait_idle(page)
    bias = page.get_by_label("bias", exact=True)
    bias.fill("-1")
    bias.press("Enter")
    page.locator("[data-testid='stCode']", has_text="max(0, -0.173) = 0").wait_for()
    wait_idle(page)
    assert_no_exception(page)
    assert metric_value(page, "output of cell 1") == "0"
    assert "stays at 0" in main.inner_text()
    shot(page, "neurons-relu-threshold")


def test_nonlinearity_page_fits_the_chain(page, app_url):
    open_building_page(page, app_url, "nonlinearity")
    assert_no_exception(page)
    before = float(metric_value(page, "Mean squared error of your chain"))
    shot(page, "nonlinearity-default")
    page.get_by_role("button", name=re.compile("Fit for me")).click()
    page.locator(".updatemenu-button", has_text="Play").wait_for()  # the fit's animation
    wait_idle(page)
    assert_no_exception(page)
    after = float(metric_value(page, "Mean squared error of your chain"))
    assert after < before / 10
    play = page.locator(".updatemenu-button", has_text="Play")  # the fit's animation
    assert play.count() == 1
    play.scroll_into_view_if_needed()
    play.click()
    page.wait_for_timeout(8000)  # let the animation run to its last frame
    assert_no_exception(page)
    shot(page, "nonlinearity-fitted")


def test_patterns_page_scores_a_drawing(page, app_url):
    open_building_page(page, app_url, "patterns")
    assert_no_exception(page)
    assert "ranks **" not in page.content()  # markdown rendered, not raw
    assert "1s" in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "patterns-default")

    page.get_by_text("draw one").click()
    page.get_by_text("The canvas is empty").wait_for()
    wait_idle(page)
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x, box["y"] + 40 + step * 10)
    page.mouse.up()
    page.locator("[data-testid='stMetric']", has_text="Score").wait_for()
    wait_idle(page)
    assert_no_exception(page)
    page.locator("[data-testid='stMetric']", has_text="Score").scroll_into_view_if_needed()
    score = float(metric_value(page, "Score"))
    assert score > 10  # a vertical stroke down the middle lies on the template's high cells
    shot(page, "patterns-drawn")
