"""One-change experiments: the walk-through's network with a single setting changed.

Each experiment answers a question the walk-through raises but one training cannot: why scale
the pixels to 0-1, what the hidden layer buys, squared difference or cross-entropy, how much the
data matter, whether changed copies of the digits teach it to read digits rather than MNIST's way
of writing them. Each is the walk-through's config with one change (and a fixed seed), so the same
experiment on the same data always gives the same result and is trained once per server. Every
run is also scored on the robustness set (the test digits moved, turned, resized, drawn thicker
or thinner). Nothing here imports TensorFlow; :func:`describe` writes a result's sentence from its
figures.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from explainer.concepts.inputs.distort import robustness_set
from explainer.concepts.models.reading import Reader
from explainer.concepts.models.robustness import accuracy
from explainer.training.spec import AUGMENTED_EPOCHS, PRESETS, ModelConfig, parameter_count

BASELINE_CONFIG = PRESETS["post"]  # the walk-through's network: 784-512-10, ReLU, RMSprop, 5 ep.
BASELINE_ID = "walk-through"

# Test accuracies closer than this are within the spread between seeds: on the full set the
# walk-through's network gave 97.65-98.17% over seeds 0-2, about half a point.
SAME_WITHIN = 0.005
LARGE_CHANGE = 0.03  # three points or more is "far": more than twice the errors
SLOWER_OR_FASTER = 2.0  # training times are named when one is twice the other (load is noisy)
CHANCE = 0.10  # ten classes: guessing gets one digit in ten right


@dataclass(frozen=True)
class Experiment:
    """A named single change to the walk-through's network and the question it answers.

    ``changes`` holds the one :class:`ModelConfig` setting that differs; ``epochs`` is set only
    where the change needs another number of epochs (fewer keep a run near a minute on two
    cores; harder digits need more), and ``epochs_note`` says why. ``lead`` starts the result's
    sentence; ``why_worse`` / ``why_same`` end it, each used only when the measured accuracy
    fell / stayed within the seeds' spread. ``robust``: the sentence also compares the
    robustness set, the figure this change is about.
    """

    id: str
    name: str
    question: str
    changes: tuple[tuple[str, Any], ...]
    lead: str
    why_worse: str = ""
    why_same: str = ""
    epochs: int | None = None
    epochs_note: str = ""
    robust: bool = False

    def __repr__(self) -> str:
        return f"Experiment({self.id!r}: {dict(self.changes)})"

    @property
    def config(self) -> ModelConfig:
        """The config it trains: the walk-through's, with the change (and its own label)."""
        settings = dict(self.changes)
        if self.epochs is not None:
            settings["epochs"] = self.epochs
        return BASELINE_CONFIG.with_changes(label=self.name, **settings)


BASELINE = Experiment(
    BASELINE_ID, "The walk-through's network", "What does the walk-through's network reach?",
    (), lead="The walk-through's network")

