"""One-change experiments run by the worker pool, once per server, for every visitor.

A click asks :func:`start` for an experiment's result: it comes from the shared store
(:class:`~explainer.training.experiment_store.SharedRuns`) when someone already ran it, and
otherwise a background thread has a worker process train it, like any other training. The
experiment's model is only measured: it never becomes the session's model or the Draw page's.
The walk-through's network itself is not trained again: its row is the shared default model's;
nor is the network on changed copies, when the shared one (the Draw page's) learned the same
digits.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from explainer.data.mnist import MnistData
from explainer.training import default_model
from explainer.training.experiment_store import SharedRuns, cache_key
from explainer.training.experiments import (
    BASELINE,
    Experiment,
    ExperimentResult,
    robustness_of,
)
from explainer.training.pool import Training, TrainingBackend, finished_model, run_shared
from explainer.training.progress import TrainingProgress
from explainer.training.spec import ModelConfig, parameter_count
from explainer.training.trained import TrainedModel


def train_in_worker(config: ModelConfig, data: MnistData, key: str,
                    backend: TrainingBackend | None = None,
                    started: Callable[[Training], None] | None = None) -> TrainedModel:
    """Train ``config`` on ``data`` once for ``key`` (shared work) and wait; raises on failure.

    ``started`` is handed the training at once (the page draws its bar from its progress).
    """
    folder = default_model.cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    training = run_shared(key, config, data, folder / f"{key}-{uuid.uuid4().hex[:8]}.keras",
                          backend)
    if started is not None:
        started(training)
    model = finished_model(training)
    if model.keras_path is not None:
        model.keras_path.unlink(missing_ok=True)  # only its figures are kept
    return model


def baseline_result(model: TrainedModel, data: MnistData | None = None) -> ExperimentResult:
    """The walk-through's network's row, from the shared default model's figures; with ``data``
    (the digits it learned) also its accuracy on the robustness set."""
    curve = [float(v) for v in model.history.get("val_accuracy", [])]
    return ExperimentResult(
        experiment_id=BASELINE.id, name=BASELINE.name,
        test_accuracy=float(model.test_accuracy or 0.0), seconds=float(model.seconds),
        parameters=parameter_count(model.config),
        epoch_accuracy=curve, epochs=model.epochs_done or len(curve),
        train_samples=model.train_samples, source=model.source, device=model.device,
        robustness_accuracy=robustness_of(model, data))


def shared_model_for(config: ModelConfig, data: MnistData) -> TrainedModel | None:
    """The shared network on changed copies, when ``config`` is its recipe and it learned
    ``data``: waited for (a training already under way, or a cache read), not trained twice."""
    shared = default_model.augmented()
    if config.with_changes(label="") != shared.config.with_changes(label=""):
        return None
    known, _ = shared.data()
    if known.fingerprint != data.fingerprint or not shared.wait().ready:
        return None
    return shared.model


class ExperimentRunner:
    """Hands experiment runs to background threads; the store makes each one run once."""

    def __init__(self, store: SharedRuns | None = None, backend: TrainingBackend | None = None,
                 threads: int = 4):
        self.store = store or SharedRuns()
        self._backend = backend
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="experiment")
        self._progress: dict[tuple[str, str], TrainingProgress] = {}  # (experiment, data) -> it
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ExperimentRunner({self.store!r})"

    def start(self, experiment: Experiment, data: MnistData,
              config: ModelConfig | None = None) -> Future:
        """A future of the experiment's result on ``data`` (``config`` overrides its config)."""
        where = (experiment.id, data.source)

        def started(training: Training) -> None:
            with self._lock:
                self._progress[where] = training.progress

        def train(chosen: ModelConfig, digits: MnistData) -> TrainedModel:
            found = shared_model_for(chosen, digits)
            if found is not None:
                return found
            key = cache_key(experiment.id, chosen, digits, default_model.keras_version())
            return train_in_worker(chosen, digits, key, self._backend, started)

        def run() -> ExperimentResult:
            return self.store.result(experiment, data, train, default_model.keras_version(),
                                     config=config)

        return self._threads.submit(run)

    def progress(self, experiment_id: str, source: str) -> TrainingProgress | None:
        """The live progress of the experiment's latest training on these digits, if any.

        Every visitor who asked for the same experiment watches the one run that trains it.
        """
        with self._lock:
            return self._progress.get((experiment_id, source))


_RUNNER: ExperimentRunner | None = None
_LOCK = threading.Lock()


def runner() -> ExperimentRunner:
    """The one runner of this server process (created on first use)."""
    global _RUNNER
    with _LOCK:
        if _RUNNER is None:
            _RUNNER = ExperimentRunner()
        return _RUNNER
