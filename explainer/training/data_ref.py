"""Which MNIST a training uses, as a small value a worker process can be sent and load itself.

The web process reads MNIST with numpy to show it; a worker reads the same files again (once,
then kept while it is warm) instead of receiving 47 MB of digits through a pipe.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from explainer.data import mnist


@dataclass(frozen=True)
class DataRef:
    """A place MNIST is read from: "" for the shipped sample, else a folder or an ``.npz``."""

    location: str = ""

    def load(self) -> mnist.MnistData:
        if not self.location:
            return mnist.load_sample()
        return mnist.load_from(self.location)


def reference_for(data: mnist.MnistData) -> DataRef:
    """Where ``data`` (as :func:`explainer.data.mnist.load_mnist` found it) came from."""
    if data is mnist.load_sample():
        return DataRef("")
    location = os.environ.get("MNIST_DIR", "").strip()
    if location:
        return DataRef(str(Path(location).expanduser().resolve()))
    return DataRef(str(mnist.KERAS_CACHE))