EXPERIMENTS = (
    Experiment(
        "no-scaling", "No scaling: inputs 0-255",
        "Why divide the pixels by 255? The walk-through calls raw 0-255 inputs 'not safe'.",
        (("scale_inputs", False),), lead="Without scaling",
        why_worse="inputs 255 times bigger make the weighted sums, and the first steps, 255 "
                  "times bigger too",
        why_same="the optimizer coped with the large inputs this time"),
    Experiment(
        "squared-loss", "Squared difference instead of cross-entropy",
        "The walk-through measures the error as a squared difference; its code uses "
        "cross-entropy. Does the choice matter?",
        (("loss", "mean_squared_error"),), lead="With the squared difference as the loss",
        why_worse="a squared difference gives small pushes when a confident answer is wrong, "
                  "where cross-entropy pushes hard",
        why_same="both losses fall as the right digit's probability rises"),
    Experiment(
        "no-hidden", "No hidden layer (784-10)",
        "What do the 512 hidden cells buy? Without them each digit's score is one weighted sum "
        "of the pixels.",
        (("hidden", ()),), lead="Without a hidden layer",
        why_worse="one weighted sum per digit can only match one template, not combine shapes",
        why_same="one template per digit is already a strong reader of MNIST"),
    Experiment(
        "hidden-16", "16 hidden cells instead of 512",
        "How many hidden cells are needed?",
        (("hidden", (16,)),), lead="With 16 hidden cells",
        why_worse="16 cells can detect fewer patterns than 512",
        why_same="16 cells were enough to tell these digits apart"),
    Experiment(
        "sigmoid", "Sigmoid instead of ReLU",
        "Does the choice of activation matter?",
        (("activation", "sigmoid"),), lead="With sigmoid instead of ReLU",
        why_worse="sigmoid flattens out at both ends, so its gradients are small and learning "
                  "is slower",
        why_same="any nonlinearity lets the layers do more than one straight line"),
    Experiment(
        "sgd", "Plain SGD instead of RMSprop",
        "What does RMSprop add to plain gradient descent? (Same learning rate, 0.001.)",
        (("optimizer", "sgd"),), lead="With plain SGD at the same learning rate",
        why_worse="plain steps of this size crawl where RMSprop scales each weight's step up",
        why_same="plain gradient descent got there too"),
    Experiment(
        "one-epoch", "One epoch instead of five",
        "How much do the extra passes over the digits add?",
        (("epochs", 1),), lead="After one epoch",
        why_worse="the network had seen each digit only once",
        why_same="one pass over the digits got most of the way"),
    Experiment(
        "tenth-data", "A tenth of the training digits",
        "The walk-through says more data is better: how much better?",
        (("train_fraction", 0.1),), lead="On a tenth of the training digits",
        why_worse="fewer examples show the network fewer ways of writing each digit",
        why_same="a tenth of the digits already showed most ways of writing them"),
    Experiment(
        "augmented", f"Trained on shifted, rotated and rescaled copies too ({AUGMENTED_EPOCHS} "
                     "epochs)",
        "Draw-a-digit demos most often hear 'it does not read my digit'. Does training on moved, "
        "turned, resized, thicker and thinner copies of the digits (data augmentation) help?",
        (("augment", True),), lead="Trained on changed copies too",
        why_worse="changed copies are harder digits, and these epochs did not learn them as well",
        why_same="MNIST's test digits are centred and upright like its training digits, so "
                 "what the copies teach shows on changed digits, not here",
        epochs=AUGMENTED_EPOCHS,
        epochs_note=f"{AUGMENTED_EPOCHS} epochs instead of 5: changed copies are harder to learn, "
                    "so it gets three times the passes, each costing about 2.3 plain ones",
        robust=True),
)

BY_ID = {experiment.id: experiment for experiment in (BASELINE, *EXPERIMENTS)}


@dataclass
class ExperimentResult:
    """What one run of an experiment measured: the comparison table's row and its curve."""

    experiment_id: str
    name: str
    test_accuracy: float
    seconds: float
    parameters: int
    epoch_accuracy: list[float] = field(default_factory=list)  # test accuracy after each epoch
    epochs: int = 0
    train_samples: int = 0
    source: str = ""
    device: str = ""
    robustness_accuracy: float | None = None  # on the robustness set made from the test digits

    def __repr__(self) -> str:
        return f"ExperimentResult({self.experiment_id!r}, {self.test_accuracy:.2%})"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ExperimentResult:
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**known)


_ROBUST_SETS: dict[str, np.ndarray] = {}  # the digits' fingerprint -> their robustness set
_ROBUST_LOCK = threading.Lock()


def robustness_of(trained, data) -> float | None:
    """A trained MLP's accuracy on the robustness set made from ``data``'s test digits (numpy;
    the set is made once per digits, about a second for 10,000); None for a CNN or no data."""
    if data is None or trained.config.kind != "mlp":
        return None
    with _ROBUST_LOCK:
        images = _ROBUST_SETS.get(data.fingerprint)
        if images is None:
            if len(_ROBUST_SETS) >= 2:  # the sample's and the full set's at most
                _ROBUST_SETS.pop(next(iter(_ROBUST_SETS)))
            images = _ROBUST_SETS[data.fingerprint] = robustness_set(data.x_test).images
    return accuracy(Reader.of(trained).read_many, images, data.y_test)


