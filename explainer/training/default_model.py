"""The shared default models, trained once per server (or per cluster), read by everyone.

Two are shared: the walk-through's network (:func:`walk_through`) and the same network trained on
changed copies of the digits (:func:`augmented`). Whoever opens a page that needs one first starts
it; everyone after that waits on the same progress. A worker process trains it (the same path and
limits as the Train page's trainings) on the best MNIST available without a download (MNIST_DIR,
else Keras' cache, else the shipped sample), and it is kept in a cache folder as ``.keras`` (for
Keras users) plus ``.npz`` weights and a ``.json`` note, each written atomically, so the next
server start reads it with numpy in a blink. The cache name holds a fingerprint of the config, the
data and the Keras version, so a model trained on the sample is never taken for the one trained on
all 60,000 digits. After a failure it tries again later, waiting longer each time; the page can
also ask for a retry at once.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explainer.data import mnist
from explainer.training.pool import Training, TrainingBackend, finished_model, run_shared
from explainer.training.spec import AUGMENTED, PRESETS, ModelConfig
from explainer.training.trained import TrainedModel

CACHE_ENV = "EXPLAINER_CACHE_DIR"
APP_NAME = "neural-network-explainer"
RETRY_AFTER_S = (10.0, 60.0, 300.0)  # waits before the automatic retries, then no more
LOG = logging.getLogger(__name__)


def cache_folder() -> Path:
    """Where trained default models are kept: $EXPLAINER_CACHE_DIR, else ~/.cache/<app name>."""
    location = os.environ.get(CACHE_ENV, "").strip()
    return Path(location).expanduser() if location else Path.home() / ".cache" / APP_NAME


def keras_version() -> str:
    """The installed Keras' version, read from its package metadata (Keras is not imported)."""
    try:
        return importlib.metadata.version("keras")
    except importlib.metadata.PackageNotFoundError:
        return "none"


def cache_name(config: ModelConfig, data: mnist.MnistData, version: str) -> str:
    """The file stem for a model: its data size in words, then a hash of config, data and Keras."""
    recipe = json.dumps({"config": config.as_dict(), "data": data.fingerprint,
                         "keras": version}, sort_keys=True)
    which = "full" if data.is_full else f"{len(data.x_train)}-digits"
    return f"default-{config.kind}-{which}-{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class DefaultModelStatus:
    """What the waiting reader sees: a state, how far along (0-1), and one sentence."""

    state: str  # "waiting", "loading", "training", "ready" or "failed"
    fraction: float
    message: str
    retry_in_s: float | None = None  # when failed: seconds until the next automatic try

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def failed(self) -> bool:
        return self.state == "failed"


def _atomic_write(path: Path, write) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def save_cached(model: TrainedModel, folder: Path, name: str) -> None:
    """``name.npz`` (weights) then ``name.json``, each atomically; the JSON's presence means done.

    The worker has already written ``name.keras`` there.
    """
    folder.mkdir(parents=True, exist_ok=True)

    def write_weights(path):
        with open(path, "wb") as handle:
            np.savez(handle, *model.weights)

    _atomic_write(folder / f"{name}.npz", write_weights)
    info = {"config": model.config.as_dict(), "test_accuracy": model.test_accuracy,
            "source": model.source, "history": model.history, "device": model.device,
            "train_seconds": round(model.seconds, 1), "train_samples": model.train_samples}
    _atomic_write(folder / f"{name}.json", lambda p: Path(p).write_text(json.dumps(info)))


def load_cached(folder: Path, name: str, config: ModelConfig) -> TrainedModel | None:
    """The model an earlier run saved under ``name`` (numpy only), or None when absent or bad."""
    weights_path, info_path = folder / f"{name}.npz", folder / f"{name}.json"
    if not (weights_path.is_file() and info_path.is_file()):
        return None
    try:
        info = json.loads(info_path.read_text())
        if info.get("config") != json.loads(json.dumps(config.as_dict())):
            return None
        with np.load(weights_path, allow_pickle=False) as arrays:
            weights = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
        accuracy = info.get("test_accuracy")
        keras_path = folder / f"{name}.keras"
        return TrainedModel(weights, config, float(accuracy) if accuracy is not None else None,
                            info.get("history") or {}, str(info.get("source", "")),
                            device=str(info.get("device", "")),
                            seconds=float(info.get("train_seconds", 0.0)),
                            epochs_done=len((info.get("history") or {}).get("loss", [])),
                            train_samples=int(info.get("train_samples", 0)),
                            keras_path=keras_path if keras_path.is_file() else None)
    except Exception as exc:  # damaged or from an incompatible version: train again
        LOG.warning("ignoring the cached model %s: %s", weights_path, exc)
        return None


def best_local_data() -> tuple[mnist.MnistData, str]:
    """MNIST without a download, and a note when MNIST_DIR was set but unusable."""
    try:
        return mnist.load_mnist(), ""
    except mnist.MnistError as exc:
        return mnist.load_sample(), f"MNIST_DIR could not be used ({exc}); used the sample."


