"""Where Keras computes: the GPU when TensorFlow sees one (memory growth on), else the CPU.

TensorFlow and Keras are imported here, by one thread at a time: when two sessions start the
first training and the default model at the same moment, two threads importing TensorFlow's
circular modules at once can trip Python's import-deadlock check and fail.
"""

from __future__ import annotations

import functools
import threading

_import_lock = threading.Lock()


def load_keras():
    """Keras (and TensorFlow under it), imported by one thread at a time; the module."""
    with _import_lock:
        import keras
        import tensorflow  # noqa: F401  (keras imports it lazily; all of it here, under the lock)
    return keras


@functools.lru_cache(maxsize=1)
def gpus() -> tuple[str, ...]:
    """Names of the visible GPUs, with memory growth enabled before TensorFlow uses them."""
    load_keras()
    import tensorflow as tf

    found = tf.config.list_physical_devices("GPU")
    names = []
    for gpu in found:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: growth can no longer be changed
            pass
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    return tuple(names)


def describe_device() -> str:
    """'GPU: <name>' or 'CPU (no GPU found)' for the sidebar and the training page."""
    names = gpus()
    return f"GPU: {names[0]}" if names else "CPU (no GPU found)"
