"""Objects that live as long as the server stay out of the garbage collector's way.

Streamlit runs a full garbage collection after every script run, and a full collection walks
every object Python tracks. Imported modules are most of them, and they live until the server
stops: once a page has trained or predicted, TensorFlow's import alone adds about 270,000, and
each concept-page rerun then spends about 150 ms in that walk (85 -> 240 ms for Why
nonlinearity), holding Python's lock, so every visitor waits. ``gc.freeze()`` moves every
object alive now to a generation that collections skip. Freezing after each big import keeps
the walk as short as it was before (`python bench/pages.py`, the "with TensorFlow" column).
"""

from __future__ import annotations

import gc
import sys
import threading

NEW_MODULES = 100  # imports that add fewer modules than this are not worth a collection

_lock = threading.Lock()
_modules_seen = 0


def freeze_new_imports(threshold: int = NEW_MODULES) -> bool:
    """When ``threshold`` or more modules were imported since the last call, collect the garbage
    once and freeze every object still alive; True when it did. Cheap otherwise (a length)."""
    global _modules_seen
    if len(sys.modules) - _modules_seen < threshold:
        return False
    with _lock:
        if len(sys.modules) - _modules_seen < threshold:  # another thread just did it
            return False
        _modules_seen = len(sys.modules)
        gc.collect()  # what is garbage now is not frozen
        gc.freeze()
        return True
