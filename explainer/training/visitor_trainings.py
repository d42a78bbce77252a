"""A visitor's training from the Train page: checked against the limits, queued, handed back.

:func:`start_training` turns a config, seeds and the data in use into a job for the server's
worker pool, after the same checks the worker makes again (a valid config, work under the cap).
When the worker is done, the outcome (numpy weights of the median seed, every seed's figures) is
handed to ``on_outcome``, which the page points at the session's state, so the model reaches the
Draw page even if the visitor is there when training ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from explainer.data.mnist import MnistData
from explainer.training import limits
from explainer.training.data_ref import reference_for
from explainer.training.pool import Training, TrainingPool, shared_pool
from explainer.training.progress import TrainingProgress
from explainer.training.spec import ModelConfig, validate
from explainer.training.trained import TrainingOutcome, outcome_from_result


def refusal(config: ModelConfig, seeds: int, digits: int) -> str:
    """Why this training cannot be started, or "" (the page disables Train and says why)."""
    problems = validate(config)
    if problems:
        return " ".join(problems)
    return limits.work_refusal(config, digits, seeds)


def start_training(config: ModelConfig, seeds: list[int], data: MnistData, folder: Path,
                   session: str, clients=frozenset(), alive: Callable[[], bool] | None = None,
                   on_outcome: Callable[[TrainingOutcome], None] | None = None,
                   pool: TrainingPool | None = None) -> Training:
    """Queue the training; raises LimitError with a message for the visitor when refused."""
    why = refusal(config, len(seeds), len(data.x_train))
    if why:
        raise limits.LimitError(why)
    job = {"kind": "train", "config": config, "seeds": tuple(seeds), "data": reference_for(data),
           "keras_path": str(Path(folder) / f"model-{uuid.uuid4().hex[:12]}.keras")}
    progress = TrainingProgress(config.epochs, runs=len(seeds))

    def hand_over(training: Training) -> None:
        training.outcome = outcome_from_result(training.result, config, training.error)
        if training.outcome.model is None:
            return
        for older in Path(folder).glob("model-*.keras"):  # one model per session
            if older != training.outcome.model.keras_path:
                older.unlink(missing_ok=True)
        if on_outcome is not None:
            on_outcome(training.outcome)

    return (pool or shared_pool()).submit(job, progress, owner=session, clients=clients,
                                          alive=alive, on_done=hand_over)


def download_mnist(session: str, pool: TrainingPool | None = None) -> Training:
    """Have a worker download Keras' ``mnist.npz`` (the web process then reads it with numpy)."""
    return (pool or shared_pool()).submit({"kind": "download_mnist"}, TrainingProgress(0),
                                          owner=f"{session}:download")
