"""What a finished training leaves in the web process: numpy weights and figures, no Keras.

A worker trains the network and sends back its weights as float32 arrays (exactly Keras'
``model.get_weights()``), so the pages answer, explain and dream with numpy. Of several seeds only
the median one keeps its weights; the others keep their figures, for the spread chart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from explainer.training.spec import ModelConfig


@dataclass(frozen=True)
class RunSummary:
    """One seed's figures: enough for the spread chart, without its weights."""

    seed: int
    test_accuracy: float
    epochs_done: int
    stopped: bool


@dataclass
class TrainedModel:
    """A trained network as numpy weights, with what the pages need to name, test and explain it."""

    weights: list[np.ndarray]  # float32, in the order of Keras' model.get_weights()
    config: ModelConfig
    test_accuracy: float | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    source: str = ""  # which MNIST it was trained on
    test_probabilities: np.ndarray | None = None  # (N_test, 10) float32, in test-set order
    seconds: float = 0.0  # time spent in fit
    epochs_done: int = 0
    stopped: bool = False  # Stop, a diverged loss or the time limit ended it early
    device: str = ""
    train_samples: int = 0
    keras_path: Path | None = None  # the .keras file its worker wrote, for the download
    model_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def __post_init__(self):
        self.weights = [np.asarray(w, dtype=np.float32) for w in self.weights]

    def __repr__(self) -> str:
        return f"TrainedModel({self.name!r}, {self.epochs_done} epochs, {self.model_id})"

    @property
    def name(self) -> str:
        accuracy = f", {self.test_accuracy:.2%} test accuracy" if self.test_accuracy else ""
        return f"{self.config.label}{accuracy}"

    @property
    def nbytes(self) -> int:
        """Memory its arrays take in this process."""
        extra = self.test_probabilities.nbytes if self.test_probabilities is not None else 0
        return sum(w.nbytes for w in self.weights) + extra

    def first_layer_weights(self) -> np.ndarray:
        """The first layer's kernel: (784, hidden) for an MLP, (3, 3, 1, filters) for a CNN."""
        return self.weights[0]

    def first_layer_biases(self) -> np.ndarray:
        return self.weights[1]

    def keras_bytes(self) -> bytes:
        """The ``.keras`` file its worker wrote; OSError when it is gone."""
        if self.keras_path is None:
            raise FileNotFoundError("this model has no .keras file")
        return Path(self.keras_path).read_bytes()


@dataclass
class TrainingOutcome:
    """What one press of Train produced: the median seed's model and every seed's figures."""

    model: TrainedModel | None
    runs: list[RunSummary]
    error: str = ""

    @property
    def accuracies(self) -> list[float]:
        return [run.test_accuracy for run in self.runs]



def outcome_from_result(result: dict | None, config: ModelConfig,
                        error: str = "") -> TrainingOutcome:
    """A worker's result (see explainer/training/keras_fit.py: train_job) as a TrainingOutcome."""
    if not result or not result.get("runs"):
        return TrainingOutcome(None, [], error)
    runs = [RunSummary(r["seed"], r["test_accuracy"], r["epochs_done"], r["stopped"])
            for r in result["runs"]]
    best = result["runs"][result["best"]]
    model = TrainedModel(
        result["weights"], config.with_changes(seed=best["seed"]), best["test_accuracy"],
        best["history"], result["source"], best["test_probabilities"], best["seconds"],
        best["epochs_done"], best["stopped"], result["device"], best["train_samples"],
        Path(result["keras_path"]) if result.get("keras_path") else None)
    return TrainingOutcome(model, runs, error)
