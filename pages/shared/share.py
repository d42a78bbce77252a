"""The address a class opens, as a QR code a teacher can project (when the serve command runs)."""

from __future__ import annotations

import io
import os

import segno
import streamlit as st

SHARE_ENV = "EXPLAINER_SHARE_URL"  # set by python -m explainer.serve for every server


def share_address() -> str:
    return os.environ.get(SHARE_ENV, "").strip()


@st.cache_data(show_spinner=False, max_entries=4)
def qr_png(address: str) -> bytes:
    """The address as a QR code: black on white, a quiet zone around it, readable from afar."""
    buffer = io.BytesIO()
    segno.make(address, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def share_panel() -> None:
    """A QR code of the shared address, behind an expander; nothing when there is none."""
    address = share_address()
    if not address:
        return
    with st.expander("Share this app with your class", icon=":material/qr_code_2:"):
        left, right = st.columns([1, 2])
        left.image(qr_png(address), caption="Point a phone's camera here", width=240)
        right.markdown("Everyone in the room opens:")
        right.code(address, language=None)
        right.caption("Project this page; each visitor gets a session of their own.")