def result_from_trained(experiment: Experiment, trained, data=None) -> ExperimentResult:
    """The row for a finished training (a :class:`TrainedModel` of ``experiment.config``);
    with ``data`` (the digits it was trained on), also its accuracy on the robustness set.

    The per-epoch curve is Keras' validation accuracy, which is measured on the test digits.
    """
    config = trained.config
    return ExperimentResult(
        experiment_id=experiment.id, name=experiment.name,
        test_accuracy=float(trained.test_accuracy), seconds=float(trained.seconds),
        parameters=parameter_count(config),
        epoch_accuracy=[float(v) for v in trained.history.get("val_accuracy", [])],
        epochs=int(trained.epochs_done), train_samples=int(trained.train_samples),
        source=trained.source, device=trained.device,
        robustness_accuracy=robustness_of(trained, data))


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def describe(result: ExperimentResult, baseline: ExperimentResult) -> str:
    """One sentence on what a run showed, chosen by comparing its figures with the baseline's."""
    experiment = BY_ID.get(result.experiment_id)
    lead = experiment.lead if experiment else result.name
    if result.experiment_id == baseline.experiment_id:
        return (f"{lead} reached {_percent(result.test_accuracy)} test accuracy in "
                f"{_seconds(result.seconds)}: the reference for every change.")
    now, before = result.test_accuracy, baseline.test_accuracy
    difference = now - before
    if not math.isfinite(now) or now <= CHANCE + 0.05:
        return (f"{lead}, the network did not learn: {_percent(now)} test accuracy is about "
                f"what guessing gets (10%), against {_percent(before)}.")
    if abs(difference) < SAME_WITHIN:
        movement = (f"test accuracy stayed close to the walk-through's network: "
                    f"{_percent(now)} against {_percent(before)}, within the spread between seeds")
        reason = experiment.why_same if experiment else ""
    elif difference < 0:
        size = "fell far" if -difference >= LARGE_CHANGE else "fell"
        movement = f"test accuracy {size}, from {_percent(before)} to {_percent(now)}"
        reason = experiment.why_worse if experiment else ""
    else:
        movement = f"test accuracy rose, from {_percent(before)} to {_percent(now)}"
        reason = ""
    extras = []
    if result.parameters != baseline.parameters:
        extras.append(f"{result.parameters:,} parameters instead of {baseline.parameters:,}")
    ratio = result.seconds / baseline.seconds if baseline.seconds > 0 else 1.0
    if not 1 / SLOWER_OR_FASTER <= ratio <= SLOWER_OR_FASTER:
        extras.append(f"{_seconds(result.seconds)} of training instead of "
                      f"{_seconds(baseline.seconds)}")
    extra = f" (with {' and '.join(extras)})" if extras else ""
    sentence = f"{lead}, {movement}{extra}" + (f": {reason}." if reason else ".")
    if experiment is not None and experiment.robust and result.robustness_accuracy is not None:
        sentence += " " + on_changed_digits(result, baseline)
    return sentence


def on_changed_digits(result: ExperimentResult, baseline: ExperimentResult) -> str:
    """The robustness set's figure, against the walk-through's network's when it is known."""
    now, before = result.robustness_accuracy, baseline.robustness_accuracy
    what = ("On the robustness set (the same test digits moved, turned, resized, drawn thicker "
            f"or thinner) it read {_percent(now)} right")
    if before is None:
        return what + "."
    if abs(now - before) < SAME_WITHIN:
        return what + f", as many as the walk-through's network ({_percent(before)})."
    return what + f", against {_percent(before)} for the walk-through's network."


def table_rows(results: Sequence[ExperimentResult],
               baseline: ExperimentResult | None) -> list[dict[str, Any]]:
    """The comparison table: the change, test accuracy, accuracy on the robustness set (None
    when not measured), time, parameters, epochs and the sentence."""
    rows = []
    for result in results:
        experiment = BY_ID.get(result.experiment_id)
        rows.append({
            "Change": result.name,
            "Test accuracy": result.test_accuracy,
            "Robustness set": result.robustness_accuracy,
            "Seconds": round(result.seconds, 1),
            "Parameters": result.parameters,
            "Epochs": result.epochs,
            "What it shows": describe(result, baseline) if baseline else "",
            "Note": experiment.epochs_note if experiment else "",
        })
    return rows
