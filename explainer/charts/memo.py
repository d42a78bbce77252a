"""A chart asked for again with the same numbers is the same chart: build it once, hand it out.

Which cache is for what: this one keeps a chart *builder's* last figures, keyed by the builder's
own arguments, with no Streamlit; ``pages/shared/kept.py`` keeps a page's results that a key the
page names stands for (a trained model and the digits in use), computed once per server.

Plotly spends milliseconds of Python on every figure it builds, and a page builds its figures on
every rerun, for every visitor; the server's time goes to everyone. Most reruns ask for a figure
some visitor asked for before (the same digit, the same slider position), so each builder keeps
its last few figures, keyed by its arguments: numbers, strings, numpy arrays (by their bytes),
and lists, tuples, dicts and dataclasses of those. Arguments of any other kind are not kept.

A kept figure is shared: whoever receives it must not change it. ``st.plotly_chart`` copies a
figure as it sends it, so showing one is safe.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import numpy as np

F = TypeVar("F", bound=Callable)


class Unkeyable(TypeError):
    """An argument this module cannot turn into a key: the figure is built, not kept."""


def key_of(value) -> object:
    """A hashable stand-in for ``value`` that is equal exactly when the values are."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return ("array", data.shape, data.dtype.str,
                hashlib.blake2b(data.view(np.uint8).reshape(-1), digest_size=16).digest())
    if isinstance(value, np.generic):
        return (type(value).__name__, value.item())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(key_of(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), key_of(v)) for k, v in value.items())))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                tuple(key_of(getattr(value, f.name)) for f in dataclasses.fields(value)))
    raise Unkeyable(type(value).__name__)


def remembered(maxsize: int = 32) -> Callable[[F], F]:
    """Keep a builder's last ``maxsize`` results, keyed by its arguments (thread-safe)."""

    def wrap(build: F) -> F:
        kept: OrderedDict[object, object] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(build)
        def cached(*args, **kwargs):
            try:
                key = (key_of(args), key_of(kwargs))
            except Unkeyable:
                return build(*args, **kwargs)
            with lock:
                if key in kept:
                    kept.move_to_end(key)
                    return kept[key]
            result = build(*args, **kwargs)
            with lock:
                kept[key] = result
                while len(kept) > maxsize:
                    kept.popitem(last=False)
            return result

        cached.build = build  # the builder itself, uncached (for tests)
        cached.kept = kept
        return cached  # type: ignore[return-value]

    return wrap
