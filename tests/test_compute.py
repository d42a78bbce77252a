"""The compute counted: multiply-adds and parameters of the app's networks, known by hand, from
the one layer plan the worker builds its Keras model from."""

from __future__ import annotations

import pytest

from explainer.concepts.nn import compute
from explainer.concepts.nn.parameters import total_parameters
from explainer.training.spec import PRESETS, multiply_adds, multiply_adds_per_digit, parameter_count


def test_the_walk_throughs_network_does_406528_multiply_adds_per_digit():
    assert multiply_adds_per_digit(PRESETS["post"]) == 784 * 512 + 512 * 10 == 406_528
    assert parameter_count(PRESETS["post"]) == 401_920 + 5_130 == 407_050


@pytest.mark.parametrize("hidden, expected", [
    ((), 7_840),  # one weighted sum of the 784 pixels per digit class
    ((16,), 784 * 16 + 16 * 10),
    ((512, 512), 784 * 512 + 512 * 512 + 512 * 10),
])
def test_dense_networks_count_in_times_out_and_agree_with_the_parameter_pages(hidden, expected):
    config = PRESETS["post"].with_changes(hidden=hidden)
    assert multiply_adds(config) == (expected, 0)
    # parameters: the same figure the Neurons page and the nudging page count their own way
    assert parameter_count(config) == total_parameters((784, *hidden, 10))


def test_the_small_cnn_counts_convolutions_and_its_dense_layers():
    # conv 3x3x1 -> 32 on 28x28: 26x26 outputs x 32 filters x 9 multiply-adds each
    # conv 3x3x32 -> 64 on 13x13: 11x11 x 64 x (9 x 32); pooling leaves 5x5x64 = 1,600 inputs
    expected = 26 * 26 * 32 * 9 + 11 * 11 * 64 * 9 * 32 + 1_600 * 128 + 128 * 10
    assert multiply_adds_per_digit(PRESETS["cnn"]) == expected == 2_631_040
    assert parameter_count(PRESETS["cnn"]) == 225_034  # what Keras counts (test_training)


def test_an_epoch_is_every_training_digit_forward_and_backward():
    per_epoch = compute.multiply_adds_per_epoch(406_528)
    assert per_epoch == 406_528 * 60_000 * 3 == 73_175_040_000
    assert compute.multiply_adds_per_epoch(406_528, digits=6_000, factor=1) == 2_439_168_000


def test_a_measured_speed_becomes_multiply_adds_per_second():
    assert compute.multiply_adds_per_second(20_000, 406_528) == pytest.approx(2.439168e10)


def test_a_gpu_at_its_peak_is_arithmetic_with_its_label():
    t4 = compute.Device("T4", 8.1e12)
    assert t4.peak_multiply_adds == 4.05e12  # two operations per multiply-add
    estimate = compute.at_peak(73_175_040_000, t4, measured_multiply_adds_per_second=2.439168e10)
    assert estimate.seconds_per_epoch == pytest.approx(73_175_040_000 / 4.05e12)
    assert estimate.times_faster == pytest.approx(4.05e12 / 2.439168e10)
    assert "not a measurement" in estimate.label
    assert compute.at_peak(1e9, t4).times_faster is None
    estimates = compute.gpu_estimates(73_175_040_000)
    assert [e.device for e in estimates] == list(compute.GPUS)
    # a faster card, a shorter epoch
    seconds = [e.seconds_per_epoch for e in estimates]
    peaks = [e.device.peak_flops for e in estimates]
    assert sorted(seconds, reverse=True) == seconds and sorted(peaks) == peaks
