"""A long-running server's memory: big buffers go back to the system as soon as they are freed.

Every rerun of a page builds figures and messages of a few hundred kB to a few MB, then drops
them. glibc's malloc first serves such sizes with their own memory maps, returned on free, but
after the first big free it raises that threshold (up to 32 MB) and serves them from its heaps,
where freed memory stays with the process: the server's resident memory creeps up with every
visitor although Python holds no more objects. Fixing the thresholds keeps it flat
(`python bench/sessions.py`); the price is a memory map per big buffer, microseconds.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

M_TRIM_THRESHOLD = -1  # mallopt parameter numbers, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024  # glibc's starting value, kept fixed
TRIM_THRESHOLD = 256 * 1024


@functools.cache
def keep_memory_flat() -> bool:
    """Fix glibc's mmap and trim thresholds for this process; True when they were set.

    Does nothing off glibc, or when the operator set MALLOC_MMAP_THRESHOLD_ (their choice wins).
    """
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_MMAP_THRESHOLD_"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return (mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
            and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
