"""The three building-block pages in a real browser: open, interact, look, no exception.

At 1366 x 768, each page's main interactive lies within the first screen, and digits (the sample
and the canvas) show dark ink on lighter paper.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from browser import SHOTS, assert_no_exception, shot, wait_idle
from PIL import Image

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}


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


def bottom_on_first_screen(page, locator) -> float:
    """How far down the page (in pixels, scrolled to the top) the element ends."""
    page.evaluate("() => { const m = document.querySelector(\"[data-testid='stMain']\");"
                  " if (m) m.scrollTop = 0; window.scrollTo(0, 0); }")
    page.wait_for_timeout(300)
    box = locator.bounding_box()
    assert box is not None
    return box["y"] + box["height"]


def grey(page, locator) -> np.ndarray:
    """The element as it is on screen, in grey levels 0 (black) to 255 (white)."""
    picture = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    return np.asarray(picture, dtype=float)


@pytest.mark.parametrize("path, main", [
    ("neurons", "[data-testid='stPlotlyChart']"),  # the cell's activation chart, under its sums
    ("nonlinearity", "[data-testid='stPlotlyChart']"),  # the chain following the target
    ("patterns", "[data-testid='stMetric']"),  # the score, right of digit x template = products
])
def test_the_main_interactive_fits_the_first_screen_of_a_laptop(browser, app_url, path, main):
    page = browser.new_page(viewport=LAPTOP)
    try:
        open_building_page(page, app_url, path)
        assert_no_exception(page)
        element = page.locator(main).first
        element.wait_for()
        page.wait_for_timeout(500)  # plotly draws after the script ends
        bottom = bottom_on_first_screen(page, element)
        page.screenshot(path=str(SHOTS / f"first-screen-{path}.png"))
        assert bottom <= LAPTOP["height"], f"{path}: the main interactive ends at {bottom:.0f} px"
        if path == "patterns":  # the product chart beside the score is on the first screen too
            chart = page.locator("[data-testid='stPlotlyChart']").nth(2)
            assert bottom_on_first_screen(page, chart) <= LAPTOP["height"]
    finally:
        page.close()


def test_neurons_page_computes_the_worked_example_and_reacts(page, app_url):
    open_building_page(page, app_url, "neurons")
    assert_no_exception(page)
    main = page.locator("[data-testid='stMain']")
    arithmetic = page.locator("[data-testid='stCode']").first
    assert "1 × 0.612 + 1 × 0.215" in arithmetic.text_content()
    assert "output       = 0.827 (no activation)" in arithmetic.text_content()
    page.locator(".js-plotly-plot").nth(2).wait_for()  # plotly draws after the script ends
    shot(page, "neurons-default")

    page.locator("[data-testid='stRadio']").first.get_by_text("ReLU", exact=True).click()
    page.locator("[data-testid='stCode']", has_text="max(0, 0.827)").wait_for()
    wait_idle(page)
    bias = page.get_by_label("bias", exact=True)
    bias.fill("-1")
    bias.press("Enter")
    page.locator("[data-testid='stCode']", has_text="max(0, -0.173) = 0").wait_for()
    wait_idle(page)
    assert_no_exception(page)
    assert "stays at 0" in main.inner_text()
    assert re.search(r"[?&]bias=-1", page.url), page.url  # the setting lives in the link
    shot(page, "neurons-relu-threshold")


def test_nonlinearity_page_fits_the_chain(page, app_url):
    open_building_page(page, app_url, "nonlinearity")
    assert_no_exception(page)
    before = float(metric_value(page, "Error of your chain"))
    play = page.locator(".updatemenu-button", has_text="Play")
    play.first.wait_for(timeout=30_000)  # plotly draws its buttons once its script has loaded
    assert play.count() == 1  # the fit's animation is there from the first visit
    shot(page, "nonlinearity-default")
    page.get_by_role("button", name=re.compile("Fit for me")).click()
    page.get_by_text("the sliders now hold").wait_for()
    wait_idle(page)
    assert_no_exception(page)
    after = float(metric_value(page, "Error of your chain"))
    assert after < before / 10
    play = page.locator(".updatemenu-button", has_text="Play")  # the fit's animation
    play.first.wait_for(timeout=30_000)
    assert play.count() == 1
    play.scroll_into_view_if_needed()
    play.click()
    page.wait_for_timeout(8000)  # let the animation run to its last frame
    assert_no_exception(page)
    shot(page, "nonlinearity-fitted")


def test_patterns_page_shows_ink_on_paper_and_scores_a_drawing(page, app_url):
    open_building_page(page, app_url, "patterns")
    assert_no_exception(page)
    main = page.locator("[data-testid='stMain']")
    assert "highest and" not in main.inner_text()  # the ranking waits for the visitor's guess
    main.get_by_role("button", name="Show me").first.click()
    main.get_by_text("The answer:").first.wait_for()
    main.get_by_text("highest and").first.wait_for()
    wait_idle(page)
    assert "ranks **" not in page.content()  # markdown rendered, not raw
    assert "1s" in main.inner_text()
    sample = page.locator("[data-testid='stPlotlyChart']").first  # the sample digit
    sample.locator(".heatmaplayer").first.wait_for()
    pixels = grey(page, sample.locator(".heatmaplayer").first)
    assert np.median(pixels) > 200 and pixels.min() < 60  # white paper, black ink
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
    drawn = grey(page, page.locator("canvas.lower-canvas").first)
    column = int(drawn.shape[1] / 2)
    assert drawn[5, 5] > 200 and drawn[drawn.shape[0] // 2, column] < 60  # black on white
    score = float(metric_value(page, "Score"))
    assert score > 10  # a vertical stroke down the middle lies on the template's high cells
    shot(page, "patterns-drawn")
