"""Lines, stacked linear layers and chains of ReLU units, on known values."""

import numpy as np
import pytest

from explainer.concepts.lessons import lines, relu_chain


def test_least_squares_line_recovers_a_noiseless_line():
    x = np.linspace(-3, 3, 20)
    assert lines.fit_line(x, 0.8 * x + 0.5) == pytest.approx((0.8, 0.5))
    assert lines.fit_line(np.ones(5), np.arange(5.0)) == (0.0, 2.0)  # no spread in x: the mean


def test_gradient_steps_walk_down_to_the_least_squares_line():
    x, y = lines.line_points(noise=0.4)
    history = lines.line_descent(x, y, steps=300)
    errors = [e for _, _, e in history]
    assert all(b <= a + 1e-12 for a, b in zip(errors, errors[1:]))
    w, b, _ = history[-1]
    assert (w, b) == pytest.approx(lines.fit_line(x, y), abs=1e-4)
    assert lines.line_equation(0.8, -0.5) == "y = 0.800 x − 0.500"


def test_stacked_linear_layers_equal_one_linear_map():
    rng = np.random.default_rng(1)
    layers = [(rng.normal(size=(4, 3)), rng.normal(size=4)),
              (rng.normal(size=(5, 4)), rng.normal(size=5)),
              (rng.normal(size=(2, 5)), rng.normal(size=2))]
    weight, bias = lines.compose_linear(layers)
    assert weight.shape == (2, 3)
    for _ in range(5):
        x = rng.normal(size=3)
        h = x
        for w, b in layers:
            h = w @ h + b
        assert h == pytest.approx(weight @ x + bias)


def test_scalar_stack_is_the_product_of_the_weights():
    layers = [(1.5, 0.5), (-0.8, 1.0), (1.2, -0.3)]
    weight, bias = lines.compose_linear(layers)
    assert weight[0, 0] == pytest.approx(1.5 * -0.8 * 1.2)
    assert bias[0] == pytest.approx(1.2 * (-0.8 * 0.5 + 1.0) - 0.3)
    x = np.linspace(-3, 3, 7)
    assert lines.apply_stack(layers, x) == pytest.approx(weight[0, 0] * x + bias[0])
    bent = lines.apply_stack(layers, x, relu_between=True)
    assert not np.allclose(bent, weight[0, 0] * x + bias[0])  # a ReLU between: no longer a line


def test_relu_chain_adds_its_pieces():
    chain = relu_chain.ReluChain([1.0, -2.0], [1.0, 0.5], [2.0, 0.5], out_bias=-1.0)
    x = np.array([-3.0, -1.0, 0.0, 0.25, 2.0])
    expected = -1.0 + 2.0 * np.maximum(0, x + 1.0) + 0.5 * np.maximum(0, -2.0 * x + 0.5)
    assert chain(x) == pytest.approx(expected)
    assert chain.pieces(x).shape == (2, 5)
    assert chain.hinges() == pytest.approx([-1.0, 0.25])
    with pytest.raises(ValueError):
        relu_chain.ReluChain([1.0], [1.0, 2.0], [1.0])


def test_chain_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    x, y = lines.target_curve("bump", n=40)
    chain = relu_chain.ReluChain(rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), 0.3)
    _, (d_w, d_b, d_v, d_c) = relu_chain.chain_gradients(chain, x, y)
    analytic = np.concatenate([d_w, d_b, d_v, [d_c]])
    theta = np.concatenate([chain.weights, chain.biases, chain.out_weights, [chain.out_bias]])

    def loss(t):
        return lines.mse(relu_chain.ReluChain(t[:4], t[4:8], t[8:12], t[12])(x), y)

    eps = 1e-6
    nudged = [(loss(theta + eps * e) - loss(theta - eps * e)) / (2 * eps)
              for e in np.eye(theta.size)]
    assert analytic == pytest.approx(nudged, rel=1e-4, abs=1e-7)


def test_fit_on_a_sine_with_8_units_gets_below_0_01():
    x, y = lines.target_curve("sine wave")
    fit = relu_chain.fit_relu_chain(x, y, 8)
    assert fit.chain.units == 8
    assert fit.error < 0.01
    assert fit.error == pytest.approx(lines.mse(fit.chain(x), y))
    # the fit stays within the sliders' ranges, so the sliders can hold it
    assert np.abs(fit.chain.weights).max() <= relu_chain.CHAIN_LIMITS["weight"]
    assert np.abs(fit.chain.out_weights).max() <= relu_chain.CHAIN_LIMITS["out_weight"]


def test_error_falls_as_units_are_added():
    x, y = lines.target_curve("sine wave")
    errors = relu_chain.errors_by_units(x, y, max_units=8)
    assert len(errors) == 9
    assert errors[0] == pytest.approx(np.var(y))  # no units: the mean
    assert all(b <= a + 1e-12 for a, b in zip(errors, errors[1:]))
    assert errors[8] < errors[3] / 3 < errors[1] / 10


def test_fit_is_deterministic_and_keeps_the_readers_chain_as_first_frame():
    x, y = lines.target_curve("step")
    start = relu_chain.ReluChain([1.0, 1.0], [0.0, -1.0], [0.5, -0.5], 0.0)
    first = relu_chain.fit_relu_chain(x, y, 2, start=start)
    second = relu_chain.fit_relu_chain(x, y, 2, start=start)
    assert first.error == second.error
    assert first.snapshots[0][0] == "your chain"
    assert first.snapshots[0][2] == pytest.approx(lines.mse(start(x), y))
    assert first.snapshots[-1][2] >= first.error - 1e-12


def test_zero_units_give_a_flat_line_at_the_mean():
    x, y = lines.target_curve("|x|")
    fit = relu_chain.fit_relu_chain(x, y, 0)
    assert fit.chain.units == 0
    assert fit.chain(x) == pytest.approx(np.full_like(x, y.mean()))
    assert relu_chain.fit_relu_chain(x, y, 99).chain.units == relu_chain.MAX_UNITS  # clipped to 12


def test_absolute_value_needs_exactly_two_units():
    x, y = lines.target_curve("|x|")
    errors = relu_chain.errors_by_units(x, y, max_units=2)
    assert errors[1] > 0.1
    assert errors[2] < 1e-3
