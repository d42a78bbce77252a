"""Where the trainings plug into the serve command: before a class, the queue, its workers, status.

Each hook is one function. With ``--workers K`` the trainings go on a job queue
(explainer/training/queue_backend.py): the serve command starts a private Redis on loopback
(unless ``REDIS_URL`` names one) and K queue workers for visitors' trainings, plus one that only
takes shared work (the default model, the experiments), so Draw never waits behind visitors.
"""

from __future__ import annotations

import os

from explainer.serve.status import TrainingStatus
from explainer.training import queue_names, queue_service

REDIS_VARIABLE = "REDIS_URL"


class NotAvailable(RuntimeError):
    """A feature of the serve command that this machine cannot provide (say why)."""


def prepare(workers: int = 0) -> int:
    """Before the class arrives: load the digits, train the shared default model and the
    one-change experiments into the shared cache folder, and return when they are done (0), or
    1 when one could not be trained. ``python -m explainer.serve --prepare`` calls this."""
    from explainer.serve.prepare import prepare as train_shared_work

    return train_shared_work(workers)


def redis_command(port: int) -> list[str]:
    """A private Redis for the queue: loopback only, nothing kept on disk."""
    binary = queue_service.redis_binary()
    if binary is None:
        raise NotAvailable("--workers needs Redis: apt-get install redis-server (Debian), or "
                           "set REDIS_URL to a Redis on a private address.")
    return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"]


def worker_command(index: int) -> list[str]:
    """The command of queue worker number ``index``: 0 takes only shared work, 1, 2... take
    visitors' trainings first, then shared work. Run with the serve command's environment,
    ``REDIS_URL`` included; ``--workers K`` starts 0 to K and restarts one that dies."""
    url = os.environ.get(REDIS_VARIABLE, "")
    if not url:
        raise NotAvailable("the queue workers need REDIS_URL")
    queues = ([queue_names.SHARED_QUEUE] if index == 0 else
              [queue_names.VISITOR_QUEUE, queue_names.SHARED_QUEUE])
    return queue_service.worker_command(url, queues)


def training_status() -> TrainingStatus | None:
    """The trainings running and waiting, and the workers, as this server's backend counts
    them: the whole class's on the job queue, this server's own on its local pool."""
    from explainer.training.pool import shared_backend

    found = shared_backend().status()
    queue = bool(os.environ.get(REDIS_VARIABLE))
    return TrainingStatus(found.running_count + found.shared_running_count,
                          found.waiting + found.shared_waiting,
                          found.workers if queue else None)
