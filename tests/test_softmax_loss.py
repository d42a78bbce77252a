"""Softmax, one-hot, the two losses and the cost, on hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explainer.concepts.nn import softmax_loss as sl


def test_softmax_of_known_scores():
    p = sl.softmax([1.0, 2.0, 3.0])
    e = [math.exp(1), math.exp(2), math.exp(3)]
    assert p == pytest.approx([v / sum(e) for v in e], rel=1e-12)
    assert sl.softmax(np.zeros(10)) == pytest.approx(np.full(10, 0.1))


@pytest.mark.parametrize("scale", [1.0, 1000.0, -1000.0, 1e5])
def test_softmax_sums_to_one_and_stays_finite_for_huge_scores(scale):
    scores = scale * np.linspace(-1, 1, 10)
    p = sl.softmax(scores)
    assert np.all(np.isfinite(p))
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.argmax(p) == np.argmax(scores)
    assert np.all(p >= 0)


def test_softmax_of_plus_minus_1000_and_the_naive_formula_overflows():
    scores = np.array([1000.0, -1000.0, 999.0] + [0.0] * 7)
    p = sl.softmax(scores)
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    assert p[0] == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-12)
    assert p[1] == 0.0
    assert np.isnan(sl.naive_softmax(scores)).any()  # exp(1000) = inf, inf / inf = NaN
    assert sl.naive_softmax([1.0, 2.0]) == pytest.approx(sl.softmax([1.0, 2.0]))


def test_softmax_works_row_by_row():
    scores = np.array([[0.0, 0.0], [0.0, math.log(3.0)]])
    assert sl.softmax(scores) == pytest.approx(np.array([[0.5, 0.5], [0.25, 0.75]]))


def test_one_hot_and_bad_labels():
    assert sl.one_hot(3).tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert sl.one_hot([0, 2], 3).tolist() == [[1, 0, 0], [0, 0, 1]]
    with pytest.raises(ValueError):
        sl.one_hot(10)


def test_squared_error_by_hand():
    p = np.array([0.1, 0.7, 0.2])
    y = sl.one_hot(1, 3)
    # (0.1 - 0)^2 + (0.7 - 1)^2 + (0.2 - 0)^2 = 0.01 + 0.09 + 0.04
    assert sl.squared_error_terms(p, y) == pytest.approx([0.01, 0.09, 0.04])
    assert sl.squared_error(p, y) == pytest.approx(0.14)
    assert sl.squared_error(y, y) == 0.0


def test_cross_entropy_by_hand_and_clipped_at_zero():
    p = np.array([0.1, 0.7, 0.2])
    assert sl.cross_entropy(p, sl.one_hot(1, 3)) == pytest.approx(-math.log(0.7))
    assert sl.cross_entropy(p, sl.one_hot(0, 3)) == pytest.approx(math.log(10))
    zero = sl.cross_entropy(np.array([1.0, 0.0]), sl.one_hot(1, 2))
    assert zero == pytest.approx(-math.log(1e-7))  # Keras' clip: finite, about 16.1
    scores = np.array([2.0, -1.0, 0.5])
    assert sl.cross_entropy_from_scores(scores, sl.one_hot(2, 3)) == pytest.approx(
        sl.cross_entropy(sl.softmax(scores), sl.one_hot(2, 3)))
    perfect = sl.cross_entropy_from_scores(np.array([1000.0, 0.0]), sl.one_hot(0, 2))
    assert perfect == 0.0 and not np.signbit(perfect)  # shown as 0.0000, never -0.0000
    huge = sl.cross_entropy_from_scores(np.array([1000.0, 0.0]), sl.one_hot(1, 2))
    assert huge == pytest.approx(1000.0)  # exact, where the probability rounds to 0


def test_both_losses_fall_as_the_right_cell_gets_more_probability():
    p = np.linspace(0.05, 1.0, 40)
    squared, ce = sl.losses_vs_correct_probability(p)
    assert np.all(np.diff(squared) < 0) and np.all(np.diff(ce) < 0)
    assert squared[-1] == pytest.approx(0.0) and ce[-1] == pytest.approx(0.0)
    # uniform guess: p = 0.1 everywhere -> squared error 0.81 + 9 * 0.01 = 0.9, CE log 10
    s, c = sl.losses_vs_correct_probability(np.array([0.1]))
    assert s[0] == pytest.approx(0.9) and c[0] == pytest.approx(math.log(10))
    direct = sl.squared_error(np.full(10, 0.1), sl.one_hot(4))
    assert s[0] == pytest.approx(direct)


def test_cost_is_the_mean_of_a_batch():
    scores = np.array([[3.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 5.0, 0.0]])
    result = sl.batch_losses(scores, [0, 2, 0])
    assert result["predicted"].tolist() == [0, 0, 1]
    assert result["p_correct"][1] == pytest.approx(1 / 3)
    assert result["cross_entropy"][1] == pytest.approx(math.log(3))
    assert sl.cost(result["cross_entropy"]) == pytest.approx(np.mean(result["cross_entropy"]))
    assert sl.cost([1.0, 2.0, 6.0]) == 3.0
    with pytest.raises(ValueError):
        sl.cost([])
