"""A finger draws a 7 on the Draw page of a phone (390 x 844, touch), and the network reads a 7.

Playwright has no touch-move of its own, so the finger is Chromium's: ``Input.dispatchTouchEvent``
through a CDP session, the events a touch screen produces, which go through the browser's own
gesture handling (a finger dragged over an ordinary page scrolls it). The page must not scroll
while the finger draws: the canvas takes the touch for itself.
"""

from __future__ import annotations

import time

import pytest
from browser import SHOTS, assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SEVEN = [(70, 62), (110, 60), (150, 59), (190, 60), (206, 62), (190, 95), (172, 130),
         (155, 165), (140, 200), (128, 238)]  # one stroke: the bar, then down to the left

SCROLLS = """canvas => {
    // every scroll position that could move the canvas: the window's and each scrolled box's
    const found = [window.scrollX, window.scrollY];
    let node = canvas;
    while (node) {
        if (node.scrollTop !== undefined) found.push(node.scrollTop, node.scrollLeft);
        node = node.parentNode || node.host;  // out of a shadow root to its host
    }
    return found;
}"""


def along(points, spacing=6.0):
    """The stroke as finger positions every few pixels, as a touch screen reports them."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        steps = max(1, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / spacing))
        out += [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
                for i in range(1, steps + 1)]
    return out


def swipe(finger, points, look) -> list:
    """One finger down at the first point, through the others, up; what ``look`` saw on the way."""
    seen = []
    touch = [{"x": points[0][0], "y": points[0][1], "id": 1}]
    finger.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": touch})
    for index, (x, y) in enumerate(points[1:]):
        finger.send("Input.dispatchTouchEvent",
                    {"type": "touchMove", "touchPoints": [{"x": x, "y": y, "id": 1}]})
        if index % 8 == 0:
            seen.append(look())
    seen.append(look())
    finger.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    return seen


@pytest.fixture()
def phone(browser, app_url):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                                  device_scale_factor=3)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/draw")
    wait_idle(page, timeout=60_000)
    yield page
    context.close()


def wait_for_the_model(page) -> None:
    main = page.locator("[data-testid='stMain']")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        text = main.inner_text()
        if "shared by every visitor" in text:
            return
        assert "could not be prepared" not in text, text
        page.wait_for_timeout(1000)
    pytest.fail("no shared network was ready after 240 s: see screenshots/server.log")


def test_a_finger_draws_a_seven_and_the_page_stays_put(phone):
    from playwright.sync_api import expect

    page = phone
    assert page.evaluate("navigator.maxTouchPoints") > 0
    wait_for_the_model(page)
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # fits the phone
    before = canvas.evaluate(SCROLLS)

    finger = page.context.new_cdp_session(page)
    seen = swipe(finger, [(box["x"] + x, box["y"] + y) for x, y in along(SEVEN)],
                 lambda: canvas.evaluate(SCROLLS))
    assert all(s == before for s in seen), (before, seen)  # nothing scrolled under the finger
    assert canvas.bounding_box()["y"] == pytest.approx(box["y"], abs=0.5)

    wait_idle(page)
    page.screenshot(path=str(SHOTS / "draw-touch-seven.png"))
    answer = page.locator("[data-testid='stMetric']", has_text="The network reads")
    expect(answer.locator("[data-testid='stMetricValue']")).to_have_text("7", timeout=30_000)
    assert canvas.evaluate(SCROLLS) == before
    assert_no_exception(page)

    # the control: the same finger moving up beside the canvas scrolls the page, as it should
    beside = box["x"] + box["width"] + (PHONE["width"] - box["x"] - box["width"]) / 2
    swipe(finger, along([(beside, box["y"] + 250), (beside, box["y"] + 20)]), lambda: None)
    page.wait_for_timeout(800)
    assert canvas.evaluate(SCROLLS) != before
    assert canvas.bounding_box()["y"] < box["y"] - 50


def dark_pixels(canvas) -> int:
    """Ink on the canvas as the phone shows it (a screenshot of the element)."""
    import io

    import numpy as np
    from PIL import Image

    return int((np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("L")) < 128).sum())


def test_a_finger_in_the_top_right_corner_draws_and_never_erases(phone):
    """streamlit-drawable-canvas 0.13.0 keeps its toolbar (see-through until hovered) over the
    canvas' top-right 141 x 30 pixels; a finger never hovers, so there a stroke was lost and a
    tap pressed the unseen "Reset canvas & history". On a touch screen the page hides it."""
    page = phone
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = canvas.bounding_box()
    finger = page.context.new_cdp_session(page)
    middle = [(box["x"] + 140, box["y"] + 60 + 5 * i) for i in range(30)]
    swipe(finger, middle, lambda: None)
    wait_idle(page)
    drawn = dark_pixels(canvas)
    assert drawn > 1000
    swipe(finger, [(box["x"] + 270, box["y"] + 8)], lambda: None)  # a tap, top-right corner
    wait_idle(page)
    assert dark_pixels(canvas) >= drawn  # the drawing is still there
    corner = [(box["x"] + 262 - 4 * i, box["y"] + 10 + 2 * i) for i in range(30)]
    swipe(finger, corner, lambda: None)  # a stroke that starts in the corner
    wait_idle(page)
    assert dark_pixels(canvas) > drawn
    toolbar = page.locator(".dc-toolbar").first
    assert toolbar.evaluate("element => getComputedStyle(element).display") == "none"
