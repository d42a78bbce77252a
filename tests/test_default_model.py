"""The shared default model: trained once by a worker with progress, cached on disk by recipe
(.keras, numpy weights, a note), read back with numpy; failures retried, later or at once."""

from __future__ import annotations

import json
import sys
import threading

import numpy as np
import pytest
from backends import KINDS, make_backend
from draw_support import trained_on_sample

from explainer.concepts.models.reading import Reader
from explainer.data.mnist import MnistData, load_sample
from explainer.training import default_model
from explainer.training.default_model import DefaultModel, cache_name, load_cached, save_cached
from explainer.training.local_pool import LocalPool
from explainer.training.spec import PRESETS

QUICK = PRESETS["post"].with_changes(epochs=1)


def sample_data():
    return load_sample(), ""


@pytest.fixture(scope="module")
def pool():
    shared = LocalPool(limit=1, idle_seconds=300)
    yield shared
    shared.shutdown()


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
    assert default_model.keras_version()[0].isdigit()


@pytest.mark.slow
def test_a_worker_trains_it_with_progress_then_the_cache_is_read_with_numpy(tmp_path, pool):
    seen = []
    model = DefaultModel(QUICK, tmp_path, sample_data, backend=pool)
    assert model.status().state == "waiting" and model.model is None
    model.start()
    while (status := model.status()).state not in ("ready", "failed"):
        seen.append(status)
        threading.Event().wait(0.05)
    assert status.ready, status.message
    assert status.fraction == 1.0 and "trained" in status.message
    assert any(s.state == "training" and "epoch 1 of 1" in s.message for s in seen)
    training = [s.fraction for s in seen if s.state == "training"]
    assert training == sorted(training)
    assert model.model.test_accuracy > 0.8 and not model.loaded_from_cache
    assert Reader.of(model.model).mlp.sizes == (784, 512, 10)
    files = sorted(p.suffix for p in tmp_path.iterdir())
    assert files == [".json", ".keras", ".npz"]  # no temporary file left behind
    info = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert info["test_accuracy"] == pytest.approx(model.model.test_accuracy)
    assert "sample" in info["source"] and info["device"].startswith(("CPU", "GPU"))

    again = DefaultModel(QUICK, tmp_path, sample_data, backend=pool)
    assert again.wait(60).ready and again.loaded_from_cache
    assert "loaded from the cache" in again.status().message
    digits = load_sample().x_test[:50]
    np.testing.assert_array_equal(Reader.of(again.model).read_many(digits),
                                  Reader.of(model.model).read_many(digits))
    import keras  # the .keras file next to it holds the same network

    from explainer.training.spec import prepare_inputs

    loaded = keras.saving.load_model(again.model.keras_path)
    np.testing.assert_allclose(loaded.predict_on_batch(prepare_inputs(digits, QUICK)),
                               Reader.of(again.model).read_many(digits), atol=1e-5)


