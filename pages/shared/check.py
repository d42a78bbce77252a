"""Try this, then check yourself: a guess before the answer, and a count of what is done.

Each task asks for a prediction with a widget; the answer and its reason show only after the
visitor has committed. Widget keys start with ``check_`` so they stand apart from the page's
own controls. Done tasks are kept in the session, per page, and Home's map shows the count.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

DONE = "check_done"  # session key: {page: {task ids answered right}}
TOTALS = "check_totals"  # session key: {page: how many tasks it has}


def done(page: str) -> set[str]:
    return st.session_state.get(DONE, {}).get(page, set())


def _mark(page: str, task: str) -> None:
    st.session_state.setdefault(DONE, {}).setdefault(page, set()).add(task)


def task(page: str, task_id: str, question: str, options: Sequence[str], answer: str,
         why: str, wrong_why: dict[str, str] | None = None) -> bool:
    """One multiple-choice prediction; True once answered right.

    ``answer`` may be computed from the page's current numbers, so the right answer follows the
    visitor's settings. ``why`` is shown with the verdict; ``wrong_why`` can explain a particular
    wrong choice.
    """
    if answer not in options:
        raise ValueError(f"the answer {answer!r} is not among the options")
    st.markdown(f"**Try this:** {question}")
    choice = st.radio(question, options, index=None, key=f"check_{page}_{task_id}",
                      horizontal=True, label_visibility="collapsed")
    if choice is None:
        st.caption("Make your guess, then the page tells you.")
        return False
    if choice == answer:
        _mark(page, task_id)
        st.success(f"Right. {why}", icon=":material/check_circle:")
        return True
    reason = (wrong_why or {}).get(choice, "")
    st.warning(f"Not quite: the answer is **{answer}**. {reason} {why}".replace("  ", " "),
               icon=":material/cancel:")
    return False


def progress(page: str, total: int) -> None:
    """'2 of 3 done' for this page's tasks."""
    st.session_state.setdefault(TOTALS, {})[page] = total
    count = len(done(page))
    st.caption(f":material/task_alt: Check yourself: {count} of {total} done")


def summary(page: str) -> tuple[int, int] | None:
    """(done, total) for a page whose tasks this session has seen, else None."""
    total = st.session_state.get(TOTALS, {}).get(page)
    return None if total is None else (len(done(page)), total)
