"""A queue worker: takes training jobs from Redis and runs them in a TensorFlow process of its own.

Start one per training slot, on this machine or on another (a GPU machine), against the same
Redis::

    rq worker -w explainer.training.queue_worker.KerasWorker --url redis://HOST:PORT \
        explainer-shared explainer-visitors

The RQ worker itself never imports TensorFlow: it runs each job in its own process (RQ's
``SimpleWorker``: no fork, since forking after TensorFlow has started threads hangs), and the job
hands the training to a long-lived worker process started fresh (``python -m
explainer.training.worker``), kept warm for the next job, as the local pool does. The same
supervisor watches it: progress goes to a Redis stream the web servers read, Stop is a Redis key
read every 0.1 s, an unanswered Stop or a job past its time ends the process, and a process that
dies fails only its own job. RQ's own stop command (``send_stop_job_command``) kills the
process too: the web servers send it when a Stop went unanswered.
"""

from __future__ import annotations

import json
import os
import signal
import threading

from rq import get_current_job
from rq.worker import SimpleWorker

from explainer.training import limits, queue_names
from explainer.training.jobs import TrainJob
from explainer.training.messages import Message
from explainer.training.supervisor import GONE, WorkerGone, supervise
from explainer.training.worker_process import WorkerProcess

_child: WorkerProcess | None = None
_child_lock = threading.Lock()


def _warm_child(connection, worker_name: str) -> WorkerProcess:
    """This queue worker's TensorFlow process: the warm one, else a fresh one once ready."""
    global _child
    with _child_lock:
        if _child is None or not _child.alive:
            _child = WorkerProcess(limits.worker_idle_seconds())
        child = _child
    if not child.ready and not child.wait_ready(lambda: False):
        raise RuntimeError("the training process could not start")
    connection.hset(queue_names.WORKERS, worker_name, child.pid)
    return child


def kill_child() -> None:
    with _child_lock:
        child = _child
    if child is not None and child.alive:
        child.process.kill()


def run(job: TrainJob, training: str) -> dict:
    """One job, in the queue worker: ``{"kind": "result", ...}`` or ``{"kind": "error", ...}``."""
    current = get_current_job()
    redis = current.connection
    stream, stop_key = queue_names.progress(training), queue_names.stop(training)

    def report(kind: str, info: dict) -> None:
        redis.xadd(stream, {"kind": str(kind), "info": json.dumps(info)}, maxlen=20_000)
        if kind == Message.DEVICE:
            redis.set(queue_names.DEVICE, info["device"], ex=queue_names.KEY_TTL_S)

    redis.expire(stream, queue_names.KEY_TTL_S)
    report(Message.PHASE, {"phase": "starting", "message": "Starting a training process and "
                           "loading TensorFlow (a few seconds, only the first time)."})
    try:
        child = _warm_child(redis, current.worker_name or str(os.getpid()))
        kind, info = supervise(child, job, report, lambda: bool(redis.exists(stop_key)),
                               limits.job_seconds(job.kind))
        return {"kind": str(kind), **info}
    except WorkerGone as gone:
        return {"kind": str(Message.ERROR), "message": GONE[gone.why], "sayable": True}
    except BaseException:  # RQ's own time limit, a shutdown: the process must not outlive it
        kill_child()
        raise
    finally:
        redis.xadd(stream, {"kind": "end", "info": "{}"}, maxlen=20_000)
        redis.expire(stream, queue_names.KEY_TTL_S)


class KerasWorker(SimpleWorker):
    """An RQ worker that trains in a TensorFlow process of its own (see the module docstring)."""

    def kill_horse(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """RQ's stop command (and a cold shutdown): end the TensorFlow process of the job."""
        kill_child()

    def teardown(self) -> None:
        kill_child()
        try:
            self.connection.hdel(queue_names.WORKERS, self.name)
        except Exception:  # Redis already gone: nothing to tidy
            pass
        super().teardown()
