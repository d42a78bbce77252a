"""Many visitors at once, on loopback only: N browser sessions walk the app while one trains.

Each visitor opens every concept page, moves its first slider, then draws a digit on the Draw page,
round after round until the time is up. One more session trains the walk-through's network on the
MNIST page meanwhile. Reported per action: count, p50 and p95 latency until the page settles, and
every error (an exception box, a time-out, a lost session). Bounded: it stops by itself.

    python bench/load.py --sessions 8 [--seconds 180]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appserver import CHROMIUM_FLAGS, find_chromium, rss_mb, start_app, stop_app  # noqa: E402
from explainer import journey  # noqa: E402

APP = "[data-testid='stApp']"
SETTLED = f"{APP}[data-test-script-state='notRunning']"
RUNNING = f"{APP}[data-test-script-state='running']"
CONCEPT_SECTIONS = ("Building blocks", "Learning")
ACTION_TIMEOUT_MS = 60_000
CONCEPT_ACTIONS = ("open concept page", "move a slider")
SLIDER = "[data-testid='stMain'] >> role=slider"  # the range input inside a slider's thumb


class Recorder:
    """Latencies per action and the errors seen, shared by all sessions."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.timeline: list[tuple[float, str, float]] = []  # (started at, action, seconds)
        self.training: list[float] = []  # when the training started and ended, if seen
        self.errors: list[str] = []

    async def timed(self, name: str, page, action, timeout_ms: float = ACTION_TIMEOUT_MS) -> None:
        start = time.perf_counter()
        try:
            watching = await watch_reruns(page)
            await action()
            await settle(page, watching, timeout_ms)
            self.latencies[name].append(time.perf_counter() - start)
            self.timeline.append((start - self.began, name, time.perf_counter() - start))
            exception = page.locator("[data-testid='stException']")
            if await exception.count():
                text = (await exception.first.inner_text()).replace("\n", " ")[:300]
                self.errors.append(f"{name}: exception shown on the page: {text}")
            if await page.get_by_text("Connection error").count():
                self.errors.append(f"{name}: the session lost its connection")
        except Exception as exc:  # a time-out or a closed page: count it, keep going
            self.errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")


WATCH = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app) return false;
  window.loadReran = false;
  if (window.loadObserver) window.loadObserver.disconnect();
  window.loadObserver = new MutationObserver(() => {
    if (app.getAttribute("data-test-script-state") === "running") window.loadReran = true;
  });
  window.loadObserver.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  return true;
}"""
RERAN = ("() => window.loadReran && document.querySelector(\"[data-testid='stApp']\")"
         ".getAttribute('data-test-script-state') === 'notRunning'")


async def watch_reruns(page) -> bool:
    """Start noting script reruns on an app page already open; False on a blank page."""
    try:
        return bool(await page.evaluate(WATCH))
    except Exception:  # no page yet, or it is navigating
        return False


async def settle(page, watching: bool = False, timeout_ms: float = ACTION_TIMEOUT_MS) -> None:
    """Until the rerun that an action started has finished.

    On an open app page every rerun is noted as it starts, however short, so the time counts
    to the end of that rerun. Otherwise (the first load): the rerun seen within 1 s, if any.
    """
    if watching:
        await page.wait_for_function(RERAN, timeout=timeout_ms, polling=50)
        return
    try:
        await page.wait_for_selector(RUNNING, timeout=1_000)
    except Exception:
        pass  # the rerun was over before we looked, or the action started none
    await page.wait_for_selector(SETTLED, timeout=timeout_ms)


async def appears(page, selector: str, timeout: float = 8_000) -> bool:
    """Whether an element shows up soon (components such as the canvas load after the page)."""
    try:
        await page.locator(selector).first.wait_for(timeout=timeout)
        return True
    except Exception:
        return False


async def open_from_sidebar(page, title: str) -> None:
    """Move to a page the way a reader does: a click in the sidebar, no reload."""
    await page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()


async def move_first_slider(page) -> bool:
    slider = page.locator(SLIDER).first
    if not await slider.count():
        return False
    await slider.scroll_into_view_if_needed()
    await slider.focus()
    await page.keyboard.press("ArrowRight")
    return True


async def draw_digit(page, digit_strokes) -> None:
    canvas = page.locator("canvas.upper-canvas").first
    await canvas.scroll_into_view_if_needed()
    box = await canvas.bounding_box()
    for stroke in digit_strokes:
        x0, y0 = stroke[0]
        await page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
        await page.mouse.down()
        for x, y in stroke[1:]:
            await page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"],
                                  steps=4)
        await page.mouse.up()


SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]


async def visitor(browser, url: str, recorder: Recorder, deadline: float) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    await recorder.timed("open home", page, lambda: page.goto(url))
    stops = [s for section in CONCEPT_SECTIONS for s in journey.stops(section)]
    draw = journey.find("pages/draw.py")
    while time.monotonic() < deadline:
        for stop in stops:
            if time.monotonic() >= deadline:
                break
            await recorder.timed("open concept page", page,
                                 lambda stop=stop: open_from_sidebar(page, stop.title))
            if await appears(page, SLIDER):
                await recorder.timed("move a slider", page, lambda: move_first_slider(page))
        if draw is not None and draw.exists and time.monotonic() < deadline:
            await recorder.timed("open draw page", page,
                                 lambda: open_from_sidebar(page, draw.title))
            if await appears(page, "canvas.upper-canvas"):
                await recorder.timed("draw a digit", page, lambda: draw_digit(page, SEVEN))
    await context.close()


async def trainer(browser, url: str, recorder: Recorder, deadline: float) -> None:
    """One session that starts a training of the walk-through's network and watches it."""
    stop = journey.find("pages/train_mnist.py")
    if stop is None or not stop.exists:
        return
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(180_000)  # its first visit imports TensorFlow and loads MNIST
    await page.goto(url)
    await recorder.timed("open train page", page,
                         lambda: open_from_sidebar(page, stop.title), timeout_ms=180_000)
    button = page.get_by_role("button", name=re.compile(r"^.*Train$")).first
    await recorder.timed("start training", page, lambda: button.click(), timeout_ms=180_000)
    recorder.training.append(time.perf_counter() - recorder.began)
    finished = page.locator("[data-testid='stMetricLabel']", has_text="Test accuracy")
    while time.monotonic() < deadline:
        if len(recorder.training) == 1 and await finished.count():
            recorder.training.append(time.perf_counter() - recorder.began)
        await asyncio.sleep(2)
    await context.close()


