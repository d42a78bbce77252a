"""The one-weight cost, nudges, derivatives, gradient descent and the optimizers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explainer.concepts.lessons import descent as d
from explainer.concepts.lessons import nudging
from explainer.concepts.nn import gradient_check, optimizers, parameters


def test_the_walk_through_nudge_says_lower_the_weight():
    n = nudging.nudge(2.5, 1.0)
    assert n.loss_up == pytest.approx(float(nudging.cost(3.5)))
    assert n.loss_down == pytest.approx(float(nudging.cost(1.5)))
    assert n.loss_down < n.loss_here < n.loss_up
    assert n.direction == -1
    assert nudging.best_weight() < 2.5
    # on the other side of the minimum the nudge points up
    assert nudging.nudge(-0.5, 0.5).direction == 1


def test_forward_pass_rows_add_up_to_the_cost():
    rows = nudging.forward_pass_rows(2.5)
    assert len(rows) == len(nudging.X)
    assert np.mean([r["(y - t)^2"] for r in rows]) == pytest.approx(float(nudging.cost(2.5)))
    assert rows[0]["output y"] == pytest.approx(math.log1p(math.exp(2.5 * nudging.X[0])))


def test_exact_derivatives_match_independent_nudges():
    for w in (-2.0, 0.3, 1.0, 2.5, 4.0):
        h = 1e-6
        assert nudging.cost_derivative(w) == pytest.approx(
            (nudging.cost(w + h) - nudging.cost(w - h)) / (2 * h), rel=1e-6)
        assert nudging.cost_second_derivative(w) == pytest.approx(
            (nudging.cost_derivative(w + h) - nudging.cost_derivative(w - h)) / (2 * h), rel=1e-5)
    assert nudging.cost_derivative(nudging.best_weight()) == pytest.approx(0.0, abs=1e-9)


def test_the_nudge_estimate_converges_to_the_derivative():
    rows = nudging.derivative_table(nudging.cost, nudging.cost_derivative, 2.5,
                                    [1.0, 0.1, 0.01, 1e-3])
    errors = [r["centred error"] for r in rows]
    # centred: error shrinks like h^2 (100x per decade); one-sided only like h (10x)
    for big, small in zip(errors, errors[1:]):
        assert 50 < big / small < 200
    one_sided = [r["one-sided error"] for r in rows]
    for big, small in zip(one_sided, one_sided[1:]):
        assert 5 < big / small < 20
    assert errors[-1] < 1e-7


def test_rounding_error_takes_over_for_tiny_nudges():
    steps = 10.0 ** -np.arange(0, 15)
    rows = nudging.derivative_table(nudging.cost, nudging.cost_derivative, 2.5, steps)
    best = nudging.best_step(rows)
    assert 1e-7 <= best <= 1e-3
    assert rows[-1]["centred error"] > 1000 * min(r["centred error"] for r in rows)
    with pytest.raises(ValueError):
        nudging.centred_difference(nudging.cost, 2.5, 0.0)


def quadratic(w):
    return 3.0 * (w - 1.0) ** 2 + 2.0


def quadratic_slope(w):
    return 6.0 * (w - 1.0)


def test_gradient_descent_converges_with_a_good_rate_on_a_convex_cost():
    run = d.descend_1d(5.0, 0.1, 200, quadratic, quadratic_slope)
    assert run.status == "converged"
    assert run.weights[-1] == pytest.approx(1.0, abs=1e-8)
    assert np.all(np.diff(run.costs) <= 0)


def test_gradient_descent_diverges_with_a_rate_too_high():
    # the step multiplies the distance to the minimum by 1 - 6 * lr: |1 - 6 * 0.4| = 1.4 > 1
    run = d.descend_1d(5.0, 0.4, 200, quadratic, quadratic_slope)
    assert run.status == "diverged"
    assert abs(run.weights[-1] - 1.0) > abs(run.weights[0] - 1.0)
    assert np.all(np.isfinite(run.costs))  # the run stops before numbers overflow
    assert d.describe_run(run, 1.0) == "diverge"


@pytest.mark.parametrize("name", list(d.LEARNING_RATES))
def test_the_named_learning_rates_do_what_their_names_say(name):
    run = d.descend_1d(nudging.START_W, d.LEARNING_RATES[name], 60)
    assert d.describe_run(run, nudging.best_weight()) == name


def test_a_huge_learning_rate_ends_as_diverged_without_overflow_warnings():
    with np.errstate(all="raise"):
        run = d.descend_1d(nudging.START_W, 1e6, 100)
    assert run.status == "diverged" and len(run.weights) >= 1


def test_first_steps_of_the_optimizers_by_hand():
    g = np.array([2.0, -0.5])
    w = np.array([1.0, 1.0])
    (sgd,) = optimizers.GradientDescent(0.1).step([w], [g])
    assert sgd == pytest.approx([0.8, 1.05])
    momentum = optimizers.Momentum(0.1)
    momentum.step([w], [g])
    (second,) = momentum.step([w], [g])  # velocity 0.9 * (-0.1 g) - 0.1 g = -0.19 g
    assert second == pytest.approx(w - 0.19 * g)
    # mean square 0.1 g^2: step lr * g / sqrt(0.1 g^2)
    (rms,) = optimizers.RMSprop(0.01).step([w], [g])
    assert rms == pytest.approx(w - 0.01 * g / np.sqrt(0.1 * g**2 + 1e-7))
    (adam,) = optimizers.Adam(0.01).step([w], [g])  # bias-corrected: first step is lr * sign(g)
    assert adam == pytest.approx(w - 0.01 * np.sign(g), rel=1e-6)
    assert w.tolist() == [1.0, 1.0]  # inputs untouched
    with pytest.raises(ValueError):
        optimizers.make_optimizer("nope", 0.1)


@pytest.mark.parametrize("surface", list(d.SURFACES))
def test_every_optimizer_goes_downhill_on_every_surface(surface):
    s = d.SURFACES[surface]
    for name, rate in s.learning_rates.items():
        path = d.descend_2d(s, name, rate, 150)
        assert not path.diverged
        assert path.costs[-1] < 0.2 * path.costs[0], (name, path.costs[-1])
        assert np.all(np.isfinite(path.points))


def test_momentum_beats_plain_descent_along_the_valley_and_big_rates_diverge():
    s = d.SURFACES["Long narrow valley"]
    plain = d.descend_2d(s, "Gradient descent", 0.18, 100)
    heavy = d.descend_2d(s, "Momentum", 0.05, 100)
    assert heavy.costs[-1] < plain.costs[-1]
    wild = d.descend_2d(s, "Gradient descent", 0.5, 500)
    assert wild.diverged and len(wild.points) < 500


def test_weight_counts():
    assert parameters.total_parameters([784, 512, 10]) == 407_050
    assert gradient_check.nudge_forward_passes([784, 512, 10]) == 814_100
    assert parameters.total_parameters([784, 32, 10]) == 25_450
