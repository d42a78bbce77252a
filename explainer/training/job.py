"""One training as the page sees it: its job, its progress, Stop, and in the end a result.

Made by :meth:`explainer.training.pool.TrainingPool.submit`; its supervisor thread fills it in.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from explainer.training import limits, worker
from explainer.training.progress import TrainingProgress
from explainer.training.worker_process import WorkerProcess


class Training:
    """One training as the page sees it: its progress, Stop, and in the end a result or an error."""

    def __init__(self, job: dict, progress: TrainingProgress, owner: str,
                 clients: frozenset[str] = frozenset(), alive: Callable[[], bool] | None = None,
                 on_done: Callable[[Training], None] | None = None):
        self.id = uuid.uuid4().hex[:12]
        self.job, self.progress, self.owner, self.clients = job, progress, owner, clients
        self.alive, self.on_done = alive, on_done
        self.result: dict | None = None  # the worker's, as it sent it
        self.outcome = None  # what the result means for the page (set by whoever submitted)
        self.error = ""
        self.worker: WorkerProcess | None = None
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self.on_stop: Callable[[Training], None] | None = None  # set by the pool

    def __repr__(self) -> str:
        return f"Training({self.id}, {self.job.get('kind')}, {self.progress.phase})"

    @property
    def running(self) -> bool:
        return not self.finished.is_set()

    def stop(self) -> None:
        """End training after the current batch; what was learned so far is kept and tested."""
        if self.stop_requested.is_set():
            return
        self.progress.stop_asked_at = time.time()
        self.stop_requested.set()
        if self.on_stop is not None:
            self.on_stop(self)
        current = self.worker
        if current is not None:
            try:
                current.send(worker.STOP)
            except OSError:
                pass

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)


def ending(result: dict) -> tuple[str, str]:
    """The last phase of a finished job and a sentence on why it ended."""
    runs = result.get("runs", [])
    if any(run.get("ended_by") == "time" for run in runs):
        return "stopped", (f"This server's time limit for one training "
                           f"({limits.max_wall_seconds() / 60:.0f} min) was reached; what it "
                           "learned is kept.")
    if any(run.get("stopped") for run in runs):
        return "stopped", ""
    return "done", ""
