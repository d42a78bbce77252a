"""Who is asking: this session's id, its browser and address, and whether the session still exists.

The training limits need these: one training at a time per session and per client (several tabs
of one browser, or one address, count as one), and a closed tab's training stops once Streamlit
has let its session expire (``server.disconnectedSessionTTL``), not the moment the tab closes, so
a phone that backgrounds the tab keeps its training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

BROWSER_COOKIE = "_streamlit_xsrf"  # set by Streamlit once per browser (XSRF protection is on)


def session_id() -> str:
    """This session's id ("local" outside a server, e.g. in a bare script)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"


def client_keys() -> frozenset[str]:
    """What identifies this visitor beyond the session: their address and their browser."""
    keys = set()
    try:
        address = st.context.ip_address  # None for localhost
        cookie = st.context.cookies.get(BROWSER_COOKIE)
    except Exception:  # no browser behind this run (tests, bare scripts)
        return frozenset()
    if isinstance(address, str) and address:
        keys.add(f"address:{address}")
    if isinstance(cookie, str) and cookie:
        keys.add("browser:" + hashlib.sha256(_browser_token(cookie)).hexdigest()[:16])
    return frozenset(keys)


def _browser_token(cookie: str) -> bytes:
    """The cookie's lasting part: Streamlit masks the same token afresh on every page load."""
    try:
        from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

        token, _ = decode_xsrf_token_string(cookie)
        if token:
            return bytes(token)
    except Exception:  # another server or format: the whole value still tells browsers apart
        pass
    return cookie.encode()


def session_exists_check() -> Callable[[], bool] | None:
    """A function telling a worker's supervisor whether this session still exists, or None."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    server, sid = runtime.get_instance(), ctx.session_id
    manager = getattr(server, "_session_mgr", None)
    if manager is not None and hasattr(manager, "get_session_info"):
        return lambda: manager.get_session_info(sid) is not None  # connected or within its TTL
    return lambda: server.is_active_session(sid)
