"""The local pool: trainings in worker processes on this machine, a few at a time, the rest in line.

The web process never imports TensorFlow. Each job goes to a worker process
(explainer/training/worker.py); a thread per training runs :func:`~explainer.training.supervisor.
supervise`, which relays the worker's progress into the training's
:class:`~explainer.training.progress.TrainingProgress`. Visitors' trainings run ``MAX_TRAININGS``
at once, the others wait in line with their place shown; shared work (the default model, the
experiments, the download) has a slot of its own, so it never waits behind visitors. A finished
worker stays warm for the next training and exits after ``WORKER_IDLE_S``. A worker that dies
fails only its own training: its slot is freed and the next training starts a fresh worker.
"""

from __future__ import annotations

import collections
import logging
import threading
import time

from explainer.training import limits
from explainer.training.jobs import TrainJob
from explainer.training.messages import Message
from explainer.training.pool import ALREADY, Lane, PoolStatus, Training, Visitor, ending
from explainer.training.supervisor import GONE, WorkerGone, supervise
from explainer.training.worker_process import WorkerProcess

ALIVE_CHECK_S = 2.0  # how often a training asks whether a session of its browser still exists
SHARED_SLOTS = 1  # shared work's own slots, beyond MAX_TRAININGS
KEPT_ONCE = 16  # finished shared trainings remembered for run_once
_log = logging.getLogger(__name__)

class LocalTraining(Training):
    """A training in this machine's pool; ``worker`` is its process while it runs."""

    def __init__(self, pool: LocalPool, job: TrainJob, visitor: Visitor | None, lane: Lane,
                 key: str = ""):
        super().__init__(job, visitor, lane, key)
        self._pool = pool
        self.worker: WorkerProcess | None = None
        self.started = 0.0  # when it left the line (time.monotonic)

    def _stop_asked(self) -> None:
        self._pool._drop_if_waiting(self)  # a running one: its supervisor passes Stop on


