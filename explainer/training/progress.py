"""A training's progress in the web process: fed by its worker's messages, drawn by the page.

The worker process sends small messages (a batch ended, an epoch ended, a new phase); a supervisor
thread applies them here under a lock, and the page's panel takes a :class:`Snapshot` once a
second. Nothing here knows about processes or Streamlit.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from explainer.training.messages import Message

CURVE_POINTS_PER_EPOCH = 40  # how many batch-level points per epoch the live curve keeps
ACTIVE_PHASES = ("queued", "starting", "loading", "training", "evaluating", "saving")
PHASE_TEXT = {
    "queued": "Waiting for a free training slot",
    "starting": "Starting",
    "loading": "Loading the digits",
    "training": "Training",
    "evaluating": "Testing on the test digits",
    "saving": "Saving the model",
    "done": "Finished",
    "stopped": "Stopped",
    "failed": "Failed",
}


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
    error_sayable: bool  # the error is written for the visitor (else only for the log)
    diverged: bool
    queue_place: int  # 1 = next to start; 0 = not queued
    stop_latency_s: float | None  # seconds from Stop to the end of training, once it ended
    worker_pid: int  # the process training it (0 before it reported)

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE_PHASES

    @property
    def fraction(self) -> float:
        return min(self.samples_done / self.samples_total, 1.0) if self.samples_total else 0.0

    @property
    def phase_text(self) -> str:
        return PHASE_TEXT.get(self.phase, self.phase)

    @property
    def status_line(self) -> str:
        """One line for a progress bar: the epoch and batch while training, else what the phase
        is doing in words (its message says it better than its name, so not both)."""
        if self.phase == "training":
            return (f"Training: epoch {min(self.epoch + 1, self.epochs)} of {self.epochs}, "
                    f"batch {self.batch} of {self.batches}")
        return self.message or self.phase_text


class TrainingProgress:
    """What one training is doing; written by its supervisor thread, read by the page."""

    def __init__(self, epochs: int, runs: int = 1):
        self._lock = threading.Lock()
        self.phase, self.message = "queued", ""
        self.run, self.runs = 0, runs
        self.epoch, self.epochs = 0, epochs
        self.batch, self.batches, self.batch_size = 0, 0, 0
        self.samples_done, self.samples_total, self._train_samples = 0, 0, 0
        self.device = ""
        self.worker_pid = 0  # the worker process training it, once it reported
        self.error = ""
        self.error_sayable = True  # words for the visitor (else for the server's log only)
        self.diverged = False
        self.queue_place = 0
        self.stop_asked_at: float | None = None  # time.time() of the press on Stop
        self.stop_latency_s: float | None = None
        self._created = time.monotonic()
        self._finished: float | None = None
        self._train_started: float | None = None
        self._train_seconds_before = 0.0  # training time of the finished runs
        self._recent: collections.deque = collections.deque(maxlen=64)  # (time, samples)
        self._curve: dict[str, list[float]] = {"x": [], "loss": [], "accuracy": []}
        self._epochs_log: dict[str, list[float]] = {}
        self._curve_every = 1

    def __repr__(self) -> str:
        return (f"TrainingProgress({self.phase}, run {self.run}/{self.runs}, epoch {self.epoch}/"
                f"{self.epochs}, batch {self.batch}/{self.batches})")

    # -- written by the supervisor -----------------------------------------------------------

    def set_phase(self, phase: str, message: str = "") -> None:
        with self._lock:
            self.phase, self.message = phase, message
            if phase != "queued":
                self.queue_place = 0
            if phase not in ACTIVE_PHASES and self._finished is None:
                self._finished = time.monotonic()

    def set_queue_place(self, place: int) -> None:
        with self._lock:
            self.queue_place = place

    def fail(self, error: str, sayable: bool = True) -> None:
        """It failed; ``sayable``: the error is written for the visitor, not for the log."""
        with self._lock:
            self.phase, self.error, self.error_sayable = "failed", error, sayable
            self._finished = self._finished or time.monotonic()

    def apply(self, kind: str, info: dict) -> None:
        """One message from the worker (see :class:`~explainer.training.messages.Message`)."""
        if kind == Message.PHASE:
            self.set_phase(info["phase"], info.get("message", ""))
        elif kind == Message.DEVICE:
            with self._lock:
                self.device = info["device"]
                self.worker_pid = info.get("pid", 0)
        elif kind == Message.BEGIN_RUN:
            self.begin_run(info["run"], info["batches"], info["batch_size"], info["samples"])
        elif kind == Message.BATCH:
            self.batch_end(info["batch"], info.get("loss"), info.get("accuracy"))
        elif kind == Message.EPOCH:
            self.epoch_end(info["epoch"], info.get("logs", {}))
        elif kind == Message.END_RUN:
            self.end_run()
        elif kind == Message.DIVERGED:
            with self._lock:
                self.diverged = True
        elif kind == Message.TRAINING_ENDED:
            with self._lock:
                if self.stop_asked_at is not None:
                    self.stop_latency_s = max(info["at"] - self.stop_asked_at, 0.0)

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
            self._curve_every = curve_every(batches)
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

    # -- read by the page --------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._finished or time.monotonic()
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
                elapsed_s=now - self._created, samples_per_second=rate, eta_s=eta,
                device=self.device, curve=_sorted_curve(self._curve),
                epochs_log={k: list(v) for k, v in self._epochs_log.items()},
                error=self.error, error_sayable=self.error_sayable, diverged=self.diverged,
                queue_place=self.queue_place,
                stop_latency_s=self.stop_latency_s, worker_pid=self.worker_pid)


def curve_every(batches: int) -> int:
    """Keep one batch in this many for the live curve (about 40 points per epoch)."""
    return max(1, batches // CURVE_POINTS_PER_EPOCH)


def _sorted_curve(curve: dict[str, list[float]]) -> dict[str, list[float]]:
    order = np.argsort(curve["x"], kind="stable")
    return {key: [values[i] for i in order] for key, values in curve.items()}
