"""Helpers for page tests: run the app through its router and open one page."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def open_page(page: str, timeout: float = 30):
    """Run the app through its router and switch to one page; returns the AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    at.switch_page(page)
    at.run()
    return at
