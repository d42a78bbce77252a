"""The MNIST training page through the router: controls, refusals, and a short real training.

The page reads MNIST from MNIST_DIR; here it points at the shipped sample so training is quick.
"""

from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest
from draw_support import keras_trained_on_sample, sample_mnist_env, seed_default_cache
from helpers import ROOT, open_page

from explainer.data.mnist import SAMPLE_PATH, load_from
from explainer.training import default_model, experiment_runs
from pages.shared import own_training

PAGE = "pages/train_mnist.py"


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    """The shared default model ready from a cache seeded with the sample-trained network."""
    folder = tmp_path_factory.mktemp("model-cache")
    seed_default_cache(folder)
    return folder


@pytest.fixture()
def at(monkeypatch, model_cache):
    sample_mnist_env(monkeypatch, model_cache)
    monkeypatch.setattr(experiment_runs, "_RUNNER", None)  # a store in this cache folder
    status = default_model.walk_through().wait(120)
    assert status.ready, status.message
    yield open_page(PAGE, timeout=120)
    default_model.reset()


def table_with(at, column: str):
    """The one table on the page with this column."""
    tables = [frame.value for frame in at.dataframe if column in frame.value.columns]
    assert len(tables) == 1
    return tables[0]


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def array(value) -> np.ndarray:
    """A plotly JSON array: a list, or the typed {"dtype", "bdata", "shape"} form."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value)


def confusion_matrix_shown(at) -> np.ndarray:
    """The counts written on the confusion matrix's cells."""
    heatmaps = [trace for spec in chart_specs(at) for trace in spec["data"]
                if trace.get("type") == "heatmap" and "the network's answer" in json.dumps(
                    spec["layout"].get("xaxis", {}))]
    assert len(heatmaps) == 1
    return array(heatmaps[0]["text"]).reshape(10, 10)


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def code(at) -> str:
    return at.code[0].value


@pytest.mark.slow
def test_defaults_are_the_walkthrough_network_with_its_code_and_parameters(at):
    assert not at.exception
    shown = texts(at)
    assert "(this server: 6,000 training and 1,000 test digits" in code(at)
    assert "mnist.load_data()" in code(at) and "model.evaluate(x_test, y_test)" in code(at)
    assert "validation_data=(x_test, y_test)" in code(at)  # the test digits, every epoch
    assert 'layers.Dense(512, activation="relu", name="hidden_1")' in code(at)
    assert 'layers.Dense(10, activation="softmax", name="output")' in code(at)
    assert "RMSprop(learning_rate=0.001)" in code(at)
    assert "epochs=5, batch_size=128" in code(at) and "/ 255" in code(at)
    assert "The walk-through's network" in shown
    assert "**407,050 parameters**" in shown
    table = table_with(at, "total")
    assert table["total"].tolist() == [401_920, 5_130, 407_050]
    assert not at.button(key="train_start").disabled
    assert at.button(key="train_stop").disabled


def in_order(node):
    """The page's elements as a visitor meets them, top to bottom."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from in_order(child)


def test_the_page_opens_on_the_code_and_its_train_button_before_any_expander(at):
    kinds = [(type(n).__name__, getattr(n, "key", None)) for n in in_order(at.main)]
    first = {name: next(i for i, (kind, key) in enumerate(kinds) if match(kind, key))
             for name, match in (("code", lambda kind, key: kind == "Code"),
                                 ("train", lambda kind, key: key == "train_start"),
                                 ("expander", lambda kind, key: kind == "Expander"))}
    assert first["code"] < first["expander"] and first["train"] < first["expander"], first
    assert at.button(key="train_start").label == "Train it now"
    # the sample by default; on a server with only the sample, said so
    assert "sample shipped with the app" in texts(at) or \
        at.segmented_control(key="train_data").value == "Sample"


def test_the_curves_name_training_and_test_digits_and_say_what_their_gap_means(at):
    """Before any training, the shared network's own curves, with its figures from Keras."""
    _, figures = keras_trained_on_sample()
    curves = [spec for spec in chart_specs(at)
              if any(trace.get("name") == "test digits (never trained on)"
                     for trace in spec["data"])]
    assert len(curves) == 1
    names = {trace.get("name") for trace in curves[0]["data"]}
    assert not any("validation" in str(name) for name in names)
    history = figures["history"]
    epochs = len(history["loss"])
    assert not any(m.value.startswith("After epoch") for m in at.markdown)  # guess first
    from helpers import show_me

    show_me(at, "check_train_mnist_gap")
    gap = next(m.value for m in at.markdown if m.value.startswith(f"After epoch {epochs}:"))
    assert f"{history['accuracy'][-1]:.1%}" in gap and f"{history['val_accuracy'][-1]:.1%}" in gap


