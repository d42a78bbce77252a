"""The network as data: one config, one list of layers, from which Keras builds and the page shows.

The walk-through's network is ``Dense(512, relu) -> Dense(10, softmax)`` on the 784 inputs scaled
to 0-1, trained with rmsprop and categorical cross-entropy for 5 epochs in batches of 128.
:func:`layer_plan` turns a :class:`ModelConfig` into layers; the worker builds the Keras model from
that plan, ``explainer/training/code_shown.py`` writes the same plan as the code the page shows,
and
:func:`parameter_table` counts its weights. With ``augment`` the same network trains on changed
copies of the digits, made in the input pipeline (explainer/training/augmentation.py), and the code
shown grows by that pipeline. Pure Python and numpy: no Keras here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

# The training targets; the code shown makes the same rows.
from explainer.concepts.nn.activations import one_hot  # noqa: F401

ACTIVATION_CHOICES = ("relu", "sigmoid", "tanh")
OPTIMIZER_CLASSES = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}  # Keras class names
LOSS_CHOICES = {"categorical_crossentropy": "Cross-entropy",
                "mean_squared_error": "Mean squared error"}
AUGMENTED_EPOCHS = 15
CONFIG_RANGES = {"hidden": (16, 2048), "epochs": (1, 30), "batch_size": (16, 1024),
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
    augment: bool = False  # train on randomly moved, turned, resized, thicker/thinner copies
    label: str = "Custom"

    def with_changes(self, **changes: Any) -> ModelConfig:
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def input_scale(self) -> float:
        """What each 0-255 pixel is multiplied by before the network reads it."""
        return 1 / 255 if self.scale_inputs else 1.0


PRESETS = {
    "post": ModelConfig(label="The walk-through's network"),
    "better-mlp": ModelConfig(hidden=(512, 512), dropout=0.2, optimizer="adam", epochs=15,
                              label="A better MLP"),
    # two convolution + pooling stages, then one dense layer of 128 (the "hidden" of a CNN)
    "cnn": ModelConfig(kind="cnn", hidden=(128,), dropout=0.5, optimizer="adam", epochs=12,
                       label="A small CNN"),
}


# The walk-through's network trained on changed copies of the digits (data augmentation): harder
# digits, so it gets more epochs. 15 meets both goals (97.8% on MNIST's test digits, 95% on the
# robustness set) with room, for two seeds: bench/robustness.py --curve 30 on the full MNIST.
def augmented(epochs: int = AUGMENTED_EPOCHS) -> ModelConfig:
    """The walk-through's network trained on changed copies, labelled with its epochs."""
    return PRESETS["post"].with_changes(
        augment=True, epochs=epochs,
        label=f"The walk-through's network on shifted, rotated and rescaled copies "
              f"({epochs} epochs)")


AUGMENTED = augmented()


def validate(config: ModelConfig) -> list[str]:
    """Human-readable problems with a config; an empty list means it can be trained."""
    problems = []
    if config.kind not in ("mlp", "cnn"):
        problems.append(f"Unknown model kind {config.kind!r}: use 'mlp' or 'cnn'.")
    low, high = CONFIG_RANGES["hidden"]
    if config.kind == "mlp" and not 0 <= len(config.hidden) <= 2:
        problems.append("An MLP has no, one or two hidden layers.")
    if config.kind == "cnn" and len(config.hidden) != 1:
        problems.append("The small CNN has one dense hidden layer.")
    for size in config.hidden:
        if not low <= size <= high:
            problems.append(f"Hidden layer size {size} is outside {low}-{high}.")
    if config.activation not in ACTIVATION_CHOICES:
        problems.append(f"Activation must be one of {', '.join(ACTIVATION_CHOICES)}.")
    if config.optimizer not in OPTIMIZER_CLASSES:
        problems.append(f"Optimizer must be one of {', '.join(OPTIMIZER_CLASSES)}.")
    if config.loss not in LOSS_CHOICES:
        problems.append(f"Loss must be one of {', '.join(LOSS_CHOICES)}.")
    if not 0.0 <= config.dropout < 1.0:
        problems.append("Dropout must be at least 0 and below 1.")
    if not (np.isfinite(config.train_fraction) and 0.0 < config.train_fraction <= 1.0):
        problems.append("The share of training digits must be above 0 and at most 1.")
    for name in ("epochs", "batch_size", "learning_rate"):
        value, (low, high) = getattr(config, name), CONFIG_RANGES[name]
        if not (np.isfinite(value) and low <= value <= high):
            problems.append(f"{name.replace('_', ' ').capitalize()} {value} is outside "
                            f"{low:g}-{high:g}.")
    return problems


