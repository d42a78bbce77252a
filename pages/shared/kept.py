"""Figures that come out the same for every visitor who asks with the same key: built once.

Which cache is for what: this one keeps what a *page* computes from things its arguments cannot
show (a trained model, the digits in use), under a key the page names; a chart builder that
depends only on its own arguments keeps its figures itself (``explainer/charts/memo.py``).

Building a plotly figure costs milliseconds of Python, and every rerun of every visitor builds
its page again; on a busy server that time is taken from everyone. A figure that depends only on
a trained model and the digits in use (the Train page's results, the look at the data) is built
the first time and handed out again. Streamlit copies a figure as it sends it, so the shared one
is never changed; nothing may change it after ``build`` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")


@st.cache_resource(max_entries=96, show_spinner=False)
def _built(key: tuple, _build: Callable[[], object]) -> object:
    return _build()


def kept(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """``build()``, or what it returned the last time this ``key`` was asked for on this server.

    The key must name everything the result depends on (a model's id, the digits in use, the
    selection shown), since ``build`` itself is not compared.
    """
    return _built(key, build)  # type: ignore[return-value]
