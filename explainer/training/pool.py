"""Where trainings go: one interface, whichever backend runs them, and the app's few ways to use it.

A press on Train, the shared default model and each one-change experiment all become a
:class:`~explainer.training.jobs.TrainJob` for a :class:`TrainingBackend`: today's local pool of
worker processes (:mod:`explainer.training.local_pool`), or a job queue that several servers and
machines share. The page holds a :class:`Training`: its progress (written only by the backend),
Stop, and in the end a result or an error. The limits are per session and per browser (several
tabs count once); a visitor's address is never a key, since a classroom shares one.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from explainer.data.mnist import MnistData
from explainer.training import limits
from explainer.training.jobs import TrainJob
from explainer.training.progress import TrainingProgress
from explainer.training.spec import ModelConfig, validate
from explainer.training.trained import TrainedModel, TrainingOutcome, outcome_from_result

ALREADY = ("You already have a training running or waiting (perhaps in another tab): one at a "
           "time per visitor. Stop it, or wait for it to finish.")


class Lane(StrEnum):
    """Which line a job waits in: a visitor's own training, or work every visitor shares."""

    VISITOR = "visitor"
    SHARED = "shared"  # the default model, the experiments, the MNIST download


@dataclass(frozen=True)
class Visitor:
    """Who asks: their session, and their browser ("" when it sent no cookie)."""

    session: str
    browser: str = ""
    session_exists: Callable[[], bool] | None = field(default=None, compare=False)

    def shares_limits_with(self, other: Visitor | None) -> bool:
        """Whether the two count as one visitor: the same session, or the same browser."""
        return other is not None and (other.session == self.session
                                      or bool(self.browser) and other.browser == self.browser)


class Training:
    """One training as the page sees it: its progress, Stop, and in the end a result or an error.

    A training belongs to its browser: every session of that browser that looks at it
    (:meth:`touch`) sees its progress and may stop it, and the finished model goes to the one
    that looked last (:meth:`claim`). The backend fills in ``result`` or ``error``.
    """

    def __init__(self, job: TrainJob, visitor: Visitor | None = None,
                 lane: Lane = Lane.VISITOR, key: str = ""):
        self.id = uuid.uuid4().hex[:12]
        self.job, self.visitor, self.lane, self.key = job, visitor, lane, key
        self.progress = TrainingProgress(job.config.epochs if job.config else 0,
                                         runs=max(len(job.seeds), 1))
        self.result: dict | None = None  # the worker's, as it sent it
        self.error = ""
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._sessions: dict[str, Callable[[], bool] | None] = {}
        self._last_session = ""
        self._claimed = False
        self._outcome: TrainingOutcome | None = None
        if visitor is not None:
            self.touch(visitor.session, visitor.session_exists)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id}, {self.job!r}, {self.progress.phase})"

    @property
    def running(self) -> bool:
        return not self.finished.is_set()

    def stop(self) -> None:
        """End training after the current batch; what was learned so far is kept and tested."""
        if self.stop_requested.is_set():
            return
        self.progress.stop_asked_at = time.time()
        self.stop_requested.set()
        self._stop_asked()

    def _stop_asked(self) -> None:
        """The backend's part of Stop (tell the worker, or leave the line)."""

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)

    def touch(self, session: str, session_exists: Callable[[], bool] | None = None) -> None:
        """A session of this training's browser looked at it: it is the one to hand it to."""
        with self._lock:
            self._sessions[session] = session_exists
            self._last_session = session

    @property
    def watched(self) -> bool:
        """Whether any session has looked at it (shared work has none)."""
        with self._lock:
            return bool(self._sessions)

    def any_session_exists(self) -> bool:
        """Whether any session that looked at it still exists (its training is still wanted)."""
        with self._lock:
            checks = list(self._sessions.values())
        return any(check is None or check() for check in checks)

    def claim(self, session: str) -> bool:
        """True once, for the session that looked last, when the training has finished."""
        with self._lock:
            if self.running or self._claimed or session != self._last_session:
                return False
            self._claimed = True
            return True

    @property
    def claimed(self) -> bool:
        with self._lock:
            return self._claimed

    @property
    def outcome(self) -> TrainingOutcome:
        """What the result means for the page: the median seed's model and every seed's figures."""
        if self._outcome is None:
            self._outcome = outcome_from_result(self.result, self.job.config, self.error)
        return self._outcome


