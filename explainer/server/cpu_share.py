"""Sharing the CPU: a training takes only the cores that visitors' clicks leave free.

A training keeps every core busy for as long as it runs; a click on a concept page needs a core
for a tenth of a second. The kernel shares cores by priority, so the training gets a lower one (a
higher nice value): the thread that calls ``fit`` (it runs about half of TensorFlow's work itself)
and TensorFlow's own threads (named ``tf_...``). Alone they still get whole cores, and when a
visitor's page needs one it gets it at once. Linux only; elsewhere, or when a thread is gone,
nothing changes.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path

TASKS = Path("/proc/self/task")
TRAINING_NICE = 10  # 0 is normal; 19 the lowest
PR_SET_NAME = 15  # prctl option: the calling thread's name as the kernel shows it
TRAINING_WORKER = "mnist-training"  # kernel names of the threads that call fit
DEFAULT_MODEL_WORKER = "default-model"
TRAINING_THREAD_NAMES = ("tf_", TRAINING_WORKER, DEFAULT_MODEL_WORKER)  # prefixes, for `top -H`


def training_nice() -> int:
    """``TRAINING_NICE`` (0-19), default 10; 0 leaves TensorFlow's threads as they are."""
    try:
        value = int(os.environ.get("TRAINING_NICE", TRAINING_NICE))
    except ValueError:
        value = TRAINING_NICE
    return min(max(value, 0), 19)


def tensorflow_threads() -> list[int]:
    """Thread ids of this process whose name starts with ``tf_`` (TensorFlow's thread pools)."""
    found = []
    for task in TASKS.glob("[0-9]*") if TASKS.is_dir() else ():
        try:
            if (task / "comm").read_text().startswith("tf_"):
                found.append(int(task.name))
        except OSError:  # the thread ended while we looked
            continue
    return found


def lower_tensorflow_priority(nice: int | None = None) -> int:
    """Give TensorFlow's threads the nice value ``nice`` (default: training_nice()).

    Returns how many threads were changed. Threads TensorFlow starts later inherit the value of
    the thread that starts them, so call it again once a training has begun.
    """
    nice = training_nice() if nice is None else nice
    if nice <= 0 or not hasattr(os, "setpriority"):
        return 0
    changed = 0
    for tid in tensorflow_threads():
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
                changed += 1
        except OSError:  # gone, or not ours to change
            continue
    return changed


def lower_this_thread(name: str, nice: int | None = None) -> bool:
    """Name the calling thread for the kernel (``top -H`` shows it) and give it the nice value.

    For a training's worker thread, which runs much of TensorFlow's work itself. The thread keeps
    the value until it ends, so call it from a thread that ends with its training. True when the
    priority was changed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        ctypes.CDLL(None).prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # a name is only a help for reading top
    nice = training_nice() if nice is None else nice
    if nice <= 0:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except OSError:
        return False
    return True
