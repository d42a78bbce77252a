"""Trainings in worker processes: a few slots, a queue, warm workers, and a supervisor per training.

The web process never imports TensorFlow. A press on Train becomes a job for a worker process
(explainer/training/worker.py); a supervisor thread here sends it, applies the worker's progress
messages to the training's :class:`~explainer.training.progress.TrainingProgress` and keeps its
result. At most ``MAX_TRAININGS`` run at once, the rest wait in line with their place shown; a
session (or a browser, or an address) has one training at a time. A finished worker stays warm for
the next training and exits after ``WORKER_IDLE_S``. A worker that dies (killed, out of memory)
fails only its own training: its slot is freed and the next training starts a fresh worker.
"""

from __future__ import annotations

import atexit
import collections
import logging
import threading
import time
from collections.abc import Callable

from explainer.training import limits, worker
from explainer.training.job import Training, ending
from explainer.training.progress import TrainingProgress
from explainer.training.worker_process import WorkerProcess

ALIVE_CHECK_S = 2.0  # how often a training asks whether its session still exists
_log = logging.getLogger(__name__)

WORKER_DIED = ("The training process ended unexpectedly (it was killed, or ran out of memory), "
               "so this training is lost. Nothing else was affected: press Train to try again, "
               "perhaps with smaller layers or a bigger batch.")


