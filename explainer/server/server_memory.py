"""A long-running server's memory: big buffers go back to the system as soon as they are freed.

Every rerun of a page builds figures and messages of a few hundred kB to a few MB, then drops
them. glibc's malloc first serves such sizes with their own memory maps, returned on free, but
after the first big free it raises that threshold (up to 32 MB) and serves them from its heaps,
where freed memory stays with the process: the server's resident memory creeps up with every
visitor although Python holds no more objects. Fixing the thresholds low keeps it flat
(`python bench/sessions.py`). Trainings run in worker processes, which keep glibc's defaults
(fast for a training's same-sized buffers, step after step).
"""

from __future__ import annotations

import functools
import os
import sys
import threading

M_TRIM_THRESHOLD = -1  # mallopt parameter numbers, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
FLAT = (128 * 1024, 256 * 1024)  # (mmap, trim) thresholds: glibc's starting values, kept fixed

_lock = threading.Lock()
_flat = False  # whether keep_memory_flat() set the thresholds in this process


@functools.cache
def _mallopt():
    """glibc's mallopt, or None elsewhere (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt


def keep_memory_flat() -> bool:
    """Fix glibc's mmap and trim thresholds low for this process; True once they are set.

    Cheap after the first call. Does nothing off glibc, or when the operator set
    MALLOC_MMAP_THRESHOLD_ (their choice wins).
    """
    global _flat
    with _lock:
        if not _flat and not os.environ.get("MALLOC_MMAP_THRESHOLD_"):
            mallopt = _mallopt()
            mmap, trim = FLAT
            _flat = bool(mallopt) and mallopt(M_MMAP_THRESHOLD, mmap) == 1 and \
                mallopt(M_TRIM_THRESHOLD, trim) == 1
        return _flat
