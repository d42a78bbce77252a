"""Shift, turn, scale, thicken and thin one digit; the robustness set made from MNIST's digits."""

from __future__ import annotations

import numpy as np
import pytest

from explainer.concepts.inputs import distort
from explainer.concepts.inputs.preprocess import centre_of_mass
from explainer.data.mnist import load_sample


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_sample().x_test[::25]  # 40 test digits, four of each class


def ink_centre(image: np.ndarray) -> np.ndarray:
    return np.array(centre_of_mass(image.astype(float)))


def test_no_change_is_the_identity(digits):
    for digit in digits:
        assert np.array_equal(distort.distort(digit), digit)
        assert np.array_equal(distort.rotate(digit, 0), digit)
        assert np.array_equal(distort.scale(digit, 1.0), digit)
        assert np.array_equal(distort.shift(digit, 0, 0), digit)
        assert np.array_equal(distort.thickness(digit, 0.0), digit)


def window(down: int, right: int) -> tuple[slice, slice]:
    """The part of the field a (down, right) shift keeps, seen from where it lands."""
    return slice(max(down, 0), 28 + min(down, 0)), slice(max(right, 0), 28 + min(right, 0))


@pytest.mark.parametrize("right, down", [(2, 0), (0, -2), (-3, 1), (1, 3)])
def test_a_whole_pixel_shift_moves_the_ink_exactly(digits, right, down):
    checked = 0
    for digit in digits:
        moved = distort.shift(digit, right, down)
        if moved.astype(int).sum() != digit.astype(int).sum():
            continue  # ink pushed out of the field: the balance point moves less
        checked += 1
        assert ink_centre(moved) - ink_centre(digit) == pytest.approx([down, right], abs=1e-9)
        assert np.array_equal(moved[window(down, right)], digit[window(-down, -right)])
    assert checked > 30


def test_a_half_pixel_shift_moves_the_centre_by_half_a_pixel(digits):
    digit = digits[0]
    assert ink_centre(distort.shift(digit, 1.5, 0))[1] - ink_centre(digit)[1] == pytest.approx(
        1.5, abs=0.02)


def test_a_quarter_turn_turns_the_ink_counter_clockwise():
    bar = np.zeros((28, 28), np.uint8)
    bar[13:15, 16:26] = 255  # a horizontal bar right of the centre
    turned = distort.rotate(bar, 90)
    row, col = ink_centre(turned)
    assert row < 13 and abs(col - 14) < 0.6  # now above the centre: counter-clockwise on screen
    assert turned[:12, 13:15].sum() > 0.9 * bar.sum()
    back = distort.rotate(turned, -90)
    assert np.abs(back.astype(int) - bar).max() <= 1  # a quarter turn lands on whole pixels


def test_rotating_keeps_the_balance_point_distance_from_the_centre(digits):
    for digit in digits[:10]:
        before = ink_centre(digit) - 13.5  # the field's middle, in row/column numbers
        after = ink_centre(distort.rotate(digit, 30)) - 13.5
        assert np.hypot(*after) == pytest.approx(np.hypot(*before), abs=0.35)


@pytest.mark.parametrize("factor", [0.8, 1.2])
def test_scaling_changes_the_inks_extent_by_the_factor(digits, factor):
    def extent(image):
        rows = np.flatnonzero(image.max(axis=1) > 127)
        return rows[-1] - rows[0] + 1

    ratios = [extent(distort.scale(d, factor)) / extent(d) for d in digits]
    assert np.median(ratios) == pytest.approx(factor, abs=0.06)


def test_thickening_adds_ink_and_thinning_removes_it(digits):
    for digit in digits:
        ink = digit.astype(int).sum()
        thicker, thinner = distort.thickness(digit, 0.5), distort.thickness(digit, -0.5)
        assert thicker.astype(int).sum() > ink > thinner.astype(int).sum()
        assert np.all(thicker >= digit) and np.all(thinner <= digit)  # pixel by pixel
        assert distort.thickness(digit, 1.0).astype(int).sum() > thicker.astype(int).sum()
        assert distort.thickness(digit, -1.0).astype(int).sum() < thinner.astype(int).sum()
        assert thinner.max() == digit.max()  # a thinner pen, not a fainter one


