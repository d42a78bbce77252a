"""Memory over many visitors: open and close N browser sessions one after another, read the RSS.

Each session opens the home page and every concept page, then closes. The server's resident
memory after the first session is the baseline; the target is the last reading within 15% of it.

    python bench/sessions.py [--sessions 50]
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
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
CONCEPT_SECTIONS = ("Start", "Building blocks", "Learning")
SESSION_TTL_S = tomllib.loads(  # server.disconnectedSessionTTL, seconds
    (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text()
)["server"]["disconnectedSessionTTL"]


def visit_concept_pages(browser, url: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    for stop in [s for section in CONCEPT_SECTIONS for s in journey.stops(section)]:
        path = "" if stop.page == "pages/home.py" else Path(stop.page).stem
        page.goto(f"{url}/{path}")
        page.wait_for_selector(SETTLED + " h1", timeout=60_000)
    context.close()


def main(sessions: int = 50, ttl: float = SESSION_TTL_S) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    process, url = start_app(env={"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(int(ttl))})
    try:
        idle = rss_mb(process.pid)
        readings = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            for i in range(sessions):
                visit_concept_pages(browser, url)
                time.sleep(0.5)  # let the server notice the closed WebSocket
                readings.append(rss_mb(process.pid))
                if i == 0 or (i + 1) % 10 == 0:
                    print(f"after session {i + 1:>3}: rss_mb={readings[-1]:.0f}", flush=True)
            browser.close()
        time.sleep(ttl + 10)  # closed sessions are kept this long for a reconnect
        expired = rss_mb(process.pid)
    finally:
        stop_app(process)
    first, last = readings[0], readings[-1]
    growth = (last - first) / first
    print(f"rss_idle_mb={idle:.0f} rss_after_first_mb={first:.0f} rss_after_last_mb={last:.0f} "
          f"growth={growth:+.1%} (target within 15%)")
    print(f"rss_after_closed_sessions_expired_mb={expired:.0f} "
          f"growth_after_expiry={(expired - first) / first:+.1%}")
    return {"idle": idle, "first": first, "last": last, "growth": growth, "expired": expired}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--ttl", type=float, default=SESSION_TTL_S,
                        help="server.disconnectedSessionTTL for this run (default: the app's)")
    chosen = parser.parse_args()
    main(chosen.sessions, chosen.ttl)
