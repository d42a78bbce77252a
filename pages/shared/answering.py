"""Which networks answer on the Draw page: two shared ones, and the visitor's own once chosen.

Two shared networks read every drawing: the same walk-through network trained on changed copies
of the digits (data augmentation), whose answer is the headline, and the walk-through's network
as the walk-through trains it. A visitor's own model joins them only once they chose it on the
Train page ("Use my model on Draw"). All are numpy readers (explainer/concepts/models/reading.py):
no Keras in the web process. While a shared network is being prepared, a panel shows its
progress and the page works with the others; after a failure it stops polling and offers to try
again.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from explainer.concepts.models.reading import Reader
from explainer.training import default_model
from explainer.training.default_model import DefaultModel
from pages.shared import own_training, report_failure

ON_COPIES, WALK_THROUGH, YOURS = "augmented", "walk-through", "yours"
NAMES = {ON_COPIES: "Trained on changed copies", WALK_THROUGH: "The walk-through's network",
         YOURS: "Your model"}
SUBJECTS = {ON_COPIES: "the network trained on changed copies",  # the names inside a sentence
            WALK_THROUGH: "the walk-through's network", YOURS: "your model"}
READER = "draw_session_reader"  # session key: the visitor's own model as a reader, made once


@dataclass(frozen=True)
class Answering:
    """One network that reads the drawing: which one (an id of NAMES) and its numpy reader."""

    id: str
    reader: Reader

    @property
    def name(self) -> str:
        return NAMES[self.id]

    @property
    def subject(self) -> str:
        return SUBJECTS[self.id]

    def __repr__(self) -> str:
        return f"Answering({self.id!r}, {self.reader.name!r})"


def shared_models() -> dict[str, DefaultModel]:
    """The shared networks, the headline first."""
    return {ON_COPIES: default_model.augmented(), WALK_THROUGH: default_model.walk_through()}


def own_reader() -> Reader | None:
    """The visitor's trained model as a reader, once they chose it to answer on Draw."""
    trained = st.session_state.get(own_training.MODEL)
    if trained is None or not st.session_state.get(own_training.USE_ON_DRAW):
        return None
    kept = st.session_state.get(READER)
    if kept is None or kept.trained.model_id != trained.model_id:
        try:
            kept = Reader.of(trained)
        except ImportError:  # a CNN, in a version without the numpy CNN
            st.warning("Your model is a CNN, which this version cannot read with numpy yet: "
                       "the shared networks answer alone.", icon=":material/info:")
            kept = None
        st.session_state[READER] = kept
    return kept


def answering_networks() -> list[Answering]:
    """The networks ready to read, the headline first: the network trained on changed copies,
    the walk-through's, then the visitor's own (when chosen). Starts the shared ones (and their
    retries after a failure); those still being prepared are left out."""
    ready = []
    for which, shared in shared_models().items():
        shared.start()
        if shared.status().ready:
            ready.append(Answering(which, Reader.of(shared.model, for_everyone=True)))
    own = own_reader()
    if own is not None:
        ready.append(Answering(YOURS, own))
    return ready


def preparing() -> dict[str, DefaultModel]:
    """The shared networks not ready yet (being loaded, trained, or failed)."""
    return {which: shared for which, shared in shared_models().items()
            if not shared.status().ready}


def waiting_panel(what: str, what_to_do: str, waiting: str, retry_key: str,
                  model: DefaultModel | None = None) -> None:
    """A shared model's progress, redrawn every second until it is ready or failed.

    ``what`` names the model for this page; ``what_to_do`` follows a failure; ``waiting`` is the
    note while it is prepared; ``retry_key`` keys the "Try again now" button. ``model``: the
    walk-through's network unless another is given.
    """
    model = model if model is not None else default_model.walk_through()
    failed = model.status().failed
    st.fragment(_waiting_panel, run_every=None if failed else 1.0)(what, what_to_do, waiting,
                                                                   retry_key, model)


def _waiting_panel(what: str, what_to_do: str, waiting: str, retry_key: str,
                   model: DefaultModel) -> None:
    """The page redraws itself once the model is ready; a failure offers a retry instead."""
    status = model.status()
    if status.ready:
        st.rerun()  # the whole page, now with the model
    if status.failed:
        later = (f" It tries again by itself in about {status.retry_in_s:.0f} s."
                 if status.retry_in_s is not None else "")
        report_failure(f"{what} could not be prepared.", what_to_do + later, status.message)
        if st.button("Try again now", key=retry_key, icon=":material/refresh:"):
            model.retry_now()
            st.rerun()
        return
    st.info(waiting, icon=":material/hourglass_top:")
    st.progress(status.fraction, text=status.message)
