"""Try this, then check yourself: a guess before the answer, and a count of what is done.

Each task asks for a prediction with a widget, before the page shows what answers it. The answer
and its reason come only once the visitor has committed: by picking an option, or by pressing
"Show me" (which shows the answer without counting the task as done). ``task`` returns whether
the answer is out, so a page shows the chart or the number that answers a task only then::

    if check.task(PAGE, "top", "Which digit scores highest?", options, answer, why):
        st.plotly_chart(ranking)  # the answer, hidden until the visitor has guessed

Widget keys start with ``check_`` so they stand apart from the page's own controls. Answers,
"Show me" presses and done tasks are kept in the session per page, so they are still there when
the visitor comes back to the page; Home's map shows the count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

DONE = "check_done"  # session key: {page: {task ids answered right}}
TOTALS = "check_totals"  # session key: {page: how many tasks it has}
ANSWERS = "check_answers"  # session key: {page: {task id: the option picked}}
SHOWN = "check_shown"  # session key: {page: {task ids whose answer "Show me" revealed}}


def page_name(page: str) -> str:
    """The short name in widget keys: "pages/output_loss.py" -> "output_loss"."""
    return Path(page).stem


def done(page: str) -> set[str]:
    return st.session_state.get(DONE, {}).get(page_name(page), set())


def _kept(store: str, page: str) -> dict | set:
    default = {} if store == ANSWERS else set()
    return st.session_state.setdefault(store, {}).setdefault(page_name(page), default)


def _remember_answer(page: str, task_id: str, key: str) -> None:
    _kept(ANSWERS, page)[task_id] = st.session_state.get(key)


def _show(page: str, task_id: str) -> None:
    _kept(SHOWN, page).add(task_id)


def revealed(page: str, task_id: str) -> bool:
    """Whether this task's answer is out: answered (right or wrong) or shown with "Show me"."""
    return (_kept(ANSWERS, page).get(task_id) is not None or task_id in _kept(SHOWN, page))


def task(page: str, task_id: str, question: str, options: Sequence[str], answer: str,
         why: str, wrong_why: dict[str, str] | None = None,
         try_it: tuple[str, Callable[[], None]] | None = None) -> bool:
    """One multiple-choice prediction; True once its answer is out (so the page may show it).

    ``answer`` may be computed from the page's current numbers, so the right answer follows the
    visitor's settings. ``why`` is shown with the verdict; ``wrong_why`` can explain a particular
    wrong choice. ``try_it`` (a label and a callback) offers a button, once the answer is out,
    that makes the change the question is about, so the visitor sees it happen.
    """
    if answer not in options:
        raise ValueError(f"the answer {answer!r} is not among the options")
    key = f"check_{page_name(page)}_{task_id}"
    picked = _kept(ANSWERS, page).get(task_id)
    if key not in st.session_state and picked in options:
        st.session_state[key] = picked  # back on the page: the guess made before is still there
    with st.container(border=True):
        st.markdown(f":material/quiz: **Try this:** {question}")
        choice = st.radio(question, options, index=None, key=key, horizontal=True,
                          label_visibility="collapsed", on_change=_remember_answer,
                          args=(page, task_id, key))
        if choice is not None and picked != choice:
            _kept(ANSWERS, page)[task_id] = choice
        if choice is None and task_id not in _kept(SHOWN, page):
            with st.container(horizontal=True, vertical_alignment="center"):
                st.caption("Guess first: the answer shows once you have.", width="content")
                st.button("Show me", key=f"{key}_show", type="tertiary",
                          icon=":material/visibility:", on_click=_show, args=(page, task_id))
            return False
        if choice is None:
            st.info(f"The answer: **{answer}**. {why}", icon=":material/visibility:")
        elif choice == answer:
            st.session_state.setdefault(DONE, {}).setdefault(page_name(page), set()).add(task_id)
            st.success(f"Right. {why}", icon=":material/check_circle:")
        else:
            reason = (wrong_why or {}).get(choice, "")
            st.warning(f"Not quite: the answer is **{answer}**. {reason} {why}".replace("  ", " "),
                       icon=":material/cancel:")
        if try_it is not None:
            label, action = try_it
            st.button(label, key=f"{key}_try", icon=":material/play_arrow:", on_click=action)
    return True


def progress(page: str, total: int) -> None:
    """'2 of 3 done' for this page's tasks."""
    st.session_state.setdefault(TOTALS, {})[page_name(page)] = total
    count = len(done(page))
    st.caption(f":material/task_alt: Check yourself: {count} of {total} done")


def summary(page: str) -> tuple[int, int] | None:
    """(done, total) for a page whose tasks this session has seen, else None."""
    total = st.session_state.get(TOTALS, {}).get(page_name(page))
    return None if total is None else (len(done(page)), total)
