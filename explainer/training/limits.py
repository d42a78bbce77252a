"""How much training one server gives away: slots, a cap on work, a cap on time, idle workers.

Every setting comes from an environment variable (see docs/hosting.md, Settings). The work a
training asks for is estimated before Train is pressed, from what it computes: for every digit
of every epoch of every seed, one multiply-add per weight of a dense layer and one per weight per
position of a convolution, plus a fixed cost per batch. Training on changed copies (data
augmentation) makes every batch in the input pipeline first, which costs about as much again and
a bit more. The rates below were measured on two CPU cores (``python bench/work_estimate.py``
prints estimate against measurement).
"""

from __future__ import annotations

import os

from explainer.training.spec import ModelConfig, multiply_adds

DENSE_SECONDS = 1.0e-10  # per multiply-add of a dense layer, forward and backward, per digit
CONV_SECONDS = 5.0e-11  # per multiply-add of a convolution (oneDNN runs these well)
BATCH_SECONDS = 1.0e-3  # fixed cost of one batch (one optimizer step) on top
AUGMENT_FACTOR = 2.3  # an epoch on changed copies costs this many plain ones (bench/robustness.py)


class LimitError(Exception):
    """A training refused by a limit; the message says which and what to do."""


def _setting(name: str, default: float, low: float, high: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        value = default
    return min(max(value, low), high) if value == value else default  # NaN: the default


def max_trainings() -> int:
    """``MAX_TRAININGS``: trainings (and worker processes) at once on this server; 2 (1-16)."""
    return int(_setting("MAX_TRAININGS", 2, 1, 16))


def max_waiting() -> int:
    """``MAX_WAITING``: visitors' trainings kept in line at most; 10 (0-1000). More are refused."""
    return int(_setting("MAX_WAITING", 10, 0, 1000))


def max_work_seconds() -> float:
    """``TRAINING_MAX_WORK_S``: the largest estimated two-core time one training may ask for."""
    return _setting("TRAINING_MAX_WORK_S", 600, 10, 86_400)


def max_wall_seconds() -> float:
    """``TRAINING_MAX_WALL_S``: a training ends after this long, keeping what it learned."""
    return _setting("TRAINING_MAX_WALL_S", 1200, 1, 86_400)


KILL_AFTER_S = 10.0  # past the wall-clock cap, the supervisor ends a training that did not stop
DOWNLOAD_S = 120.0  # the longest an MNIST download may take


def job_seconds(kind: str) -> float:
    """How long the supervisor lets a job run before it ends its process."""
    return DOWNLOAD_S if kind == "download_mnist" else max_wall_seconds() + KILL_AFTER_S


def worker_idle_seconds() -> float:
    """``WORKER_IDLE_S``: an idle worker process exits after this long, giving its memory back."""
    return _setting("WORKER_IDLE_S", 120, 1, 86_400)


def estimate_seconds(config: ModelConfig, digits: int, seeds: int = 1) -> float:
    """Roughly how long the training takes on two CPU cores, in seconds."""
    dense, conv = multiply_adds(config)
    per_epoch = digits * (dense * DENSE_SECONDS + conv * CONV_SECONDS)
    per_epoch += -(-digits // config.batch_size) * BATCH_SECONDS
    if config.augment:
        per_epoch *= AUGMENT_FACTOR  # the pipeline moves, turns, resizes and thickens each batch
    return per_epoch * config.epochs * seeds


def job_estimate(job) -> float:
    """A job's estimated two-core seconds (a download: a few seconds)."""
    if job.kind != "train":
        return 10.0
    return estimate_seconds(job.config, job.data.train_digits, len(job.seeds))


def line_refusal(waiting: int, seconds_left: float, slots: int) -> str:
    """The message for a visitor refused because the line is full, with the wait ahead."""
    wait = describe_seconds(seconds_left / max(slots, 1))
    return (f"{waiting} trainings are already waiting on this server, as many as it keeps in "
            f"line. Try again in about {wait}, when the line is shorter.")


def describe_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    return f"{seconds / 60:.0f} min"


def work_refusal(config: ModelConfig, digits: int, seeds: int = 1) -> str:
    """Why this training is too big for this server, or "" when it may run."""
    estimate, cap = estimate_seconds(config, digits, seeds), max_work_seconds()
    if estimate <= cap:
        return ""
    return (f"This training would take about {describe_seconds(estimate)} of two CPU cores; "
            f"this server allows {describe_seconds(cap)} per training. Use fewer epochs, fewer "
            "or smaller hidden layers, a bigger batch, one seed, or the small sample.")