class DefaultModel:
    """Loads the cached default model, or has a worker train it; reports its progress.

    ``start()`` is safe to call from every script run: only the first call starts the thread.
    ``what`` names the network in its progress line.
    """

    def __init__(self, config: ModelConfig = PRESETS["post"], folder: Path | None = None,
                 load_data=best_local_data, backend: TrainingBackend | None = None,
                 what: str = "the walk-through's network"):
        self.config, self.what = config, what
        self.folder = folder if folder is not None else cache_folder()
        self._load_data = load_data
        self._backend = backend
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._status = DefaultModelStatus("waiting", 0.0, "Not started yet.")
        self._training: Training | None = None
        self._model: TrainedModel | None = None
        self._failures = 0
        self._retry_at: float | None = None
        self.loaded_from_cache = False
        self.note = ""

    def __repr__(self) -> str:
        return f"DefaultModel({self.config.label!r}, {self._status.state})"

    def start(self) -> None:
        """Start (or, once its retry time has come after a failure, restart) the preparation."""
        with self._lock:
            due = self._retry_at is not None and time.monotonic() >= self._retry_at
            if self._thread is None or (due and not self._thread.is_alive()):
                self._retry_at = None
                self._status = DefaultModelStatus("loading", 0.0, "Starting ...")
                self._thread = threading.Thread(target=self._run, name="default-model",
                                                daemon=True)
                self._thread.start()

    def retry_now(self) -> None:
        """After a failure: try again at once (the page's button)."""
        with self._lock:
            if self._status.failed:
                self._retry_at = time.monotonic()
        self.start()

    def wait(self, timeout: float | None = None) -> DefaultModelStatus:
        """Block until the preparation ends (for scripts and tests); returns the final status."""
        self.start()
        self._thread.join(timeout)
        return self.status()

    def status(self) -> DefaultModelStatus:
        with self._lock:
            status, training, retry_at = self._status, self._training, self._retry_at
        if status.failed and retry_at is not None:
            return DefaultModelStatus("failed", 0.0, status.message,
                                      max(retry_at - time.monotonic(), 0.0))
        if status.state != "training" or training is None:
            return status
        snap = training.progress.snapshot()
        if snap.phase == "training":
            left = f", about {snap.eta_s:.0f} s left" if snap.eta_s is not None else ""
            digits = snap.samples_total // max(snap.epochs * snap.runs, 1)
            epoch = min(snap.epoch + 1, snap.epochs)
            message = (f"Training {self.what} on {digits:,} digits "
                       f"({snap.device}): epoch {epoch} of {snap.epochs}{left}.")
        else:
            message = snap.status_line
        return DefaultModelStatus("training", snap.fraction, message)

    def data(self) -> tuple[mnist.MnistData, str]:  # MNIST's loaders keep it: cheap once loaded
        return self._load_data()

    @property
    def model(self) -> TrainedModel | None:
        with self._lock:
            return self._model

    def _report(self, state: str, fraction: float, message: str) -> None:
        with self._lock:
            self._status = DefaultModelStatus(state, min(max(fraction, 0.0), 1.0), message)

    def _run(self) -> None:
        try:
            model = self._load_or_train()
        except Exception as exc:  # shown on the page instead of a traceback
            LOG.warning("the default model failed: %s", exc)
            with self._lock:
                self._failures += 1
                waits = RETRY_AFTER_S
                self._retry_at = (time.monotonic() + waits[self._failures - 1]
                                  if self._failures <= len(waits) else None)
                self._status = DefaultModelStatus(
                    "failed", 0.0, f"The default model could not be prepared: {exc}")
            return
        with self._lock:
            self._model, self._failures = model, 0
            how = "loaded from the cache" if self.loaded_from_cache else "trained"
            self._status = DefaultModelStatus("ready", 1.0, f"Ready: {model.name} ({how}).")

    def _load_or_train(self) -> TrainedModel:
        self._report("loading", 0.0, "Loading the MNIST digits ...")
        data, self.note = self.data()
        name = cache_name(self.config, data, keras_version())
        cached = load_cached(self.folder, name, self.config)
        if cached is not None:
            self.loaded_from_cache = True
            return cached
        return self._train(data, name)

    def _train(self, data: mnist.MnistData, name: str) -> TrainedModel:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._status = DefaultModelStatus("training", 0.0, "Waiting for a worker ...")
        training = run_shared(name, self.config, data, self.folder / f"{name}.keras",
                              self._backend)
        with self._lock:
            self._training = training
        model = finished_model(training)
        model.test_probabilities = None  # the Draw page does not show them
        try:
            save_cached(model, self.folder, name)
        except OSError as exc:  # a read-only home: fine, it is trained again next time
            LOG.warning("could not cache the default model in %s: %s", self.folder, exc)
        return model


_WALK_THROUGH: DefaultModel | None = None  # the walk-through's network
_AUGMENTED: DefaultModel | None = None  # the same network trained on changed copies
_LOCK = threading.Lock()


def walk_through() -> DefaultModel:
    """The walk-through's network of this process (created on first use, not started)."""
    global _WALK_THROUGH
    with _LOCK:
        if _WALK_THROUGH is None:
            _WALK_THROUGH = DefaultModel()
        return _WALK_THROUGH


def augmented() -> DefaultModel:
    """The walk-through's network trained on moved, turned, resized, thicker or thinner copies
    (``spec.AUGMENTED``): the second shared model of this process, cached under its own name,
    trained once per server, or once per cluster through the job queue."""
    global _AUGMENTED
    with _LOCK:
        if _AUGMENTED is None:
            _AUGMENTED = DefaultModel(AUGMENTED, what="the network trained on changed copies")
        return _AUGMENTED


def reset() -> None:
    """Forget the process's shared models (after changing MNIST_DIR or the cache folder)."""
    global _WALK_THROUGH, _AUGMENTED
    with _LOCK:
        _WALK_THROUGH = _AUGMENTED = None
