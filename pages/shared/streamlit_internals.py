"""Every private piece of Streamlit the app relies on, in one place.

Streamlit's public API has no way to ask which session a script run belongs to, whether a session
still exists, what the browser's lasting XSRF token is, or to switch a fresh server from its old
``pages/`` folder mode to the router. These few functions reach into Streamlit's internals for
that, so an upgrade that moves them breaks this module alone, and
``tests/test_streamlit_internals.py`` names what moved. :data:`RELIED_ON` lists each piece.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable

from streamlit import runtime
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

# (module, attribute path) of every private piece used below; the test looks each one up.
RELIED_ON = (
    ("streamlit.runtime.pages_manager", "PagesManager.uses_pages_directory"),
    ("streamlit.runtime.pages_manager", "PagesManager.get_pages"),
    ("streamlit.runtime.pages_manager", "PagesManager.current_page_script_hash"),
    ("streamlit.runtime.scriptrunner", "get_script_run_ctx"),
    ("streamlit.runtime.session_manager", "SessionManager.get_session_info"),
    ("streamlit.web.server.starlette.starlette_app_utils", "decode_xsrf_token_string"),
    ("streamlit.runtime.scriptrunner.script_runner", "ScriptRunner._run_script"),
)
# (module, class, attribute) set on each instance by the class's __init__.
SET_IN_INIT = (
    ("streamlit.runtime.runtime", "Runtime", "_session_mgr"),
    ("streamlit.runtime.scriptrunner.script_runner", "ScriptRunner", "_pages_manager"),
)


def missing() -> list[str]:
    """The pieces of :data:`RELIED_ON` and :data:`SET_IN_INIT` this Streamlit lacks."""
    gone = []
    for module_name, path in RELIED_ON:
        try:
            found = importlib.import_module(module_name)
            for part in path.split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError):
            gone.append(f"{module_name}.{path}")
    for module_name, class_name, attribute in SET_IN_INIT:
        try:
            init = getattr(importlib.import_module(module_name), class_name).__init__
            if not re.search(rf"self\.{attribute}\s*[:=]", inspect.getsource(init)):
                gone.append(f"{module_name}.{class_name}().{attribute}")
        except (ImportError, AttributeError, OSError, TypeError):
            gone.append(f"{module_name}.{class_name}().{attribute}")
    return gone


def leave_pages_folder_mode() -> bool:
    """Switch a fresh server from the ``pages/`` folder mode to ``st.navigation``'s router.

    Until app.py has called ``st.navigation`` once, Streamlit runs a page opened by its own link
    alone. True when this call made the switch (the caller then reruns through the router).
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        return True
    return False


def session_id() -> str:
    """This script run's session id ("local" outside a server, e.g. in a bare script)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"


def session_state_of_this_run():
    """The running session's state object, which another thread may write to."""
    ctx = get_script_run_ctx()
    return ctx.session_state if ctx is not None else None


def session_exists_check() -> Callable[[], bool] | None:
    """A function telling whether this run's session still exists (connected or within its
    ``server.disconnectedSessionTTL``), or None outside a server."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    server, sid = runtime.get_instance(), ctx.session_id
    manager = getattr(server, "_session_mgr", None)
    if manager is not None and hasattr(manager, "get_session_info"):
        return lambda: manager.get_session_info(sid) is not None
    return lambda: server.is_active_session(sid)


def xsrf_token(cookie: str) -> bytes | None:
    """The lasting token inside Streamlit's XSRF cookie (masked afresh on every page load)."""
    try:
        from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

        token, _ = decode_xsrf_token_string(cookie)
        return bytes(token) if token else None
    except Exception:  # another server or format: the caller uses the whole value
        return None


def time_script_runs(record: Callable[[dict], None]) -> None:
    """Call ``record`` after every script run with its wall and CPU seconds, page and kind.

    For ``bench/timed_server.py``: it wraps Streamlit's ScriptRunner; nothing in the app changes.
    """
    import time

    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def timed_run(self, rerun_data):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, rerun_data)
        finally:
            record({"end": time.time(), "seconds": time.perf_counter() - wall,
                    "cpu_seconds": time.thread_time() - cpu, "page": _page_of(self),
                    "fragment": bool(rerun_data.fragment_id_queue)})

    script_runner.ScriptRunner._run_script = timed_run


def _page_of(runner) -> str:
    """The page a finished run showed, as the URL path Streamlit gives it ("" for Home)."""
    try:
        manager = runner._pages_manager
        info = manager.get_pages().get(manager.current_page_script_hash, {})
        return str(info.get("url_pathname", info.get("page_name", "")))
    except Exception:  # a private attribute moved: the timing still counts
        return "?"
