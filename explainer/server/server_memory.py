"""A long-running server's memory: big buffers go back to the system as soon as they are freed.

Every rerun of a page builds figures and messages of a few hundred kB to a few MB, then drops
them. glibc's malloc first serves such sizes with their own memory maps, returned on free, but
after the first big free it raises that threshold (up to 32 MB) and serves them from its heaps,
where freed memory stays with the process: the server's resident memory creeps up with every
visitor although Python holds no more objects. Fixing the thresholds low keeps it flat
(`python bench/sessions.py`).

A training is the opposite case: every step frees and takes the same MB-sized buffers again, and
a fresh memory map for each makes it about 1.7x slower. So while a training runs the thresholds
are high, and when the last one ends they go back down and the heaps are trimmed.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
import threading

M_TRIM_THRESHOLD = -1  # mallopt parameter numbers, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
FLAT = (128 * 1024, 256 * 1024)  # (mmap, trim) thresholds: glibc's starting values, kept fixed
TRAINING = (32 * 1024 * 1024, 64 * 1024 * 1024)  # glibc's largest dynamic values

_lock = threading.Lock()
_flat = False  # whether keep_memory_flat() set the thresholds in this process
_trainings = 0


@functools.cache
def _libc():
    """glibc's mallopt and malloc_trim, or None elsewhere (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    trim.argtypes, trim.restype = (ctypes.c_size_t,), ctypes.c_int
    return mallopt, trim


def _set_thresholds(mmap: int, trim: int) -> bool:
    functions = _libc()
    if functions is None:
        return False
    mallopt, _ = functions
    return mallopt(M_MMAP_THRESHOLD, mmap) == 1 and mallopt(M_TRIM_THRESHOLD, trim) == 1


def keep_memory_flat() -> bool:
    """Fix glibc's mmap and trim thresholds low for this process; True once they are set.

    Cheap after the first call. Does nothing off glibc, or when the operator set
    MALLOC_MMAP_THRESHOLD_ (their choice wins).
    """
    global _flat
    with _lock:
        if not _flat and not os.environ.get("MALLOC_MMAP_THRESHOLD_"):
            _flat = _set_thresholds(*(TRAINING if _trainings else FLAT))
        return _flat


@contextlib.contextmanager
def training_memory():
    """Around a training: high thresholds while any training runs, flat again after the last."""
    global _trainings
    with _lock:
        _trainings += 1
        if _trainings == 1 and _flat:
            _set_thresholds(*TRAINING)
    try:
        yield
    finally:
        with _lock:
            _trainings -= 1
            if _trainings == 0 and _flat:
                _set_thresholds(*FLAT)
                _, trim = _libc()
                trim(0)  # give back what the training's buffers left in the heaps
