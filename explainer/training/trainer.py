"""Training in a worker thread, so the reader can watch the network learn and keep clicking.

A Streamlit script is stopped whenever the reader touches a widget; a thread is not. The worker
never calls Streamlit: it writes what it sees into a :class:`Progress` (a lock and a few numbers)
and the page draws a snapshot of it every second. Stop sets a flag that a Keras callback turns
into ``model.stop_training = True``; the model is kept as it is. At most ``MAX_TRAININGS``
trainings (default 2) run at once on the server; the others wait for a free slot.

:func:`train_once` is the whole recipe (split, build, fit, evaluate) and runs in any thread: the
page runs it through a :class:`Trainer`, the benchmark runs it directly.
"""

from __future__ import annotations

import collections
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from explainer.data.mnist import MnistData
from explainer.server import cpu_share, server_memory
from explainer.training.model import (
    ModelConfig,
    TrainedModel,
    build_model,
    one_hot,
    prepare_inputs,
    training_subset,
)

# Like the walk-through, train on every training digit and draw the validation curve on the test
# digits, which the network never trains on. A fraction above 0 holds out that share of the
# training digits for the curve instead (the careful practice when the curve is used to choose).
VALIDATION_FRACTION = 0.0
_log = logging.getLogger(__name__)
CURVE_POINTS_PER_EPOCH = 40  # how many batch-level points per epoch the live curve keeps
ABANDON_AFTER_S = 120.0  # stop a training whose browser session has been gone this long


def max_trainings() -> int:
    """The server-wide limit on simultaneous trainings: ``MAX_TRAININGS``, default 2 (1-16)."""
    try:
        value = int(os.environ.get("MAX_TRAININGS", "2"))
    except ValueError:
        value = 2
    return min(max(value, 1), 16)


class TrainingSlots:
    """A counting lock that also says how many trainings run and how many wait."""

    def __init__(self, limit: int):
        self.limit = limit
        self.running = 0
        self.waiting = 0
        self._condition = threading.Condition()

    def acquire(self, timeout: float) -> bool:
        """Take a slot, waiting at most ``timeout`` seconds; True if one was taken."""
        with self._condition:
            self.waiting += 1
            try:
                taken = self._condition.wait_for(lambda: self.running < self.limit, timeout)
                if taken:
                    self.running += 1
                return taken
            finally:
                self.waiting -= 1

    def release(self) -> None:
        with self._condition:
            self.running = max(self.running - 1, 0)
            self._condition.notify()

    def __repr__(self) -> str:
        return f"TrainingSlots({self.running}/{self.limit} running, {self.waiting} waiting)"


_slots: TrainingSlots | None = None
_slots_lock = threading.Lock()


