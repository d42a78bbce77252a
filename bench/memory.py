"""Server memory (RSS) as one visitor walks the app: idle, concept pages, default model, training.

Phases, each read after the page has settled:
1. idle: the server started, no visitor yet;
2. after a concept-page session: Home and every Building-blocks and Learning page opened;
3. with the default model loaded: the Draw page has answered with the shared default model;
4. after a training: the walk-through's network trained on the Train page (full set when
   MNIST_DIR points at it, 5 epochs) until its results show.

    MNIST_DIR=../shared/data/mnist python bench/memory.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appserver import (  # noqa: E402
    CHROMIUM_FLAGS,
    find_chromium,
    rss_mb,
    start_app,
    stop_app,
)
from explainer.content import journey  # noqa: E402

SETTLED = "[data-testid='stApp'][data-test-script-state='notRunning']"


def settle(page, timeout: float = 120_000) -> None:
    page.wait_for_timeout(500)
    page.wait_for_selector(SETTLED, timeout=timeout)


def wait_for_text(page, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    main = page.locator("[data-testid='stMain']")
    while text not in main.inner_text():
        if time.monotonic() > deadline:
            raise TimeoutError(f"'{text}' did not appear within {seconds:.0f} s")
        page.wait_for_timeout(1000)


def main() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    readings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        process, url = start_app(env={"EXPLAINER_CACHE_DIR": cache})
        try:
            time.sleep(2)
            readings["idle"] = rss_mb(process.pid)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.set_default_timeout(120_000)
                for stop in journey.stops():
                    if stop.section in ("Start", "Building blocks", "Learning"):
                        path = "" if stop.page == "pages/home.py" else Path(stop.page).stem
                        page.goto(f"{url}/{path}")
                        settle(page)
                readings["concept pages"] = rss_mb(process.pid)

                page.goto(f"{url}/draw")
                settle(page)
                wait_for_text(page, "Answering: the shared default model", 600)
                readings["default model loaded"] = rss_mb(process.pid)

                page.goto(f"{url}/train_mnist")
                settle(page)
                page.get_by_role("button", name=re.compile("^.*Train$")).click()
                wait_for_text(page, "4. What the network learned", 900)
                settle(page)
                readings["after a training"] = rss_mb(process.pid)
                browser.close()
        finally:
            stop_app(process)
    for phase, value in readings.items():
        print(f"rss_mb[{phase}]={value:.0f}")
    return readings


if __name__ == "__main__":
    main()
