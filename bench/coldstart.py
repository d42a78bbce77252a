"""Cold start: from `streamlit run app.py` to the first page painted in headless Chromium.

The browser is launched first, so the figure is the server's start plus the first page load.

    python bench/coldstart.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appserver import CHROMIUM_FLAGS, find_chromium, start_app, stop_app  # noqa: E402

PAINTED = "[data-testid='stApp'][data-test-script-state='notRunning'] h1"


def cold_start_seconds(browser) -> float:
    start = time.perf_counter()
    process, url = start_app()
    try:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector(PAINTED, timeout=60_000)
        elapsed = time.perf_counter() - start
        page.close()
        return elapsed
    finally:
        stop_app(process)


def main(repeats: int = 3) -> float:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        times = [cold_start_seconds(browser) for _ in range(repeats)]
        browser.close()
    median = statistics.median(times)
    print(f"cold_start_seconds={median:.2f} (median of {repeats}: "
          f"{', '.join(f'{t:.2f}' for t in times)})")
    return median


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    main(parser.parse_args().repeats)
