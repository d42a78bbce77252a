"""Training on the shipped sample: accuracy, live progress, Stop, the server-wide limit, files.

Small trainings (the 6,000-digit sample, 1-3 epochs) so the suite stays quick on two cores.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from explainer.data.mnist import MnistData, load_sample
from explainer.training import trainer as training
from explainer.training.model import (
    PRESETS,
    TrainedModel,
    build_model,
    load_model_bytes,
    model_bytes,
    parameter_table,
)
from explainer.training.trainer import Progress, Trainer, TrainingSlots, train_once

slow = pytest.mark.slow


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def sample() -> MnistData:
    return load_sample()


@pytest.fixture(scope="module")
def trained(sample) -> tuple[TrainedModel, Progress]:
    """The walk-through's network, 3 epochs on the sample, through the live-progress path."""
    progress = Progress(epochs=3)
    result = train_once(PRESETS["post"].with_changes(epochs=3), sample, progress)
    return result, progress


# -- pure pieces: no TensorFlow ---------------------------------------------------------------


def test_progress_counts_samples_eta_and_sorts_late_batches():
    progress = Progress(epochs=2, runs=1)
    progress.begin_run(run=1, batches=4, batch_size=10, train_samples=40)
    for batch in (0, 2, 1, 3):  # Keras may report batches out of order on its callback thread
        progress.batch_end(batch, loss=1.0 / (batch + 1), accuracy=0.5)
    snap = progress.snapshot()
    assert snap.batch == 4 and snap.samples_done == 40 and snap.samples_total == 80
    assert snap.fraction == pytest.approx(0.5)
    assert snap.curve["x"] == sorted(snap.curve["x"]) == [0.25, 0.5, 0.75, 1.0]
    assert snap.curve["loss"] == [1.0, 0.5, 1 / 3, 0.25]
    progress.epoch_end(0, {"loss": 0.4, "accuracy": 0.8, "val_loss": 0.5, "val_accuracy": 0.7})
    snap = progress.snapshot()
    assert snap.epoch == 1 and snap.batch == 0
    assert snap.epochs_log["val_accuracy"] == [0.7]
    assert snap.samples_per_second > 0 and snap.eta_s is not None and snap.eta_s >= 0


def test_training_slots_limit_and_release():
    slots = TrainingSlots(limit=1)
    assert slots.acquire(timeout=0.1)
    assert not slots.acquire(timeout=0.1)  # full
    slots.release()
    assert slots.acquire(timeout=0.1)
    slots.release()
    assert slots.running == 0


def test_max_trainings_reads_the_environment(monkeypatch):
    monkeypatch.setenv("MAX_TRAININGS", "3")
    assert training.max_trainings() == 3
    monkeypatch.setenv("MAX_TRAININGS", "lots")
    assert training.max_trainings() == 2
    monkeypatch.setenv("MAX_TRAININGS", "0")
    assert training.max_trainings() == 1


def test_split_validation_holds_out_fixed_digits(sample):
    x, y, xv, yv = training.split_validation(sample.x_train, sample.y_train, 0.1)
    assert len(xv) == 600 and len(x) == 5400
    again = training.split_validation(sample.x_train, sample.y_train, 0.1)
    assert np.array_equal(xv, again[2])
    assert len(training.split_validation(sample.x_train, sample.y_train, 0.0)[2]) == 0


# -- Keras ---------------------------------------------------------------------------------------


def test_a_model_is_built_again_when_keras_naming_was_reset_under_it(monkeypatch, caplog):
    """Keras' own error for two layers named "dense" (what a reset of its layer naming by another
    thread causes) leads to one more build, which succeeds."""
    import keras

    from explainer.training import model as model_module

    real_build, calls = model_module._build_once, []

    def reset_on_first_call(config):
        calls.append(config)
        if len(calls) == 1:
            keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="dense"),
                              keras.layers.Dense(1, name="dense")])
        return real_build(config)

    monkeypatch.setattr(model_module, "_build_once", reset_on_first_call)
    monkeypatch.setattr(model_module.time, "sleep", lambda seconds: None)
    built = build_model(PRESETS["post"])
    assert len(calls) == 2 and built.count_params() == 407_050
    assert "building the model again" in caplog.text


@slow
@pytest.mark.parametrize("preset, expected", [("post", 407_050), ("better-mlp", 669_706),
                                              ("cnn", 225_034)])
def test_presets_build_the_expected_parameter_count(preset, expected):
    table = parameter_table(build_model(PRESETS[preset]))
    assert sum(row["total"] for row in table) == expected
    if preset == "post":  # 784 x 512 weights + 512 biases, then 512 x 10 + 10
        assert [(r["weights"], r["biases"]) for r in table] == [(401_408, 512), (5_120, 10)]


