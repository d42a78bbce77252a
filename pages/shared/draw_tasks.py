"""The Draw page's check-yourself tasks: each asked before the page shows what answers it."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from pages.shared import check

PAGE = "draw"
TASKS = 3  # the shrunk canvas, the change that hurts most, the dream


def ask(task_id: str, question: str, options: Sequence[str], answer: str, why: str,
        wrong_why: dict[str, str] | None = None) -> bool:
    """One task; True once its answer is out (a guess, right or wrong, or "Show me"), so the
    page shows what answers it only then."""
    out = check.task(PAGE, task_id, question, options, answer, why, wrong_why)
    return bool(out) or st.session_state.get(f"check_{PAGE}_{task_id}") is not None


def progress() -> None:
    check.progress(PAGE, TASKS)
