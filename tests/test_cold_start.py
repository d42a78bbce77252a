"""A fresh server met by a class at once: every first visit gets its page, none an error.

Before any page has run, Streamlit serves a visitor who arrives by a page's link that page alone,
without app.py; every page must still wait for the pages' imports to be whole (a half-imported
pandas once gave half of 32 visitors "This app has encountered an error").
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from helpers import ROOT

from bench.appserver import start_app, stop_app
from bench.streamlit_client import StreamlitSession

pytestmark = pytest.mark.slow
PAGES = ("neurons", "nonlinearity", "patterns", "output_loss", "nudging", "backprop",
         "optimizers", "glossary", "", "draw")


def test_twenty_four_first_visits_at_once_all_get_their_page():
    server, url = start_app()
    outcomes: list[tuple[str, float, list[str]]] = []
    start_together = threading.Barrier(24)

    def visit(page: str) -> None:
        start_together.wait()
        began = time.perf_counter()
        try:
            session = StreamlitSession(url, timeout=120)
            run = session.open(page)
            problems = list(run.exceptions)
            if not session.page_hash:  # the page ran alone, not inside the app's navigation
                problems.append("not through the router")
            outcomes.append((page, time.perf_counter() - began, problems))
            session.close()
        except Exception as exc:  # a lost connection or a time-out counts as an error too
            outcomes.append((page, time.perf_counter() - began, [f"{type(exc).__name__}: {exc}"]))

    try:
        visitors = [threading.Thread(target=visit, args=(PAGES[i % len(PAGES)],))
                    for i in range(24)]
        for thread in visitors:
            thread.start()
        for thread in visitors:
            thread.join(180)
    finally:
        stop_app(server)
    assert len(outcomes) == 24
    assert [o for o in outcomes if o[2]] == []


def test_a_second_caller_returns_only_once_the_imports_are_whole():
    code = """
import importlib, threading, time
from explainer.server import collector
real = importlib.import_module
def slow(name, *args):
    if name == "pandas":
        time.sleep(1.0)
    return real(name, *args)
collector.importlib.import_module = slow
done = {}
def call(who):
    done[who] = (collector.set_aside_imports(), time.monotonic())
first = threading.Thread(target=call, args=("first",)); first.start()
time.sleep(0.2)
call("second")
first.join()
import sys
print(done["first"][0], done["second"][0], done["second"][1] >= done["first"][1] - 0.05,
      "pandas" in sys.modules and hasattr(sys.modules["pandas"], "Series"))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.split() == ["True", "False", "True", "True"], result.stderr[-2000:]
