"""Where the trainings plug into the serve command: before a class, the queue's workers, status.

Each hook is one function. Until the trainings have a job queue, ``--prepare`` and
``--workers`` say that they are not available, and the host page shows no trainings.
"""

from __future__ import annotations

from explainer.serve.status import TrainingStatus


class NotAvailable(RuntimeError):
    """A feature of the serve command that this version of the app does not have yet."""


def prepare() -> None:
    """Before the class arrives: load the digits, train the shared default model and the
    one-change experiments into the shared cache folder, and return when they are done.

    ``python -m explainer.serve --prepare`` calls this, then exits; a lesson started afterwards
    trains none of them.
    """
    raise NotAvailable("--prepare is not available yet: the first server that needs the "
                       "default model trains it (about a minute on two cores).")


def worker_command(index: int) -> list[str]:
    """The command of queue worker number ``index`` (1, 2...), run with the serve command's
    environment (its queue's address included). ``--workers K`` starts K of them and restarts
    one that dies, as it does the servers."""
    raise NotAvailable("--workers needs the trainings' job queue, which is not available yet: "
                       "each server trains in its own worker processes (MAX_TRAININGS).")


def training_status() -> TrainingStatus | None:
    """The trainings running and waiting (and the queue's workers) for the host page; None when
    they are not known, as now."""
    return None