@dataclass(frozen=True)
class PoolStatus:
    """What the host and the page may know of the trainings: slots, lines, workers, device."""

    limit: int
    running_count: int  # trainings running now (a Training's own `running` is a bool)
    waiting: int
    shared_running_count: int
    shared_waiting: int
    workers: int
    device: str


class TrainingBackend(Protocol):
    """What runs trainings: the local pool and the job queue both do all of this."""

    def submit(self, job: TrainJob, visitor: Visitor, lane: Lane = Lane.VISITOR) -> Training:
        """Queue a visitor's job; LimitError when their session or browser already has one."""

    def run_once(self, key: str, job: TrainJob) -> Training:
        """Shared work: the running or finished training for ``key``, else a new one."""

    def find(self, browser: str) -> Training | None:
        """The browser's training, running or not yet handed to a session (a reload reattaches)."""

    def status(self) -> PoolStatus: ...

    def shutdown(self) -> None: ...


def ending(result: dict) -> tuple[str, str]:
    """The last phase of a finished job and a sentence on why it ended."""
    runs = result.get("runs", [])
    if result.get("note"):
        return "done", result["note"]
    if any(run.get("ended_by") == "time" for run in runs):
        return "stopped", (f"This server's time limit for one training "
                           f"({limits.max_wall_seconds() / 60:.0f} min) was reached; what it "
                           "learned is kept.")
    if any(run.get("stopped") for run in runs):
        return "stopped", ""
    return "done", ""


def refusal(config: ModelConfig, seeds: int, digits: int) -> str:
    """Why this training cannot be started, or "" (the page disables Train and says why)."""
    problems = validate(config)
    if problems:
        return " ".join(problems)
    return limits.work_refusal(config, digits, seeds)


def start_training(config: ModelConfig, seeds: list[int], data: MnistData, folder: Path,
                   visitor: Visitor, backend: TrainingBackend | None = None) -> Training:
    """A visitor's training, checked as the worker checks it again; LimitError when refused."""
    why = refusal(config, len(seeds), len(data.x_train))
    if why:
        raise limits.LimitError(why)
    job = TrainJob.train(config, data, Path(folder) / f"model-{uuid.uuid4().hex[:12]}.keras",
                         seeds=tuple(seeds))
    return (backend or shared_backend()).submit(job, visitor)


def download_mnist(backend: TrainingBackend | None = None) -> Training:
    """Keras' ``mnist.npz`` downloaded by a worker, once however many visitors ask."""
    return (backend or shared_backend()).run_once("download-mnist", TrainJob.download())


def run_shared(key: str, config: ModelConfig, data: MnistData, keras_path: Path,
               backend: TrainingBackend | None = None) -> Training:
    """Shared work (the default model, an experiment) trained once for ``key``."""
    return (backend or shared_backend()).run_once(key, TrainJob.train(config, data, keras_path))


def finished_model(training: Training, timeout: float | None = None) -> TrainedModel:
    """Wait for a training and give its model; RuntimeError when it ended without one."""
    training.wait(timeout)
    model = training.outcome.model
    if training.error or model is None:
        raise RuntimeError(training.error or "the training ended without a model")
    return model


_BACKEND: TrainingBackend | None = None
_BACKEND_LOCK = threading.Lock()


def shared_backend() -> TrainingBackend:
    """The one backend of this server process (created on first use): the job queue when
    ``REDIS_URL`` is set, else the local pool of worker processes."""
    global _BACKEND
    with _BACKEND_LOCK:
        if _BACKEND is None:
            url = os.environ.get("REDIS_URL", "").strip()
            if url:
                from explainer.training.queue_backend import QueueBackend

                _BACKEND = QueueBackend(url)
            else:
                from explainer.training.local_pool import LocalPool

                _BACKEND = LocalPool()
            atexit.register(_BACKEND.shutdown)
        return _BACKEND


def last_device() -> str:
    """The device the last training's worker reported ("" before any worker started)."""
    return _BACKEND.status().device if _BACKEND is not None else ""