def test_reading_the_cache_needs_no_tensorflow(tmp_path, root):
    """What a server start does when the model is cached: numpy only."""
    import subprocess

    save_cached(trained_on_sample(), tmp_path, "cached")
    code = ("import sys; from explainer.training.default_model import load_cached; "
            "from explainer.training.spec import PRESETS; "
            f"m = load_cached(__import__('pathlib').Path({str(tmp_path)!r}), 'cached', "
            "PRESETS['post']); "
            "print(m.test_accuracy > 0.8, "
            "[k for k in ('tensorflow', 'keras') if k in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "True []", result.stderr[-2000:]


def test_start_is_idempotent(tmp_path):
    release = threading.Event()

    def slow_data():
        release.wait(30)
        raise RuntimeError("the test is over")

    model = DefaultModel(QUICK, tmp_path, slow_data)
    model.start()
    thread = model._thread
    model.start()
    model.start()
    assert model._thread is thread and thread.is_alive()
    assert model.status().state == "loading"
    release.set()
    thread.join(30)


def test_a_damaged_or_other_cache_is_not_used(tmp_path):
    save_cached(trained_on_sample(), tmp_path, "same-name")
    assert load_cached(tmp_path, "same-name", PRESETS["post"]) is not None
    assert load_cached(tmp_path, "same-name", QUICK) is None  # another config
    assert load_cached(tmp_path, "missing", PRESETS["post"]) is None
    (tmp_path / "same-name.npz").write_bytes(b"not an npz file")
    assert load_cached(tmp_path, "same-name", PRESETS["post"]) is None


def test_a_failure_is_reported_retried_later_and_now(tmp_path, monkeypatch):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk on fire")
        return load_sample(), ""

    monkeypatch.setattr(default_model, "RETRY_AFTER_S", (3600.0,))
    cached = tmp_path / "cache"
    save_cached(trained_on_sample(), cached,
                cache_name(PRESETS["post"], load_sample(), default_model.keras_version()))
    model = DefaultModel(PRESETS["post"], cached, flaky)
    status = model.wait(30)
    assert status.failed and "disk on fire" in status.message
    assert 3500 < status.retry_in_s <= 3600  # the next automatic try is an hour away
    model.start()  # not due yet: nothing happens
    assert len(calls) == 1 and model.status().failed
    model.retry_now()  # the page's button
    assert model.wait(30).ready and len(calls) == 2 and model.loaded_from_cache


def test_after_the_last_automatic_retry_only_the_button_retries(tmp_path, monkeypatch):
    monkeypatch.setattr(default_model, "RETRY_AFTER_S", ())

    def broken():
        raise OSError("no disk")

    model = DefaultModel(QUICK, tmp_path, broken)
    status = model.wait(30)
    assert status.failed and status.retry_in_s is None


def test_a_broken_mnist_dir_falls_back_to_the_sample(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere.npz"))
    data, note = default_model.best_local_data()
    assert len(data.x_train) == 6000 and "MNIST_DIR could not be used" in note


def test_one_shared_model_per_process(monkeypatch, tmp_path):
    monkeypatch.setenv(default_model.CACHE_ENV, str(tmp_path))
    default_model.reset()
    first = default_model.walk_through()
    assert default_model.walk_through() is first and first.folder == tmp_path
    assert first.config == PRESETS["post"]
    default_model.reset()
    assert default_model.walk_through() is not first
    default_model.reset()


def test_the_network_on_changed_copies_is_a_second_shared_model_cached_apart(monkeypatch,
                                                                            tmp_path):
    from explainer.training.spec import AUGMENTED

    monkeypatch.setenv(default_model.CACHE_ENV, str(tmp_path))
    default_model.reset()
    plain, copies = default_model.walk_through(), default_model.augmented()
    assert default_model.augmented() is copies and copies is not plain
    assert copies.config == AUGMENTED and copies.folder == tmp_path
    sample = load_sample()
    assert cache_name(AUGMENTED, sample, "3.0") != cache_name(PRESETS["post"], sample, "3.0")
    default_model.reset()
    assert default_model.augmented() is not copies and default_model.walk_through() is not plain
    default_model.reset()


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_two_servers_asking_for_the_network_on_copies_share_one_training(kind, tmp_path):
    """Two servers' shared models (one backend between them, as a cluster shares its queue):
    one training on changed copies, its progress named, the same weights for both."""
    from explainer.training.spec import augmented

    quick = augmented(epochs=1)
    with make_backend(kind) as backend:
        first, second = (DefaultModel(quick, tmp_path / name, sample_data, backend=backend,
                                      what="the network trained on changed copies")
                         for name in ("a", "b"))
        seen = []
        first.start()
        second.start()
        while (status := first.status()).state not in ("ready", "failed"):
            seen.append(status.message)
            threading.Event().wait(0.05)
        assert status.ready and second.wait(120).ready, (status.message, second.status())
        assert first._training.id == second._training.id  # one training for both
        assert any("Training the network trained on changed copies on 6,000 digits" in message
                   for message in seen)
        assert first.model.config.augment and first.model.epochs_done == 1
        digits = load_sample().x_test[:50]
        np.testing.assert_array_equal(Reader.of(first.model).read_many(digits),
                                      Reader.of(second.model).read_many(digits))
