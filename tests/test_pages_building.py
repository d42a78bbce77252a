"""Page tests for Neurons and layers, Why nonlinearity and Recognizing patterns, via the router."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    ROOT,
    answer_task,
    chart_keys,
    open_page,
    open_with_link,
    show_me,
    task_keys,
    try_it,
    visible_controls,
)
from PIL import Image

from explainer.concepts.lessons import lines, relu_chain, templates
from explainer.content import journey
from explainer.data.mnist import load_sample


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [i.value for i in at.info] + [w.value for w in at.warning])


def answer(at, page: str, task: str, choice: str) -> str:
    """Pick ``choice`` in a check-yourself task; the verdict the page then shows in its box."""
    said = answer_task(at, f"check_{Path(page).stem}_{task}", choice)
    verdicts = said.get("success", []) + said.get("warning", [])
    assert len(verdicts) == 1, said
    return verdicts[0]


def done_count(at) -> str:
    return next(c.value for c in at.caption if "Check yourself:" in c.value)


BUILDING = ("pages/neurons.py", "pages/nonlinearity.py", "pages/patterns.py")


@pytest.mark.parametrize("page", BUILDING)
def test_a_building_page_opens_with_its_idea_few_controls_and_more_behind_go_deeper(page):
    at = open_page(page)
    assert not at.exception
    assert at.markdown[0].value.startswith(f"**{journey.find(page).summary}**")
    controls = visible_controls(at)
    assert 1 <= len(controls) <= 6, controls
    assert any(e.label.startswith("Go deeper") for e in at.expander)
    tasks = len(task_keys(at))
    assert 2 <= tasks <= 3
    assert f"Check yourself: 0 of {tasks} done" in done_count(at)


# ---- Neurons and layers ------------------------------------------------------------------------

NEURONS = "pages/neurons.py"


def test_neurons_shows_the_worked_example():
    at = open_page(NEURONS)
    assert not at.exception
    assert "1 × 0.612 + 1 × 0.215" in at.code[0].value
    assert "= 0.612 + 0.215 = 0.827" in at.code[0].value
    assert at.code[0].value.endswith("output       = 0.827 (no activation)")
    assert metric(at, "Numbers to learn in the 784-512-10 network") == "407,050"
    assert "*inspired by* the brain's neurons" in texts(at)
    intro = at.markdown[0].value
    assert intro.index("inspired by") < intro.index("on or off")  # the brain cell's on/off
    assert "is called **deep**" in texts(at)
    assert "neurons_deep_chart" in chart_keys(at)  # "deep" is drawn: two hidden layers
    deep = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if c.proto.id.endswith("neurons_deep_chart"))
    names = [a["text"] for a in deep["layout"]["annotations"]]
    assert sum(n.startswith("<b>hidden") for n in names) == 2


def test_neurons_edits_weights_bias_and_activation():
    at = open_page(NEURONS)
    at.number_input(key="weight1").set_value(0.5).run()
    assert "1 × 0.5 + 1 × 0.215" in at.code[0].value
    assert "= 0.5 + 0.215 = 0.715" in at.code[0].value
    at.radio(key="activation").set_value("ReLU").run()
    at.number_input(key="bias").set_value(-1.0).run()
    assert "max(0, -0.285) = 0" in at.code[0].value
    assert "above 1, its threshold" in texts(at) and "stays at 0" in texts(at)
    at.number_input(key="input1").set_value(2.0).run()  # 2 x 0.5 + 0.215 = 1.215 > 1
    assert "max(0, 0.215) = 0.215" in at.code[0].value
    assert "fires: 0.215" in texts(at)
    at.radio(key="activation").set_value("sigmoid").run()
    assert at.code[0].value.endswith(f"= {1 / (1 + np.exp(-0.215)):.4g}")
    assert not at.exception


def test_neurons_other_cells_live_under_go_deeper_and_reset():
    at = open_page(NEURONS)
    assert "**What the layer passes on:** 0.827, 0.525, -0.577" in texts(at)
    at.number_input(key="neurons_w2_1").set_value(1.0).run()  # cell 3: 0.333 + 1 - 0.2
    assert "**What the layer passes on:** 0.827, 0.525, 1.133" in texts(at)
    at.number_input(key="weight1").set_value(1.0).run()
    at.button(key="neurons_reset").click().run()
    assert "1 × 0.612 + 1 × 0.215" in at.code[0].value
    assert "**What the layer passes on:** 0.827, 0.525, -0.577" in texts(at)


def test_neurons_extreme_values_give_a_page_not_an_exception():
    at = open_page(NEURONS)
    for key, value in [("input1", 10.0), ("input2", -10.0), ("weight1", 10.0),
                       ("weight2", 10.0), ("bias", -10.0)]:
        at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert "= 100 + -100 = 0" in at.code[0].value
    at.radio(key="activation").set_value("sigmoid").run()
    assert at.code[0].value.endswith(f"= {1 / (1 + np.exp(10.0)):.4g}")
    assert len(at.get("plotly_chart")) == 5


def test_neurons_parameter_table_names_the_output_layer_and_follows_the_sizes():
    at = open_page(NEURONS)
    table = at.table[0].value
    assert list(table["total"]) == ["401,920", "5,130", "407,050"]
    assert list(table.index) == ["Hidden layer (784 → 512)",
                                 "Output layer: one cell per digit (512 → 10)", "All layers"]
    at.number_input(key="neurons_hidden").set_value(2048).run()
    assert metric(at, "Numbers to learn in the 784-2048-10") == f"{784 * 2048 + 2048 + 20490:,}"
    at.checkbox(key="neurons_second").check().run()
    at.number_input(key="neurons_hidden2").set_value(1).run()
    total = 784 * 2048 + 2048 + 2048 + 1 + 10 + 10
    assert metric(at, "Numbers to learn in the 784-2048-1-10") == f"{total:,}"
    assert len(at.table[0].value) == 4  # three layers and the total
    assert not at.exception


def test_neurons_shows_a_real_digit_from_the_sample():
    at = open_page(NEURONS)
    at.selectbox(key="neurons_digit").set_value(7).run()
    at.number_input(key="neurons_digit_index").set_value(5).run()
    sample = load_sample()
    image = sample.x_train[np.flatnonzero(sample.y_train == 7)[5]]
    assert f"This 7: {int((image > 0).sum())} of the 784 cells hold some ink" in texts(at)


def test_neurons_tasks_judge_the_guess_and_follow_the_settings():
    at = open_page(NEURONS)
    verdict = answer(at, NEURONS, "threshold", "-0.173")
    assert verdict.startswith("Not quite: the answer is **0**")
    assert "0 of 3 done" in done_count(at)
    try_it(at, "check_neurons_threshold")  # the worked example, ReLU, bias -1
    assert at.radio(key="activation").value == "ReLU" and at.number_input(key="bias").value == -1
    assert "max(0, -0.173) = 0" in at.code[0].value
    # adding 1 to input 1 with ReLU and bias -1: which cells change? computed by hand
    weights = np.array([[0.612, 0.215], [-0.48, 0.905], [0.333, -0.71]])
    biases = np.array([-1.0, 0.1, -0.2])

    def layer(x1):
        return np.maximum(0, weights @ np.array([x1, 1.0]) + biases)

    changed = int(np.sum(layer(2.0) != layer(1.0)))
    assert answer(at, NEURONS, "layer", str(changed)).startswith("Right.")
    try_it(at, "check_neurons_layer")
    assert at.number_input(key="input1").value == 2.0
    assert answer(at, NEURONS, "double", "About double").startswith("Right.")
    try_it(at, "check_neurons_double")
    assert metric(at, "Numbers to learn in the 784-1024-10") == f"{784 * 1024 + 1024 + 10250:,}"
    assert "2 of 3 done" in done_count(at)


def test_neurons_settings_come_back_from_a_link_and_a_bad_value_is_named():
    at = open_with_link(NEURONS, {"input1": "2", "weight1": "0.5", "bias": "-1",
                                  "activation": "ReLU", "weight2": "lots", "input2": "99"})
    assert not at.exception
    assert at.number_input(key="input1").value == 2.0
    assert at.number_input(key="weight1").value == 0.5
    assert at.radio(key="activation").value == "ReLU"
    assert at.number_input(key="weight2").value == 0.215  # unusable: the default
    assert at.number_input(key="input2").value == 1.0  # out of range: the default
    assert "max(0, 0.215) = 0.215" in at.code[0].value
    note = " ".join(i.value for i in at.info)
    assert "input 2, weight 2 could not be used here" in note


# ---- Why nonlinearity --------------------------------------------------------------------------

NONLIN = "pages/nonlinearity.py"


def test_nonlinearity_steps_move_the_line_to_the_best_one():
    at = open_page(NONLIN)
    assert not at.exception
    at.slider(key="nonlin_steps").set_value(200).run()
    x, y = lines.line_points(noise=0.4)
    assert metric(at, "The learned line") == lines.line_equation(*lines.fit_line(x, y))
    at.slider(key="nonlin_steps").set_value(0).run()
    assert metric(at, "The learned line") == "y = 0.000 x + 0.000"
    words = texts(at).lower()
    assert "gradient" not in words and "mean squared error" not in words  # not met yet
    assert "step by step closer to the dots" in words


def test_nonlinearity_stacked_layers_collapse_and_bend_with_relu():
    at = open_page(NONLIN)
    assert "weight (1.5) × (-0.8) = -1.200" in texts(at)
    at.radio(key="nonlin_depth").set_value(3).run()
    assert "weight (1.5) × (-0.8) × (1.2) = -1.440" in texts(at)
    at.checkbox(key="nonlin_relu_between").check().run()
    assert "bends" in texts(at)
    assert not at.exception


def test_nonlinearity_the_fit_panel_is_filled_before_any_click():
    at = open_page(NONLIN)
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    animation = next(spec for spec in charts.values() if spec.get("frames"))
    x, y = lines.target_curve("sine wave")
    fit = relu_chain.fit_relu_chain(x, y, 3)
    assert len(animation["frames"]) == len(fit.snapshots) + 1  # your chain, then the fit
    titles = " ".join(frame["layout"]["title"]["text"] for frame in animation["frames"])
    assert "a new bend placed" in titles and "small steps" in titles
    assert "gradient" not in titles and "least squares" not in titles  # met on later pages
    assert f"It ends at an error of {fit.error:.4f}." in texts(at)


def test_nonlinearity_fit_for_me_fills_the_sliders():
    at = open_page(NONLIN)
    before = float(metric(at, "Error of your chain"))
    at.slider(key="units").set_value(8).run()
    at.button(key="nonlin_fit_button").click().run()
    assert not at.exception
    after = float(metric(at, "Error of your chain"))
    assert after < 0.01 < before
    x, y = lines.target_curve("sine wave")
    fit = relu_chain.fit_relu_chain(x, y, 8)
    assert after == pytest.approx(fit.error, abs=1e-4)
    assert at.slider(key="nonlin_w7").value == pytest.approx(fit.chain.weights[7])
    assert "the sliders now hold the result" in texts(at)


def test_nonlinearity_odd_settings_give_messages():
    at = open_page(NONLIN)
    notes = len(at.info)
    at.slider(key="units").set_value(0).run()
    assert len(at.info) == notes + 1 and not at.exception  # one note on the flat chain
    at.button(key="nonlin_fit_button").click().run()
    assert not at.exception
    at.slider(key="units").set_value(2).run()
    for key, value in [("nonlin_w0", 5.0), ("nonlin_b0", 15.0), ("nonlin_v0", 5.0),
                       ("nonlin_v1", -5.0), ("nonlin_c", 5.0)]:
        at.slider(key=key).set_value(value).run()
    assert not at.exception
    assert "shoots far away" in texts(at)
    at.radio(key="target").set_value("step").run()
    assert not at.exception


def test_nonlinearity_tasks_follow_the_page_and_its_settings():
    at = open_page(NONLIN)
    x, y = lines.target_curve("|x|")
    abs_errors = relu_chain.errors_by_units(x, y)
    assert abs_errors[2] < 1e-3 < abs_errors[1]  # two ramps make |x|
    verdict = answer(at, NONLIN, "abs", "1")
    assert verdict.startswith("Not quite: the answer is **2**")
    assert answer(at, NONLIN, "relu", "A line with a bend").startswith("Right.")
    try_it(at, "check_nonlinearity_relu")
    assert at.checkbox(key="nonlin_relu_between").value
    x_dots, y_dots = lines.line_points(noise=0.4)
    w, b = lines.fit_line(x_dots, y_dots)
    assert lines.mse(w * x_dots + b, y_dots) > 0.01  # noisy dots: no line hits them all
    assert answer(at, NONLIN, "noise", "No").startswith("Right.")
    try_it(at, "check_nonlinearity_noise")
    assert at.slider(key="nonlin_steps").value == 200
    assert "2 of 3 done" in done_count(at)


def test_nonlinearity_units_chart_waits_for_the_abs_guess_on_abs():
    at = open_page(NONLIN)
    assert "nonlin_units_chart" in chart_keys(at)  # the sine wave's chart does not tell
    at.radio(key="target").set_value("|x|").run()
    assert "nonlin_units_chart" not in chart_keys(at)
    show_me(at, "check_nonlinearity_abs")
    assert "nonlin_units_chart" in chart_keys(at)


def test_nonlinearity_settings_come_back_from_a_link():
    at = open_with_link(NONLIN, {"target": "|x|", "units": "5"})
    assert not at.exception
    assert at.radio(key="target").value == "|x|" and at.slider(key="units").value == 5
    assert "With 5 units it reaches" not in texts(at)  # on |x| it would answer the task
    show_me(at, "check_nonlinearity_abs")
    assert "With 5 units it reaches" in texts(at)
    at = open_with_link(NONLIN, {"target": "spiral", "units": "40"})
    assert at.radio(key="target").value == "sine wave" and at.slider(key="units").value == 3
    assert "the target, the number of units could not be used here" in " ".join(
        i.value for i in at.info)


# ---- Recognizing patterns ----------------------------------------------------------------------

PATTERNS = "pages/patterns.py"


def _png_data_url(rgba: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _drawing(rgba: np.ndarray) -> dict:
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": _png_data_url(rgba)},
            "backgroundFit": None}


def _stroke() -> np.ndarray:
    """A black vertical stroke on the canvas' white paper, as the page's canvas draws it."""
    rgba = np.full((280, 280, 4), 255, np.uint8)
    rgba[40:240, 130:150, :3] = 0
    return rgba


def test_patterns_scores_a_sample_digit():
    at = open_page(PATTERNS)
    assert not at.exception
    sample = load_sample()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 1)[1]]
    expected = templates.score(digit, templates.vertical_line())
    assert metric(at, "Score") == f"{expected:.1f}"
    said = show_me(at, "check_patterns_top")
    assert said["info"][0].startswith("The answer: **1**")
    assert "ranks **1s** and **7s** highest and **0s** lowest" in texts(at)
    assert "0 of 2 done" in done_count(at)  # shown, not answered: not counted
    at.selectbox(key="digit").set_value(0).run()
    at.selectbox(key="template").set_value("loop").run()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 0)[1]]
    assert metric(at, "Score") == f"{templates.score(digit, templates.loop()):.1f}"
    assert "ranks **0s**" in texts(at)


def test_patterns_low_value_changes_the_score():
    at = open_page(PATTERNS)
    at.slider(key="patterns_low").set_value(0.0).run()
    sample = load_sample()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 1)[1]]
    assert metric(at, "Score") == f"{templates.score(digit, templates.vertical_line(0.0)):.1f}"


def test_patterns_drawing_empty_then_a_stroke():
    at = open_page(PATTERNS)
    at.radio(key="patterns_source").set_value("draw one").run()
    assert not at.exception
    assert "The canvas is empty" in texts(at)
    assert not any(m.label.startswith("Score") for m in at.metric)
    at.session_state["patterns_canvas"] = _drawing(_stroke())
    at.run()
    assert not at.exception
    assert metric(at, "Score") == "40.0"  # 20 rows x 2 columns of full ink on the line


def test_patterns_own_template_painted_on_a_canvas():
    at = open_page(PATTERNS)
    at.selectbox(key="template").set_value("your own").run()
    assert "Paint your template" in texts(at)
    assert not at.exception
    at.session_state["patterns_paint_canvas"] = _drawing(_stroke())
    at.run()
    sample = load_sample()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 1)[1]]
    painted = templates.from_painting(templates.drawing_to_digit(_stroke()))
    assert painted[10, 13] == 1.0 and painted[10, 0] == templates.LOW  # the stroke is the pattern
    assert metric(at, "Score") == f"{templates.score(digit, painted):.1f}"
    assert not at.exception


def test_patterns_tasks_follow_the_template_and_the_off_pattern_value():
    at = open_page(PATTERNS)
    sample = load_sample()
    assert "patterns_rank_chart" not in chart_keys(at)  # the ranking waits for the guess
    assert "ranks **" not in texts(at)
    verdict = answer(at, PATTERNS, "top", "0")  # the vertical line likes 1s best
    assert verdict.startswith("Not quite: the answer is **1**")
    assert "patterns_rank_chart" in chart_keys(at) and "ranks **1s**" in texts(at)
    at.selectbox(key="template").set_value("loop").run()
    means = templates.class_mean_scores(sample.x_train, sample.y_train, templates.loop())
    assert answer(at, PATTERNS, "top", str(int(np.argmax(means)))).startswith("Right.")
    digit = sample.x_train[np.flatnonzero(sample.y_train == 1)[1]]
    now = templates.score(digit, templates.loop())
    free = templates.score(digit, templates.loop(low=0.0))
    assert free > now  # ink off the pattern costs nothing at 0
    assert answer(at, PATTERNS, "off_value", "It goes up").startswith("Right.")
    try_it(at, "check_patterns_off_value")
    assert at.slider(key="patterns_low").value == 0.0
    assert metric(at, "Score") == f"{free:.1f}"
    assert "2 of 2 done" in done_count(at)


def test_patterns_settings_come_back_from_a_link():
    at = open_with_link(PATTERNS, {"digit": "7", "template": "horizontal line"})
    assert not at.exception
    assert at.selectbox(key="digit").value == 7
    assert at.selectbox(key="template").value == "horizontal line"
    sample = load_sample()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 7)[1]]
    assert metric(at, "Score") == f"{templates.score(digit, templates.horizontal_line()):.1f}"
    at = open_with_link(PATTERNS, {"digit": "12", "template": "star"})
    assert at.selectbox(key="digit").value == 1 and not at.exception
    assert "the digit, the template could not be used here" in " ".join(i.value for i in at.info)


# ---- no TensorFlow on concept pages -----------------------------------------------------------

def test_building_pages_do_not_import_tensorflow():
    script = (
        "import sys; sys.path[:0] = ['.', 'tests']\n"
        "from helpers import open_page\n"
        "for page in ('pages/neurons.py', 'pages/nonlinearity.py', 'pages/patterns.py'):\n"
        "    at = open_page(page)\n"
        "    assert not at.exception, page\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False False"