class LocalPool:
    """This server's trainings: ``limit`` visitors' at once in worker processes, others in line."""

    def __init__(self, limit: int | None = None, idle_seconds: float | None = None,
                 max_waiting: int | None = None):
        self.limit = limit or limits.max_trainings()
        self.max_waiting = limits.max_waiting() if max_waiting is None else max_waiting
        self.idle_seconds = idle_seconds or limits.worker_idle_seconds()
        self._lock = threading.Lock()
        self._lines = {lane: collections.deque() for lane in Lane}
        self._running: list[LocalTraining] = []
        self._slots = {Lane.VISITOR: self.limit, Lane.SHARED: SHARED_SLOTS}
        self._idle: list[WorkerProcess] = []
        self._workers: list[WorkerProcess] = []
        self._by_browser: dict[str, LocalTraining] = {}
        self._once: dict[str, LocalTraining] = {}
        self.last_device = ""
        self.start_seconds: list[float] = []  # each worker's start, from launch to ready
        self._keeper = threading.Thread(target=self._keep_house, name="training-pool",
                                        daemon=True)
        self._keeper.start()

    def __repr__(self) -> str:
        status = self.status()
        return (f"LocalPool({status.running_count}/{self.limit} running, {status.waiting} waiting, "
                f"{status.workers} workers)")

    # -- the interface ---------------------------------------------------------------------

    def submit(self, job: TrainJob, visitor: Visitor, lane: Lane = Lane.VISITOR) -> Training:
        training = LocalTraining(self, job, visitor, lane)
        with self._lock:
            if lane == Lane.VISITOR:
                for other in (*self._running, *self._lines[Lane.VISITOR]):
                    if other.lane == lane and visitor.shares_limits_with(other.visitor):
                        raise limits.LimitError(ALREADY)
                if len(self._lines[lane]) >= self.max_waiting:
                    raise limits.LimitError(limits.line_refusal(
                        len(self._lines[lane]), self._seconds_ahead_locked(), self.limit))
                if visitor.browser:
                    self._by_browser[visitor.browser] = training
            self._lines[lane].append(training)
            self._dispatch_locked()
        return training

    def run_once(self, key: str, job: TrainJob) -> Training:
        with self._lock:
            known = self._once.get(key)
            if known is not None and (known.running or not known.error):
                return known
            training = self._once[key] = LocalTraining(self, job, None, Lane.SHARED, key)
            finished = [k for k, t in self._once.items() if not t.running]
            for old in finished[:max(len(self._once) - KEPT_ONCE, 0)]:
                del self._once[old]
            self._lines[Lane.SHARED].append(training)
            self._dispatch_locked()
        return training

    def find(self, browser: str) -> Training | None:
        with self._lock:
            training = self._by_browser.get(browser) if browser else None
        if training is None or not (training.running or not training.claimed):
            return None
        return training

    def status(self) -> PoolStatus:
        with self._lock:
            running = collections.Counter(t.lane for t in self._running)
            return PoolStatus(self.limit, running[Lane.VISITOR], len(self._lines[Lane.VISITOR]),
                              running[Lane.SHARED], len(self._lines[Lane.SHARED]),
                              sum(w.alive for w in self._workers), self.last_device)

    def shutdown(self) -> None:
        """End every worker (at exit, and in tests)."""
        with self._lock:
            workers, self._workers, self._idle = list(self._workers), [], []
        for each in workers:
            each.process.kill()
            each.process.wait()

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._workers if w.alive]

    # -- the line ----------------------------------------------------------------------------

    def _dispatch_locked(self) -> None:
        for lane, line in self._lines.items():
            while line and sum(t.lane == lane for t in self._running) < self._slots[lane]:
                training = line.popleft()
                training.started = time.monotonic()
                self._running.append(training)
                training.progress.set_phase("starting")
                threading.Thread(target=self._supervise, args=(training,), daemon=True,
                                 name=f"training-{training.id}").start()
        running = sum(t.lane == Lane.VISITOR for t in self._running)
        for place, training in enumerate(self._lines[Lane.VISITOR], start=1):
            training.progress.set_queue_place(place)
            training.progress.set_phase(
                "queued", f"{running} of {self.limit} trainings are running on this server; "
                f"yours is number {place} in line.")
        for place, training in enumerate(self._lines[Lane.SHARED], start=1):
            training.progress.set_queue_place(place)
            training.progress.set_phase("queued", "Waiting for the shared training slot.")

    def _seconds_ahead_locked(self) -> float:
        """The estimated work of visitors' trainings running and waiting, in two-core seconds."""
        now = time.monotonic()
        running = [max(limits.job_estimate(t.job) - (now - t.started), 0.0)
                   for t in self._running if t.lane == Lane.VISITOR]
        return sum(running) + sum(limits.job_estimate(t.job) for t in self._lines[Lane.VISITOR])

    def _drop_if_waiting(self, training: LocalTraining,
                         why: str = "Stopped before it started.") -> None:
        with self._lock:
            line = self._lines[training.lane]
            if training not in line:
                return
            line.remove(training)
            training.progress.set_phase("stopped", why)
            self._dispatch_locked()
        training.finished.set()

    # -- workers -----------------------------------------------------------------------------

    def _take_worker(self, training: LocalTraining) -> WorkerProcess | None:
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

    def _supervise(self, training: LocalTraining) -> None:
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
            training.progress.fail(training.error, sayable=False)
        finally:
            with self._lock:
                if current is not None:
                    if current.alive and training.error not in GONE.values():
                        self._park_locked(current)
                    else:
                        self._forget_locked(current)
                self._running.remove(training)
                self._dispatch_locked()
            training.finished.set()

    def _run_on(self, current: WorkerProcess, training: LocalTraining,
                retry_allowed: bool) -> bool:
        """Run the job on this worker; False if it died before sending anything (retry)."""
        training.worker = current
        self.last_device = current.device
        last_check = [time.monotonic()]

        def stop_wanted() -> bool:
            now = time.monotonic()
            if training.watched and now - last_check[0] > ALIVE_CHECK_S:
                last_check[0] = now
                if not training.any_session_exists():  # every session of it ended: nobody watches
                    training.stop()
            return training.stop_requested.is_set()

        try:
            kind, info = supervise(current, training.job, training.progress.apply, stop_wanted,
                                   limits.job_seconds(training.job.kind))
        except WorkerGone as gone:
            if not gone.heard and gone.why == "died" and retry_allowed:
                with self._lock:
                    self._forget_locked(current)
                return False
            training.error = GONE[gone.why]
            training.progress.fail(training.error)
            return True
        finally:
            training.worker = None
        if kind == Message.RESULT:
            training.result = info
            training.progress.set_phase(*ending(info))
        else:
            training.error = info["message"]
            training.progress.fail(info["message"], info.get("sayable", False))
        return True

    def _keep_house(self) -> None:
        """Once a second: retire workers idle too long, drop waiting trainings nobody wants."""
        while True:
            time.sleep(1.0)
            with self._lock:
                now = time.monotonic()
                for idle in [w for w in self._idle if now - w.idle_since > self.idle_seconds
                             or not w.alive]:
                    self._idle.remove(idle)
                    self._forget_locked(idle)
                    threading.Thread(target=idle.retire, daemon=True).start()
                gone = [t for t in self._lines[Lane.VISITOR]
                        if t.watched and not t.any_session_exists()]
                for browser, training in list(self._by_browser.items()):
                    if not training.running and (training.claimed
                                                 or not training.any_session_exists()):
                        del self._by_browser[browser]  # handed over, or nobody left to take it
            for training in gone:
                self._drop_if_waiting(training, "Its session ended before it started.")
