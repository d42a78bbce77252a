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

from pages.shared import streamlit_internals

BROWSER_COOKIE = "_streamlit_xsrf"  # set by Streamlit once per browser (XSRF protection is on)


def session_id() -> str:
    """This session's id ("local" outside a server, e.g. in a bare script)."""
    return streamlit_internals.session_id()


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
    # Another server or format: the whole value still tells browsers apart.
    return streamlit_internals.xsrf_token(cookie) or cookie.encode()


def session_exists_check() -> Callable[[], bool] | None:
    """A function telling a worker's supervisor whether this session still exists, or None."""
    return streamlit_internals.session_exists_check()
