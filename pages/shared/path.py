"""The journey as a path: which stops this session has seen, and Previous / Next on every page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from explainer.content import journey

VISITED = "journey_visited"  # session key: the pages this session has opened


def page_path(file: str) -> str:
    """A page's path as the journey names it ("pages/x.py"), from the page file's __file__."""
    return f"pages/{Path(file).name}"


def mark_visited(page: str) -> None:
    st.session_state.setdefault(VISITED, set()).add(page)


def visited() -> set[str]:
    return st.session_state.get(VISITED, set())


def share_link() -> str | None:
    """This view's address with its settings (the URL's query parameters), or None if unknown."""
    base = st.context.url
    if not base:
        return None
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    return f"{base}?{urlencode(params, doseq=True)}" if params else base


def page_footer(file: str) -> None:
    """Previous / Next along the journey, the glossary one click away, and a link to this view."""
    page = page_path(file)
    before, after = journey.neighbours(page)
    st.divider()
    left, middle, right = st.columns([2, 3, 2], vertical_alignment="center")
    if before is not None:
        left.page_link(before.page, label=f"Previous: {before.title}",
                       icon=":material/arrow_back:")
    with middle:
        glossary = journey.find("pages/glossary.py")
        if glossary is not None and glossary.page not in (page, after and after.page):
            st.page_link(glossary.page, label="Glossary: every word of the journey",
                         icon=glossary.icon)
        link = share_link()
        if link:
            with st.popover("Share this view", icon=":material/link:"):
                st.caption("This link opens the page with the settings you see now. "
                           "Copy it with the button on the right.")
                st.code(link, language=None, wrap_lines=True)
    if after is not None:
        right.page_link(after.page, label=f"Next: {after.title}", icon=":material/arrow_forward:")