class TrainingPool:
    """The server's trainings: ``limit`` at once in worker processes, the others in line."""

    def __init__(self, limit: int | None = None, idle_seconds: float | None = None):
        self.limit = limit or limits.max_trainings()
        self.idle_seconds = idle_seconds or limits.worker_idle_seconds()
        self._lock = threading.Lock()
        self._line: collections.deque[Training] = collections.deque()
        self._running: list[Training] = []
        self._idle: list[WorkerProcess] = []
        self._workers: list[WorkerProcess] = []
        self.last_device = ""
        self.start_seconds: list[float] = []  # each worker's start, from launch to ready
        self._keeper = threading.Thread(target=self._keep_house, name="training-pool",
                                        daemon=True)
        self._keeper.start()

    def __repr__(self) -> str:
        return (f"TrainingPool({len(self._running)}/{self.limit} running, {len(self._line)} "
                f"waiting, {len(self._workers)} workers)")

    @property
    def running(self) -> int:
        return len(self._running)

    @property
    def waiting(self) -> int:
        return len(self._line)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._workers if w.alive]

    def submit(self, job: dict, progress: TrainingProgress, owner: str,
               clients=frozenset(), alive: Callable[[], bool] | None = None,
               on_done: Callable[[Training], None] | None = None) -> Training:
        """Queue a job; raises LimitError when this session or client already has a training."""
        clients = frozenset(clients)
        training = Training(job, progress, owner, clients, alive, on_done)
        training.on_stop = self._drop_if_waiting
        with self._lock:
            for other in (*self._running, *self._line):
                if other.owner == owner or other.clients & clients:
                    raise limits.LimitError(
                        "You already have a training running or waiting (perhaps in another tab"
                        "): one at a time per visitor. Stop it, or wait for it to finish.")
            self._line.append(training)
            self._dispatch_locked()
        return training

    def _dispatch_locked(self) -> None:
        while self._line and len(self._running) < self.limit:
            training = self._line.popleft()
            self._running.append(training)
            training.progress.set_phase("starting")
            threading.Thread(target=self._supervise, args=(training,), daemon=True,
                             name=f"training-{training.id}").start()
        for place, training in enumerate(self._line, start=1):
            training.progress.set_queue_place(place)
            training.progress.set_phase(
                "queued", f"{len(self._running)} of {self.limit} trainings are running on this "
                f"server; yours is number {place} in line.")

    def _take_worker(self, training: Training) -> WorkerProcess | None:
        """A warm worker, else a fresh one once TensorFlow is loaded; None when stopped first."""
        with self._lock:
            chosen = None
            while self._idle and chosen is None:
                candidate = self._idle.pop()
                if candidate.alive:
                    chosen = candidate
                else:
                    self._forget_locked(candidate)
            if chosen is None:
                chosen = WorkerProcess(self.idle_seconds)
                self._workers.append(chosen)
            chosen.idle_since = None
        if not chosen.ready:
            training.progress.set_phase("starting", "Starting a training process and loading "
                                        "TensorFlow (a few seconds, only the first time).")
            try:
                started = chosen.wait_ready(training.stop_requested.is_set)
            except (EOFError, OSError, TimeoutError) as exc:
                chosen.process.kill()
                with self._lock:
                    self._forget_locked(chosen)
                raise RuntimeError(f"the training process could not start ({exc})") from exc
            if not started:
                with self._lock:  # stopped while it started: keep it for the next one
                    self._park_locked(chosen)
                return None
            self.start_seconds.append(chosen.start_seconds)
        return chosen

    def _forget_locked(self, gone: WorkerProcess) -> None:
        """Drop a worker from the list (shutdown may have emptied it meanwhile)."""
        if gone in self._workers:
            self._workers.remove(gone)

    def _park_locked(self, done: WorkerProcess) -> None:
        done.idle_since = time.monotonic()
        self._idle.append(done)

    def _supervise(self, training: Training) -> None:
        current = None
        try:
            for attempt in range(2):
                current = self._take_worker(training)
                if current is None:
                    training.progress.set_phase("stopped", "Stopped before it started.")
                    return
                if self._run_on(current, training, retry_allowed=attempt == 0):
                    return
                current = None  # it died before taking the job: once more on a fresh one
        except Exception as exc:  # shown on the page; the server goes on
            _log.exception("training %s failed", training.id)
            training.error = f"{type(exc).__name__}: {exc}"
            training.progress.fail(training.error)
        finally:
            with self._lock:
                if current is not None:
                    if current.alive and training.error != WORKER_DIED:
                        self._park_locked(current)
                    else:
                        self._forget_locked(current)
                self._running.remove(training)
                self._dispatch_locked()
            training.finished.set()
            if training.on_done is not None:
                try:
                    training.on_done(training)
                except Exception:  # a callback must not hide the training's outcome
                    _log.exception("handing over training %s failed", training.id)

    def _run_on(self, current: WorkerProcess, training: Training, retry_allowed: bool) -> bool:
        """Run the job on this worker; False if it died before sending anything (retry)."""
        training.worker = current
        self.last_device = current.device
        heard, last_alive_check = False, time.monotonic()
        try:
            current.send(training.job)
            if training.stop_requested.is_set():
                current.send(worker.STOP)
            while True:
                message = current.receive(0.2)
                now = time.monotonic()
                if training.alive is not None and now - last_alive_check > ALIVE_CHECK_S:
                    last_alive_check = now
                    if not training.alive():  # the session expired: nobody will see it
                        training.stop()
                if message is None:
                    continue
                heard = True
                kind, info = message
                if kind == worker.RESULT:
                    training.result = info
                    training.progress.set_phase(*ending(info))
                    return True
                if kind == worker.ERROR:
                    training.error = info["message"]
                    training.progress.fail(info["message"])
                    return True
                training.progress.apply(kind, info)
        except (EOFError, OSError):
            current.process.kill()
            current.process.wait()
            if not heard and retry_allowed:
                with self._lock:
                    self._forget_locked(current)
                return False
            training.error = WORKER_DIED
            training.progress.fail(WORKER_DIED)
            return True
        finally:
            training.worker = None

    def _drop_if_waiting(self, training: Training, why: str = "Stopped before it started.") -> None:
        with self._lock:
            if training not in self._line:
                return
            self._line.remove(training)
            training.progress.set_phase("stopped", why)
            self._dispatch_locked()
        training.finished.set()
        if training.on_done is not None:
            training.on_done(training)

    def _keep_house(self) -> None:
        """Once a second: retire workers idle too long, drop waiting trainings of gone sessions."""
        while True:
            time.sleep(1.0)
            with self._lock:
                now = time.monotonic()
                for idle in [w for w in self._idle if now - w.idle_since > self.idle_seconds
                             or not w.alive]:
                    self._idle.remove(idle)
                    self._forget_locked(idle)
                    threading.Thread(target=idle.retire, daemon=True).start()
                gone = [t for t in self._line if t.alive is not None and not t.alive()]
            for training in gone:
                self._drop_if_waiting(training, "Its session ended before it started.")

    def shutdown(self) -> None:
        """End every worker (at exit, and in tests)."""
        with self._lock:
            workers, self._workers, self._idle = list(self._workers), [], []
        for each in workers:
            each.process.kill()
            each.process.wait()


_POOL: TrainingPool | None = None
_POOL_LOCK = threading.Lock()


def shared_pool() -> TrainingPool:
    """The one pool of this server process (created on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = TrainingPool()
            atexit.register(_POOL.shutdown)
        return _POOL


def last_device() -> str:
    """The device the last training's worker reported ("" before any worker started)."""
    return _POOL.last_device if _POOL is not None else ""
