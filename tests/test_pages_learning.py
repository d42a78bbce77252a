"""The Learning pages driven through their widgets, checked against numbers computed here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import open_page

from explainer.concepts import backprop as bp
from explainer.concepts import descent as d
from explainer.content import journey


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def number(text: str) -> float:
    return float(text.replace(",", "").split()[0])


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


# --- Output and loss ---------------------------------------------------------------------------

def test_output_loss_softmax_and_losses_match_hand_computation():
    at = open_page("pages/output_loss.py")
    assert not at.exception
    scores = [at.slider(key=f"output_score_{i}").value for i in range(10)]
    exps = [math.exp(s) for s in scores]
    p3 = exps[3] / sum(exps)
    shown = metrics(at)
    assert number(shown["Probability of the correct digit"]) == pytest.approx(p3, abs=1e-4)
    assert number(shown["Cross-entropy"]) == pytest.approx(-math.log(p3), abs=1e-4)
    squared = sum((e / sum(exps) - (i == 3)) ** 2 for i, e in enumerate(exps))
    assert number(shown["Squared error"]) == pytest.approx(squared, abs=1e-4)

    # a lower score for the right cell: lower probability, both losses rise
    at.slider(key="output_score_3").set_value(-5.0).run()
    worse = metrics(at)
    assert number(worse["Cross-entropy"]) > number(shown["Cross-entropy"])
    assert number(worse["Squared error"]) > number(shown["Squared error"])
    at.selectbox(key="output_correct").set_value(8).run()
    assert "one-hot row for 8" in texts(at.caption)


def test_output_loss_huge_scores_stay_finite_and_explain_the_overflow():
    at = open_page("pages/output_loss.py")
    at.select_slider(key="output_scale").set_value(1000).run()
    assert not at.exception
    assert "overflows to infinity" in texts(at.info)
    shown = metrics(at)
    # scores 3000 vs 1500 next: softmax gives the right cell all of it
    assert shown["Probability of the correct digit"] == "1.0000"
    assert shown["Cross-entropy"] == "0.0000"
    # a confidently wrong answer: probability underflows to 0, the loss stays finite
    at.selectbox(key="output_correct").set_value(7).run()
    assert not at.exception
    shown = metrics(at)
    assert number(shown["Cross-entropy"]) == pytest.approx(5000.0)  # 3000 - (-2000)
    assert "almost certainly wrong" in texts(at.warning)


def test_output_loss_digit_through_random_network_and_batch_cost():
    at = open_page("pages/output_loss.py")
    at.radio(key="output_source").set_value(
        "Send a digit through a network with random weights").run()
    assert not at.exception
    p = number(metrics(at)["Probability of the correct digit"])
    assert 0.01 < p < 0.5  # random weights: a guess near 1 in 10
    at.slider(key="output_batch").set_value(4).run()
    table = at.dataframe[0].value
    assert len(table) == 4
    random_cost = number(metrics(at)["Cost (mean cross-entropy)"])
    assert random_cost == pytest.approx(table["cross-entropy"].mean(), abs=1e-3)
    assert 1.5 < random_cost < 3.5  # close to log(10) = 2.30
    at.slider(key="output_batch").set_value(32).run()
    random_cost = number(metrics(at)["Cost (mean cross-entropy)"])
    at.radio(key="output_network").set_value("After 200 training steps").run()
    assert not at.exception
    trained = metrics(at)
    assert number(trained["Cost (mean cross-entropy)"]) < 0.5 * random_cost
    assert int(trained["Right answers"].split()[0]) >= 20


# --- Nudging a weight --------------------------------------------------------------------------

def test_nudging_the_walk_through_example():
    at = open_page("pages/nudging.py")
    assert not at.exception
    shown = metrics(at)
    assert number(shown["l1 = C(3.50), one forward pass"]) == pytest.approx(
        float(d.cost(3.5)), abs=1e-4)
    assert number(shown["l2 = C(1.50), another forward pass"]) == pytest.approx(
        float(d.cost(1.5)), abs=1e-4)
    assert "Move w1 **down**" in texts(at.success)
    at.slider(key="nudging_w").set_value(0.0).run()
    assert "Move w1 **up**" in texts(at.success)


def test_nudging_h_shrinks_towards_the_derivative_and_zero_h_is_explained():
    at = open_page("pages/nudging.py")
    at.select_slider(key="nudging_h").set_value(1e-5).run()
    shown = metrics(at)
    exact = number(shown["Exact derivative dC/dw (chain rule)"])
    h = 1e-6  # an independent reference: the cost's own centred difference at another h
    assert exact == pytest.approx((d.cost(2.5 + h) - d.cost(2.5 - h)) / (2 * h), rel=1e-7)
    assert number(shown["Nudge estimate"]) == pytest.approx(exact, abs=1e-8)
    at.select_slider(key="nudging_h").set_value(0.0).run()
    assert not at.exception
    assert "0 / 0" in texts(at.warning)
    assert "Nudge estimate" not in metrics(at)
    at.select_slider(key="nudging_h").set_value(1e-16).run()
    assert not at.exception
    assert "rounding error" in texts(at.warning)


def test_nudging_gradient_descent_steps_presets_and_divergence():
    at = open_page("pages/nudging.py")
    at.button(key="nudging_one").click().run()
    expected = 2.5 - 0.2 * 2 * np.mean((np.logaddexp(0, 2.5 * d.X) - d.T)
                                       * (1 / (1 + np.exp(-2.5 * d.X))) * d.X)
    assert number(metrics(at)["After 1 steps: w"]) == pytest.approx(expected, abs=1e-5)
    at.button(key="nudging_ten").click().run()
    at.button(key="nudging_ten").click().run()
    assert "Converged" in texts(at.success)
    at.button(key="nudging_preset_diverge").click().run()
    assert at.select_slider(key="nudging_lr").value == d.LEARNING_RATES["diverge"]
    assert "After 0 steps: w" in metrics(at)  # a new rate starts a new run
    for _ in range(3):
        at.button(key="nudging_ten").click().run()
    assert not at.exception
    assert "Diverged after" in texts(at.error)
    at.select_slider(key="nudging_lr").set_value(1e6).run()
    at.button(key="nudging_one").click().run()
    assert not at.exception
    assert "Diverged after 0 steps" in texts(at.error)
    at.button(key="nudging_preset_crawl").click().run()
    at.button(key="nudging_ten").click().run()
    assert "crawl" in texts(at.caption)


def test_nudging_play_advances_one_step_per_run_and_stops():
    at = open_page("pages/nudging.py")
    at.button(key="nudging_play").click().run()
    assert at.session_state["nudging_animate"]
    first = at.session_state["nudging_run"].steps
    at.run()
    assert at.session_state["nudging_run"].steps == first + 1
    at.button(key="nudging_play").click().run()
    assert not at.session_state["nudging_animate"]
    assert not at.exception
    # played to the end, the animation stops by itself once the run has converged
    at.button(key="nudging_play").click().run()
    for _ in range(30):
        if not at.session_state["nudging_animate"]:
            break
        at.run()
    assert not at.session_state["nudging_animate"]
    assert at.session_state["nudging_run"].status == "converged"
    assert "Converged" in texts(at.success)


def test_nudging_two_weights_and_a_diverging_optimizer():
    at = open_page("pages/nudging.py")
    at.selectbox(key="nudging_surface").set_value("Banana valley").run()
    at.slider(key="nudging_2d_steps").set_value(300).run()
    assert not at.exception
    assert not at.warning or "diverged" not in texts(at.warning)
    at.selectbox(key="nudging_surface").set_value("Long narrow valley").run()
    at.select_slider(key="nudging_rate_Long narrow valley_Gradient descent").set_value(1.0).run()
    assert not at.exception
    assert "Gradient descent diverged" in texts(at.warning)


def test_nudging_measures_backprop_against_nudges():
    at = open_page("pages/nudging.py")
    at.select_slider(key="nudging_time_count").set_value(50).run()
    at.slider(key="nudging_time_batch").set_value(8).run()
    at.button(key="nudging_time_go").click().run()
    assert not at.exception
    timing = at.session_state["nudging_timing"]
    assert timing.n_nudged == 50 and timing.batch == 8
    assert timing.overall_relative_difference < 1e-6
    shown = metrics(at)
    assert "Nudging all (extrapolated)" in shown
    assert "slower" in texts(at.caption) or timing.ratio > 1
    assert "407,050" in texts(at.markdown) and "814,100" in texts(at.markdown)


# --- Backpropagation ---------------------------------------------------------------------------

def hand_forward(params, x, label):
    """Sigmoid hidden layer, softmax output, cross-entropy: written out independently."""
    w1, b1, w2, b2 = params
    h = 1 / (1 + np.exp(-(x @ w1 + b1)))
    z = h @ w2 + b2
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    return -np.log(p[label]), p


def test_backprop_page_shows_the_forward_pass_and_agreeing_gradients():
    at = open_page("pages/backprop.py")
    assert not at.exception
    params = at.session_state["backprop_params"]
    loss, p = hand_forward(params, np.array([0.5, -1.0]), 1)
    shown = metrics(at)
    assert number(shown["Loss (cross-entropy)"]) == pytest.approx(loss, abs=1e-5)
    assert number(shown["p(o2), correct"]) == pytest.approx(p[1], abs=1e-4)
    assert "All 17 gradients" in texts(at.success)
    assert len(at.dataframe[0].value) == 17


def test_backprop_stages_name_the_weight_that_matters_most():
    at = open_page("pages/backprop.py")
    at.select_slider(key="backprop_stage").set_value(5).run()
    assert not at.exception
    params = at.session_state["backprop_params"]
    net = bp.init_network((2, 3, 2), "sigmoid").with_parameters(params)
    nudged = bp.nudge_gradients(net, np.array([[0.5, -1.0]]), [1])
    names = bp.parameter_names(net)
    weights = [k for k, n in enumerate(names) if n.startswith("w ")]
    top = max(weights, key=lambda k: abs(nudged[k]))
    assert f"**{names[top]}**" in texts(at.markdown)
    for stage, phrase in [(1, "p − y"), (3, "∂L/∂a ="), (4, "Slope of sigmoid")]:
        at.select_slider(key="backprop_stage").set_value(stage).run()
        assert phrase in texts(at.markdown)


def test_backprop_training_lowers_the_loss_and_resets():
    at = open_page("pages/backprop.py")
    before = number(metrics(at)["Loss (cross-entropy)"])
    at.button(key="backprop_step_10").click().run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Steps taken"] == "10"
    assert number(shown["Loss (cross-entropy)"]) < before
    assert len(at.session_state["backprop_history"]) == 10
    at.selectbox(key="backprop_optimizer_name").set_value("RMSprop").run()
    at.button(key="backprop_step_100").click().run()
    assert metrics(at)["Steps taken"] == "110"
    assert number(metrics(at)["Loss (cross-entropy)"]) < 0.05
    at.selectbox(key="backprop_activation").set_value("relu").run()
    assert metrics(at)["Steps taken"] == "0"  # new network, new start
    at.button(key="backprop_reset").click().run()
    assert not at.exception


def test_backprop_huge_learning_rate_gives_a_clear_message():
    at = open_page("pages/backprop.py")
    at.select_slider(key="backprop_rate_Gradient descent").set_value(1e8).run()
    at.button(key="backprop_step_100").click().run()
    assert not at.exception
    assert "far too large" in texts(at.warning) + texts(at.error)
    at.selectbox(key="backprop_loss").set_value("squared_error").run()
    assert not at.exception
    assert "Loss (squared error)" in metrics(at)


def test_backprop_links_to_mnist_only_when_that_page_exists():
    at = open_page("pages/backprop.py")
    links = [link.proto.page for link in at.get("page_link")]
    exists = journey.find("pages/train_mnist.py").exists
    assert any("train_mnist" in link for link in links) == exists