def test_the_train_page_asks_three_tasks_and_hides_the_hardest_digit_until_a_guess(at):
    from helpers import answer_task, task_keys

    keys = task_keys(at)
    assert len(keys) == 3, keys
    assert "train_per_class_chart" not in [c.key for c in at.get("plotly_chart")]
    _, figures = keras_trained_on_sample()
    labels = load_from(str(SAMPLE_PATH)).y_test
    predicted = figures["test_probabilities"].argmax(axis=1)
    per_digit = [np.mean(predicted[labels == d] == d) for d in range(10)]
    hardest = str(int(np.argmin(per_digit)))
    said = answer_task(at, "check_train_mnist_hardest", hardest)
    assert said["success"] and f"{min(per_digit):.1%}" in said["success"][0]
    assert "train_per_class_chart" in [c.key for c in at.get("plotly_chart")]


@pytest.mark.slow
def test_out_of_range_values_are_refused_with_a_message(at):
    at.number_input(key="cells").set_value(5000).run()
    assert "Hidden layer size 5000 is outside 16-2048." in [e.value for e in at.error]
    assert at.button(key="train_start").disabled
    at.number_input(key="cells").set_value(64)
    at.number_input(key="epochs").set_value(31)
    at.number_input(key="batch").set_value(8).run()
    errors = " ".join(e.value for e in at.error)
    assert "Epochs 31 is outside 1-30." in errors and "Batch size 8 is outside 16-1024." in errors
    at.number_input(key="epochs").set_value(3)
    at.number_input(key="batch").set_value(64).run()
    assert not at.error and not at.button(key="train_start").disabled
    assert "layers.Dense(64" in code(at) and "Custom" in texts(at)


@pytest.mark.slow
def test_presets_and_the_scaling_toggle_change_the_code(at):
    at.selectbox(key="recipe").set_value("cnn").run()
    assert "layers.Conv2D(32, 3" in code(at) and "(-1, 28, 28, 1)" in code(at)
    assert 'layers.Dense(128, activation="relu", name="hidden_1")' in code(at)
    assert "**225,034 parameters**" in texts(at)
    assert at.selectbox(key="activation").disabled
    at.selectbox(key="recipe").set_value("better-mlp").run()
    assert code(at).count("layers.Dense(512") == 2 and "Adam" in code(at)
    assert "**669,706 parameters**" in texts(at) and "A better MLP" in texts(at)
    at.toggle(key="scale").set_value(False).run()
    assert "/ 255" not in code(at)
    assert any("raw 0-255" in w.value for w in at.warning)
    assert not at.exception


def test_too_much_work_is_refused_before_train_is_pressed(at, monkeypatch):
    assert "Estimated time: **about" in texts(at) and "on two CPU cores" in texts(at)
    monkeypatch.setenv("TRAINING_MAX_WORK_S", "60")
    at.number_input(key="cells").set_value(2048)
    at.checkbox(key="layer2").set_value(True).run()
    at.number_input(key="cells2").set_value(2048)
    at.number_input(key="epochs").set_value(30)
    at.number_input(key="batch").set_value(16)
    at.toggle(key="train_three_seeds").set_value(True).run()
    assert not at.exception
    refusal = " ".join(e.value for e in at.error)
    assert "would take about" in refusal and "allows 60 s per training" in refusal
    assert at.button(key="train_start").disabled
    assert 'layers.Dense(2048, activation="relu", name="hidden_2")' in code(at)  # still shown


