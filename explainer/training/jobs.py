"""A training job as data: what to train, on which digits, and where to write the model.

A :class:`TrainJob` is everything a worker needs to train, and nothing that only makes sense on
the web server's machine: its digits are named as "full" or "sample" plus a fingerprint of every
digit and label (:class:`DataRef`), not as a path, so a worker on another machine loads its own
copy and checks it is the same one.
"""

from __future__ import annotations

from dataclasses import dataclass

from explainer.data import mnist
from explainer.training.spec import ModelConfig


class DataMismatch(Exception):
    """The worker's MNIST is not the one the job was made for."""


@dataclass(frozen=True)
class DataRef:
    """Which MNIST a job trains on: "full" or "sample", and the fingerprint of its digits."""

    which: str  # "full" or "sample"
    fingerprint: str
    train_digits: int

    def load(self) -> mnist.MnistData:
        """This machine's copy of the digits; DataMismatch when it is not the same set."""
        data = mnist.load_sample() if self.which == "sample" else mnist.load_mnist()
        if data.fingerprint == self.fingerprint:
            return data
        if self.which == "full" and not data.is_full:
            raise DataMismatch(
                "This training process has no full MNIST: give it the same MNIST_DIR as the web "
                "server, or train on the sample.")
        raise DataMismatch(
            "This training process reads other digits than the web server does: give both the "
            "same MNIST files (MNIST_DIR).")


def reference_for(data: mnist.MnistData) -> DataRef:
    """How a job names ``data``: the shipped sample, or the MNIST this machine found."""
    sample = data.fingerprint == mnist.load_sample().fingerprint
    return DataRef("sample" if sample else "full", data.fingerprint, len(data.x_train))


@dataclass(frozen=True)
class TrainJob:
    """One job for a worker: train ``config`` once per seed on ``data``, or download MNIST.

    ``keras_path`` is where the worker writes the median seed's ``.keras`` file ("" for none).
    """

    kind: str = "train"  # "train" or "download_mnist"
    config: ModelConfig | None = None
    seeds: tuple[int, ...] = ()
    data: DataRef | None = None
    keras_path: str = ""

    @classmethod
    def train(cls, config: ModelConfig, data: mnist.MnistData, keras_path: str = "",
              seeds: tuple[int, ...] | None = None) -> TrainJob:
        return cls("train", config, tuple(seeds) if seeds is not None else (config.seed,),
                   reference_for(data), str(keras_path))

    @classmethod
    def download(cls) -> TrainJob:
        return cls("download_mnist")

    def __repr__(self) -> str:
        if self.kind != "train":
            return f"TrainJob({self.kind})"
        return (f"TrainJob({self.config.label!r}, seeds {self.seeds}, {self.data.which} "
                f"{self.data.train_digits} digits)")
