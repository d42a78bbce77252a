"""Keras: the MNIST networks, built from one small config, plus the helpers around them.

The walk-through's network is ``Dense(512, relu) -> Dense(10, softmax)`` on the 784 inputs scaled
to 0-1, trained with rmsprop and categorical cross-entropy for 5 epochs in batches of 128.
TensorFlow is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

_log = logging.getLogger(__name__)
_build_lock = threading.Lock()  # one model built at a time (see build_model)

ACTIVATIONS = ("relu", "sigmoid", "tanh")
OPTIMIZERS = ("sgd", "rmsprop", "adam")
LOSSES = {"categorical_crossentropy": "Cross-entropy", "mean_squared_error": "Mean squared error"}
LIMITS = {"hidden": (16, 2048), "epochs": (1, 30), "batch_size": (16, 1024),
          "learning_rate": (1e-5, 1.0)}


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a training run; the defaults are the walk-through's network."""

    kind: str = "mlp"  # "mlp" or "cnn"
    hidden: tuple[int, ...] = (512,)
    activation: str = "relu"
    dropout: float = 0.0
    optimizer: str = "rmsprop"
    learning_rate: float = 0.001  # Keras' default for rmsprop and adam
    loss: str = "categorical_crossentropy"
    epochs: int = 5
    batch_size: int = 128
    scale_inputs: bool = True  # divide the 0-255 pixels by 255
    seed: int = 0
    train_fraction: float = 1.0  # train on this share of the training digits (a fixed subset)
    label: str = "Custom"

    def with_changes(self, **changes: Any) -> ModelConfig:
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PRESETS = {
    "post": ModelConfig(label="The walk-through's network"),
    "better-mlp": ModelConfig(hidden=(512, 512), dropout=0.2, optimizer="adam", epochs=15,
                              label="A better MLP"),
    # two convolution + pooling stages, then one dense layer of 128 (the "hidden" of a CNN)
    "cnn": ModelConfig(kind="cnn", hidden=(128,), dropout=0.5, optimizer="adam", epochs=12,
                       label="A small CNN"),
}


def validate(config: ModelConfig) -> list[str]:
    """Human-readable problems with a config; an empty list means it can be trained."""
    problems = []
    if config.kind not in ("mlp", "cnn"):
        problems.append(f"Unknown model kind {config.kind!r}: use 'mlp' or 'cnn'.")
    low, high = LIMITS["hidden"]
    if config.kind == "mlp" and not 0 <= len(config.hidden) <= 2:
        problems.append("An MLP has no, one or two hidden layers.")
    if config.kind == "cnn" and len(config.hidden) > 1:
        problems.append("The small CNN has at most one dense hidden layer.")
    for size in config.hidden:
        if not low <= size <= high:
            problems.append(f"Hidden layer size {size} is outside {low}-{high}.")
    if config.activation not in ACTIVATIONS:
        problems.append(f"Activation must be one of {', '.join(ACTIVATIONS)}.")
    if config.optimizer not in OPTIMIZERS:
        problems.append(f"Optimizer must be one of {', '.join(OPTIMIZERS)}.")
    if config.loss not in LOSSES:
        problems.append(f"Loss must be one of {', '.join(LOSSES)}.")
    if not 0.0 <= config.dropout < 1.0:
        problems.append("Dropout must be at least 0 and below 1.")
    if not (np.isfinite(config.train_fraction) and 0.0 < config.train_fraction <= 1.0):
        problems.append("The share of training digits must be above 0 and at most 1.")
    for name in ("epochs", "batch_size", "learning_rate"):
        value, (low, high) = getattr(config, name), LIMITS[name]
        if not (np.isfinite(value) and low <= value <= high):
            problems.append(f"{name.replace('_', ' ').capitalize()} {value} is outside "
                            f"{low:g}-{high:g}.")
    return problems


def prepare_inputs(images: np.ndarray, config: ModelConfig) -> np.ndarray:
    """uint8 digits (N, 28, 28) -> float32 inputs: flat 784 for an MLP, (28, 28, 1) for a CNN."""
    x = images.astype("float32")
    if config.scale_inputs:
        x /= 255.0
    return x.reshape(len(x), 28, 28, 1) if config.kind == "cnn" else x.reshape(len(x), 784)


