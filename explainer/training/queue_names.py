"""The names the web servers and the queue workers agree on in Redis: queues and keys.

One place, so the two sides never disagree. Every key starts with ``explainer:`` and expires, so
a Redis shared with other apps keeps nothing of ours for long.
"""

from __future__ import annotations

VISITOR_QUEUE = "explainer-visitors"  # visitors' trainings
SHARED_QUEUE = "explainer-shared"  # the default model, the experiments, the download
KEY_TTL_S = 6 * 3600  # the longest any of our keys lives
RESULT_TTL_S = 900  # how long a finished job's result stays for a tab to take it


def progress(training: str) -> str:
    """The stream of a training's progress messages (a tab that reattaches reads it from 0)."""
    return f"explainer:progress:{training}"


def stop(training: str) -> str:
    """Set when someone pressed Stop; the queue worker's supervisor reads it every 0.1 s."""
    return f"explainer:stop:{training}"


def owner(kind: str, who: str) -> str:
    """The training a session or a browser has, cluster-wide: ``kind`` is "session" or
    "browser"."""
    return f"explainer:owner:{kind}:{who}"


def once(key: str) -> str:
    """The training that does shared work ``key`` for the whole cluster."""
    return f"explainer:once:{key}"


WORKERS = "explainer:workers"  # hash: queue worker name -> its TensorFlow process's pid
DEVICE = "explainer:device"  # the device the last training ran on
