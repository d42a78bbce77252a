"""Trainings on a job queue that every server of a class shares: Redis, with RQ's workers.

With ``REDIS_URL`` set, each server hands its trainings to RQ queues in that Redis instead of its
own worker processes; queue workers (:mod:`explainer.training.queue_worker`, on this machine or
others) take them. The limits hold for the whole cluster, kept as Redis keys: one training per
session and per browser, at most ``MAX_WAITING`` visitors' trainings in line, and shared work
(the default model, each experiment, the download) trained once per cluster. How many trainings
run at once is how many queue workers run. RQ keeps results pickled in Redis, so Redis must
listen only on a private address.
"""

from __future__ import annotations

import time
import uuid

from redis import Redis
from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from explainer.training import limits, queue_names
from explainer.training.jobs import TrainJob
from explainer.training.pool import ALREADY, Lane, PoolStatus, Training, Visitor
from explainer.training.queue_watch import QueueTraining, QueueWatch

ENQUEUE_GRACE_S = 5.0  # a claim this young may still be on its way into the queue
ACTIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED,
          JobStatus.CREATED)


class QueueBackend:
    """The :class:`~explainer.training.pool.TrainingBackend` on Redis and RQ."""

    def __init__(self, url: str, max_waiting: int | None = None):
        self.url = url
        self.redis = Redis.from_url(url)
        self.max_waiting = limits.max_waiting() if max_waiting is None else max_waiting
        self.queues = {Lane.VISITOR: Queue(queue_names.VISITOR_QUEUE, connection=self.redis),
                       Lane.SHARED: Queue(queue_names.SHARED_QUEUE, connection=self.redis)}
        self.watch = QueueWatch(self.redis)

    def __repr__(self) -> str:
        return f"QueueBackend({self.url})"

    # -- the interface ---------------------------------------------------------------------

    def submit(self, job: TrainJob, visitor: Visitor, lane: Lane = Lane.VISITOR) -> Training:
        training_id = uuid.uuid4().hex[:12]
        if lane == Lane.VISITOR:
            claimed = []
            for kind, who in (("session", visitor.session), ("browser", visitor.browser)):
                if who and not self._claim(queue_names.owner(kind, who), training_id):
                    for key in claimed:
                        self.redis.delete(key)
                    raise limits.LimitError(ALREADY)
                if who:
                    claimed.append(queue_names.owner(kind, who))
            waiting = len(self.queues[lane])
            if waiting >= self.max_waiting:
                for key in claimed:
                    self.redis.delete(key)
                raise limits.LimitError(limits.line_refusal(
                    waiting, self._seconds_ahead(), max(self._workers(), 1)))
        training = QueueTraining(self.watch, training_id, job, visitor, lane)
        self._enqueue(training)
        return self.watch.follow(training)

    def run_once(self, key: str, job: TrainJob) -> Training:
        attempts, patience = 3, time.monotonic() + ENQUEUE_GRACE_S
        while attempts:
            training_id = uuid.uuid4().hex[:12]
            if self.redis.set(queue_names.once(key), training_id, nx=True,
                              ex=queue_names.KEY_TTL_S):
                training = QueueTraining(self.watch, training_id, job, None, Lane.SHARED, key)
                self._enqueue(training)
                return self.watch.follow(training)
            known = self._training_of(queue_names.once(key), job, None, Lane.SHARED, key)
            if known is not None and not known.error:
                return known
            if known is None and self._just_claimed(key) and time.monotonic() < patience:
                time.sleep(0.05)  # another server claimed it a moment ago and is queuing it
                continue
            self.redis.delete(queue_names.once(key))  # it failed, or it is gone: again
            attempts -= 1
        raise RuntimeError(f"could not start the shared training {key}")

    def _just_claimed(self, key: str) -> bool:
        """Whether shared work ``key`` was claimed under ENQUEUE_GRACE_S ago (its job may not be
        in the queue yet)."""
        return self.redis.ttl(queue_names.once(key)) > queue_names.KEY_TTL_S - ENQUEUE_GRACE_S

    def find(self, browser: str) -> Training | None:
        if not browser:
            return None
        found = self._training_of(queue_names.owner("browser", browser), None, None,
                                  Lane.VISITOR)
        if found is None or not (found.running or not found.claimed):
            return None
        return found

    def status(self) -> PoolStatus:
        running = {lane: StartedJobRegistry(queue=queue).count
                   for lane, queue in self.queues.items()}
        workers = self._workers()
        device = self.watch.device or (self.redis.get(queue_names.DEVICE) or b"").decode()
        return PoolStatus(workers, running[Lane.VISITOR], len(self.queues[Lane.VISITOR]),
                          running[Lane.SHARED], len(self.queues[Lane.SHARED]), workers, device)

    def shutdown(self) -> None:
        self.watch.close()

    def worker_pids(self) -> list[int]:
        """The TensorFlow processes of the queue workers (those on this machine's Redis)."""
        return sorted(int(pid) for pid in self.redis.hvals(queue_names.WORKERS))

    # -- helpers -------------------------------------------------------------------------------

    def _enqueue(self, training: QueueTraining) -> None:
        self.queues[training.lane].enqueue(
            "explainer.training.queue_worker.run", training.job, training.id, job_id=training.id,
            job_timeout=int(limits.job_seconds(training.job.kind) + 60),
            result_ttl=queue_names.RESULT_TTL_S, failure_ttl=queue_names.RESULT_TTL_S,
            description=repr(training.job),
            meta={"session": training.visitor.session if training.visitor else "",
                  "browser": training.visitor.browser if training.visitor else ""})
        training.progress.set_phase("queued", "Waiting for a free training slot.")

    def _claim(self, key: str, training_id: str) -> bool:
        """Take ``key`` for this training; a key left by a training that ended is taken over."""
        if self.redis.set(key, training_id, nx=True, ex=queue_names.KEY_TTL_S):
            return True
        holder = self.redis.get(key)
        status = self._status_of(holder.decode()) if holder else None
        if status in ACTIVE:
            return False
        self.redis.set(key, training_id, ex=queue_names.KEY_TTL_S)
        return True

    def _status_of(self, training_id: str):
        try:
            return Job.fetch(training_id, connection=self.redis).get_status()
        except Exception:  # gone from Redis
            return None

    def _training_of(self, key: str, job: TrainJob | None, visitor, lane: Lane,
                     once_key: str = "") -> QueueTraining | None:
        """The training whose id ``key`` holds, followed by this process (from its stream's
        start, when it is new here)."""
        held = self.redis.get(key)
        if not held:
            return None
        training_id = held.decode()
        known = self.watch.followed(training_id)
        if known is not None:
            return known
        try:
            rq_job = Job.fetch(training_id, connection=self.redis)
        except Exception:
            return None
        job = job or rq_job.args[0]
        found = QueueTraining(self.watch, training_id, job, visitor, lane, once_key)
        return self.watch.follow(found)

    def _workers(self) -> int:
        return len(Worker.all(connection=self.redis))

    def _seconds_ahead(self) -> float:
        waiting = self.queues[Lane.VISITOR].get_jobs()
        started = StartedJobRegistry(queue=self.queues[Lane.VISITOR]).get_job_ids()
        ahead = sum(limits.job_estimate(job.args[0]) for job in waiting)
        for job in Job.fetch_many(started, connection=self.redis):
            if job is not None and job.started_at is not None:
                spent = time.time() - job.started_at.timestamp()
                ahead += max(limits.job_estimate(job.args[0]) - spent, 0.0)
        return ahead
