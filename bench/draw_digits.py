"""Draw digits with the mouse on the Draw page's real canvas, in Chromium; keep what the app got.

    python bench/draw_digits.py [--per-digit 12] [--seed 7] [--out bench/data/drawn_digits.npz]

How the digits are made: bench/digit_strokes.py writes each digit from stroke templates of its
own (two or three per digit), varied with a fixed seed in size (90-250 of the canvas' 280
pixels), width, slant, turn, a smooth tremor and place; the pen width (10-34) is set with the
page's "Stroke width" slider. Playwright's mouse draws those strokes on ``canvas.upper-canvas``
of the Draw page (headless Chromium, a real ``streamlit run app.py`` on the shipped sample), so
the canvas component (Fabric.js) draws them as it draws a visitor's. The picture kept is the one
the canvas sent to the server: the PNG data URL in the last message the browser sent over
Streamlit's WebSocket after the strokes, read from the frame itself. Nothing is drawn in Python.

Saved (numpy ``.npz``, what bench/robustness.py reads without a browser): ``ink``, each PNG as
the page reads it (checked and decoded by explainer/concepts/inputs/canvas_input.py, then its
darkness on white paper by preprocess.to_grayscale, as uint8), 280 x 280 per digit; ``labels``;
and per digit the ``pen``, ``height``, ``slant``, ``turn`` and ``template`` it was drawn with.
Needs Chromium (/usr/bin/chromium) and Playwright; takes a few minutes.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import SHOTS, wait_idle  # noqa: E402

from bench.appserver import CHROMIUM_FLAGS, find_chromium, start_app, stop_app  # noqa: E402
from bench.digit_strokes import CANVAS, PEN_WIDTHS, Handwriting, handwriting_set  # noqa: E402
from explainer.concepts.inputs import canvas_input, preprocess  # noqa: E402
from explainer.data.mnist import SAMPLE_PATH  # noqa: E402

OUT = ROOT / "bench" / "data" / "drawn_digits.npz"
DATA_URL = re.compile(rb"data:image/png;base64,([A-Za-z0-9+/=]+)")
STROKE_DEFAULT = 18  # the page's slider starts here; its step is 1


class SentPictures:
    """Every canvas picture the page sends to the server, read from the WebSocket's frames."""

    def __init__(self, page):
        self.pictures: list[tuple[float, bytes]] = []
        page.on("websocket", lambda socket: socket.on("framesent", self.frame))

    def frame(self, payload) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        for found in DATA_URL.finditer(data):
            self.pictures.append((time.monotonic(), base64.b64decode(found.group(1))))

    def after(self, moment: float, timeout: float = 20.0) -> bytes:
        """The last picture sent after ``moment``, waiting for one if none came yet."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = [png for at, png in self.pictures if at > moment]
            if sent:
                return sent[-1]
            time.sleep(0.1)
        raise RuntimeError("the canvas sent no picture after the strokes")


def canvas_box(page) -> dict:
    """The drawing surface's box on screen, once the (possibly new) canvas has settled."""
    for _ in range(30):
        try:
            canvas = page.locator("canvas.upper-canvas").first
            canvas.wait_for(state="visible", timeout=5_000)
            canvas.scroll_into_view_if_needed(timeout=5_000)
            page.wait_for_timeout(150)
            box = canvas.bounding_box()
        except Exception:  # the old canvas was being replaced by a fresh one: look again
            box = None
        if box:
            return box
        page.wait_for_timeout(300)
    raise RuntimeError("the canvas did not appear")


def set_pen(page, width: int, current: int) -> int:
    """Move the Stroke width slider from ``current`` to ``width`` with the keyboard."""
    if width == current:
        return current
    thumb = page.locator("[data-testid='stSlider'] input[type='range']").first
    thumb.focus()
    key = "ArrowRight" if width > current else "ArrowLeft"
    for _ in range(abs(width - current)):
        page.keyboard.press(key)
    wait_idle(page)
    shown = int(thumb.input_value())
    if shown != width:
        raise RuntimeError(f"the stroke width slider shows {shown}, not {width}")
    return width


def draw(page, box: dict, drawing: Handwriting) -> None:
    """The strokes, after resting the pointer on the canvas as a hand does: the canvas' toolbar
    (invisible until then, over the top-right corner) moves up out of the way on hover."""
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)
    for stroke in drawing.strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=2)
        page.mouse.up()
        page.wait_for_timeout(120)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-digit", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: install Debian's chromium (see docs/development.md)")
    from playwright.sync_api import sync_playwright

    drawings = sorted(handwriting_set(args.per_digit, args.seed), key=lambda d: d.pen)
    assert {d.pen for d in drawings} <= set(PEN_WIDTHS)
    with tempfile.TemporaryDirectory() as cache:
        process, url = start_app(env={"MNIST_DIR": str(SAMPLE_PATH),
                                      "EXPLAINER_CACHE_DIR": cache})
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.set_default_timeout(30_000)
                sent = SentPictures(page)
                page.goto(f"{url}/draw")
                wait_idle(page, timeout=60_000)
                pngs, pen = [], STROKE_DEFAULT
                for number, drawing in enumerate(drawings, start=1):
                    pen = set_pen(page, drawing.pen, pen)
                    box = canvas_box(page)
                    began = time.monotonic()
                    draw(page, box, drawing)
                    wait_idle(page)
                    try:
                        pngs.append(sent.after(began))
                    except RuntimeError as problem:
                        SHOTS.mkdir(exist_ok=True)
                        page.screenshot(path=str(SHOTS / "draw-digits-failed.png"))
                        raise RuntimeError(f"drawing {number}, {drawing!r}: {problem} (see "
                                           "screenshots/draw-digits-failed.png)") from problem
                    page.get_by_role("button", name="Clear").click()
                    wait_idle(page)
                    if number % 20 == 0:
                        print(f"{number} of {len(drawings)} drawn", flush=True)
                browser.close()
        finally:
            stop_app(process)
    # as the page reads a drawing: the PNG checked and decoded, then its darkness on white paper
    ink = np.stack([preprocess.to_uint8(preprocess.to_grayscale(
        canvas_input.decode_canvas_png(png, CANVAS, CANVAS))) for png in pngs])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, ink=ink,
        labels=np.array([d.label for d in drawings]), pen=np.array([d.pen for d in drawings]),
        height=np.array([d.height for d in drawings]), slant=np.array([d.slant for d in drawings]),
        turn=np.array([d.turn for d in drawings]),
        template=np.array([d.template for d in drawings]))
    print(f"{len(pngs)} drawings, {args.out.stat().st_size / 1024:.0f} KB: {args.out}")


if __name__ == "__main__":
    main()