def server_slots() -> TrainingSlots:
    """The one :class:`TrainingSlots` of this server process."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = TrainingSlots(max_trainings())
        return _slots


def split_validation(images: np.ndarray, labels: np.ndarray, fraction: float = VALIDATION_FRACTION):
    """Hold out a fixed random part of the training digits to watch the network on unseen digits.

    Returns ``(x_train, y_train, x_val, y_val)``. The same digits are held out for every seed, so
    runs differ only by the network's own randomness.
    """
    order = np.random.default_rng(20_240_601).permutation(len(images))
    held_out = int(round(len(images) * fraction))
    if held_out == 0:
        return images, labels, images[:0], labels[:0]
    val, train = order[:held_out], order[held_out:]
    return images[train], labels[train], images[val], labels[val]


# ---------------------------------------------------------------------------------------------
# Progress: written by the worker, read by the page


@dataclass
class Snapshot:
    """A consistent copy of the progress at one moment, for the page to draw."""

    phase: str
    message: str
    run: int
    runs: int
    epoch: int
    epochs: int
    batch: int
    batches: int
    samples_done: int
    samples_total: int
    elapsed_s: float
    samples_per_second: float
    eta_s: float | None
    device: str
    curve: dict[str, list[float]]
    epochs_log: dict[str, list[float]]
    error: str
    diverged: bool

    @property
    def active(self) -> bool:
        return self.phase in Progress.ACTIVE

    @property
    def fraction(self) -> float:
        return min(self.samples_done / self.samples_total, 1.0) if self.samples_total else 0.0


class Progress:
    """What a training is doing, safe to write from the worker and read from the page."""

    ACTIVE = ("queued", "waiting", "loading", "training", "evaluating")
    PHASE_TEXT = {
        "queued": "Starting",
        "waiting": "Waiting for a free training slot",
        "loading": "Loading TensorFlow",
        "training": "Training",
        "evaluating": "Testing on the test digits",
        "done": "Finished",
        "stopped": "Stopped",
        "failed": "Failed",
    }

    def __init__(self, epochs: int, runs: int = 1):
        self._lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.phase = "queued"
        self.message = ""
        self.run, self.runs = 0, runs
        self.epoch, self.epochs = 0, epochs
        self.batch, self.batches = 0, 0
        self.batch_size = 0
        self.samples_done, self.samples_total = 0, 0
        self.device = ""
        self.error = ""
        self.diverged = False
        self._created = time.monotonic()
        self._finished: float | None = None
        self._train_started: float | None = None
        self._train_seconds_before = 0.0  # training time of the finished runs
        self._recent: collections.deque = collections.deque(maxlen=64)  # (time, samples)
        self._curve: dict[str, list[float]] = {"x": [], "loss": [], "accuracy": []}
        self._epochs_log: dict[str, list[float]] = {}
        self._curve_every = 1

    def __repr__(self) -> str:
        return (f"Progress({self.phase}, run {self.run}/{self.runs}, epoch {self.epoch}/"
                f"{self.epochs}, batch {self.batch}/{self.batches})")

    # -- written by the worker ---------------------------------------------------------------

    def set_phase(self, phase: str, message: str = "") -> None:
        with self._lock:
            self.phase, self.message = phase, message
            if phase not in self.ACTIVE:
                self._finished = time.monotonic()

    def fail(self, error: str) -> None:
        with self._lock:
            self.phase, self.error = "failed", error
            self._finished = time.monotonic()

    def begin_run(self, run: int, batches: int, batch_size: int, train_samples: int) -> None:
        """A new seed starts: fresh curves, the totals for the progress bar and ETA."""
        with self._lock:
            self.phase, self.message = "training", ""
            self.run, self.epoch, self.batch, self.batches = run, 0, 0, batches
            self.batch_size = batch_size
            self.samples_total = train_samples * self.epochs * self.runs
            self.samples_done = train_samples * self.epochs * (run - 1)
            self._curve = {"x": [], "loss": [], "accuracy": []}
            self._epochs_log = {"epoch": [], "loss": [], "accuracy": [], "val_loss": [],
                                "val_accuracy": []}
            self._curve_every = max(1, batches // CURVE_POINTS_PER_EPOCH)
            self._train_started = time.monotonic()
            self._recent.clear()
            self._recent.append((self._train_started, self.samples_done))
            self._train_samples = train_samples

    def end_run(self) -> None:
        with self._lock:
            if self._train_started is not None:
                self._train_seconds_before += time.monotonic() - self._train_started
                self._train_started = None

    def batch_end(self, batch: int, loss: float | None, accuracy: float | None) -> None:
        """One batch done (``batch`` counts from 0 within the epoch); cheap: a few numbers."""
        now = time.monotonic()
        with self._lock:
            self.batch = max(self.batch, batch + 1)  # Keras may report batches out of order
            done_before = self._train_samples * (self.epochs * (self.run - 1) + self.epoch)
            self.samples_done = min(done_before + self.batch * self.batch_size,
                                    done_before + self._train_samples)
            self._recent.append((now, self.samples_done))
            if loss is not None and (batch % self._curve_every == 0 or batch + 1 == self.batches):
                self._curve["x"].append(self.epoch + (batch + 1) / max(self.batches, 1))
                self._curve["loss"].append(float(loss))
                self._curve["accuracy"].append(float(accuracy) if accuracy is not None
                                               else math.nan)

    def epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        with self._lock:
            self.epoch = epoch + 1
            self.batch = 0
            self._epochs_log["epoch"].append(epoch + 1)
            for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                self._epochs_log[key].append(float(logs.get(key, math.nan)))

    def mark_diverged(self) -> None:
        with self._lock:
            self.diverged = True

    # -- read by the page --------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._finished or time.monotonic()
            elapsed = now - self._created
            rate = 0.0
            train_seconds = self._train_seconds_before + (
                now - self._train_started if self._train_started is not None else 0.0)
            if self.phase == "training" and len(self._recent) >= 2:  # the last few batches
                (t0, s0), (t1, s1) = self._recent[0], self._recent[-1]
                rate = (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
            elif train_seconds > 0:  # finished: the average over the whole training
                rate = self.samples_done / train_seconds
            eta = None
            if self.phase == "training" and rate > 0:
                eta = (self.samples_total - self.samples_done) / rate
            return Snapshot(
                phase=self.phase, message=self.message, run=self.run, runs=self.runs,
                epoch=self.epoch, epochs=self.epochs, batch=self.batch, batches=self.batches,
                samples_done=self.samples_done, samples_total=self.samples_total,
                elapsed_s=elapsed, samples_per_second=rate, eta_s=eta, device=self.device,
                curve=_sorted_curve(self._curve),
                epochs_log={k: list(v) for k, v in self._epochs_log.items()},
                error=self.error, diverged=self.diverged)


def _sorted_curve(curve: dict[str, list[float]]) -> dict[str, list[float]]:
    order = np.argsort(curve["x"], kind="stable")
    return {key: [values[i] for i in order] for key, values in curve.items()}


def make_progress_callback(progress: Progress, alive: Callable[[], bool] | None = None):
    """A Keras callback that reports to ``progress`` and honours Stop (and NaN, and a lost tab)."""
    import keras

    class ProgressCallback(keras.callbacks.Callback):
        # Safe to run on Keras' callback thread: it only takes a lock and stores numbers.
        async_safe = True

        def __init__(self):
            super().__init__()
            self._last_alive_check = time.monotonic()
            self._gone_since: float | None = None
            self._last_priority_check = -math.inf

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() - self._last_priority_check > 5.0:  # TF may start new threads
                self._last_priority_check = time.monotonic()
                cpu_share.lower_tensorflow_priority()
            logs = logs or {}
            loss = logs.get("loss")
            progress.batch_end(batch, loss, logs.get("accuracy"))
            if loss is not None and not math.isfinite(loss):
                progress.mark_diverged()
                self.model.stop_training = True
            if progress.stop_requested.is_set():
                self.model.stop_training = True
            elif alive is not None:
                self._check_alive()

        def _check_alive(self):
            now = time.monotonic()
            if now - self._last_alive_check < 2.0:
                return
            self._last_alive_check = now
            if alive():
                self._gone_since = None
            elif self._gone_since is None:
                self._gone_since = now
            elif now - self._gone_since > ABANDON_AFTER_S:
                progress.stop_requested.set()
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            progress.epoch_end(epoch, logs or {})

    return ProgressCallback()


# ---------------------------------------------------------------------------------------------
# One training, start to finish


def train_once(config: ModelConfig, data: MnistData, progress: Progress | None = None,
               run: int = 1, alive: Callable[[], bool] | None = None,
               validation_fraction: float = VALIDATION_FRACTION) -> TrainedModel:
    """Build, fit (reporting to ``progress``), test; the result.

    The validation curve uses the test digits, or held-out training digits when
    ``validation_fraction`` is above 0.
    """
    from explainer.training.device import describe_device

    device = describe_device()  # turns on GPU memory growth before TensorFlow uses the GPU
    x_train, y_train, x_val, y_val = split_validation(data.x_train, data.y_train,
                                                      validation_fraction)
    x_train, y_train = training_subset(x_train, y_train, config.train_fraction)
    if not len(x_val):
        x_val, y_val = data.x_test, data.y_test
    inputs, targets = prepare_inputs(x_train, config), one_hot(y_train)
    validation = (prepare_inputs(x_val, config), one_hot(y_val))
    model = build_model(config)
    batches = math.ceil(len(inputs) / config.batch_size)
    callbacks = []
    if progress is not None:
        progress.device = device
        progress.begin_run(run, batches, config.batch_size, len(inputs))
        callbacks.append(make_progress_callback(progress, alive))
    with server_memory.training_memory():
        started = time.perf_counter()
        history = model.fit(inputs, targets, epochs=config.epochs, batch_size=config.batch_size,
                            validation_data=validation, callbacks=callbacks, verbose=0)
        seconds = time.perf_counter() - started
        if progress is not None:
            progress.end_run()
            progress.set_phase("evaluating")
        probabilities = predict_in_batches(model, prepare_inputs(data.x_test, config))
    correct = probabilities.argmax(axis=1) == data.y_test
    epochs_done = len(history.history.get("loss", []))
    stopped = epochs_done < config.epochs or bool(progress and progress.stop_requested.is_set())
    return TrainedModel(
        model=model, config=config, test_accuracy=float(correct.mean()),
        history={k: [float(v) for v in values] for k, values in history.history.items()},
        source=data.source, test_probabilities=probabilities, seconds=seconds,
        epochs_done=epochs_done, stopped=stopped, device=device,
        train_samples=len(inputs))


def predict_in_batches(model, inputs: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """Probabilities for many inputs without Keras' predict loop (and its thread pool)."""
    parts = [np.asarray(model.predict_on_batch(inputs[i:i + batch_size]))
             for i in range(0, len(inputs), batch_size)]
    if not parts:
        return np.zeros((0, 10), dtype="float32")
    return np.concatenate(parts).astype("float32")


