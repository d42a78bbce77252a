"""Page tests for Neurons and layers, Why nonlinearity and Recognizing patterns, via the router."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT, open_page
from PIL import Image

from explainer.concepts import curves, templates
from explainer.data.mnist import load_sample


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [i.value for i in at.info] + [w.value for w in at.warning])


# ---- Neurons and layers ------------------------------------------------------------------------

def test_neurons_shows_the_worked_example():
    at = open_page("pages/neurons.py")
    assert not at.exception
    assert "1 × 0.612 + 1 × 0.215" in at.code[0].value
    assert "= 0.612 + 0.215 = 0.827" in at.code[0].value
    assert metric(at, "output of cell 1") == "0.827"
    assert metric(at, "Parameters of the 784-512-10 network") == "407,050"


def test_neurons_edits_weights_bias_and_activation():
    at = open_page("pages/neurons.py")
    at.number_input(key="neurons_w0_0").set_value(0.5).run()
    assert "1 × 0.5 + 1 × 0.215" in at.code[0].value
    assert metric(at, "weighted sum") == "0.715"
    at.radio(key="neurons_activation").set_value("ReLU").run()
    at.number_input(key="neurons_b0").set_value(-1.0).run()
    assert metric(at, "threshold") == "1"
    assert metric(at, "output of cell 1") == "0"
    assert "stays at 0" in texts(at)
    at.number_input(key="neurons_x0").set_value(2.0).run()  # 2 x 0.5 + 0.215 = 1.215 > 1
    assert metric(at, "output of cell 1") == "0.215"
    assert "fires" in texts(at)
    at.radio(key="neurons_activation").set_value("sigmoid").run()
    assert metric(at, "output of cell 1") == f"{1 / (1 + np.exp(-0.215)):.4g}"
    assert not at.exception


def test_neurons_keeps_each_cells_weights_and_resets():
    at = open_page("pages/neurons.py")
    at.number_input(key="neurons_w0_1").set_value(1.0).run()
    at.radio(key="neurons_cell").set_value(2).run()
    assert "1 × 0.333 + 1 × -0.71" in at.code[0].value
    at.radio(key="neurons_cell").set_value(0).run()
    assert "1 × 0.612 + 1 × 1" in at.code[0].value  # cell 1's edit survived the visit
    at.button(key="neurons_reset").click().run()
    assert "1 × 0.612 + 1 × 0.215" in at.code[0].value


def test_neurons_extreme_values_give_a_page_not_an_exception():
    at = open_page("pages/neurons.py")
    for key, value in [("neurons_x0", 10.0), ("neurons_x1", -10.0), ("neurons_w0_0", 10.0),
                       ("neurons_w0_1", 10.0), ("neurons_b0", -10.0)]:
        at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert metric(at, "weighted sum") == "0"
    at.radio(key="neurons_activation").set_value("sigmoid").run()
    assert metric(at, "output of cell 1") == f"{1 / (1 + np.exp(10.0)):.4g}"
    assert len(at.get("plotly_chart")) >= 4


def test_neurons_parameter_table_follows_the_sizes():
    at = open_page("pages/neurons.py")
    table = at.table[0].value
    assert list(table["total"]) == ["401,920", "5,130", "407,050"]
    at.number_input(key="neurons_hidden").set_value(2048).run()
    assert metric(at, "Parameters of the 784-2048-10") == f"{784 * 2048 + 2048 + 20490:,}"
    at.checkbox(key="neurons_second").check().run()
    at.number_input(key="neurons_hidden2").set_value(1).run()
    total = 784 * 2048 + 2048 + 2048 + 1 + 10 + 10
    assert metric(at, "Parameters of the 784-2048-1-10") == f"{total:,}"
    assert len(at.table[0].value) == 4  # three layers and the total
    assert not at.exception


def test_neurons_shows_a_real_digit_from_the_sample():
    at = open_page("pages/neurons.py")
    at.selectbox(key="neurons_digit").set_value(7).run()
    at.number_input(key="neurons_digit_index").set_value(5).run()
    sample = load_sample()
    image = sample.x_train[np.flatnonzero(sample.y_train == 7)[5]]
    assert f"{int((image > 0).sum())} of the 784 cells hold some ink" in texts(at)
    assert metric(at, "input cells") == "784"


# ---- Why nonlinearity --------------------------------------------------------------------------

def test_nonlinearity_gradient_steps_reach_the_best_line():
    at = open_page("pages/nonlinearity.py")
    assert not at.exception
    at.slider(key="nonlin_steps").set_value(200).run()
    x, y = curves.line_points(noise=0.4)
    assert metric(at, "The learned line") == curves.line_equation(*curves.fit_line(x, y))
    at.slider(key="nonlin_steps").set_value(0).run()
    assert metric(at, "The learned line") == "y = 0.000 x + 0.000"


def test_nonlinearity_stacked_layers_collapse_and_bend_with_relu():
    at = open_page("pages/nonlinearity.py")
    at.radio(key="nonlin_depth").set_value(3).run()
    assert "weight (1.5) × (-0.8) × (1.2) = -1.440" in texts(at)
    at.checkbox(key="nonlin_relu_between").check().run()
    assert "bends" in texts(at)
    assert not at.exception


def test_nonlinearity_fit_for_me_fills_the_sliders():
    at = open_page("pages/nonlinearity.py")
    before = float(metric(at, "Mean squared error of your chain"))
    at.slider(key="nonlin_units").set_value(8).run()
    at.button(key="nonlin_fit_button").click().run()
    assert not at.exception
    after = float(metric(at, "Mean squared error of your chain"))
    assert after < 0.01 < before
    x, y = curves.target_curve("sine wave")
    assert after == pytest.approx(curves.fit_relu_chain(x, y, 8).error, abs=1e-4)
    assert at.slider(key="nonlin_w7").value == pytest.approx(
        curves.fit_relu_chain(x, y, 8).chain.weights[7])
    assert "Final mean squared error" in texts(at)


def test_nonlinearity_odd_settings_give_messages():
    at = open_page("pages/nonlinearity.py")
    at.slider(key="nonlin_units").set_value(0).run()
    assert "With no units the chain is only its output bias" in texts(at)
    at.button(key="nonlin_fit_button").click().run()
    assert not at.exception
    at.slider(key="nonlin_units").set_value(2).run()
    for key, value in [("nonlin_w0", 5.0), ("nonlin_b0", 15.0), ("nonlin_v0", 5.0),
                       ("nonlin_v1", -5.0), ("nonlin_c", 5.0)]:
        at.slider(key=key).set_value(value).run()
    assert not at.exception
    assert "shoots far away" in texts(at)
    at.radio(key="nonlin_target").set_value("step").run()
    at.pills(key="nonlin_gallery").set_value([]).run()
    assert "Pick at least one activation" in texts(at)
    assert not at.exception


# ---- Recognizing patterns ----------------------------------------------------------------------

def _png_data_url(rgba: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _drawing(rgba: np.ndarray) -> dict:
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": _png_data_url(rgba)},
            "backgroundFit": None}


def _stroke() -> np.ndarray:
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[40:240, 130:150, :3] = 255
    return rgba


def test_patterns_scores_a_sample_digit():
    at = open_page("pages/patterns.py")
    assert not at.exception
    sample = load_sample()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 1)[1]]
    expected = templates.score(digit, templates.vertical_line())
    assert metric(at, "Score") == f"{expected:.1f}"
    assert "ranks **1s** and **7s** highest and **0s** lowest" in texts(at)
    at.selectbox(key="patterns_class").set_value(0).run()
    at.radio(key="patterns_template").set_value("loop").run()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 0)[1]]
    assert metric(at, "Score") == f"{templates.score(digit, templates.loop()):.1f}"
    assert "ranks **0s**" in texts(at)


def test_patterns_low_value_changes_the_score():
    at = open_page("pages/patterns.py")
    at.slider(key="patterns_low").set_value(0.0).run()
    sample = load_sample()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 1)[1]]
    assert metric(at, "Score") == f"{templates.score(digit, templates.vertical_line(0.0)):.1f}"


def test_patterns_drawing_empty_then_a_stroke():
    at = open_page("pages/patterns.py")
    at.radio(key="patterns_source").set_value("draw one").run()
    assert not at.exception
    assert "The canvas is empty" in texts(at)
    assert not any(m.label.startswith("Score") for m in at.metric)
    at.session_state["patterns_canvas"] = _drawing(_stroke())
    at.run()
    assert not at.exception
    assert metric(at, "Score") == "40.0"  # 20 rows x 2 columns of full ink on the line


def test_patterns_own_template_painted_on_a_canvas():
    at = open_page("pages/patterns.py")
    at.radio(key="patterns_template").set_value("your own").run()
    assert "Paint your template" in texts(at)
    assert not at.exception
    at.session_state["patterns_paint_canvas"] = _drawing(_stroke())
    at.run()
    sample = load_sample()
    digit = sample.x_train[np.flatnonzero(sample.y_train == 1)[1]]
    painted = templates.from_painting(templates.drawing_to_digit(_stroke()))
    assert metric(at, "Score") == f"{templates.score(digit, painted):.1f}"
    assert not at.exception


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