@slow
def test_a_few_epochs_on_the_sample_pass_90_percent(trained, sample):
    result, progress = trained
    assert result.test_accuracy > 0.90
    assert result.epochs_done == 3 and not result.stopped
    # the probabilities the page inspects are the model's own, in test-set order
    assert result.test_probabilities.shape == (1000, 10)
    assert np.allclose(result.test_probabilities, result.predict(sample.x_test), atol=1e-5)
    assert np.mean(result.test_probabilities.argmax(1) == sample.y_test) == result.test_accuracy
    # the live progress saw every batch of every epoch and the validation numbers
    snap = progress.snapshot()
    assert snap.epochs_log["epoch"] == [1, 2, 3]
    assert snap.samples_done == snap.samples_total == 3 * 6000
    assert all(math.isfinite(v) for v in snap.epochs_log["val_accuracy"])
    assert snap.epochs_log["loss"][-1] < snap.epochs_log["loss"][0]
    assert len(snap.curve["x"]) >= 3 * 40 and snap.curve["x"][-1] == pytest.approx(3.0)


def test_training_leaves_visitors_the_cpu_first(trained):
    """TensorFlow's compute threads ran the training at a lower priority than the server's."""
    import os
    import threading

    from explainer.server import cpu_share

    tf_threads = cpu_share.tensorflow_threads()
    assert tf_threads, "TensorFlow started no tf_ threads"
    assert all(os.getpriority(os.PRIO_PROCESS, tid) == cpu_share.TRAINING_NICE
               for tid in tf_threads)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0


@slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice")
def test_the_worker_thread_trains_at_the_lower_priority_too(sample):
    """The thread that calls fit runs much of the work itself, so it is lowered as well."""
    import os
    import threading

    from explainer.server import cpu_share

    seen = []

    def hand_over(results):  # called in the worker thread, at the end of its training
        tid = threading.get_native_id()
        seen.append((os.getpriority(os.PRIO_PROCESS, tid),
                     Path(f"/proc/self/task/{tid}/comm").read_text().strip(), len(results)))

    trainer = Trainer(PRESETS["post"].with_changes(epochs=1), sample, seeds=(0,),
                      slots=TrainingSlots(1), on_finish=hand_over).start()
    trainer.join(timeout=120)
    assert seen == [(cpu_share.TRAINING_NICE, "mnist-training", 1)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0


@slow
def test_a_downloaded_model_file_loads_back_with_the_same_predictions(trained, sample):
    result, _ = trained
    data = model_bytes(result.model)
    assert data[:2] == b"PK"  # a .keras file is a zip archive
    loaded = load_model_bytes(data)
    again = TrainedModel(model=loaded, config=result.config)
    assert np.allclose(again.predict(sample.x_test[:200]), result.predict(sample.x_test[:200]),
                       atol=1e-6)


@slow
def test_stop_ends_training_early_and_keeps_a_usable_model(sample):
    finished = []
    trainer = Trainer(PRESETS["post"].with_changes(epochs=30), sample, seeds=(0,),
                      slots=TrainingSlots(1), on_finish=finished.append).start()
    wait_for(lambda: trainer.progress.snapshot().epoch >= 1 or not trainer.running)
    trainer.stop()
    trainer.join(timeout=120)
    assert not trainer.running
    assert trainer.progress.phase == "stopped"
    (result,) = trainer.results
    assert result.stopped and 1 <= result.epochs_done < 30
    assert result.test_accuracy > 0.85  # at least one epoch: a usable model
    assert finished == [[result]]  # handed over to the session


@slow
def test_a_second_training_waits_for_a_free_slot_and_failures_release_it(sample):
    slots = TrainingSlots(1)
    first = Trainer(PRESETS["post"].with_changes(epochs=30), sample, slots=slots).start()
    wait_for(lambda: first.progress.phase == "training")
    broken = MnistData(sample.x_train[:, :27], sample.y_train, sample.x_test, sample.y_test,
                       source="broken", is_full=False)  # 27 x 28 digits: cannot be reshaped
    second = Trainer(PRESETS["post"].with_changes(epochs=1), broken, slots=slots).start()
    wait_for(lambda: second.progress.phase == "waiting")
    assert "1 of 1 trainings are running" in second.progress.message
    first.stop()
    first.join(timeout=120)
    second.join(timeout=120)
    assert second.progress.phase == "failed" and "reshape" in second.progress.error
    assert slots.running == 0  # both released their slot: stopped and failed


@slow
def test_a_training_whose_session_is_gone_stops_itself(sample, monkeypatch):
    monkeypatch.setattr(training, "ABANDON_AFTER_S", 0.0)
    trainer = Trainer(PRESETS["post"].with_changes(epochs=30), sample, slots=TrainingSlots(1),
                      alive=lambda: False).start()
    trainer.join(timeout=120)
    assert trainer.progress.phase == "stopped"
    assert trainer.results and trainer.results[0].epochs_done < 30


@slow
def test_a_nan_loss_stops_training_and_is_reported():
    progress = Progress(epochs=1)
    progress.begin_run(1, batches=10, batch_size=1, train_samples=10)
    callback = training.make_progress_callback(progress)
    callback._model = SimpleNamespace(stop_training=False)
    callback.on_train_batch_end(0, {"loss": 2.3, "accuracy": 0.1})
    assert not callback.model.stop_training
    callback.on_train_batch_end(1, {"loss": float("nan"), "accuracy": 0.1})
    assert callback.model.stop_training and progress.snapshot().diverged
