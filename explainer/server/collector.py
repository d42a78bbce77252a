"""The garbage collector skips what every page imports, so the collection after each run is quick.

Streamlit runs a full garbage collection after every script run (its ``runner.postScriptGC``), so
that memory a page dropped in reference cycles goes back at once. A full collection walks every
object Python tracks; in this server that is about 135,000, nearly all made by importing
streamlit, plotly, pandas, numpy and the app's own modules, and alive until the process ends.
Walking them took about 70 ms after every rerun, with the interpreter lock held: longer than most
pages take to run, and every other visitor waited meanwhile.

:func:`set_aside_imports` imports what the pages use, then ``gc.freeze()`` moves every object alive
at that moment into a permanent generation the collector no longer walks (about 1,000 objects are
left, and a collection takes well under 1 ms). Objects made later, as sessions, figures and
messages, are collected after each run as before. Measured by ``python bench/pages.py`` (the
objects left to walk) and ``python bench/load.py`` (reruns under load).

It is also what makes a fresh server safe for a class arriving at once. Every script run calls it
before drawing anything (app.py, and every page's ``start_page``, since a visitor who arrives by a
page's link runs that page alone at first); the first one imports, and every other waits until the
imports are finished. Otherwise one session's thread could meet a module that another is still
importing: plotly looks pandas up in ``sys.modules`` without waiting for it, and a half-imported
pandas has no ``Series`` yet.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

# Imported by pages only when they first run; imported here so they are set aside with the rest.
# Imported by pages (and by streamlit for st.dataframe) only when they first run; pandas first:
# plotly checks for it in sys.modules, and it must be whole by then.
PAGE_IMPORTS = ("pandas", "pyarrow", "plotly.graph_objects", "plotly.subplots", "plotly.io",
                "PIL.Image")
# explainer's modules that would start TensorFlow or a process on import: none today, but the
# worker's entry point is left out on principle (it is run, not imported, by the web process).
SKIPPED = ("explainer.training.worker", "explainer.serve.__main__")

WAIT_S = 300.0  # how long a script run waits for another's imports
_lock = threading.Lock()
_started = False
_ready = threading.Event()


def app_modules() -> list[str]:
    """Every module of the explainer package (numpy and plotly only: none imports Keras)."""
    import explainer

    return [info.name for info in pkgutil.walk_packages(explainer.__path__, "explainer.")
            if info.name not in SKIPPED]


def set_aside_imports() -> bool:
    """Once per process: import what the pages use, collect, then freeze what is left.

    Returns True for the call that did it, False for every other, which returns only once the
    imports are finished. The objects alive then (modules, classes, caches, and the first
    session's few) are never collected; everything made later is. No lock is held while
    importing, so a thread that holds a module's import lock never waits on this one's.
    """
    global _started
    with _lock:
        first, _started = not _started, True
    if not first:
        _ready.wait(WAIT_S)
        return False
    try:
        for name in (*PAGE_IMPORTS, *app_modules()):
            try:
                importlib.import_module(name)
            except ImportError:  # an optional piece missing here: its page says so itself
                pass
        _first_figure()
        gc.collect()
        gc.freeze()
    finally:
        _ready.set()
    return True


def _first_figure() -> None:
    """One small figure, as a page draws it: plotly loads its validators and template here."""
    import plotly.graph_objects as go

    go.Figure(go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0], hovertemplate="%{x}")).to_json()
