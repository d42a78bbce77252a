"""One job on one worker process, watched from outside: progress relayed, Stop passed on.

The worker trains; this side sends it the job, hands each progress message to ``report``, passes
a Stop on as soon as one is wanted, and returns the worker's final ``RESULT`` or ``ERROR``. A
worker that dies raises :class:`WorkerGone`. The local pool runs this in a thread per training;
a queue worker runs the same loop for each job it takes.
"""

from __future__ import annotations

from collections.abc import Callable

from explainer.training.jobs import TrainJob
from explainer.training.messages import Message
from explainer.training.worker_process import WorkerProcess

POLL_S = 0.1  # how often the loop looks for a Stop between messages

Report = Callable[[str, dict], None]


class WorkerGone(Exception):
    """The worker process ended (killed, out of memory) before it answered."""

    def __init__(self, heard: bool):
        super().__init__("the worker process ended")
        self.heard = heard  # whether it had sent anything for this job (else a retry is safe)


def supervise(worker: WorkerProcess, job: TrainJob, report: Report,
              stop_wanted: Callable[[], bool]) -> tuple[str, dict]:
    """Run ``job`` on ``worker``; its ``(RESULT | ERROR, info)``. Raises WorkerGone."""
    heard, stop_sent = False, False
    try:
        worker.send(job)
        while True:
            if not stop_sent and stop_wanted():
                worker.send(Message.STOP)
                stop_sent = True
            message = worker.receive(POLL_S)
            if message is None:
                continue
            heard = True
            kind, info = message
            if kind in (Message.RESULT, Message.ERROR):
                return kind, info
            report(kind, info)
    except (EOFError, OSError):
        worker.process.kill()
        worker.process.wait()
        raise WorkerGone(heard) from None
