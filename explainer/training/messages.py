"""The messages between the web process and a worker: one kind each, the same on every transport.

Each message is a ``(kind, info)`` pair. The worker sends progress for the page, then one
``RESULT`` or ``ERROR``; the web process sends a job, ``STOP``, or None to make it exit. Plain
Python, so a worker imports it before anything heavy.
"""

from __future__ import annotations

from enum import StrEnum


class Message(StrEnum):
    """The kinds of message between the web process and a worker (each a ``(kind, info)`` pair).

    From the worker: ``READY`` once, then per job progress (``DEVICE`` ... ``TRAINING_ENDED``),
    ``STOPPING`` as soon as it read a Stop, and one ``RESULT`` or ``ERROR``. To the worker: a
    :class:`TrainJob`, ``STOP``, or None (exit).
    """

    READY = "ready"
    DEVICE = "device"
    PHASE = "phase"
    BEGIN_RUN = "begin_run"
    BATCH = "batch"
    EPOCH = "epoch"
    END_RUN = "end_run"
    DIVERGED = "diverged"
    TRAINING_ENDED = "training_ended"
    STOPPING = "stopping"
    RESULT = "result"
    ERROR = "error"
    STOP = "stop"
