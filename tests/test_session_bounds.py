"""A session's state stays bounded however long a visitor plays.

The Backpropagation page keeps the loss of every training step for its chart: a visitor pressing
"100 steps" for an hour must not grow the server's memory. (The Draw page's dreams are kept by
the model that dreamed them; their bound is tested with that store.)
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from helpers import open_page

from explainer.concepts.lessons.loss_history import LossHistory


def test_500_trainings_of_every_length_keep_at_most_the_limit_of_points():
    rng = np.random.default_rng(3)
    history, every = LossHistory(limit=400), []
    for _ in range(500):
        losses = list(rng.random(int(rng.choice([1, 10, 100]))))
        history += losses
        every += losses
        assert len(history.losses) <= 400 and len(history.steps) == len(history.losses)
    assert len(history) == len(every) > 10_000  # every step counted
    # each kept point is a real step's loss; the first step and the last 200 are all kept
    assert history.losses == [every[step] for step in history.steps]
    assert history.steps[0] == 0
    assert history.steps[-200:] == list(range(len(every) - 200, len(every)))
    assert history.steps == sorted(set(history.steps))
    assert len(pickle.dumps(history)) < 8 * 1024  # 400 (step, loss) pairs at most
    history += list(rng.random(100_000))
    assert len(pickle.dumps(history)) < 8 * 1024 and len(history) == len(every) + 100_000


def test_a_short_training_keeps_every_step():
    history = LossHistory()
    history += [0.9, 0.5, 0.3]
    assert history.steps == [0, 1, 2] and history.losses == [0.9, 0.5, 0.3] and len(history) == 3
    with pytest.raises(ValueError):
        LossHistory(limit=2)


def state_size(at) -> int:
    """The bytes of the session's state, pickled as a server would have to keep it."""
    return len(pickle.dumps(at.session_state.to_dict()))


def test_backprop_page_state_stays_bounded_over_many_varied_actions():
    """150 actions (steps of 1, 10 and 100, other optimizers and rates, moved inputs, the step
    slider, Reset): the state after the last is no larger than a fixed bound."""
    at = open_page("pages/backprop.py")
    rng = np.random.default_rng(11)
    sizes = []
    for action in range(150):
        kind = rng.choice(["100", "100", "100", "10", "1", "optimizer", "input", "stage",
                           "reset"], p=[0.25, 0.2, 0.15, 0.1, 0.1, 0.06, 0.06, 0.06, 0.02])
        if kind in ("1", "10", "100"):
            at.button(key=f"backprop_step_{kind}").click()
        elif kind == "optimizer":
            at.selectbox(key="backprop_optimizer_name").set_value(
                str(rng.choice(["Gradient descent", "Momentum", "RMSprop", "Adam"])))
        elif kind == "input":
            at.slider(key="x1").set_value(round(float(rng.uniform(-2, 2)), 1))
        elif kind == "stage":
            at.select_slider(key="backprop_stage").set_value(int(rng.integers(0, 6)))
        else:
            at.button(key="backprop_reset").click()
        at.run()
        assert not at.exception, (action, kind, at.exception[0].value)
        history = at.session_state["backprop_history"]
        assert len(history.losses) <= history.limit
        sizes.append(state_size(at))
    steps = [m.value for m in at.metric if m.label == "Steps taken"]
    assert steps and int(steps[0]) == len(at.session_state["backprop_history"])
    assert max(sizes) < 64 * 1024, max(sizes)  # the 400 kept points and the network: ~20 KB


def test_many_distinct_bad_links_keep_the_noted_ones_few_and_small():
    """Each rerun with another 500 KB value of a link parameter: the note shows, and what the
    session keeps of the values it has explained stays a few short fingerprints."""
    from pages.shared import url_state

    at = open_page("pages/nudging.py")
    for n in range(120):
        at.query_params["w1"] = f"{n}-" + "x" * 500_000
        at.run()
        assert not at.exception
        assert any("could not be used" in info.value for info in at.info)
    noted = at.session_state[url_state.NOTED]
    assert len(noted) == url_state.NOTED_KEEP
    assert len(pickle.dumps(noted)) < 2_000
