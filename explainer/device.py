"""Where Keras computes: the GPU when TensorFlow sees one (memory growth on), else the CPU."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def gpus() -> tuple[str, ...]:
    """Names of the visible GPUs, with memory growth enabled before TensorFlow uses them."""
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
