"""Experiment results computed once per server and shared by every visitor.

An experiment has fixed settings and a fixed seed, so its result depends only on its config, the
digits and the Keras version: those make its cache key. A result is kept as a small JSON file
beside the default model (the model itself is not needed to compare), and while one visitor's
click trains it, everyone else who asks for it waits for that same run: a classroom clicking the
same experiment waits for one training, not twenty.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from explainer.data.mnist import MnistData
from explainer.training.default_model import cache_folder
from explainer.training.experiments import Experiment, ExperimentResult, result_from_trained
from explainer.training.spec import ModelConfig

LOG = logging.getLogger(__name__)


def cache_key(experiment_id: str, config: ModelConfig, data: MnistData,
              keras_version: str) -> str:
    """The file stem of an experiment's result: its id, the data's size in words, then a hash of
    config, data and Keras version (as the default model's cache name)."""
    recipe = json.dumps({"config": config.as_dict(), "data": data.fingerprint,
                         "keras": keras_version}, sort_keys=True)
    which = "full" if data.is_full else f"{len(data.x_train)}-digits"
    return f"experiment-{experiment_id}-{which}-{hashlib.sha256(recipe.encode()).hexdigest()[:16]}"


def save_result(result: ExperimentResult, folder: Path, key: str) -> Path:
    """Write ``key.json`` atomically (a reader never sees half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.json"
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False) as tmp:
        json.dump(result.as_dict(), tmp, indent=1)
    os.replace(tmp.name, path)
    return path


def load_result(folder: Path, key: str) -> ExperimentResult | None:
    """The result saved under ``key``, or None when absent or unreadable."""
    path = folder / f"{key}.json"
    if not path.is_file():
        return None
    try:
        return ExperimentResult.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError) as exc:  # damaged: computed again
        LOG.warning("ignoring the saved experiment %s: %s", path, exc)
        return None


Train = Callable[[ModelConfig, MnistData], object]  # config, data -> a TrainedModel


class SharedRuns:
    """Each experiment's result, computed at most once per key and shared.

    :meth:`result` trains on the first call for a key (in the caller's thread: the page hands it
    to its worker) and every concurrent call for that key waits for the same run. A failed run is
    forgotten, so the next click tries again.
    """

    def __init__(self, folder: Path | None = None):
        self.folder = folder if folder is not None else cache_folder()
        self._lock = threading.Lock()
        self._runs: dict[str, Future] = {}

    def __repr__(self) -> str:
        return f"SharedRuns({len(self._runs)} runs, {self.folder})"

    def known(self, key: str) -> ExperimentResult | None:
        """A finished result for ``key`` without training: from memory or from disk."""
        with self._lock:
            run = self._runs.get(key)
        if run is not None:
            return run.result() if run.done() and run.exception() is None else None
        return load_result(self.folder, key)

    def result(self, experiment: Experiment, data: MnistData, train: Train, keras_version: str,
               config: ModelConfig | None = None, timeout: float | None = None
               ) -> ExperimentResult:
        """The experiment's result on ``data``; ``config`` overrides its config (shorter runs)."""
        config = config or experiment.config
        key = cache_key(experiment.id, config, data, keras_version)
        with self._lock:
            run = self._runs.get(key)
            owner = run is None
            if owner:
                run = self._runs[key] = Future()
        if not owner:
            return run.result(timeout)
        try:
            found = load_result(self.folder, key)
            if found is None:
                found = result_from_trained(experiment, train(config, data), data)
                try:
                    save_result(found, self.folder, key)
                except OSError as exc:  # a read-only cache: kept in memory only
                    LOG.warning("could not save experiment %s: %s", key, exc)
            run.set_result(found)
            return found
        except BaseException as exc:
            with self._lock:
                self._runs.pop(key, None)
            run.set_exception(exc)
            raise