@pytest.mark.slow
def test_three_seeds_train_in_a_worker_and_the_results_are_shown(at):
    at.number_input(key="epochs").set_value(1)
    at.number_input(key="cells").set_value(128)
    at.toggle(key="train_three_seeds").set_value(True).run()
    assert at.button(key="train_start").label == "Train it 3 times"
    at.button(key="train_start").click().run()
    assert not at.exception
    training = at.session_state["train_training"]
    assert training is not None and training.job.seeds == (0, 1, 2)
    # the click's run drew the buttons again for a running training: Stop on, Train off
    assert not at.button(key="train_stop").disabled and at.button(key="train_start").disabled
    deadline = time.monotonic() + 300
    while training.running:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    at.run()
    at.run()
    assert not at.exception
    outcome = at.session_state["train_outcome"]
    assert len(outcome.runs) == 3
    # the median run is this session's model, and the page shows its results
    model = at.session_state["session_model"]
    assert model is outcome.model
    assert model.test_accuracy == sorted(outcome.accuracies)[1] > 0.8
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"] == f"{model.test_accuracy:.2%}"
    assert metrics["Epochs trained"] == "1 of 1"
    assert "Three seeds, three networks" in texts(at) and "Finished" in at.progress[0].text
    headings = [h.value for h in at.subheader]
    assert "The worst mistakes" in headings and "What hidden cells learned" in headings
    assert model.keras_path.is_file()  # the download reads the worker's file
    # choosing a confusion-matrix cell shows those digits
    at.selectbox(key="train_true").set_value(4)
    at.selectbox(key="train_answer").set_value(4).run()
    right = int(((model.test_probabilities.argmax(1) == 4)
                 & (load_from(str(SAMPLE_PATH)).y_test == 4)).sum())
    assert f"True 4, answered 4: {right} right answers" in [h.value for h in at.subheader]
    at.radio(key="train_cells_mode").set_value("Cells I choose").run()
    assert not at.exception
    # Draw keeps the shared networks until the visitor chooses their own
    assert at.button(key="train_use_on_draw").label == "Use my model on Draw"
    at.button(key="train_use_on_draw").click().run()
    assert at.session_state[own_training.USE_ON_DRAW] is True
    assert any("Your model answers on **Draw a digit**" in s.value for s in at.success)


@pytest.mark.slow
def test_without_any_training_the_walkthrough_networks_results_show(at):
    """The default model's accuracy (as Keras measured it) and its confusion matrix, at once."""
    assert not at.exception
    _, figures = keras_trained_on_sample()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"] == f"{figures['test_accuracy']:.2%}"
    assert "vs 97.86%" in str(at.metric[0].proto.delta)
    assert "What the walk-through's network learned" in [h.value for h in at.header]
    labels = load_from(str(SAMPLE_PATH)).y_test
    matrix = confusion_matrix_shown(at)
    predicted = figures["test_probabilities"].argmax(axis=1)
    assert matrix.sum() == len(labels) == 1_000
    assert np.trace(matrix) == int((predicted == labels).sum())
    assert matrix[3].sum() == int((labels == 3).sum())  # row 3: every true 3
    assert "trained once on this server" in texts(at)
    assert "sample shipped with the app" in texts(at) and "MNIST_DIR" in texts(at)
    assert str(SAMPLE_PATH) not in texts(at)  # the source is named, never its path


