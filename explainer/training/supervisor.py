"""One job on one worker process, watched from outside: progress relayed, Stop enforced.

The worker trains; this side sends it the job, hands each progress message to ``report``, passes
a Stop on as soon as one is wanted, and returns the worker's final ``RESULT`` or ``ERROR``. It
does not trust the worker to end: a Stop that is not acknowledged within :data:`STOP_ANSWER_S`
(a frozen process, a download stuck in a system call) and a job still running at its deadline
end the process with SIGKILL. Either way, and when the worker dies, :class:`WorkerGone` says why.
The local pool runs this in a thread per training; a queue worker runs the same loop per job.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from explainer.training.jobs import TrainJob
from explainer.training.messages import Message
from explainer.training.worker_process import WorkerProcess

POLL_S = 0.1  # how often the loop looks for a Stop between messages
STOP_ANSWER_S = 1.0  # a worker that has not acknowledged Stop by then is killed

Report = Callable[[str, dict], None]

WORKER_DIED = ("The training process ended unexpectedly (it was killed, or ran out of memory), "
               "so this training is lost. Nothing else was affected: press Train to try again, "
               "perhaps with smaller layers or a bigger batch.")
STOP_UNANSWERED = ("The training process did not answer Stop within a second, so it was ended. "
                   "Nothing it had learned was kept: press Train to start again.")
OVERRAN = ("The training went on past this server's time limit without ending, so its process "
           "was ended. Nothing it had learned was kept: try fewer epochs or a smaller network.")
GONE = {"died": WORKER_DIED, "stop": STOP_UNANSWERED, "time": OVERRAN}  # what the page says


class WorkerGone(Exception):
    """The worker process ended before it answered: ``why`` is "died", "stop" or "time"."""

    def __init__(self, heard: bool, why: str = "died"):
        super().__init__(f"the worker process ended ({why})")
        self.heard = heard  # whether it had sent anything for this job (else a retry is safe)
        self.why = why


def supervise(worker: WorkerProcess, job: TrainJob, report: Report,
              stop_wanted: Callable[[], bool], seconds: float = float("inf")
              ) -> tuple[str, dict]:
    """Run ``job`` on ``worker`` for at most ``seconds``; its ``(RESULT | ERROR, info)``.

    Raises WorkerGone when the worker dies, leaves a Stop unanswered, or overruns.
    """
    heard, stop_sent_at, why = False, None, "died"
    deadline = time.monotonic() + seconds
    try:
        worker.send(job)
        while True:
            now = time.monotonic()
            if stop_sent_at is None and stop_wanted():
                worker.send(Message.STOP)
                stop_sent_at = now
            if stop_sent_at is not None and now - stop_sent_at > STOP_ANSWER_S:
                why = "stop"
                raise EOFError("Stop was not acknowledged")
            if now > deadline:
                why = "time"
                raise EOFError("the job overran its time")
            message = worker.receive(POLL_S)
            if message is None:
                continue
            heard = True
            kind, info = message
            if kind in (Message.RESULT, Message.ERROR):
                return kind, info
            if kind == Message.STOPPING:
                stop_sent_at = float("inf")  # acknowledged: the worker ends after this batch
            report(kind, info)
    except (EOFError, OSError):
        worker.process.kill()
        worker.process.wait()
        raise WorkerGone(heard, why) from None
