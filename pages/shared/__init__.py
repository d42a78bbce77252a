"""Pieces every page shares. Not a page: Streamlit lists only the files directly in pages/."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def use_router() -> None:
    """Run this page through app.py, also when it is the first page a fresh server is asked for.

    Until app.py has called st.navigation once, Streamlit treats a folder named pages/ the old way
    and runs a page opened by its own link alone: no sections, no sidebar, no wide layout. This
    switches the server to the router and reruns, so a shared link opens the full app.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        # Once per session: a rerun drops the click that started this run, and AppTest resets
        # the flag before every run, so rerunning each time would swallow every button press.
        if not st.session_state.get("router_rerun_done"):
            st.session_state["router_rerun_done"] = True
            st.rerun()