async def run(sessions: int, seconds: float) -> Recorder:
    from playwright.async_api import async_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    process, url = start_app()
    recorder = Recorder()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium,
                                                       args=CHROMIUM_FLAGS)
            deadline = time.monotonic() + seconds
            tasks = [visitor(browser, url, recorder, deadline) for _ in range(sessions)]
            tasks.append(trainer(browser, url, recorder, deadline))
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 120)
            await browser.close()
        print(f"server rss_mb={rss_mb(process.pid):.0f} at the end")
    finally:
        stop_app(process)
    return recorder


def p50_p95(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def report(recorder: Recorder, sessions: int) -> None:
    print(f"\n{sessions} visitors + 1 training session")
    print(f"{'action':<20}{'count':>7}{'p50 s':>8}{'p95 s':>8}")
    for name, values in sorted(recorder.latencies.items()):
        p50, p95 = p50_p95(values)
        print(f"{name:<20}{len(values):>7}{p50:>8.2f}{p95:>8.2f}")
    if recorder.training:
        start = recorder.training[0]
        end = recorder.training[1] if len(recorder.training) > 1 else math.inf
        during = [seconds for at, name, seconds in recorder.timeline
                  if start <= at <= end and name in CONCEPT_ACTIONS]
        until = f"{end:.0f} s" if end < math.inf else "the end"
        if during:
            p50, p95 = p50_p95(during)
            print(f"concept-page actions while the training ran ({start:.0f} s to {until}): "
                  f"count {len(during)}, p50 {p50:.2f} s, p95 {p95:.2f} s")
    print("concept-page actions by 30-s window (started at): count, p50, p95")
    for window in range(0, int(max((at for at, _, _ in recorder.timeline), default=0)) + 1, 30):
        values = [seconds for at, name, seconds in recorder.timeline
                  if window <= at < window + 30 and name in CONCEPT_ACTIONS]
        if values:
            p50, p95 = p50_p95(values)
            print(f"  {window:>4}-{window + 30:<4} s {len(values):>4} {p50:>6.2f} {p95:>6.2f}")
    print(f"errors={len(recorder.errors)}")
    for error in recorder.errors[:20]:
        print(f"  {error}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=180, help="how long visitors keep going")
    args = parser.parse_args()
    report(asyncio.run(run(args.sessions, args.seconds)), args.sessions)
