"""The training's pieces the web process uses (no TensorFlow): the spec and its code, the
progress, the limits; and the shown Keras code run for real against the model the worker builds.
"""

from __future__ import annotations

import numpy as np
import pytest

from explainer.data.mnist import load_sample
from explainer.training import limits
from explainer.training.code_shown import keras_code
from explainer.training.keras_fit import split_validation
from explainer.training.progress import TrainingProgress
from explainer.training.spec import (
    AUGMENTED,
    PRESETS,
    ModelConfig,
    layer_plan,
    multiply_adds,
    one_hot,
    parameter_table,
    with_preset_label,
)

HOUR_CLICK = ModelConfig(hidden=(2048, 2048), epochs=30, batch_size=16)  # "about an hour"


def test_progress_counts_samples_eta_and_sorts_late_batches():
    progress = TrainingProgress(epochs=2, runs=1)
    progress.begin_run(run=1, batches=4, batch_size=10, train_samples=40)
    for batch in (0, 2, 1, 3):  # Keras may report batches out of order on its callback thread
        progress.batch_end(batch, loss=1.0 / (batch + 1), accuracy=0.5)
    snap = progress.snapshot()
    assert snap.batch == 4 and snap.samples_done == 40 and snap.samples_total == 80
    assert snap.fraction == pytest.approx(0.5)
    assert snap.curve["x"] == sorted(snap.curve["x"]) == [0.25, 0.5, 0.75, 1.0]
    assert snap.curve["loss"] == [1.0, 0.5, 1 / 3, 0.25]
    progress.apply("epoch", {"epoch": 0, "logs": {"loss": 0.4, "accuracy": 0.8,
                                                  "val_loss": 0.5, "val_accuracy": 0.7}})
    snap = progress.snapshot()
    assert snap.epoch == 1 and snap.batch == 0
    assert snap.epochs_log["val_accuracy"] == [0.7]
    assert snap.samples_per_second > 0 and snap.eta_s is not None and snap.eta_s >= 0


def test_progress_applies_the_workers_messages_and_the_stop_latency():
    progress = TrainingProgress(epochs=1)
    progress.apply("device", {"device": "CPU (no GPU found)"})
    progress.apply("begin_run", {"run": 1, "batches": 2, "batch_size": 5, "samples": 10})
    progress.apply("batch", {"batch": 0, "loss": 2.0, "accuracy": 0.1})
    progress.stop_asked_at = 100.0
    progress.apply("training_ended", {"at": 100.25, "why": "stop"})
    progress.apply("diverged", {})
    snap = progress.snapshot()
    assert snap.device == "CPU (no GPU found)" and snap.samples_done == 5
    assert snap.stop_latency_s == pytest.approx(0.25) and snap.diverged
    progress.set_queue_place(2)
    assert progress.snapshot().queue_place == 2
    progress.set_phase("starting")
    assert progress.snapshot().queue_place == 0 and progress.snapshot().active


def test_the_status_line_says_each_thing_once():
    progress = TrainingProgress(epochs=3)
    assert progress.snapshot().status_line == "Waiting for a free training slot"
    progress.set_phase("starting", "Starting a training process and loading TensorFlow.")
    assert progress.snapshot().status_line == ("Starting a training process and loading "
                                               "TensorFlow.")  # not "Starting: Starting ..."
    progress.apply("begin_run", {"run": 1, "batches": 4, "batch_size": 5, "samples": 20})
    progress.apply("batch", {"batch": 1, "loss": 1.0, "accuracy": 0.5})
    assert progress.snapshot().status_line == "Training: epoch 1 of 3, batch 2 of 4"
    progress.set_phase("evaluating")
    assert progress.snapshot().status_line == "Testing on the test digits"


@pytest.mark.parametrize("preset, expected", [("post", 407_050), ("better-mlp", 669_706),
                                              ("cnn", 225_034)])
def test_presets_have_the_expected_parameter_count(preset, expected):
    table = parameter_table(PRESETS[preset])
    assert sum(row["total"] for row in table) == expected
    if preset == "post":  # 784 x 512 weights + 512 biases, then 512 x 10 + 10
        assert [(r["weights"], r["biases"]) for r in table] == [(401_408, 512), (5_120, 10)]


def test_one_hot_and_the_preset_label():
    assert one_hot(np.array([3, 0])).tolist()[0] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert with_preset_label(PRESETS["cnn"].with_changes(seed=7, label="x")).label == "A small CNN"
    assert with_preset_label(PRESETS["post"].with_changes(epochs=6)).label == "Custom"
    assert with_preset_label(PRESETS["post"].with_changes(scale_inputs=False)).label == "Custom"


