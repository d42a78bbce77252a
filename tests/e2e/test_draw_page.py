"""Draw digits with the mouse in Chromium and check both networks' answers; save what it looked
like.

The server's MNIST is the shipped sample and its model cache an empty folder, so the server trains
both shared networks on 6,000 digits in a worker (seconds, not the minutes the full set takes)
and the page shows that progress.
"""

from __future__ import annotations

import math
import time

import pytest
from browser import SHOTS, assert_no_exception, shot, wait_idle
from draw_support import on_canvas, png_bytes, trained_on_sample

from explainer.concepts.models.reading import Reader
from explainer.data.mnist import load_sample

pytestmark = pytest.mark.e2e

STROKES = {  # each digit as strokes of (x, y) points on the 280 x 280 canvas
    0: [[(140 + 55 * math.sin(t / 36 * 2 * math.pi), 140 - 88 * math.cos(t / 36 * 2 * math.pi))
         for t in range(38)]],
    1: [[(150, 45), (146, 100), (142, 160), (138, 235)]],
    7: [[(75, 60), (140, 58), (205, 60)], [(205, 60), (170, 130), (140, 190), (120, 238)]],
}


@pytest.fixture()
def draw_page(browser, app_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    wait_idle(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Draw a digit").first.click()
    wait_idle(page, timeout=60_000)
    yield page
    context.close()


def stroke(page, box, points):
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
    page.mouse.up()


def canvas_box(page):
    """The drawing surface's box on screen, once the (possibly new) canvas has settled."""
    for _ in range(20):
        canvas = page.locator("canvas.upper-canvas").first
        try:
            canvas.wait_for(state="visible", timeout=5_000)
            canvas.scroll_into_view_if_needed(timeout=5_000)
            page.wait_for_timeout(200)
            box = canvas.bounding_box()
        except Exception:  # the old canvas was being replaced by a fresh one: look again
            box = None
        if box:
            return box
        page.wait_for_timeout(500)
    pytest.fail("the canvas did not appear")


def answer(page):
    metric = page.locator("[data-testid='stMetric']", has_text="The network reads")
    return metric.locator("[data-testid='stMetricValue']")


def wait_for_the_model(page, main):
    """Until both shared networks answer; fails at once if one could not be prepared."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        text = main.inner_text()
        if "Beside it: the walk-through's network" in text:
            return
        assert "could not be prepared" not in text, text
        page.wait_for_timeout(1000)
    pytest.fail("the shared networks were not ready after 240 s: see screenshots/server.log")


def plain_answer(page):
    metric = page.locator("[data-testid='stMetric']", has_text="The walk-through's network reads")
    return metric.locator("[data-testid='stMetricValue']")


def test_drawn_digits_are_read(draw_page):
    from playwright.sync_api import expect

    page = draw_page
    main = page.locator("[data-testid='stMain']")
    if main.get_by_text("getting ready").count():
        shot(page, "draw-waiting-for-the-model")
    wait_for_the_model(page, main)
    assert "Draw a digit on the canvas" in main.inner_text()
    for digit, lines in STROKES.items():
        box = canvas_box(page)
        assert 270 <= box["width"] <= 290 and 270 <= box["height"] <= 290  # not squeezed
        for line in lines:
            stroke(page, box, line)
            page.wait_for_timeout(300)
            wait_idle(page)
        expect(answer(page)).to_have_text(str(digit), timeout=30_000)
        expect(plain_answer(page)).to_have_text(str(digit))
        assert_no_exception(page)
        assert f"It's a {digit}" in main.inner_text()
        shot(page, f"draw-{digit}")
        page.get_by_role("button", name="Clear").click()
        wait_idle(page)
        expect(answer(page)).to_have_count(0)
    # with the mouse the canvas keeps its toolbar (shown on hover); a finger gets none
    toolbar = page.locator(".dc-toolbar").first
    assert toolbar.evaluate("element => getComputedStyle(element).display") == "flex"
    # the last drawing's steps, the inside and the dream, section by section
    stroke(page, canvas_box(page), STROKES[1][0])
    expect(answer(page)).to_have_text("1", timeout=30_000)
    for section, name in (("From your strokes", "draw-steps"),
                          ("Change a digit", "draw-changes"),
                          ("Inside the network", "draw-inside"),
                          ("Can the network draw a 9?", "draw-dream")):
        page.get_by_role("heading", name=section).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
    # a task, then what answers it: the canvas just shrunk, read by the same network
    assert main.get_by_text("Just shrunk").count() == 0
    page.locator("[class*='st-key-check_draw_shrink'] label", has_text="Another digit").click()
    wait_idle(page)
    expect(main.get_by_text("Just shrunk").first).to_be_visible()
    reads = main.locator("[data-testid='stMetric']").filter(has=page.get_by_text("Reads",
                                                                                exact=True))
    expect(reads).to_have_count(2)
    page.get_by_role("heading", name="Change a digit").scroll_into_view_if_needed()
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "draw-compare.png"))
    assert_no_exception(page)


def test_the_playground_moves_a_digit_and_the_walk_throughs_network_misreads_it(draw_page):
    from playwright.sync_api import expect

    page = draw_page
    main = page.locator("[data-testid='stMain']")
    wait_for_the_model(page, main)
    plain = main.locator("[data-testid='stMetric']").filter(
        has=page.get_by_text("The walk-through's network", exact=True))
    expect(plain.locator("[data-testid='stMetricValue']")).to_have_text("7 ✓")
    slider = page.locator("[class*='st-key-draw_play_right'] input[type='range']")
    slider.focus()
    page.keyboard.press("End")  # six pixels to the right
    wait_idle(page)
    expect(slider).to_have_value("6")
    expect(plain.locator("[data-testid='stMetricValue']")).to_contain_text("✗")
    assert "an answer no person would give" in main.inner_text()
    page.get_by_role("button", name="Put it back").click()
    wait_idle(page)
    expect(plain.locator("[data-testid='stMetricValue']")).to_have_text("7 ✓")
    shot(page, "draw-playground")
    assert_no_exception(page)


def test_an_uploaded_photo_is_read(draw_page, tmp_path):
    from playwright.sync_api import expect

    page = draw_page
    main = page.locator("[data-testid='stMain']")
    wait_for_the_model(page, main)
    page.get_by_text("Upload a picture", exact=True).click()
    wait_idle(page)
    sample = load_sample()
    readers = [Reader.of(trained_on_sample(augmented)) for augmented in (False, True)]
    four = next(d for d, label in zip(sample.x_test, sample.y_test) if label == 4  # read surely
                and all(r.read(d).digit == 4 and r.read(d).confidence > 0.97 for r in readers))
    picture = tmp_path / "four.png"
    picture.write_bytes(png_bytes(on_canvas(four, 0.8)[..., 0]))  # dark on light
    page.locator("input[type='file']").set_input_files(str(picture))
    expect(answer(page)).to_have_text("4", timeout=30_000)
    assert "inverted" in main.inner_text()
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_bytes(b"these are words, not pixels")
    page.locator("input[type='file']").set_input_files(str(not_a_picture))
    expect(main.get_by_text("not an image that can be read")).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(answer(page)).to_have_count(0)  # the earlier answer is gone with its picture
    assert_no_exception(page)
    shot(page, "draw-upload-refused")
