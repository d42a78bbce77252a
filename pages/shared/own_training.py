"""The visitor's own training: started on the Train page, found again after a reload, handed over.

A training belongs to the browser: every tab of it (a reload is a new session) finds it through
the backend, shows its progress and may stop it. When it ends, the tab that looked at it last
moves its model into its own session. Only page scripts write the session's state, never the
training's threads.
"""

from __future__ import annotations

import streamlit as st

from explainer.training import session_files
from explainer.training.pool import Training, shared_backend
from explainer.training.trained import TrainingOutcome
from pages.shared import visitor

ss = st.session_state
TRAINING = "train_training"  # this session's Training (running or finished)
OUTCOME = "train_outcome"  # the TrainingOutcome whose results the Train page shows
MODEL = "session_model"  # this session's trained model (a TrainedModel)
USE_ON_DRAW = "own_model_on_draw"  # True once the visitor chose their model to answer on Draw


def current(reattach: bool = True) -> Training | None:
    """This session's training, also one its browser started in another tab; marked as seen."""
    training = ss.get(TRAINING)
    who = visitor.current()
    if training is None and reattach and who.browser:
        training = shared_backend().find(who.browser)
        if training is not None:
            ss[TRAINING] = training
            # this tab uses the browser's model folder too: it stays while this tab lives
            session_files.folder_for(who.browser, who.session, who.session_exists or (lambda: True))
    if training is not None:
        training.touch(who.session, who.session_exists)
    return training


def take_finished(reattach: bool = False) -> TrainingOutcome | None:
    """Once this session's training has ended: its outcome, moved into the session (once).

    Only the tab that looked at the training last takes it; the model's ``.keras`` file becomes
    the session's only one.
    """
    training = current(reattach)
    if training is None or training.running or not training.claim(visitor.session_id()):
        return None
    outcome = training.outcome
    if outcome.model is not None:
        ss[OUTCOME] = outcome
        ss[MODEL] = outcome.model
        if outcome.model.keras_path is not None:
            session_files.keep_only(outcome.model.keras_path)
    return outcome
