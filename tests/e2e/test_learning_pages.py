"""The four Learning pages in a real browser: slide, click, and look at what they show."""

from __future__ import annotations

import pytest
from browser import SHOTS, assert_no_exception, shot, wait_idle

pytestmark = pytest.mark.e2e

FIRST_SCREEN = {"width": 1366, "height": 768}
MAIN_CHART = {  # each page's main interactive: the chart its controls drive
    "output_loss": "After softmax",
    "nudging": "Two nudges, two forward passes",
    "backprop": "prob. 0.",
    "optimizers": "rate 0.18",
}


def open_learning_page(page, app_url: str, url_path: str):
    """Open a page by its own link; it must come up inside the router. Returns the main area."""
    page.goto(f"{app_url}/{url_path}")
    # a fresh server reruns a deep link once through the router: wait for its sidebar
    page.locator("[data-testid='stSidebarNav']", has_text="Learning").wait_for(timeout=60_000)
    wait_idle(page, timeout=60_000)
    assert_no_exception(page)
    return page.locator("[data-testid='stMain']")


def wait_text(main, text: str, timeout: float = 30_000) -> None:
    main.get_by_text(text).first.wait_for(timeout=timeout)


def open_expander(main, label: str) -> None:
    main.locator("[data-testid='stExpander'] summary", has_text=label).first.click()


def steps_taken(page, main, at_least: int, timeout_ms: int = 30_000) -> int:
    """The step count the descent panel shows, once it reaches ``at_least`` (or the timeout)."""
    metric = main.locator("[data-testid='stMetric']", has_text="steps: w1")
    steps = 0
    for _ in range(timeout_ms // 200):
        text = metric.first.inner_text()
        steps = int(text.split("After ")[1].split(" steps")[0])
        if steps >= at_least:
            break
        page.wait_for_timeout(200)
    return steps


def slider(page, label: str):
    """The draggable thumb of the slider whose label contains ``label``."""
    box = page.locator("[data-testid='stSlider']", has_text=label).first
    return box.get_by_role("slider").first


@pytest.mark.parametrize("url_path", list(MAIN_CHART))
def test_the_main_interactive_fits_the_first_screen(page, app_url, url_path):
    page.set_viewport_size(FIRST_SCREEN)
    main = open_learning_page(page, app_url, url_path)
    chart = main.locator(".js-plotly-plot", has_text=MAIN_CHART[url_path]).first
    chart.wait_for()
    wait_idle(page)
    box = chart.bounding_box()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"first-screen-{url_path}.png"))  # the screen as seen
    assert box is not None and box["y"] >= 0
    if url_path == "backprop":
        # Drawn upright, so that it reads on a phone; on a laptop its slider, the step's words
        # and most of the network are on the first screen, the output row a short scroll away.
        assert box["y"] + 0.6 * box["height"] <= FIRST_SCREEN["height"], box
    else:
        assert box["y"] + box["height"] <= FIRST_SCREEN["height"], box
    assert page.locator("[data-testid='stExpander'] details[open]").count() == 0


def test_output_and_loss_with_huge_scores_and_a_digit(page, app_url):
    main = open_learning_page(page, app_url, "output_loss")
    wait_text(main, "After softmax")  # a chart's title
    shot(page, "learning-output-loss")
    open_expander(main, "set every score")
    thumb = slider(page, "Multiply every score by")
    thumb.focus()
    thumb.press("End")  # x 1000
    wait_text(main, "overflows to infinity")
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text("A real digit, random weights").click()
    wait_text(main, "from the test set")
    wait_idle(page)
    assert_no_exception(page)
    assert "source=" in page.url  # the setting is in the link
    shot(page, "learning-output-loss-digit")


def test_nudging_steps_diverges_and_keeps_its_settings_in_the_link(page, app_url):
    main = open_learning_page(page, app_url, "nudging")
    wait_text(main, "Move w1 down")
    wait_idle(page)
    shot(page, "learning-nudging")
    thumb = slider(page, "Weight w1")
    thumb.focus()
    thumb.press("ArrowRight")
    wait_text(main, "l1: cost at 3.60")
    wait_idle(page)
    assert "w1=2.6" in page.url
    open_expander(main, "More: play, reset")
    page.get_by_role("button", name="Play", exact=True).click()  # a fragment steps on a timer
    assert steps_taken(page, main, at_least=3) >= 3
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_text(main, "After 0 steps")
    page.get_by_role("button", name="10 steps").click()
    wait_text(main, "After 10 steps")
    page.get_by_role("button", name="diverge").click()
    wait_text(main, "After 0 steps")
    for expected in ("After 10 steps", "After 20 steps", "Diverged after"):
        page.get_by_role("button", name="10 steps").click()
        wait_text(main, expected)
    wait_idle(page)
    assert_no_exception(page)
    shot(page, "learning-nudging-diverged")
    thumb = slider(page, "Nudge h")
    thumb.focus()
    thumb.press("End")  # h = 0
    wait_text(main, "0 / 0, undefined")
    wait_idle(page)
    assert_no_exception(page)


def test_backprop_walks_backward_and_trains(page, app_url):
    main = open_learning_page(page, app_url, "backprop")
    wait_text(main, "agree with the nudge")
    shot(page, "learning-backprop")
    thumb = slider(page, "Walk through it")
    thumb.focus()
    thumb.press("End")
    wait_text(main, "The input weights.")
    wait_idle(page)
    shot(page, "learning-backprop-backward")
    page.get_by_role("button", name="10 steps").click()
    wait_text(main, "What the last click did")
    wait_idle(page)
    assert_no_exception(page)
    metric = main.locator("[data-testid='stMetric']", has_text="Steps taken")
    assert "10" in metric.inner_text()
    shot(page, "learning-backprop-trained")


def test_optimizers_race(page, app_url):
    main = open_learning_page(page, app_url, "optimizers")
    wait_text(main, "The Keras code of this journey trains with it")
    main.locator(".js-plotly-plot", has_text="Adam").first.wait_for()
    wait_idle(page)
    assert_no_exception(page)
    shot(page, "learning-optimizers")
