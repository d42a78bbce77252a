"""The shared default model: the walk-through's network, trained once per server, read by everyone.

Whoever opens the drawing page first starts it; everyone after that waits on the same progress.
It is trained in a background thread on the best MNIST available without a download (MNIST_DIR,
else Keras' cache, else the shipped sample), and saved to a cache folder so the next server start
only loads it. The cache file name holds a fingerprint of the config, the data and the Keras
version, so a model trained on the sample is never taken for the one trained on all 60,000 digits.

Sessions only read it (through its numpy copy, :class:`explainer.concepts.inside.Mlp`); nobody
trains or changes it after it is ready.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from explainer.concepts.inside import Mlp, mlp_from_keras
from explainer.data import mnist
from explainer.server import cpu_share, server_memory
from explainer.training.model import (
    PRESETS,
    ModelConfig,
    TrainedModel,
    build_model,
    one_hot,
    prepare_inputs,
)

CACHE_ENV = "EXPLAINER_CACHE_DIR"
APP_NAME = "neural-network-explainer"
LOG = logging.getLogger(__name__)

STATES = ("waiting", "loading", "training", "ready", "failed")


def cache_folder() -> Path:
    """Where trained default models are kept: $EXPLAINER_CACHE_DIR, else ~/.cache/<app name>."""
    location = os.environ.get(CACHE_ENV, "").strip()
    return Path(location).expanduser() if location else Path.home() / ".cache" / APP_NAME


def data_fingerprint(data: mnist.MnistData) -> str:
    """A short hash of every digit and label: different data, different fingerprint."""
    digest = hashlib.sha256()
    for array in (data.x_train, data.y_train, data.x_test, data.y_test):
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def cache_name(config: ModelConfig, data: mnist.MnistData, keras_version: str) -> str:
    """The file stem for a model: its data size in words, then a hash of config, data and Keras."""
    recipe = json.dumps({"config": config.as_dict(), "data": data_fingerprint(data),
                         "keras": keras_version}, sort_keys=True)
    which = "full" if data.is_full else f"{len(data.x_train)}-digits"
    return f"default-{config.kind}-{which}-{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class Progress:
    """What the waiting reader sees: a state, how far along (0-1), and one sentence."""

    state: str
    fraction: float
    message: str

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def failed(self) -> bool:
        return self.state == "failed"


def _atomic_write_text(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def save_cached(trained: TrainedModel, folder: Path, name: str, seconds: float = 0.0) -> Path:
    """Write ``name.keras`` then ``name.json``, each atomically; the JSON's presence means done."""
    folder.mkdir(parents=True, exist_ok=True)
    model_path = folder / f"{name}.keras"
    handle, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".keras")
    os.close(handle)
    try:
        trained.model.save(tmp_name)
        os.replace(tmp_name, model_path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    info = {"config": trained.config.as_dict(), "test_accuracy": trained.test_accuracy,
            "source": trained.source, "history": trained.history,
            "train_seconds": round(seconds, 1)}
    _atomic_write_text(folder / f"{name}.json", json.dumps(info, indent=1))
    return model_path


def load_cached(folder: Path, name: str, config: ModelConfig) -> TrainedModel | None:
    """The model an earlier run saved under ``name``, or None when absent or unreadable."""
    model_path, info_path = folder / f"{name}.keras", folder / f"{name}.json"
    if not (model_path.is_file() and info_path.is_file()):
        return None
    try:
        import keras

        info = json.loads(info_path.read_text())
        if info.get("config") != json.loads(json.dumps(config.as_dict())):
            return None
        model = keras.saving.load_model(model_path, compile=False)  # a file we wrote ourselves
        accuracy = info.get("test_accuracy")
        return TrainedModel(model, config, float(accuracy) if accuracy is not None else None,
                            info.get("history") or {}, str(info.get("source", "")))
    except Exception as exc:  # damaged or from an incompatible version: train again
        LOG.warning("ignoring the cached model %s: %s", model_path, exc)
        return None


def best_local_data() -> tuple[mnist.MnistData, str]:
    """MNIST without a download, and a note when MNIST_DIR was set but unusable."""
    try:
        return mnist.load_mnist(allow_download=False), ""
    except mnist.MnistError as exc:
        return mnist.load_sample(), f"MNIST_DIR could not be used ({exc}); used the sample."


class DefaultModel:
    """Trains (or loads) one model in a background thread and reports its progress.

    ``start()`` is safe to call from every script run: only the first call starts the thread.
    """

    def __init__(self, config: ModelConfig = PRESETS["post"], folder: Path | None = None,
                 load_data=best_local_data):
        self.config = config
        self.folder = folder if folder is not None else cache_folder()
        self._load_data = load_data
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._progress = Progress("waiting", 0.0, "Not started yet.")
        self._trained: TrainedModel | None = None
        self._mlp: Mlp | None = None
        self.loaded_from_cache = False
        self.note = ""

    def __repr__(self) -> str:
        return f"DefaultModel({self.config.label!r}, {self._progress.state})"

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._progress = Progress("loading", 0.0, "Starting ...")
                self._thread = threading.Thread(target=self._run, name="default-model",
                                                daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> Progress:
        """Block until the thread is done (for scripts and tests); returns the final progress."""
        self.start()
        self._thread.join(timeout)
        return self.progress()

    def progress(self) -> Progress:
        with self._lock:
            return self._progress

    @property
    def trained(self) -> TrainedModel | None:
        with self._lock:
            return self._trained

    @property
    def mlp(self) -> Mlp | None:
        with self._lock:
            return self._mlp

    def _report(self, state: str, fraction: float, message: str) -> None:
        with self._lock:
            self._progress = Progress(state, min(max(fraction, 0.0), 1.0), message)

    def _run(self) -> None:
        try:
            self._load_or_train()
        except Exception as exc:  # shown on the page instead of a traceback
            LOG.exception("the default model failed")
            self._report("failed", 0.0, f"The default model could not be prepared: {exc}")

    def _load_or_train(self) -> None:
        self._report("loading", 0.0, "Loading the MNIST digits ...")
        data, self.note = self._load_data()
        self._report("loading", 0.0, "Loading TensorFlow (a few seconds the first time) ...")
        from explainer.training.device import describe_device, load_keras

        keras = load_keras()

        device = describe_device()
        name = cache_name(self.config, data, keras.__version__)
        trained = load_cached(self.folder, name, self.config)
        if trained is not None:
            self.loaded_from_cache = True
        else:
            trained = self._train(data, device, name)
        mlp = mlp_from_keras(trained.model, 1 / 255 if self.config.scale_inputs else 1.0)
        with self._lock:
            self._trained, self._mlp = trained, mlp
            how = "loaded from the cache" if self.loaded_from_cache else "trained"
            self._progress = Progress("ready", 1.0, f"Ready: {trained.name} ({how}).")

    def _train(self, data: mnist.MnistData, device: str, name: str) -> TrainedModel:
        import keras

        cpu_share.lower_this_thread(cpu_share.DEFAULT_MODEL_WORKER)  # after the import
        config = self.config
        x_train, y_train = prepare_inputs(data.x_train, config), one_hot(data.y_train)
        steps = -(-len(x_train) // config.batch_size)
        total = steps * config.epochs
        began = time.perf_counter()
        report = self._report

        class Progressing(keras.callbacks.Callback):
            epoch = 0

            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch

            def on_train_batch_end(self, batch, logs=None):
                if batch == 0:  # visitors' clicks first: see explainer/server/cpu_share.py
                    cpu_share.lower_tensorflow_priority()
                done = self.epoch * steps + batch + 1
                if batch % 20 and done != total:
                    return
                elapsed = time.perf_counter() - began
                accuracy = (logs or {}).get("accuracy")
                seen = f", accuracy so far {accuracy:.1%}" if accuracy is not None else ""
                # the first batches include setting up the graph: no estimate from them
                left = (f", about {elapsed / done * (total - done):.0f} s left"
                        if done >= 0.05 * total else "")
                report("training", done / total,
                       f"Training the walk-through's network on {len(x_train):,} digits "
                       f"({device}): epoch {self.epoch + 1} of {config.epochs}{seen}{left}.")

        self._report("training", 0.0, f"Training on {len(x_train):,} digits ({device}) ...")
        model = build_model(config)
        with server_memory.training_memory():
            fit = model.fit(x_train, y_train, epochs=config.epochs, batch_size=config.batch_size,
                            verbose=0, callbacks=[Progressing()])
            self._report("training", 1.0, "Measuring the accuracy on the test digits ...")
            _, accuracy = model.evaluate(prepare_inputs(data.x_test, config),
                                         one_hot(data.y_test), batch_size=1024, verbose=0)
        history = {key: [float(v) for v in values] for key, values in fit.history.items()}
        trained = TrainedModel(model, config, float(accuracy), history, data.source)
        seconds = time.perf_counter() - began
        try:
            save_cached(trained, self.folder, name, seconds)
        except OSError as exc:  # a read-only home: fine, it is trained again next time
            LOG.warning("could not cache the default model in %s: %s", self.folder, exc)
        return trained


_SHARED: DefaultModel | None = None
_SHARED_LOCK = threading.Lock()


def shared() -> DefaultModel:
    """The one default model of this process (created on first use, not started)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = DefaultModel()
        return _SHARED


def reset_shared() -> None:
    """Forget the process's default model (after changing MNIST_DIR or the cache folder)."""
    global _SHARED
    with _SHARED_LOCK:
        _SHARED = None
