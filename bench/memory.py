"""Memory (RSS) as one visitor walks the app: the web process, and the training workers apart.

Phases, each read after the page has settled:
1. idle: the server started, no visitor yet;
2. after a concept-page session: Home and every Building-blocks and Learning page opened;
3. with the default model loaded: the Draw page has answered with the shared default model
   (trained by a worker process, since the cache folder starts empty);
4. after a training: the walk-through's network trained on the Train page (full set when
   MNIST_DIR points at it, 5 epochs) until its results show;
5. after the workers' idle exit: WORKER_IDLE_S (set to 20 s here) later.
Each phase prints the web process's RSS and the summed RSS of its worker processes.

    MNIST_DIR=../shared/data/mnist python bench/memory.py
    python bench/memory.py --quick    # phases 1 and 2 only, on Home and two pages
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


def main(argv: list[str] | None = None) -> dict[str, float]:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="idle and a short concept-page session only")
    quick = parser.parse_args(argv).quick

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    readings: dict[str, float] = {}
    workers: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        process, url = start_app(env={"EXPLAINER_CACHE_DIR": cache, "WORKER_IDLE_S": "20"})

        def read(phase: str) -> None:
            readings[phase] = rss_mb(process.pid)
            workers[phase] = sum(rss_mb(pid) for pid in worker_pids(process.pid))

        try:
            time.sleep(2)
            read("idle")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.set_default_timeout(120_000)
                stops = [s for s in journey.stops()
                         if s.section in ("Start", "Building blocks", "Learning")]
                for stop in stops[:3] if quick else stops:
                    path = "" if stop.page == "pages/home.py" else Path(stop.page).stem
                    page.goto(f"{url}/{path}")
                    settle(page)
                read("concept pages")
                if quick:
                    browser.close()
                    return report(readings, workers)

                page.goto(f"{url}/draw")
                settle(page)
                wait_for_text(page, "Answering:", 600)
                read("default model loaded")

                page.goto(f"{url}/train_mnist")
                settle(page)
                page.get_by_role("button", name=re.compile("Train it now")).click()
                wait_for_text(page, "What your network learned", 900)
                settle(page)
                read("after a training")
                deadline = time.monotonic() + 120
                while worker_pids(process.pid) and time.monotonic() < deadline:
                    time.sleep(1)
                read("after the workers' idle exit")
                browser.close()
        finally:
            stop_app(process)
    return report(readings, workers)


def report(readings: dict[str, float], workers: dict[str, float]) -> dict[str, float]:
    for phase, value in readings.items():
        print(f"rss_mb[{phase}]={value:.0f} workers_rss_mb[{phase}]={workers[phase]:.0f}")
    return readings


def worker_pids(server_pid: int) -> list[int]:
    """The server's training worker processes (its children running explainer.training.worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit():
                continue
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == server_pid and b"explainer.training.worker" in (
                    entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


if __name__ == "__main__":
    main()
