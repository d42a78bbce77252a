"""The app's address as a QR code a teacher can project: phones scan it and open the app.

Shown only when the serve command started this server (it sets the address to share in
``EXPLAINER_SHARE_URL``); a plain ``streamlit run app.py`` shows nothing.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache

import segno
import streamlit as st

from explainer.serve.address import checked_url
from explainer.serve.status import SHARE_URL_VARIABLE

LARGE_WIDTH = 540  # pixels at most: the code and its address fit a 1366 x 768 projector
BORDER = 4  # modules of white around the code, as the QR standard asks


def shared_address() -> str | None:
    """The address the serve command shares, or None (not set, or not an http(s) address)."""
    try:
        return checked_url(os.environ.get(SHARE_URL_VARIABLE, ""))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def qr_png(url: str, width: int = LARGE_WIDTH) -> bytes:
    """The address as a QR code: a PNG, black on white whatever the theme, with its margin,
    each module a whole number of pixels and the whole at most ``width`` pixels wide."""
    code = segno.make(url, error="m")
    scale = max(width // code.symbol_size(border=BORDER)[0], 1)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=BORDER, dark="#000000", light="#ffffff")
    return buffer.getvalue()


def _show(png: bytes) -> None:
    """As it is: PNG (not re-encoded as a JPEG), at its own size (not resampled)."""
    st.image(png, width=_png_width(png), output_format="PNG")


def _png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")  # the IHDR chunk's width


def offer_share_code(key: str = "share_qr") -> None:
    """A line with the address to share and a button that shows its QR code, large, to project
    for the class; nothing when the app is not served to a class."""
    url = shared_address()
    if url is None:
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f":material/qr_code_2: Join from a phone or laptop: **{url}**",
                    width="content")
        if st.button("Show the QR code", icon=":material/fullscreen:", key=key):
            _large_code(url)


@st.dialog("Scan to open the app", width="large")
def _large_code(url: str) -> None:
    with st.container(horizontal=True, vertical_alignment="center", gap="large"):
        _show(qr_png(url))
        st.markdown(f"Point a phone's camera at the code, or type:\n\n## {url}",
                    width="content")
