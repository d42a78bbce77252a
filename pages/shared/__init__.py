"""Pieces every page shares. Not a page: Streamlit lists only the files directly in pages/."""

import logging
import threading
import time
from collections import OrderedDict

import streamlit as st

from explainer.server import collector
from pages.shared import streamlit_internals
from pages.shared.path import mark_visited, page_footer, page_path

_log = logging.getLogger("explainer.pages")
_this_run = threading.local()  # .routed: app.py runs this page (each script run has its thread)
LOG_AGAIN_AFTER_S = 600.0  # a failure still on screen is logged again after this long
_LOGGED_KEEP = 256  # distinct failures remembered
_logged: OrderedDict[tuple[str, str], list] = OrderedDict()  # -> [when logged, repeats since]
_logged_lock = threading.Lock()


def _first_time_in_a_while(what_happened: str, error: BaseException | str) -> int | None:
    """None when this failure was logged lately; else how many times it was shown since."""
    key = (what_happened, f"{type(error).__name__}: {error}"[:500])
    now = time.monotonic()
    with _logged_lock:
        seen = _logged.get(key)
        if seen is not None and now - seen[0] < LOG_AGAIN_AFTER_S:
            seen[1] += 1
            return None
        repeats = seen[1] if seen is not None else 0
        _logged[key] = [now, 0]
        _logged.move_to_end(key)
        while len(_logged) > _LOGGED_KEEP:
            _logged.popitem(last=False)
        return repeats


def report_failure(what_happened: str, what_to_do: str, error: BaseException | str | None = None,
                   ) -> None:
    """Tell the reader what went wrong and what to do, in words; the details go to the server log.

    An exception's text can hold server paths and internals: it is written to the log (with its
    traceback when there is one), never to the page. A failure that stays on screen is drawn again
    on every rerun of every visitor who sees it, but logged once in LOG_AGAIN_AFTER_S, with how
    many times it was shown since.
    """
    repeats = _first_time_in_a_while(what_happened, error) if error else None
    if repeats is not None:
        also = f" (shown {repeats} more times since it was last logged)" if repeats else ""
        if isinstance(error, BaseException):
            _log.error("%s%s", what_happened, also, exc_info=error)
        else:
            _log.error("%s %s%s", what_happened, error, also)
    st.error(f"{what_happened} {what_to_do}", icon=":material/error:")


def use_router() -> None:
    """Run this page through app.py, also when it is the first page a fresh server is asked for.

    Until app.py has called st.navigation once, Streamlit treats a folder named pages/ the old way
    and runs a page opened by its own link alone: no sections, no sidebar, no wide layout. This
    switches the server to the router and reruns, so a shared link opens the full app. Every
    session whose page ran alone reruns, also one that started before another session switched.
    """
    routed, _this_run.routed = getattr(_this_run, "routed", False), False
    streamlit_internals.leave_pages_folder_mode()
    if not routed:
        # Once per session: a rerun drops the click that started this run, and AppTest resets
        # the flag before every run, so rerunning each time would swallow every button press.
        if not st.session_state.get("router_rerun_done"):
            st.session_state["router_rerun_done"] = True
            st.rerun()


def start_app() -> None:
    """First call of app.py: wait for the pages' imports (once per process), and note that this
    run goes through the router, so the page it runs does not rerun."""
    collector.set_aside_imports()
    _this_run.routed = True


def start_page(file: str) -> None:
    """First call of every page: run through the router and note the visit (pass __file__).

    On a fresh server it first waits until the pages' imports are finished (see
    explainer/server/collector.py), also for a visitor who arrived by this page's link.
    """
    collector.set_aside_imports()
    use_router()
    mark_visited(page_path(file))


def end_page(file: str) -> None:
    """Last call of every page, also where it ends early: Previous / Next, then stop.

    A page that has nothing more to show calls this instead of ``st.stop()``, so its links to
    the rest of the journey still show.
    """
    page_footer(file)
    st.stop()


def drawing_canvas(key: str, size: int, stroke_width: int):
    """A white size x size canvas to draw on in black ink; its drawing as RGBA uint8, or None.

    Dark ink on white paper, as digits are shown everywhere in the app; the readers
    (explainer.concepts.inputs.preprocess, explainer.concepts.lessons.templates) turn the
    darkness into MNIST's values, ink high and paper 0.

    What the browser sends back is checked (explainer.concepts.inputs.canvas_input) before the
    page uses it: a value that is not a drawing of this canvas gives a warning, no picture, and
    a canvas that still works: the next stroke sends a fresh drawing.
    """
    from streamlit_drawable_canvas import st_canvas

    from explainer.concepts.inputs import canvas_input
    from pages.shared.canvas_touch import hide_toolbar_on_touch

    hide_toolbar_on_touch()  # a finger never hovers: no invisible reset over the corner
    try:
        st_canvas(stroke_width=stroke_width, stroke_color="#000000", background_color="#ffffff",
                  height=size, width=size, drawing_mode="freedraw", return_image_data=True,
                  key=key)
    except (AttributeError, KeyError, TypeError, ValueError):
        pass  # the component could not unpack a malformed value; read_drawing says what is wrong
    try:
        return canvas_input.read_drawing(st.session_state.get(key), size, size)
    except canvas_input.CanvasError as problem:
        st.warning(f"{problem} It was ignored: clear the canvas and draw again.",
                   icon=":material/block:")
        return None
