"""The compute behind a training, counted: multiply-adds per digit, per epoch, per second.

Reading one digit is mostly multiply-adds: every connection multiplies its input by its weight
and adds the result to a sum. A dense layer with ``n_in`` inputs and ``n_out`` cells does
``n_in * n_out`` of them (adding the biases is a few more additions, not counted). So the
walk-through's 784-512-10 network does 784 * 512 + 512 * 10 = 406,528 multiply-adds per digit.
Everything here is arithmetic on the network's shape: numpy only, nothing is run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

INPUTS = 784  # 28 x 28 pixels
CLASSES = 10
EPOCH_DIGITS = 60_000  # MNIST's training set: one epoch shows the network each digit once

# Training one digit costs about three forward passes. The forward pass is one product per
# layer; the backward pass does two products of the same size per layer: one sends the error
# back to the layer's inputs, the other gives the gradient of every weight. (The first layer
# skips sending the error back to the pixels, so 3 is a slight overestimate: a rule of thumb.)
TRAINING_FACTOR = 3


@dataclass(frozen=True)
class LayerCost:
    """One layer's multiply-adds per digit (forward pass) and its weights and biases."""

    name: str
    multiply_adds: int
    parameters: int

    def __repr__(self) -> str:
        return f"LayerCost({self.name!r}, {self.multiply_adds:,} multiply-adds)"


def dense_costs(hidden: Sequence[int], inputs: int = INPUTS,
                classes: int = CLASSES) -> list[LayerCost]:
    """Per dense layer of inputs -> hidden... -> classes: in * out multiply-adds, in * out + out
    parameters. No hidden layer is the 784-10 network (one weighted sum per class)."""
    sizes = [int(inputs), *(int(h) for h in hidden), int(classes)]
    if min(sizes) < 1:
        raise ValueError(f"every layer needs at least one cell, got {sizes}")
    costs = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        costs.append(LayerCost(f"dense {n_in:,} -> {n_out:,}", n_in * n_out,
                               n_in * n_out + n_out))
    return costs


def conv_cost(name: str, size: int, channels: int, filters: int,
              kernel: int = 3) -> tuple[LayerCost, int]:
    """A 'valid' convolution on a size x size x channels image: each of the
    (size - kernel + 1)^2 x filters outputs is a kernel x kernel x channels weighted sum.
    Returns the cost and the output's side length."""
    side = size - kernel + 1
    weights = kernel * kernel * channels * filters
    return LayerCost(name, side * side * filters * kernel * kernel * channels,
                     weights + filters), side


def cnn_costs(hidden: Sequence[int] = (128,), classes: int = CLASSES) -> list[LayerCost]:
    """The app's small CNN: conv 32 (3x3) -> pool 2 -> conv 64 (3x3) -> pool 2 -> dense.

    Pooling keeps the largest of each 2 x 2 block: comparisons, no multiply-adds.
    """
    first, side = conv_cost("conv 3x3, 32 filters", 28, 1, 32)
    side //= 2  # 26 -> 13
    second, side = conv_cost("conv 3x3, 64 filters", side, 32, 64)
    side //= 2  # 11 -> 5
    return [first, second, *dense_costs(hidden, inputs=side * side * 64, classes=classes)]


def network_costs(kind: str = "mlp", hidden: Sequence[int] = (512,)) -> list[LayerCost]:
    """The layers' costs for an app network: ``kind`` is "mlp" or "cnn"."""
    if kind == "mlp":
        return dense_costs(hidden)
    if kind == "cnn":
        return cnn_costs(hidden)
    raise ValueError(f"unknown network kind {kind!r}: use 'mlp' or 'cnn'")


def multiply_adds_per_digit(kind: str = "mlp", hidden: Sequence[int] = (512,)) -> int:
    """Multiply-adds of one forward pass (reading one digit): 406,528 for 784-512-10."""
    return sum(layer.multiply_adds for layer in network_costs(kind, hidden))


def parameters(kind: str = "mlp", hidden: Sequence[int] = (512,)) -> int:
    """Weights and biases of an app network: 407,050 for 784-512-10."""
    return sum(layer.parameters for layer in network_costs(kind, hidden))


def multiply_adds_per_epoch(per_digit: int, digits: int = EPOCH_DIGITS,
                            factor: int = TRAINING_FACTOR) -> int:
    """Multiply-adds to train on every digit once: per digit x digits x ~3 (forward + backward)."""
    return int(per_digit) * int(digits) * int(factor)


def multiply_adds_per_second(samples_per_second: float, per_digit: int,
                             factor: int = TRAINING_FACTOR) -> float:
    """A measured training speed (digits per second) turned into multiply-adds per second."""
    return float(samples_per_second) * per_digit * factor


@dataclass(frozen=True)
class Device:
    """A chip and its published peak float32 speed, in floating-point operations per second.

    A multiply-add is two operations, so the peak in multiply-adds is half the FLOP/s figure.
    """

    name: str
    peak_flops: float

    @property
    def peak_multiply_adds(self) -> float:
        return self.peak_flops / 2


# Published float32 peaks (vendors' data sheets), for the arithmetic when no GPU is measured.
GPUS = (
    Device("NVIDIA T4 (a common cloud GPU)", 8.1e12),
    Device("NVIDIA A100", 19.5e12),
    Device("NVIDIA H100 SXM", 67e12),
)


@dataclass(frozen=True)
class Estimate:
    """Seconds per epoch on a device if it ran at its peak: arithmetic, not a measurement.

    A network this small keeps a big GPU far from its peak (each batch is a few small products,
    and starting each one costs time), so a real epoch takes several times longer.
    """

    device: Device
    seconds_per_epoch: float
    times_faster: float | None  # than the measured rate, if one was given

    label = "arithmetic from the published peak, not a measurement"


def at_peak(multiply_adds: float, device: Device,
            measured_multiply_adds_per_second: float | None = None) -> Estimate:
    """How long ``multiply_adds`` take on ``device`` at its peak, and the speed-up over a
    measured rate (an upper bound: real runs reach a fraction of the peak)."""
    seconds = multiply_adds / device.peak_multiply_adds
    faster = None
    if measured_multiply_adds_per_second:
        faster = device.peak_multiply_adds / measured_multiply_adds_per_second
    return Estimate(device, seconds, faster)


def gpu_estimates(multiply_adds: float, measured_multiply_adds_per_second: float | None = None,
                  devices: Sequence[Device] = GPUS) -> list[Estimate]:
    """:func:`at_peak` for each reference GPU."""
    return [at_peak(multiply_adds, device, measured_multiply_adds_per_second)
            for device in devices]
