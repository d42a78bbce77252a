"""Small pictures side by side on the Draw page: in a row on a laptop, two a row on a phone.

Streamlit's columns stack one under another on a narrow screen, so four 28 x 28 pictures would
take four screens of a phone. A horizontal container of fixed-width tiles wraps instead.
"""

from __future__ import annotations

import streamlit as st

QUIET = {"displayModeBar": False}  # no zoom buttons over small charts (a phone always shows them)
TILE = 165  # pixels: two tiles and their gap fit a 360-pixel phone


def tile(figure, key: str, caption: str = "", width: int = TILE):
    """One small chart with its caption, as a fixed-width tile; returns its container."""
    box = st.container(width=width)
    box.plotly_chart(figure, key=key, config=QUIET)
    if caption:
        box.caption(caption)
    return box