# ---------------------------------------------------------------------------------------------
# The worker thread


@dataclass
class Trainer:
    """Trains one config for one or more seeds in a background thread.

    ``results`` fills with one :class:`TrainedModel` per finished (or stopped) seed; ``on_finish``
    is called in the worker thread with the results when the thread ends, whatever happened.
    """

    config: ModelConfig
    data: MnistData
    seeds: Sequence[int] = (0,)
    alive: Callable[[], bool] | None = None
    on_finish: Callable[[list[TrainedModel]], Any] | None = None
    slots: TrainingSlots | None = None
    progress: Progress = field(init=False)
    results: list[TrainedModel] = field(init=False, default_factory=list)
    thread: threading.Thread = field(init=False)

    def __post_init__(self):
        self.seeds = tuple(self.seeds)
        self.progress = Progress(self.config.epochs, runs=len(self.seeds))
        self.thread = threading.Thread(target=self._work, name="mnist-training", daemon=True)

    def __repr__(self) -> str:
        return f"Trainer({self.config.label!r}, seeds={self.seeds}, {self.progress!r})"

    def start(self) -> Trainer:
        self.thread.start()
        return self

    def stop(self) -> None:
        """End the training after the current batch; the model is kept as it is."""
        self.progress.stop_requested.set()

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self.thread.join(timeout)

    def _take_slot(self, slots: TrainingSlots) -> bool:
        while not self.progress.stop_requested.is_set():
            if slots.acquire(timeout=0.5):
                return True
            self.progress.set_phase(
                "waiting", f"{slots.running} of {slots.limit} trainings are running on this "
                f"server; yours starts when one ends.")
            if self.alive is not None and not self.alive():
                return False
        return False

    def _work(self) -> None:
        slots = self.slots or server_slots()
        try:
            if not self._take_slot(slots):
                self.progress.set_phase("stopped", "Stopped before it started.")
                return
            try:
                self.progress.set_phase("loading", "The first import takes a few seconds.")
                from explainer.training.device import load_keras

                load_keras()  # heavy: imported here, not by the page

                # This thread runs much of the training itself: visitors' clicks come first. Only
                # after the import, which holds Python's lock (a lowered thread would hold it
                # longer while browsers or other work take the cores).
                cpu_share.lower_this_thread(cpu_share.TRAINING_WORKER)

                for run, seed in enumerate(self.seeds, start=1):
                    if self.progress.stop_requested.is_set():
                        break
                    config = self.config.with_changes(seed=seed)
                    self.results.append(train_once(config, self.data, self.progress, run,
                                                   self.alive))
            finally:
                slots.release()
            stopped = self.progress.stop_requested.is_set() or self.progress.diverged
            self.progress.set_phase("stopped" if stopped else "done")
        except Exception as exc:  # shown on the page; the slot is already released
            _log.exception("training %r failed", self.config.label)
            self.progress.fail(f"{type(exc).__name__}: {exc}")
        finally:
            if self.on_finish is not None:
                try:
                    self.on_finish(list(self.results))
                except Exception as exc:  # a callback must not hide the training's outcome
                    self.progress.fail(f"Could not hand over the model: {exc}")