@dataclass(frozen=True)
class Layer:
    """One Keras layer: its class in ``keras.layers``, its arguments, and its output shape."""

    kind: str  # "Dense", "Conv2D", "MaxPooling2D", "Flatten" or "Dropout"
    args: tuple = ()
    options: tuple[tuple[str, Any], ...] = ()
    name: str = ""
    shape: tuple[int, ...] = ()  # what comes out, without the batch axis

    def call(self) -> str:
        """The constructor call as Python source, e.g. ``layers.Dense(512, activation="relu")``."""
        parts = [repr(a) for a in self.args]
        parts += [f"{key}={value!r}".replace("'", '"') for key, value in self.options]
        return f"layers.{self.kind}({', '.join(parts)})"

    def parameters(self, inputs: tuple[int, ...]) -> tuple[int, int]:
        """(weights, biases) this layer learns, given the shape it reads."""
        if self.kind == "Dense":
            return inputs[-1] * self.args[0], self.args[0]
        if self.kind == "Conv2D":
            size = self.args[1]
            return size * size * inputs[-1] * self.args[0], self.args[0]
        return 0, 0


def input_shape(config: ModelConfig) -> tuple[int, ...]:
    return (28, 28, 1) if config.kind == "cnn" else (784,)


def layer_plan(config: ModelConfig) -> list[Layer]:
    """The layers of the network, in order, each named (so Keras never has to invent names)."""
    plan: list[Layer] = []
    if config.kind == "cnn":
        side, channels = 28, 1
        for stage, filters in enumerate((32, 64), start=1):
            side = side - 2  # a 3 x 3 window fits side - 2 times, without padding
            plan.append(Layer("Conv2D", (filters, 3), (("activation", "relu"),), f"conv_{stage}",
                              (side, side, filters)))
            side //= 2
            plan.append(Layer("MaxPooling2D", (2,), (), f"pool_{stage}", (side, side, filters)))
            channels = filters
        plan.append(Layer("Flatten", (), (), "flatten", (side * side * channels,)))
        for index, size in enumerate(config.hidden, start=1):
            plan.append(Layer("Dense", (size,), (("activation", "relu"),), f"hidden_{index}",
                              (size,)))
        plan.append(Layer("Dropout", (config.dropout,), (), "dropout", plan[-1].shape))
    else:
        for index, size in enumerate(config.hidden, start=1):
            plan.append(Layer("Dense", (size,), (("activation", config.activation),),
                              f"hidden_{index}", (size,)))
            if config.dropout:
                plan.append(Layer("Dropout", (config.dropout,), (), f"dropout_{index}", (size,)))
    plan.append(Layer("Dense", (10,), (("activation", "softmax"),), "output", (10,)))
    return plan


def parameter_table(config: ModelConfig) -> list[dict[str, Any]]:
    """Per layer with parameters: its name, weights, biases and total."""
    rows, shape = [], input_shape(config)
    for layer in layer_plan(config):
        weights, biases = layer.parameters(shape)
        if weights:
            rows.append({"layer": layer.name, "weights": weights, "biases": biases,
                         "total": weights + biases})
        shape = layer.shape
    return rows


def parameter_count(config: ModelConfig) -> int:
    """Every weight and bias of the network: 407,050 for the walk-through's 784-512-10."""
    return sum(row["total"] for row in parameter_table(config))


def multiply_adds(config: ModelConfig) -> tuple[int, int]:
    """(dense, convolution) multiply-adds of one forward pass (reading one digit), from the layer
    plan: a Dense layer does inputs x cells of them, a convolution its weights once per output
    position; pooling only compares. 406,528 dense ones for the walk-through's network."""
    dense = conv = 0
    shape = input_shape(config)
    for layer in layer_plan(config):
        weights, _ = layer.parameters(shape)
        if layer.kind == "Dense":
            dense += weights
        elif layer.kind == "Conv2D":
            conv += weights * layer.shape[0] * layer.shape[1]  # once per output position
        shape = layer.shape
    return dense, conv


def multiply_adds_per_digit(config: ModelConfig) -> int:
    return sum(multiply_adds(config))


def prepare_inputs(images: np.ndarray, config: ModelConfig) -> np.ndarray:
    """uint8 digits (N, 28, 28) -> float32 inputs: flat 784 for an MLP, (28, 28, 1) for a CNN."""
    x = np.asarray(images).astype("float32")
    if config.scale_inputs:
        x /= 255.0
    return x.reshape((len(x), *input_shape(config)))


def training_subset(images: np.ndarray, labels: np.ndarray,
                    fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random share of the training digits (the same ones for every seed), in order."""
    if fraction >= 1.0:
        return images, labels
    keep = max(1, int(round(len(images) * fraction)))
    chosen = np.sort(np.random.default_rng(20_240_602).permutation(len(images))[:keep])
    return images[chosen], labels[chosen]


def with_preset_label(config: ModelConfig) -> ModelConfig:
    """The config labelled with its recipe's name when it is one (any seed), else "Custom"."""
    for preset in (*PRESETS.values(), AUGMENTED):
        if config.scale_inputs and config.with_changes(seed=0, label=preset.label) == preset:
            return config.with_changes(label=preset.label)
    return config.with_changes(label="Custom")