def training_subset(images: np.ndarray, labels: np.ndarray,
                    fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random share of the training digits (the same ones for every seed), in order."""
    if fraction >= 1.0:
        return images, labels
    keep = max(1, int(round(len(images) * fraction)))
    chosen = np.sort(np.random.default_rng(20_240_602).permutation(len(images))[:keep])
    return images[chosen], labels[chosen]


def one_hot(labels: np.ndarray) -> np.ndarray:
    """Digit labels -> rows of 10 with a 1 in the label's cell (what categorical losses expect)."""
    return np.eye(10, dtype="float32")[np.asarray(labels, dtype=int)]


def build_model(config: ModelConfig, attempts: int = 3):
    """The Keras model for a config, compiled and ready for ``fit``.

    Keras keeps its automatic layer names ("dense", "dense_1") in a thread-local object that
    ``keras.backend.clear_session()`` (or a module re-imported by a concurrent TensorFlow import)
    replaces for every thread at once; a model built at that moment gets two layers named
    "dense" and Keras refuses it. So models are built one at a time, and built again in that
    case: nothing has been trained yet.
    """
    for attempt in range(attempts):
        try:
            with _build_lock:
                return _build_once(config)
        except ValueError as exc:
            if "unique names" not in str(exc) or attempt == attempts - 1:
                raise
            _log.warning("building the model again: %s", exc)
            time.sleep(0.5)
    raise AssertionError("unreachable")


def _build_once(config: ModelConfig):
    from explainer.training.device import load_keras

    keras = load_keras()  # one importing thread at a time (see explainer/training/device.py)
    layers = keras.layers

    problems = validate(config)
    if problems:
        raise ValueError(" ".join(problems))
    keras.utils.set_random_seed(config.seed)
    if config.kind == "cnn":
        stack = [keras.Input(shape=(28, 28, 1)),
                 layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
                 layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
                 layers.Flatten()]
        for size in config.hidden:
            stack.append(layers.Dense(size, activation="relu"))
        stack.append(layers.Dropout(config.dropout))
    else:
        stack = [keras.Input(shape=(784,))]
        for size in config.hidden:
            stack.append(layers.Dense(size, activation=config.activation))
            if config.dropout:
                stack.append(layers.Dropout(config.dropout))
    stack.append(layers.Dense(10, activation="softmax"))
    model = keras.Sequential(stack, name=config.kind)
    optimizer_class = getattr(keras.optimizers, _OPTIMIZER_CLASS[config.optimizer])
    optimizer = optimizer_class(learning_rate=config.learning_rate)
    model.compile(optimizer=optimizer, loss=config.loss, metrics=["accuracy"])
    return model


def keras_code(config: ModelConfig) -> str:
    """The Keras code that :func:`build_model` runs for this config, for the page to show."""
    lines = ["import keras", "from keras import layers", "",
             "model = keras.Sequential(["]
    if config.kind == "cnn":
        lines += ["    keras.Input(shape=(28, 28, 1)),",
                  '    layers.Conv2D(32, 3, activation="relu"),',
                  "    layers.MaxPooling2D(2),",
                  '    layers.Conv2D(64, 3, activation="relu"),',
                  "    layers.MaxPooling2D(2),",
                  "    layers.Flatten(),"]
        for size in config.hidden:
            lines.append(f'    layers.Dense({size}, activation="relu"),')
        lines.append(f"    layers.Dropout({config.dropout}),")
    else:
        lines.append("    keras.Input(shape=(784,)),")
        for size in config.hidden:
            lines.append(f'    layers.Dense({size}, activation="{config.activation}"),')
            if config.dropout:
                lines.append(f"    layers.Dropout({config.dropout}),")
    lines += ['    layers.Dense(10, activation="softmax"),', "])",
              f"model.compile(optimizer=keras.optimizers.{_OPTIMIZER_CLASS[config.optimizer]}"
              f"(learning_rate={config.learning_rate:g}),",
              f'              loss="{config.loss}", metrics=["accuracy"])', ""]
    shape = "(-1, 28, 28, 1)" if config.kind == "cnn" else "(-1, 784)"
    scale = " / 255" if config.scale_inputs else ""
    if config.train_fraction < 1.0:
        lines.append(f"# trained on a fixed random {config.train_fraction:.0%} of the training "
                     "digits")
    lines += [f'x_train = train_images.reshape{shape}.astype("float32"){scale}',
              "y_train = keras.utils.to_categorical(train_labels, 10)",
              f"model.fit(x_train, y_train, epochs={config.epochs}, "
              f"batch_size={config.batch_size})"]
    return "\n".join(lines)


_OPTIMIZER_CLASS = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}


def parameter_table(model) -> list[dict[str, Any]]:
    """Per layer with parameters: its name, weights, biases and total, from the built model."""
    rows = []
    for layer in model.layers:
        params = layer.get_weights()
        if not params:
            continue
        weights = int(np.prod(params[0].shape))
        biases = int(sum(np.prod(p.shape) for p in params[1:]))
        rows.append({"layer": layer.name, "weights": weights, "biases": biases,
                     "total": weights + biases})
    return rows


@dataclass
class TrainedModel:
    """A trained Keras model with what the pages need to name it, test it and explain it."""

    model: Any
    config: ModelConfig
    test_accuracy: float | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    source: str = ""  # which MNIST it was trained on
    test_probabilities: np.ndarray | None = None  # (N_test, 10), in the test set's order
    seconds: float = 0.0  # time spent in fit
    epochs_done: int = 0
    stopped: bool = False  # Stop (or a diverged loss) ended it before its last epoch
    device: str = ""
    train_samples: int = 0

    def __repr__(self) -> str:
        return f"TrainedModel({self.name!r}, {self.epochs_done} epochs)"

    @property
    def name(self) -> str:
        accuracy = f", {self.test_accuracy:.2%} test accuracy" if self.test_accuracy else ""
        return f"{self.config.label}{accuracy}"

    def predict(self, images: np.ndarray) -> np.ndarray:
        """uint8 digits (N, 28, 28) -> probabilities (N, 10)."""
        x = prepare_inputs(images, self.config)
        return np.asarray(self.model.predict_on_batch(x))

    def first_layer_weights(self) -> np.ndarray:
        """The first layer's kernel: (784, hidden) for an MLP, (3, 3, 1, filters) for a CNN."""
        return np.asarray(self.model.layers[0].get_weights()[0])


def model_bytes(model) -> bytes:
    """The model as the bytes of a ``.keras`` file (architecture, weights, optimizer state)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def load_model_bytes(data: bytes):
    """A model from ``.keras`` bytes this app wrote itself (safe mode: no custom code runs).

    The app never offers this to visitors: a model file from a stranger can carry code.
    """
    import tempfile
    from pathlib import Path

    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return keras.models.load_model(path, safe_mode=True)
