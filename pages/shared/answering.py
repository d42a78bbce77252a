"""Which network answers on the Draw page: this session's own, else the shared default model.

Both are numpy readers (explainer/concepts/models/reading.py): no Keras in the web process.
While the default model is being prepared, a panel shows its progress; after a failure it stops
polling and offers to try again.
"""

from __future__ import annotations

import streamlit as st

from explainer.concepts.models.reading import Reader
from explainer.training import default_model
from pages.shared import report_failure


def answering_network() -> Reader | None:
    """This session's trained model if there is one, else the shared default once it is ready."""
    trained = st.session_state.get("session_model")
    if trained is not None:
        kept = st.session_state.get("draw_session_reader")
        if kept is None or kept.trained.model_id != trained.model_id:
            try:
                kept = Reader.of(trained)
            except ImportError:  # a CNN, in a version without the numpy CNN
                st.warning("Your model is a CNN, which this version cannot read with numpy yet: "
                           "the shared default model answers instead.", icon=":material/info:")
                kept = None
            st.session_state["draw_session_reader"] = kept
        if kept is not None:
            return kept
    shared = default_model.shared()
    shared.start()  # also starts a retry once its time has come after a failure
    if shared.status().ready:
        return Reader.of(shared.model, shared=True)
    return None


def waiting_panel(what: str, what_to_do: str, waiting: str, retry_key: str) -> None:
    """The shared default model's progress, redrawn every second until it is ready or failed.

    ``what`` names the model for this page; ``what_to_do`` follows a failure; ``waiting`` is the
    note while it is prepared; ``retry_key`` keys the "Try again now" button.
    """
    failed = default_model.shared().status().failed
    st.fragment(_waiting_panel, run_every=None if failed else 1.0)(what, what_to_do, waiting,
                                                                   retry_key)


def _waiting_panel(what: str, what_to_do: str, waiting: str, retry_key: str) -> None:
    """The page redraws itself once the model is ready; a failure offers a retry instead."""
    shared = default_model.shared()
    status = shared.status()
    if status.ready:
        st.rerun()  # the whole page, now with the model
    if status.failed:
        later = (f" It tries again by itself in about {status.retry_in_s:.0f} s."
                 if status.retry_in_s is not None else "")
        report_failure(f"{what} could not be prepared.", what_to_do + later, status.message)
        if st.button("Try again now", key=retry_key, icon=":material/refresh:"):
            shared.retry_now()
            st.rerun()
        return
    st.info(waiting, icon=":material/hourglass_top:")
    st.progress(status.fraction, text=status.message)