@pytest.mark.slow
def test_an_experiment_adds_a_row_with_its_own_accuracy(at):
    """One epoch instead of five, trained by a worker on the sample: its row is its own run."""
    at.button(key="train_experiment_one-epoch").click().run()
    assert not at.exception
    sample_source = load_from(str(SAMPLE_PATH)).source
    run = at.session_state["train_experiment_runs"][("one-epoch", sample_source)]
    bars = []  # while it trains, the panel shows its bar (phase, then epoch and batch)
    deadline = time.monotonic() + 300
    while not run.done() and time.monotonic() < deadline:
        at.run()
        bars += [bar.proto.text for bar in at.get("progress")
                 if "One epoch instead of five" in bar.proto.text]
        if not run.done():
            assert "No experiment in this visit yet" not in texts(at)
        time.sleep(0.1)
    assert bars, "no progress bar while the experiment trained"
    result = run.result(timeout=300)
    at.run()
    assert not at.exception
    table = table_with(at, "Change")
    assert table["Change"].tolist() == ["The walk-through's network",
                                        "One epoch instead of five"]
    _, figures = keras_trained_on_sample()
    assert table["Test accuracy"].tolist() == [pytest.approx(figures["test_accuracy"]),
                                               result.test_accuracy]
    assert result.epochs == 1 and len(result.epoch_accuracy) == 1
    # the curve's last point is the run's own test accuracy, as Keras measured it during fit
    assert result.epoch_accuracy[-1] == pytest.approx(result.test_accuracy, abs=1e-3)
    sentence = " ".join(m.value for m in at.markdown if "After one epoch" in m.value)
    assert f"{result.test_accuracy:.1%}" in sentence and "After one epoch" in sentence
    # it was kept for every visitor, and it did not become this session's model
    assert list(default_model.cache_folder().glob("experiment-one-epoch-*.json"))
    assert at.session_state["train_outcome"] is None
    assert at.button(key="train_experiment_one-epoch").disabled  # done: no second run


@pytest.mark.slow
def test_a_link_sets_the_main_settings_and_a_bad_value_gets_a_note(at):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)  # from a shared link
    at.query_params["cells"] = "64"
    at.query_params["epochs"] = "many"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert 'layers.Dense(64, activation="relu"' in code(at)
    assert "epochs=5, batch_size=128" in code(at)  # the default, with a note
    notes = " ".join(i.value for i in at.info)
    assert "The link's value for epochs could not be used here" in notes


def test_a_failed_default_model_on_the_train_page_offers_a_retry(monkeypatch, tmp_path):
    """The same waiting panel as the Draw page's, in the Train page's words and key."""
    from explainer.data.mnist import load_sample

    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("no room on the disk")
        return load_sample(), ""

    sample_mnist_env(monkeypatch, tmp_path)
    seed_default_cache(tmp_path)
    monkeypatch.setattr(experiment_runs, "_RUNNER", None)
    failing = default_model.DefaultModel(folder=tmp_path, load_data=flaky)
    monkeypatch.setattr(default_model, "_WALK_THROUGH", failing)
    assert failing.wait(30).failed
    at = open_page(PAGE, timeout=120)
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("The walk-through's network could not be prepared.")
    assert "Train your own above" in message and "tries again" in message
    assert "no room on the disk" not in message  # the details go to the server's log
    at.button(key="train_retry_default").click().run()
    assert failing.wait(30).ready
    at.run()
    assert not at.exception and "What the walk-through's network learned" in texts(at) + \
        " ".join(h.value for h in at.header)


@pytest.mark.slow
def test_a_reloaded_tab_shows_the_training_and_takes_the_model(at, monkeypatch):
    from pages.shared import visitor

    monkeypatch.setattr(visitor, "browser_key", lambda: "one-browser")
    first = open_page(PAGE, timeout=120)  # the tab before the reload
    first.number_input(key="cells").set_value(64)
    first.number_input(key="epochs").set_value(3).run()
    first.button(key="train_start").click().run()
    training = first.session_state["train_training"]
    assert training is not None and training.running

    second = open_page(PAGE, timeout=120)  # the reload: a new session of the same browser
    assert second.session_state["train_training"] is training
    assert not second.button(key="train_stop").disabled  # its Stop, in the new tab
    assert second.button(key="train_start").disabled  # and no second training
    deadline = time.monotonic() + 300
    while training.running:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    second.run()  # the tab looked at last takes the model
    first.run()
    assert second.session_state["session_model"] is training.outcome.model
    assert "session_model" not in first.session_state