def test_dilation_is_the_brightest_neighbour():
    image = np.zeros((5, 5), np.float32)
    image[2, 2] = 200
    image[0, 4] = 50
    grown = distort.dilate(image)
    assert np.array_equal(grown[1:4, 1:4], np.full((3, 3), 200))
    assert grown[0, 3] == grown[1, 4] == grown[0, 4] == 50  # the corner's own neighbours
    assert grown[0, 0] == grown[4, 4] == grown[3, 4] == 0  # two pixels from any ink


def test_thinning_cuts_a_soft_edge_and_keeps_the_core():
    stroke = np.array([[0, 60, 180, 255, 180, 60, 0]], np.float32)  # a stroke across
    thinner = distort.thickness_float(np.repeat(stroke, 3, axis=0), -1.0)[1]
    level = distort.THIN_LEVEL * 255  # 153: below it is paper, above stretched to 0-255
    expected = np.clip((stroke[0] - level) * 255 / (255 - level), 0, 255)
    np.testing.assert_allclose(thinner, expected, atol=1e-4)
    assert thinner[3] == 255 and thinner[1] == 0 and 0 < thinner[2] < 180


def test_bad_arguments_are_refused(digits):
    with pytest.raises(ValueError, match="28 x 28"):
        distort.rotate(np.zeros((20, 20), np.uint8), 10)
    with pytest.raises(ValueError, match="positive"):
        distort.scale(digits[0], 0)
    with pytest.raises(ValueError, match="thickness"):
        distort.thickness(digits[0], 1.5)


def test_the_robustness_set_changes_every_digit_within_the_ranges():
    sample = load_sample()
    made = distort.robustness_set(sample.x_test)
    assert made.images.shape == sample.x_test.shape and made.images.dtype == np.uint8
    assert np.abs(made.right).max() <= 3 and np.abs(made.down).max() <= 3
    assert np.abs(made.degrees).max() <= 15 and made.factor.min() >= 0.8
    assert made.factor.max() <= 1.2
    assert np.all((np.abs(made.amount) >= 0.4) & (np.abs(made.amount) <= 1.0))
    # the ranges are used, not just respected
    assert np.abs(made.degrees).max() > 14 and np.abs(made.right).max() > 2.9
    assert (made.amount > 0).mean() == pytest.approx(0.5, abs=0.06)
    # every digit is changed, and each is exactly its own distort() of its drawn numbers
    assert all(not np.array_equal(a, b) for a, b in zip(made.images, sample.x_test))
    for i in (0, 123, 999):
        expected = distort.distort(sample.x_test[i], made.right[i], made.down[i], made.degrees[i],
                                   made.factor[i], made.amount[i])
        assert np.abs(made.images[i].astype(int) - expected).max() <= 1  # float32 vs per-digit
    # the shift shows in the ink: balance points move by about the drawn shift
    moved = [ink_centre(made.images[i]) - ink_centre(sample.x_test[i]) for i in range(200)]
    drawn = np.stack([made.down[:200], made.right[:200]], axis=1)
    assert np.corrcoef(np.stack(moved)[:, 1], drawn[:, 1])[0, 1] > 0.9


def test_the_same_seed_makes_the_same_set_and_another_seed_another():
    digits = load_sample().x_test[:200]
    first, again = distort.robustness_set(digits), distort.robustness_set(digits)
    assert np.array_equal(first.images, again.images)
    other = distort.robustness_set(digits, seed=1)
    assert (other.images != first.images).any(axis=(1, 2)).mean() > 0.99
    assert len(distort.robustness_set(digits[:0])) == 0
