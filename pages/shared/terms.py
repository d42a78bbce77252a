"""Key words looked up where they are first used, without leaving the page."""

from __future__ import annotations

import streamlit as st

from explainer.content import glossary


def define(*names: str) -> None:
    """A row of small buttons, one per term, each opening its glossary entry in place.

    The visitor stays on the page (their settings, trained model and answers stay); the entry
    links to the full glossary, opened on that term. The row wraps on a narrow screen instead of
    stacking one button a line.
    """
    terms = [glossary.find(name) for name in names]
    missing = [name for name, term in zip(names, terms) if term is None]
    if missing:
        raise KeyError(f"not in the glossary: {', '.join(missing)}")
    row = st.container(horizontal=True, gap="small")
    for term in terms:
        with row.popover(term.name, icon=":material/menu_book:", type="tertiary"):
            st.markdown(f"**{term.name}**")
            st.write(term.definition)
            st.page_link("pages/glossary.py", label="Open in the glossary",
                         query_params={"term": term.name.lower()},
                         icon=":material/arrow_outward:")