def test_max_trainings_and_the_other_settings_read_the_environment(monkeypatch):
    monkeypatch.setenv("MAX_TRAININGS", "3")
    assert limits.max_trainings() == 3
    monkeypatch.setenv("MAX_TRAININGS", "lots")
    assert limits.max_trainings() == 2
    monkeypatch.setenv("MAX_TRAININGS", "0")
    assert limits.max_trainings() == 1
    monkeypatch.setenv("TRAINING_MAX_WORK_S", "60")
    monkeypatch.setenv("WORKER_IDLE_S", "nan")
    assert limits.max_work_seconds() == 60 and limits.worker_idle_seconds() == 120


def test_the_work_estimate_scales_with_what_is_computed():
    post = PRESETS["post"]
    one = limits.estimate_seconds(post, 60_000)
    assert limits.estimate_seconds(post.with_changes(epochs=10), 60_000) == pytest.approx(2 * one)
    assert limits.estimate_seconds(post, 60_000, seeds=3) == pytest.approx(3 * one)
    assert limits.estimate_seconds(post, 6_000) == pytest.approx(one / 10, rel=0.01)
    dense, conv = multiply_adds(PRESETS["cnn"])  # 26*26*3*3*32 + 11*11*3*3*32*64
    assert conv == 26 * 26 * 288 + 11 * 11 * 18_432 and dense == 204_800 + 1_280
    # small batches cost more per digit: one optimizer step per batch
    assert limits.estimate_seconds(post.with_changes(batch_size=16), 60_000) > one
    # an epoch on changed copies costs the pipeline's share on top (measured: about 2.3 plain)
    on_copies = limits.estimate_seconds(post.with_changes(augment=True), 60_000)
    assert on_copies == pytest.approx(limits.AUGMENT_FACTOR * one) and on_copies > 2 * one
    assert limits.estimate_seconds(AUGMENTED, 60_000) == pytest.approx(
        limits.AUGMENT_FACTOR * one * AUGMENTED.epochs / post.epochs)


def test_the_recipes_fit_the_default_cap_and_the_hour_click_is_refused(monkeypatch):
    monkeypatch.delenv("TRAINING_MAX_WORK_S", raising=False)
    for name in ("post", "better-mlp", "cnn"):
        assert limits.work_refusal(PRESETS[name], 60_000, seeds=3) == ""
    message = limits.work_refusal(HOUR_CLICK, 60_000, seeds=3)
    assert "would take about" in message and "allows 10 min" in message
    assert limits.estimate_seconds(HOUR_CLICK, 60_000, seeds=3) > 2400


def test_split_validation_holds_out_fixed_digits():
    sample = load_sample()
    x, y, xv, yv = split_validation(sample.x_train, sample.y_train, 0.1)
    assert len(xv) == 600 and len(x) == 5400
    again = split_validation(sample.x_train, sample.y_train, 0.1)
    assert np.array_equal(xv, again[2])
    assert len(split_validation(sample.x_train, sample.y_train, 0.0)[2]) == 0


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["post", "better-mlp", "cnn"])
def test_the_shown_code_builds_and_trains_the_same_network(preset):
    """The code on the page, run as it is, makes the model the worker builds from the plan."""
    from explainer.training.keras_fit import build_model

    config = PRESETS[preset].with_changes(epochs=1)
    sample = load_sample()
    scope = {"train_images": sample.x_train[:64], "train_labels": sample.y_train[:64]}
    exec(keras_code(config), scope)  # noqa: S102  (our own generated code)
    shown, built = scope["model"], build_model(config)

    def describe(model):
        return [(type(layer).__name__, layer.name, layer.get_config().get("units"),
                 layer.get_config().get("filters"), layer.get_config().get("activation"),
                 layer.get_config().get("rate")) for layer in model.layers]

    assert describe(shown) == describe(built)
    assert [layer.name for layer in built.layers] == [layer.name for layer in layer_plan(config)]
    assert shown.count_params() == built.count_params() == sum(
        r["total"] for r in parameter_table(config))
    assert type(shown.optimizer) is type(built.optimizer)
    assert float(shown.optimizer.learning_rate) == pytest.approx(config.learning_rate)
    assert shown.loss == built.loss == config.loss
    np.testing.assert_array_equal(scope["y_train"], one_hot(sample.y_train[:64]))
    assert scope["x_train"].max() <= 1.0  # scaled as the worker scales
    # same seed, same starting weights: the code and the worker start from the same network
    fresh = build_model(config)
    for ours, theirs in zip(fresh.get_weights(), build_model(config).get_weights()):
        np.testing.assert_array_equal(ours, theirs)
