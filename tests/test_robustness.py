"""How many digits a network still reads once they are changed: each change made to every digit
alike, the accuracy counted per change, and the change that hurts most."""

from __future__ import annotations

import numpy as np
import pytest

from explainer.concepts.inputs import distort
from explainer.concepts.models import robustness
from explainer.concepts.models.robustness import STRONGEST, UNCHANGED, Change
from explainer.data.mnist import load_sample


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def nearest_average(sample):
    """A small reader made without training: each digit scored by its overlap with the average
    training picture of each class (a template per class), as probabilities."""
    averages = np.stack([sample.x_train[sample.y_train == d].mean(axis=0) for d in range(10)])
    flat = averages.reshape(10, -1) / np.linalg.norm(averages.reshape(10, -1), axis=1)[:, None]

    def read_many(digits):
        scores = np.asarray(digits, dtype=float).reshape(len(digits), -1) @ flat.T
        scores -= scores.max(axis=1, keepdims=True)
        return np.exp(scores / 50) / np.exp(scores / 50).sum(axis=1, keepdims=True)

    return read_many


def test_a_change_is_distort_on_every_digit_and_none_leaves_them_be(sample):
    digits = sample.x_test[:12]
    assert np.array_equal(UNCHANGED.apply(digits), digits)
    for change in STRONGEST:
        made = change.apply(digits)
        assert made.shape == digits.shape and made.dtype == np.uint8
        for one, changed in zip(digits, made):
            assert np.array_equal(changed, distort.distort(one, **dict(change.settings)))
        assert not np.array_equal(made, digits)
    move = next(change for change in STRONGEST if change.id == "move")
    assert dict(move.settings) == {"right": distort.MAX_SHIFT}  # the augmented network's limits


def test_accuracy_counts_the_answers_that_match_the_labels():
    labels = np.array([3, 1, 4, 1, 5])
    sure = np.eye(10)[labels]
    assert robustness.accuracy(lambda digits: sure, np.zeros((5, 28, 28)), labels) == 1.0
    wrong_twice = sure.copy()
    wrong_twice[[0, 2]] = np.eye(10)[[9, 9]]
    assert robustness.accuracy(lambda digits: wrong_twice, np.zeros((5, 28, 28)),
                               labels) == pytest.approx(3 / 5)
    with pytest.raises(ValueError, match="no digits"):
        robustness.accuracy(lambda digits: sure, np.zeros((0, 28, 28)), labels[:0])


def test_the_change_that_hurts_most_leaves_the_unchanged_digits_out():
    scores = {"none": 0.2, "move": 0.5, "turn": 0.8, "shrink": 0.6, "pen": 0.9}
    assert robustness.hurts_most(scores) == "move"  # not "none", lower as it is


def test_a_template_reader_minds_a_move_more_than_a_fatter_pen(sample):
    """Real digits, a reader of one weighted sum per class: moved ink meets other weights."""
    read_many = nearest_average(sample)
    digits, labels = sample.x_test, sample.y_test
    changed = {UNCHANGED.id: digits, **{c.id: c.apply(digits) for c in STRONGEST}}
    scores = robustness.accuracy_per_change(read_many, changed, labels)
    assert set(scores) == {"none", "move", "turn", "shrink", "pen"}
    assert scores["none"] > 0.75  # templates read most of MNIST's own digits
    assert scores["move"] < scores["none"] - 0.15
    assert scores["move"] < scores["pen"]
    assert robustness.hurts_most(scores) in ("move", "shrink")
    # the robustness set changes every digit by all four at once: worse than unchanged
    robust = robustness.robustness_accuracy(read_many, digits, labels)
    assert robust < scores["none"] - 0.1
    assert robust == pytest.approx(robustness.accuracy(
        read_many, distort.robustness_set(digits).images, labels))


def test_a_change_names_itself():
    assert repr(Change("x", "X", (("right", 1.0),))) == "Change('x': {'right': 1.0})"
