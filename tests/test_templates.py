"""Templates, scores, the ranking over the sample, and a canvas drawing reduced to 28 x 28."""

import numpy as np
import pytest

from explainer.concepts.lessons import templates
from explainer.data.mnist import load_sample


def test_vertical_line_is_high_down_the_centre_and_low_elsewhere():
    t = templates.vertical_line()
    assert t.shape == (28, 28)
    assert np.all(t[:, 13:15] == templates.HIGH)
    assert np.all(t[:, :13] == templates.LOW) and np.all(t[:, 15:] == templates.LOW)
    assert np.array_equal(templates.horizontal_line(), t.T)
    ring = templates.loop()
    assert ring[14, 14] == templates.LOW and ring[14, 6] == templates.HIGH


def test_score_is_the_sum_of_the_cell_by_cell_products():
    rng = np.random.default_rng(0)
    digit = rng.integers(0, 256, size=(28, 28)).astype(np.uint8)
    template = rng.uniform(-1, 1, size=(28, 28))
    expected = sum(digit[r, c] / 255.0 * template[r, c] for r in range(28) for c in range(28))
    assert templates.score(digit, template) == pytest.approx(expected)
    assert templates.products(digit, template).sum() == pytest.approx(expected)


def test_a_centred_stroke_scores_its_length():
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 13:15] = 255  # 20 rows x 2 columns of full ink right on the template's line
    assert templates.score(digit, templates.vertical_line()) == pytest.approx(40.0)
    digit[4:24, 3:5] = 255  # the same stroke off the line costs 40 x 0.5
    assert templates.score(digit, templates.vertical_line()) == pytest.approx(20.0)


def test_vertical_line_ranks_ones_and_sevens_high_and_zeros_low():
    sample = load_sample()
    means = templates.class_mean_scores(sample.x_train, sample.y_train,
                                        templates.vertical_line())
    order = list(np.argsort(-means))
    assert order[:2] == [1, 7]
    assert order[-1] == 0
    direct = np.mean([templates.score(d, templates.vertical_line())
                      for d in sample.x_train[sample.y_train == 1]])
    assert means[1] == pytest.approx(direct)


def test_loop_ranks_zeros_highest():
    sample = load_sample()
    means = templates.class_mean_scores(sample.x_train, sample.y_train, templates.loop())
    assert int(np.argmax(means)) == 0


def test_area_average_downscale():
    image = np.arange(280 * 280, dtype=float).reshape(280, 280)
    small = templates.downscale(image)
    assert small.shape == (28, 28)
    assert small[0, 0] == pytest.approx(image[:10, :10].mean())
    assert small[27, 5] == pytest.approx(image[270:, 50:60].mean())
    odd = np.ones((100, 37)) * 7.0  # sizes that do not divide by 28 keep the average
    assert templates.downscale(odd) == pytest.approx(np.full((28, 28), 7.0))


def test_drawing_to_digit_reads_dark_ink_on_white_paper():
    rgba = np.full((280, 280, 4), 255, np.uint8)  # an opaque white canvas
    assert templates.drawing_to_digit(rgba) is None  # nothing drawn
    assert templates.drawing_to_digit(None) is None
    rgba[40:240, 130:150, :3] = 0  # a black vertical stroke, 20 px wide
    digit = templates.drawing_to_digit(rgba)
    assert digit.dtype == np.uint8 and digit.shape == (28, 28)
    assert np.all(digit[4:24, 13:15] == 255) and digit[:, :13].max() == 0  # ink high, paper 0
    transparent = np.zeros((280, 280, 4), np.uint8)  # black strokes on a transparent canvas
    transparent[40:240, 130:150, 3] = 255
    assert np.array_equal(templates.drawing_to_digit(transparent), digit)
    grey = np.full((280, 280, 4), 255, np.uint8)
    grey[40:240, 130:150, :3] = 128  # mid-grey ink: about half as much
    assert templates.drawing_to_digit(grey)[10, 13] == 127


def test_painted_template_maps_ink_to_high_and_the_rest_to_low():
    ink = np.zeros((28, 28))
    ink[5, 5] = 255
    template = templates.from_painting(ink, low=-0.25)
    assert template[5, 5] == 1.0 and template[0, 0] == -0.25
