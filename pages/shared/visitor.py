"""Who is asking: this session, its browser, and whether the session still exists.

The training limits count sessions and browsers: several tabs of one browser count as one visitor,
and a reloaded tab finds its browser's training again. A visitor's address is never a key, since
a classroom behind one school address would count as one visitor. A closed tab's session lives on
for ``server.disconnectedSessionTTL``, so a phone that backgrounds the tab keeps its training.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from explainer.training.pool import Visitor
from pages.shared import streamlit_internals

BROWSER_COOKIE = "_streamlit_xsrf"  # set by Streamlit once per browser (XSRF protection is on)


def session_id() -> str:
    """This session's id ("local" outside a server, e.g. in a bare script)."""
    return streamlit_internals.session_id()


def browser_key() -> str:
    """A short key for this browser, from the lasting part of its XSRF cookie ("" without one)."""
    try:
        cookie = st.context.cookies.get(BROWSER_COOKIE)
    except Exception:  # no browser behind this run (tests, bare scripts)
        return ""
    if not isinstance(cookie, str) or not cookie:
        return ""
    # Streamlit masks the same token afresh on every page load; another format: the whole value.
    token = streamlit_internals.xsrf_token(cookie) or cookie.encode()
    return hashlib.sha256(token).hexdigest()[:16]


def current() -> Visitor:
    """This session as the training backend sees it: session, browser, and a liveness check."""
    return Visitor(session_id(), browser_key(), streamlit_internals.session_exists_check())
