"""A web process's window on trainings in the job queue: one thread reads every training's stream.

Queue workers write each training's progress to a Redis stream
(:func:`~explainer.training.queue_names.progress`). One reader thread per web process reads the
streams of the trainings its pages look at, from where it left off (a tab that reattaches starts
from the beginning, so it misses nothing, which pub/sub could not promise), applies each message
to the training's :class:`~explainer.training.progress.TrainingProgress`, and notices when a job
has ended. It also stops the trainings nobody watches any more, updates places in line, and falls
back on RQ's own stop command when no queue worker acknowledged a Stop (its process is frozen,
so its own supervisor cannot end the training).
"""

from __future__ import annotations

import json
import logging
import threading
import time

from rq.command import send_stop_job_command
from rq.job import Job, JobStatus

from explainer.training import queue_names
from explainer.training.messages import Message
from explainer.training.pool import Lane, Training, ending

STOP_FALLBACK_S = 3.0  # after Stop: RQ's stop command if no worker acknowledged it by then
CHECK_EVERY_S = 0.5  # job states, places in line, sessions gone
ALIVE_CHECK_S = 2.0
_log = logging.getLogger(__name__)


class QueueTraining(Training):
    """A training run by a queue worker somewhere; its progress comes from its Redis stream."""

    def __init__(self, watch: QueueWatch, training_id: str, job, visitor, lane: Lane,
                 key: str = ""):
        super().__init__(job, visitor, lane, key)
        self.id = training_id
        self._watch = watch
        self.last_entry = "0"  # the stream entry read last
        self.stop_sent_at: float | None = None
        self.stop_acknowledged = False  # a worker read the Stop (its supervisor relays that)
        self.fallback_sent = False

    def _stop_asked(self) -> None:
        self._watch.ask_stop(self)


class QueueWatch:
    """The reader thread and the trainings it follows."""

    def __init__(self, redis):
        self.redis = redis
        self._lock = threading.Lock()
        self._followed: dict[str, QueueTraining] = {}
        self._closed = threading.Event()
        self.device = ""
        self._thread = threading.Thread(target=self._read_forever, name="queue-watch",
                                        daemon=True)
        self._thread.start()

    def follow(self, training: QueueTraining) -> QueueTraining:
        with self._lock:
            return self._followed.setdefault(training.id, training)

    def followed(self, training_id: str) -> QueueTraining | None:
        with self._lock:
            return self._followed.get(training_id)

    def close(self) -> None:
        self._closed.set()

    def ask_stop(self, training: QueueTraining) -> None:
        """Stop: the key the worker reads; a job still in line leaves it at once."""
        self.redis.set(queue_names.stop(training.id), 1, ex=queue_names.KEY_TTL_S)
        training.stop_sent_at = time.monotonic()
        try:
            job = Job.fetch(training.id, connection=self.redis)
            if job.get_status() == JobStatus.QUEUED:
                job.cancel()
                self._finish(training, None, "Stopped before it started.", phase="stopped")
        except Exception:  # already gone from Redis: the next check ends it
            pass

    # -- the thread ------------------------------------------------------------------------

    def _read_forever(self) -> None:
        last_check = last_alive = 0.0
        while not self._closed.is_set():
            try:
                self._read_streams()
                now = time.monotonic()
                if now - last_check > CHECK_EVERY_S:
                    last_check = now
                    self._check_jobs(now - last_alive > ALIVE_CHECK_S)
                    last_alive = now if now - last_alive > ALIVE_CHECK_S else last_alive
            except Exception:  # Redis went away for a moment: try again
                _log.warning("reading the training queue failed", exc_info=True)
                time.sleep(1.0)

    def _active(self) -> list[QueueTraining]:
        with self._lock:
            return [t for t in self._followed.values() if t.running]

    def _read_streams(self) -> None:
        active = self._active()
        if not active:
            time.sleep(0.2)
            return
        streams = {queue_names.progress(t.id): t.last_entry for t in active}
        answer = self.redis.xread(streams, count=500, block=200) or []
        by_stream = {queue_names.progress(t.id): t for t in active}
        for stream, entries in answer:
            training = by_stream[stream.decode() if isinstance(stream, bytes) else stream]
            for entry_id, fields in entries:
                training.last_entry = entry_id
                kind = fields[b"kind"].decode()
                if kind == "end":
                    continue
                info = json.loads(fields[b"info"])
                if kind == Message.DEVICE:
                    self.device = info["device"]
                if kind == Message.STOPPING:
                    training.stop_acknowledged = True
                training.progress.apply(kind, info)

    def _check_jobs(self, check_sessions: bool) -> None:
        active = self._active()
        if not active:
            return
        jobs = Job.fetch_many([t.id for t in active], connection=self.redis)
        now = time.monotonic()
        for training, job in zip(active, jobs):
            status = job.get_status(refresh=False) if job is not None else None
            if status is None:
                self._finish(training, None, "This training is no longer in the queue.")
            elif status == JobStatus.FINISHED:
                self._read_streams()  # the last messages before the result
                self._finish(training, job.return_value())
            elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                self._read_streams()
                why = ("It was stopped, and nothing it had learned was kept."
                       if status == JobStatus.STOPPED else
                       "The queue worker running it failed or ran out of time; nothing was kept.")
                self._finish(training, None, why, phase="stopped"
                             if status == JobStatus.CANCELED else "failed")
            elif status == JobStatus.QUEUED:
                place = (job.get_position() or 0) + 1
                training.progress.set_queue_place(place)
                training.progress.set_phase(
                    "queued", f"Waiting for a free training slot; yours is number {place} in "
                    "line.")
            if (status == JobStatus.STARTED and training.stop_sent_at is not None
                    and not training.stop_acknowledged and not training.fallback_sent
                    and now - training.stop_sent_at > STOP_FALLBACK_S):
                training.fallback_sent = True
                try:
                    send_stop_job_command(self.redis, training.id)
                except Exception:  # it ended meanwhile
                    pass
            if check_sessions and training.watched and not training.any_session_exists():
                training.stop()  # every tab of it is gone: nobody will see it

    def _finish(self, training: QueueTraining, payload: dict | None, why: str = "",
                phase: str = "failed") -> None:
        if not training.running:
            return
        if payload is not None and payload.get("kind") == Message.RESULT:
            training.result = {k: v for k, v in payload.items() if k != "kind"}
            training.progress.set_phase(*ending(training.result))
        elif payload is not None:
            training.error = payload.get("message", "The training failed.")
            training.progress.fail(training.error, payload.get("sayable", False))
        elif phase == "stopped":
            training.progress.set_phase("stopped", why)
        else:
            training.error = why
            training.progress.fail(why)
        if training.visitor is not None:  # the one-per-visitor keys, freed for the next one
            for kind, who in (("session", training.visitor.session),
                              ("browser", training.visitor.browser)):
                if who and self.redis.get(queue_names.owner(kind, who)) == training.id.encode():
                    self.redis.delete(queue_names.owner(kind, who))
        training.finished.set()
