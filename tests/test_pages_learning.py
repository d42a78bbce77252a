"""The Learning pages driven through their widgets, checked against numbers computed here."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from helpers import (
    answer_task,
    chart_keys,
    open_page,
    open_with_link,
    task_keys,
    task_says,
    try_it,
    visible_controls,
)

from explainer.concepts.lessons import descent as d
from explainer.concepts.lessons import nudging
from explainer.concepts.nn import gradient_check, network
from explainer.content import journey

LEARNING = ["pages/output_loss.py", "pages/nudging.py", "pages/backprop.py",
            "pages/optimizers.py"]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def number(text: str) -> float:
    return float(text.replace(",", "").split()[0])


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def page_text(at) -> str:
    return " ".join(texts(kind) for kind in (at.markdown, at.caption, at.info, at.success,
                                             at.warning, at.error))


def answer(at, key: str, option: str):
    at.radio(key=key).set_value(option).run()
    assert not at.exception
    return at


def right_answer(at, key: str) -> str:
    """Try each option of a task until the page says it is right; checks the wrong ones too."""
    def count(elements, start: str) -> int:
        return sum(e.value.startswith(start) for e in elements)

    answer(at, key, None)  # unanswered first: only this task's verdict changes below
    rights, wrongs = count(at.success, "Right."), count(at.warning, "Not quite")
    for option in at.radio(key=key).options:
        answer(at, key, option)
        if count(at.success, "Right.") > rights:
            return option
        assert count(at.warning, "Not quite") > wrongs, option
    raise AssertionError(f"no option of {key} is accepted as right")


# --- Every Learning page ------------------------------------------------------------------------

@pytest.mark.parametrize("page", LEARNING)
def test_each_page_states_its_idea_and_keeps_its_controls_few(page):
    at = open_page(page, timeout=60)
    assert not at.exception
    assert at.markdown[0].value.startswith("**The idea:**")
    assert len(visible_controls(at)) <= 6, visible_controls(at)
    assert any(e.label.startswith("Go deeper") for e in at.expander)


@pytest.mark.parametrize("page", LEARNING)
def test_each_task_explains_a_wrong_answer_and_counts_a_right_one(page):
    at = open_page(page, timeout=60)
    keys = task_keys(at)
    assert 2 <= len(keys) <= 3
    assert f"0 of {len(keys)} done" in texts(at.caption)
    for done, key in enumerate(keys, start=1):
        right_answer(at, key)
        assert f"{done} of {len(keys)} done" in texts(at.caption)


def test_the_optimizers_come_right_after_backpropagation():
    pages = [stop.page for stop in journey.stops()]
    assert pages.index("pages/optimizers.py") == pages.index("pages/backprop.py") + 1


# --- Output and loss ---------------------------------------------------------------------------

def shown_scores(at) -> list[float]:
    correct = at.selectbox(key="label").value
    return [at.slider(key="score").value if i == correct else
            at.slider(key=f"output_score_{i}").value for i in range(10)]


def test_output_loss_defines_its_words_before_using_them():
    at = open_page("pages/output_loss.py")
    intro = at.markdown[1].value
    for word in ("forward pass", "label", "training set", "test set"):
        assert f"**{word}**" in intro
    assert "MNIST's test set" not in page_text(at)


def test_output_loss_softmax_and_losses_match_hand_computation():
    at = open_page("pages/output_loss.py")
    assert not at.exception
    scores = shown_scores(at)
    exps = [math.exp(s) for s in scores]
    p3 = exps[3] / sum(exps)
    shown = metrics(at)
    assert number(shown["Probability of the correct digit"]) == pytest.approx(p3, abs=1e-4)
    assert number(shown["Cross-entropy"]) == pytest.approx(-math.log(p3), abs=1e-4)
    squared = sum((e / sum(exps) - (i == 3)) ** 2 for i, e in enumerate(exps))
    assert number(shown["Squared error"]) == pytest.approx(squared, abs=1e-4)

    # a lower score for the right digit: lower probability, both losses rise
    at.slider(key="score").set_value(-5.0).run()
    worse = metrics(at)
    assert number(worse["Cross-entropy"]) > number(shown["Cross-entropy"])
    assert number(worse["Squared error"]) > number(shown["Squared error"])
    at.selectbox(key="label").set_value(8).run()
    assert "1 in cell 8" in texts(at.markdown)


def test_output_loss_add_five_is_predicted_then_tried():
    at = open_page("pages/output_loss.py")
    key = "check_output_loss_add_five"
    assert "button" in task_says(at, key) and "success" not in task_says(at, key)
    said = answer_task(at, key, "All rise")
    assert said["warning"][0].startswith("Not quite: the answer is **They stay the same**")
    assert right_answer(at, key) == "They stay the same"
    before = shown_scores(at)
    p_before = number(metrics(at)["Probability of the correct digit"])
    try_it(at, key)  # adds 5 to every score
    assert shown_scores(at) == pytest.approx([v + 5 for v in before])
    assert number(metrics(at)["Probability of the correct digit"]) == p_before
    try_it(at, key)  # the highest score would leave the sliders: it takes 5 away instead
    assert shown_scores(at) == pytest.approx(before)


def test_output_loss_the_loss_chart_waits_for_the_guess():
    at = open_page("pages/output_loss.py")
    key = "check_output_loss_confident_wrong"
    assert "output_loss_chart" not in chart_keys(at)
    said = answer_task(at, key, "Squared error")
    assert "output_loss_chart" in chart_keys(at)
    assert f"{-math.log(0.01):.2f}" in said["warning"][0]  # cross-entropy at p = 0.01: 4.61
    assert right_answer(at, key) == "Cross-entropy"


def test_output_loss_batch_task_says_the_cost_is_a_mean():
    at = open_page("pages/output_loss.py")
    key = "check_output_loss_batch_mean"
    at.radio(key="output_network").set_value("Random weights").run()
    assert right_answer(at, key) == "It stays about the same"
    try_it(at, key)
    assert at.slider(key="output_batch").value == 32
    cost = number(metrics(at)["Cost (mean cross-entropy)"])
    assert cost == pytest.approx(at.dataframe[0].value["cross-entropy"].mean(), abs=1e-3)


def test_output_loss_huge_scores_stay_finite_and_explain_the_overflow():
    at = open_page("pages/output_loss.py")
    at.select_slider(key="output_scale").set_value(1000).run()
    assert not at.exception
    assert "overflows to infinity" in texts(at.info)
    shown = metrics(at)
    # scores 3000 vs 1500 next: softmax gives the right digit all of it
    assert shown["Probability of the correct digit"] == "1.0000"
    assert shown["Cross-entropy"] == "0.0000"
    # a confidently wrong answer: probability underflows to 0, the loss stays finite
    at.selectbox(key="label").set_value(7).run()
    at.slider(key="score").set_value(-2.0).run()
    assert not at.exception
    shown = metrics(at)
    assert number(shown["Cross-entropy"]) == pytest.approx(5000.0)  # 3000 - (-2000)
    assert "almost certainly wrong" in texts(at.warning)


def test_output_loss_digit_through_random_network_and_batch_cost():
    at = open_page("pages/output_loss.py")
    at.radio(key="source").set_value("A real digit, random weights").run()
    assert not at.exception
    assert "A 3 from the test set" in at.get("plotly_chart")[0].proto.spec
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
    assert page_text(at).count("6,000") <= 1  # the sample size is said once


def test_output_loss_reopened_from_its_link_and_a_bad_link():
    at = open_with_link("pages/output_loss.py", {"source": "Scores I set", "label": "6",
                                                 "score": "7.5"})
    assert at.selectbox(key="label").value == 6
    assert at.slider(key="score").value == 7.5
    at = open_with_link("pages/output_loss.py", {"source": "A real digit, random weights",
                                                 "label": "2"})
    assert at.radio(key="source").value == "A real digit, random weights"
    assert "A 2 from the test set" in at.get("plotly_chart")[0].proto.spec
    at = open_with_link("pages/output_loss.py", {"label": "12", "score": "lots"})
    assert at.selectbox(key="label").value == 3 and at.slider(key="score").value == 3.0
    assert "could not be used" in texts(at.info)


# --- Nudging a weight --------------------------------------------------------------------------

def test_nudging_the_walk_through_example():
    at = open_page("pages/nudging.py")
    assert not at.exception
    shown = metrics(at)
    assert number(shown["l1: cost at 3.50"]) == pytest.approx(float(nudging.cost(3.5)), abs=1e-4)
    assert number(shown["l2: cost at 1.50"]) == pytest.approx(float(nudging.cost(1.5)), abs=1e-4)
    assert "Move w1 **down**" in texts(at.success)
    # the task asks about the other side of the bottom, where the page shows nothing yet
    other = nudging.nudge(0.0, 1.0)
    assert other.loss_up < other.loss_here < other.loss_down
    assert right_answer(at, "check_nudging_other_side") == "l1: raise w1"
    try_it(at, "check_nudging_other_side")
    assert at.slider(key="w1").value == 0.0
    assert "Move w1 **up**" in texts(at.success)
    assert right_answer(at, "check_nudging_other_side") == "l2: lower w1"  # now from 3.5


def test_nudging_ends_with_the_rate_of_change_and_descent_not_the_optimizers():
    at = open_page("pages/nudging.py")
    text = page_text(at)
    assert "instantaneous rate of change" in text
    assert text.index("instantaneous rate of change") < text.index("gradient descent")
    for name in ("Momentum", "RMSprop", "Adam"):
        assert name not in text
    kinds = {trace.get("type") for chart in at.get("plotly_chart")
             for trace in json.loads(chart.proto.spec)["data"]}
    assert "contour" not in kinds and "scatter" in kinds


def test_nudging_h_shrinks_towards_the_rate_of_change_and_zero_h_is_explained():
    at = open_page("pages/nudging.py")
    at.select_slider(key="h").set_value(1e-5).run()
    shown = metrics(at)
    exact = number(shown["Instantaneous rate of change at w1"])
    h = 1e-6  # an independent reference: the cost's own centred difference at another h
    reference = (nudging.cost(2.5 + h) - nudging.cost(2.5 - h)) / (2 * h)
    assert exact == pytest.approx(reference, rel=1e-3)
    assert number(shown["Rate of change with this nudge"]) == pytest.approx(exact, rel=1e-3)
    for label in ("Instantaneous rate of change at w1", "Rate of change with this nudge"):
        digits = shown[label].replace("-", "").replace(".", "").lstrip("0")
        assert len(digits) <= 4, shown[label]  # 4 significant digits, not 10 decimals
    at.select_slider(key="h").set_value(0.0).run()
    assert not at.exception
    assert "0 / 0" in texts(at.warning)
    assert "Rate of change with this nudge" not in metrics(at)
    at.select_slider(key="h").set_value(1e-16).run()
    assert not at.exception
    assert "rounding error" in texts(at.warning)


def test_nudging_tiny_h_is_predicted_then_tried():
    at = open_page("pages/nudging.py")
    assert right_answer(at, "check_nudging_tiny_h") == "Further off"
    try_it(at, "check_nudging_tiny_h")
    assert at.select_slider(key="h").value == 1e-12
    assert "rounding error" in texts(at.warning)


def test_nudging_gradient_descent_steps_presets_and_divergence():
    at = open_page("pages/nudging.py")
    assert right_answer(at, "check_nudging_double_rate") == "oscillate"  # 0.2 -> 0.4
    at.button(key="nudging_one").click().run()
    expected = 2.5 - 0.2 * 2 * np.mean((np.logaddexp(0, 2.5 * nudging.X) - nudging.T)
                                       * (1 / (1 + np.exp(-2.5 * nudging.X))) * nudging.X)
    assert number(metrics(at)["After 1 steps: w1"]) == pytest.approx(expected, abs=1e-3)
    at.button(key="nudging_ten").click().run()
    at.button(key="nudging_ten").click().run()
    assert "Converged" in texts(at.success)
    at.button(key="nudging_preset_diverge").click().run()
    assert at.select_slider(key="rate").value == d.LEARNING_RATES["diverge"]
    assert "After 0 steps: w1" in metrics(at)  # a new rate starts a new run
    assert right_answer(at, "check_nudging_double_rate") == "diverge"  # 0.7 -> 2
    try_it(at, "check_nudging_double_rate")
    assert at.select_slider(key="rate").value == 2.0
    at.button(key="nudging_preset_diverge").click().run()
    for _ in range(3):
        at.button(key="nudging_ten").click().run()
    assert not at.exception
    assert "Diverged after" in texts(at.error)
    at.select_slider(key="rate").set_value(1e6).run()
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


def test_nudging_reopened_from_its_link():
    at = open_with_link("pages/nudging.py", {"w1": "3.2", "nudge": "0.5", "h": "0.001",
                                             "rate": "0.5"})
    assert at.slider(key="w1").value == pytest.approx(3.2)
    assert at.slider(key="nudge").value == pytest.approx(0.5)
    assert at.select_slider(key="h").value == pytest.approx(0.001)
    assert at.select_slider(key="rate").value == 0.5
    assert number(metrics(at)["l1: cost at 3.70"]) == pytest.approx(float(nudging.cost(3.7)),
                                                                      abs=1e-4)
    at = open_with_link("pages/nudging.py", {"w1": "99", "rate": "0.123"})
    assert at.slider(key="w1").value == 2.5 and at.select_slider(key="rate").value == 0.2
    assert "could not be used" in texts(at.info)


# --- Backpropagation ---------------------------------------------------------------------------

def hand_forward(params, x, label):
    """ReLU hidden layer, softmax output, cross-entropy: written out independently."""
    w1, b1, w2, b2 = params
    h = np.maximum(0.0, x @ w1 + b1)
    with np.errstate(over="ignore", invalid="ignore"):  # a huge learning rate: huge sums
        z = h @ w2 + b2
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    return -np.log(p[label]), p


def test_backprop_hidden_cells_are_relu_by_default():
    at = open_page("pages/backprop.py")
    assert at.selectbox(key="act").value == "relu"
    assert at.session_state["backprop_config"][0] == "relu"
    params = at.session_state["backprop_params"]
    hidden = np.array([0.5, -1.0]) @ params[0] + params[1]
    assert (hidden < 0).any()  # the example has a cell that is off: the tasks lean on it


def test_backprop_page_shows_the_forward_pass_and_agreeing_gradients():
    at = open_page("pages/backprop.py")
    assert not at.exception
    params = at.session_state["backprop_params"]
    loss, p = hand_forward(params, np.array([0.5, -1.0]), 1)
    shown = metrics(at)
    assert number(shown["Loss (cross-entropy)"]) == pytest.approx(loss, abs=1e-5)
    assert number(shown["Probability of o2, correct"]) == pytest.approx(p[1], abs=1e-4)
    assert "all 17 gradients" in texts(at.success)
    assert "407,050" in texts(at.success) and "814,100" in texts(at.success)
    assert len(at.dataframe[0].value) == 17


def test_backprop_input_zero_task_and_the_walk_backward():
    at = open_page("pages/backprop.py")
    key = "check_backprop_input_zero"
    assert right_answer(at, key) == "The weights leaving x1"
    try_it(at, key)
    assert at.slider(key="x1").value == 0.0
    params = at.session_state["backprop_params"]
    net = network.init_network((2, 3, 2), "relu").with_parameters(params)
    # an independent reference
    nudged = gradient_check.nudge_gradients(net, np.array([[0.0, -1.0]]), [1])
    names = network.parameter_names(net)
    leaving_x1 = [k for k, n in enumerate(names) if n.startswith("w x1→")]
    assert np.allclose(nudged[leaving_x1], 0.0, atol=1e-9)
    assert not np.allclose(nudged, 0.0)
    for stage, phrase in [(1, "p − y"), (3, "∂L/∂a ="), (4, "Slope of relu")]:
        at.select_slider(key="backprop_stage").set_value(stage).run()
        assert phrase in texts(at.markdown)


def test_backprop_relu_off_task_is_asked_before_the_walk_shows_it():
    at = open_page("pages/backprop.py")
    key = "check_backprop_relu_off"
    assert "slope 0" not in texts(at.markdown)  # the forward pass: nothing answers it yet
    assert right_answer(at, key) == "None"
    at.select_slider(key="backprop_stage").set_value(4).run()
    assert "slope 0" in texts(at.markdown)


def test_backprop_training_lowers_the_loss_resets_and_keeps_a_bounded_history():
    at = open_page("pages/backprop.py")
    before = number(metrics(at)["Loss (cross-entropy)"])
    assert right_answer(at, "check_backprop_one_step") == "Down"
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
    for _ in range(5):
        at.button(key="backprop_step_100").click().run()
    assert metrics(at)["Steps taken"] == "610"
    history = at.session_state["backprop_history"]
    assert len(history) == 610 and len(history.losses) <= history.limit  # thinned, not cut
    at.selectbox(key="act").set_value("sigmoid").run()
    assert metrics(at)["Steps taken"] == "0"  # new network, new start
    at.button(key="backprop_reset").click().run()
    assert not at.exception


def loss_after_one_step_by_hand(at, rate: float) -> tuple[float, float]:
    """The loss now and after one plain gradient step, by nudging and the hand-written pass."""
    params = at.session_state["backprop_params"]
    net = network.init_network((2, 3, 2), "relu").with_parameters(params)
    x, label = np.array([[0.5, -1.0]]), 1
    slopes = gradient_check.nudge_gradients(net, x, [label])
    flat = gradient_check.flatten(params) - rate * slopes
    sizes = [p.size for p in params]
    stepped = [a.reshape(p.shape) for a, p in zip(np.split(flat, np.cumsum(sizes)[:-1]), params)]
    return hand_forward(params, x[0], label)[0], hand_forward(stepped, x[0], label)[0]


def test_backprop_huge_learning_rate_gives_a_clear_message():
    at = open_page("pages/backprop.py")
    for rate in (0.5, 1e4):
        at.select_slider(key="backprop_rate_Gradient descent").set_value(rate).run()
        now, after = loss_after_one_step_by_hand(at, rate)
        expected = "Down" if after < now else "Up"
        assert right_answer(at, "check_backprop_one_step") == expected
    at.select_slider(key="backprop_rate_Gradient descent").set_value(1e8).run()
    at.button(key="backprop_step_10").click().run()
    at.button(key="backprop_step_10").click().run()
    assert not at.exception
    assert "far too large" in texts(at.warning) + texts(at.error)
    at.selectbox(key="loss").set_value("squared_error").run()
    assert not at.exception
    assert "Loss (squared error)" in metrics(at)


def test_backprop_ends_with_millions_of_weights_on_a_gpu():
    at = open_page("pages/backprop.py")
    text = texts(at.markdown)
    assert f"{128 * 784 * 512:,}" == "51,380,224" and "51,380,224" in text
    assert "128 × 784 by 784 × 512" in text and "GPU" in text
    before_chain = page_text(at).split("∂")[0]
    assert "blame" in before_chain  # words before the chain rule's symbols


def test_backprop_measures_backprop_against_nudges():
    at = open_page("pages/backprop.py")
    at.select_slider(key="backprop_time_count").set_value(50).run()
    at.slider(key="backprop_time_batch").set_value(8).run()
    at.button(key="backprop_time_go").click().run()
    assert not at.exception
    timing = at.session_state["backprop_timing"]
    assert timing.n_nudged == 50 and timing.batch == 8
    assert timing.overall_relative_difference < 1e-6
    assert "Nudging all (extrapolated)" in metrics(at)


def test_backprop_reopened_from_its_link():
    params = {"act": "tanh", "loss": "Squared error", "seed": "5", "x1": "1.5", "x2": "0.3",
              "out": "o1"}
    at = open_with_link("pages/backprop.py", params)
    assert at.selectbox(key="act").value == "tanh"
    assert at.selectbox(key="loss").value == "squared_error"
    assert at.number_input(key="seed").value == 5
    assert at.slider(key="x1").value == 1.5 and at.slider(key="x2").value == pytest.approx(0.3)
    assert at.radio(key="out").value == "o1"
    assert "Loss (squared error)" in metrics(at) and "Probability of o1, correct" in metrics(at)
    at = open_with_link("pages/backprop.py", {"act": "softsign", "seed": "-4"})
    assert at.selectbox(key="act").value == "relu"
    assert "could not be used" in texts(at.info)


# --- Optimizers --------------------------------------------------------------------------------

def test_optimizers_race_names_rmsprop_and_a_diverging_optimizer():
    at = open_page("pages/optimizers.py")
    pace = next(m.value for m in at.markdown if m.value.startswith("**Why RMSprop"))
    assert "0.05" in pace and "90 steps" in pace  # 4.5 to go at 0.05 a step
    at.selectbox(key="surface").set_value("Banana valley").run()
    at.slider(key="steps").set_value(300).run()
    assert not at.exception
    assert "diverged" not in texts(at.warning)
    assert right_answer(at, "check_optimizers_too_large") == "It stays on the landscape"
    at.selectbox(key="surface").set_value("Long narrow valley").run()
    assert right_answer(at, "check_optimizers_too_large") == "It runs away (diverges)"
    try_it(at, "check_optimizers_too_large")  # 0.18 -> 0.3: steeper than 2 / 10 allows
    assert at.select_slider(key="optimizers_rate_Long narrow valley_Gradient descent"
                            ).value == 0.3
    assert "Gradient descent diverged" in texts(at.warning)


def test_optimizers_tasks_follow_the_landscape():
    at = open_page("pages/optimizers.py")
    for name, steps, raised in [("Long narrow valley", 60, 0.2), ("Banana valley", 200, 0.15)]:
        at.selectbox(key="surface").set_value(name).run()
        at.slider(key="steps").set_value(steps).run()
        other = next(d.SURFACES[n] for n in d.SURFACES if n != name)
        final = {opt: d.descend_2d(other, opt, rate, steps)
                 for opt, rate in other.learning_rates.items()}
        best = min((p for p in final.values() if not p.diverged), key=lambda p: p.costs[-1])
        assert right_answer(at, "check_optimizers_other_landscape") == best.optimizer
        surface = d.SURFACES[name]
        now = d.descend_2d(surface, "RMSprop", surface.learning_rates["RMSprop"], steps)
        faster = d.descend_2d(surface, "RMSprop", raised, steps)  # the next rate, about x 4
        expected = "Lower than now" if faster.costs[-1] < now.costs[-1] else "Higher than now"
        assert right_answer(at, "check_optimizers_rmsprop") == expected
    try_it(at, "check_optimizers_other_landscape")
    assert at.selectbox(key="surface").value != "Banana valley"


def test_optimizers_reopened_from_its_link():
    at = open_with_link("pages/optimizers.py", {"surface": "Banana valley", "steps": "150"})
    assert at.selectbox(key="surface").value == "Banana valley"
    assert at.slider(key="steps").value == 150
    at = open_with_link("pages/optimizers.py", {"surface": "Moon", "steps": "100000"})
    assert at.slider(key="steps").value == 60
    assert "could not be used" in texts(at.info)
