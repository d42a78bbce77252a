"""The compute behind a training, counted: multiply-adds per digit, per epoch, per second.

Reading one digit is mostly multiply-adds: every connection multiplies its input by its weight
and adds the result to a sum. A dense layer with ``n_in`` inputs and ``n_out`` cells does
``n_in * n_out`` of them (adding the biases is a few more additions, not counted). So the
walk-through's 784-512-10 network does 784 * 512 + 512 * 10 = 406,528 multiply-adds per digit.
The count per digit comes from a network's layer plan (``explainer.training.spec``, the one
description of its shape); here it becomes multiply-adds per epoch, per second and on a GPU.
Arithmetic only: nothing is run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EPOCH_DIGITS = 60_000  # MNIST's training set: one epoch shows the network each digit once

# Training one digit costs about three forward passes. The forward pass is one product per
# layer; the backward pass does two products of the same size per layer: one sends the error
# back to the layer's inputs, the other gives the gradient of every weight. (The first layer
# skips sending the error back to the pixels, so 3 is a slight overestimate: a rule of thumb.)
TRAINING_FACTOR = 3


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
