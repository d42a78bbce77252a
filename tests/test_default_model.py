"""The shared default model: trained once in a thread with progress, cached on disk by recipe."""

from __future__ import annotations

import json
import threading

import keras
import numpy as np
import pytest
from draw_support import trained_on_sample

from explainer.data.mnist import MnistData, load_sample
from explainer.training import default_model
from explainer.training.default_model import DefaultModel, cache_name, load_cached, save_cached
from explainer.training.model import PRESETS

QUICK = PRESETS["post"].with_changes(epochs=1)


def sample_data():
    return load_sample(), ""


def test_the_cache_name_tells_sample_and_full_data_apart():
    sample = load_sample()
    as_full = MnistData(sample.x_train, sample.y_train, sample.x_test, sample.y_test,
                        source="pretend", is_full=True)
    changed = sample.x_train.copy()
    changed[0, 0, 0] ^= 1
    other = MnistData(changed, sample.y_train, sample.x_test, sample.y_test, "x", False)
    names = {cache_name(PRESETS["post"], sample, "3.0"),
             cache_name(PRESETS["post"], as_full, "3.0"),
             cache_name(PRESETS["post"], other, "3.0"),
             cache_name(QUICK, sample, "3.0"),
             cache_name(PRESETS["post"], sample, "3.1")}
    assert len(names) == 5
    assert cache_name(PRESETS["post"], sample, "3.0").startswith("default-mlp-6000-digits-")
    assert "-full-" in cache_name(PRESETS["post"], as_full, "3.0")


def test_trains_in_a_thread_reports_progress_and_caches(tmp_path):
    seen = []
    model = DefaultModel(QUICK, tmp_path, sample_data)
    assert model.progress().state == "waiting" and model.trained is None
    model.start()
    while (progress := model.progress()).state not in ("ready", "failed"):
        seen.append(progress)
        threading.Event().wait(0.05)
    assert progress.ready, progress.message
    assert progress.fraction == 1.0 and "trained" in progress.message
    assert any(p.state == "training" for p in seen)
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions)
    assert model.trained.test_accuracy > 0.8 and not model.loaded_from_cache
    assert repr(model.mlp) == "Mlp(784-512-10)"
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and files[0].endswith(".json") and files[1].endswith(".keras")
    info = json.loads((tmp_path / files[0]).read_text())
    assert info["test_accuracy"] == pytest.approx(model.trained.test_accuracy)
    assert "sample" in info["source"]

    again = DefaultModel(QUICK, tmp_path, sample_data)
    assert again.wait(120).ready and again.loaded_from_cache
    assert "loaded from the cache" in again.progress().message
    digits = load_sample().x_test[:10]
    np.testing.assert_allclose(again.trained.predict(digits), model.trained.predict(digits),
                               atol=1e-6)


def test_start_is_idempotent(tmp_path):
    release = threading.Event()

    def slow_data():
        release.wait(30)
        return load_sample(), ""

    model = DefaultModel(QUICK, tmp_path, slow_data)
    model.start()
    thread = model._thread
    model.start()
    model.start()
    assert model._thread is thread and thread.is_alive()
    assert model.progress().state == "loading"
    release.set()
    thread.join(120)


def test_a_damaged_cache_is_trained_again(tmp_path):
    name = cache_name(QUICK, load_sample(), keras.__version__)
    (tmp_path / f"{name}.keras").write_bytes(b"not a keras file")
    (tmp_path / f"{name}.json").write_text(json.dumps({"config": QUICK.as_dict()}))
    assert load_cached(tmp_path, name, QUICK) is None
    model = DefaultModel(QUICK, tmp_path, sample_data)
    assert model.wait(120).ready and not model.loaded_from_cache
    assert load_cached(tmp_path, name, QUICK) is not None


def test_a_cached_model_with_another_config_is_not_used(tmp_path):
    save_cached(trained_on_sample(), tmp_path, "same-name")
    assert load_cached(tmp_path, "same-name", PRESETS["post"]) is not None
    assert load_cached(tmp_path, "same-name", QUICK) is None
    assert load_cached(tmp_path, "missing", PRESETS["post"]) is None


def test_a_failure_is_reported_not_raised(tmp_path):
    def broken():
        raise OSError("disk on fire")

    model = DefaultModel(QUICK, tmp_path, broken)
    progress = model.wait(30)
    assert progress.failed and "disk on fire" in progress.message


def test_a_broken_mnist_dir_falls_back_to_the_sample(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere.npz"))
    data, note = default_model.best_local_data()
    assert len(data.x_train) == 6000 and "MNIST_DIR could not be used" in note


def test_one_shared_model_per_process(monkeypatch, tmp_path):
    monkeypatch.setenv(default_model.CACHE_ENV, str(tmp_path))
    default_model.reset_shared()
    first = default_model.shared()
    assert default_model.shared() is first and first.folder == tmp_path
    assert first.config == PRESETS["post"]
    default_model.reset_shared()
    assert default_model.shared() is not first
    default_model.reset_shared()
