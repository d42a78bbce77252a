"""The Train and Draw pages' charts speak the same visual language as the concept pages."""

import numpy as np
import pytest
from palette_walk import problems

from explainer.charts import draw, train
from explainer.data.mnist import load_sample

DATA = load_sample()
DIGITS = DATA.x_test[:12]
PROBABILITIES = np.full((12, 10), 0.02)
PROBABILITIES[np.arange(12), DATA.y_test[:12]] = 0.82
PROBABILITIES[0] = np.roll(PROBABILITIES[0], 1)  # one mistake

FIGURES = {
    "digit grid": lambda: train.digit_grid(DIGITS[:10].reshape(10, 1, 28, 28)),
    "class counts": lambda: train.class_counts_chart(np.arange(10) + 5, np.arange(10) + 1),
    "pixel histogram": lambda: train.pixel_histogram_chart(np.arange(8) + 1,
                                                           np.linspace(0, 255, 9), True),
    "training curves": lambda: train.training_curves(
        {"x": [0.5, 1.0], "loss": [0.5, 0.3], "accuracy": [0.8, 0.9]},
        {"epoch": [1], "loss": [0.3], "accuracy": [0.9], "val_loss": [0.32],
         "val_accuracy": [0.89]}, 2),
    "seed spread": lambda: train.seed_spread_chart([0.979, 0.981], [0, 1], 0.9786),
    "per class": lambda: train.per_class_chart(np.linspace(0.95, 0.99, 10)),
    "confusion": lambda: train.confusion_chart(np.eye(10, dtype=int) * 90 + 1, (3, 5)),
    "gallery": lambda: train.digit_gallery(DIGITS[:6], DATA.y_test[:6], PROBABILITIES[:6]),
    "weight images": lambda: train.weight_images(np.random.default_rng(0).normal(
        size=(5, 28, 28)), [f"cell {i}" for i in range(5)]),
    "pixels": lambda: draw.pixels_figure(DIGITS[0], "your drawing"),
    "input grid": lambda: draw.input_grid_figure(DIGITS[0]),
    "probabilities": lambda: draw.probabilities_figure(PROBABILITIES[1], sure=False),
    "hidden": lambda: draw.hidden_figure(np.abs(np.random.default_rng(1).normal(size=512)),
                                         highlight=[3, 40]),
    "template": lambda: draw.template_figure(np.random.default_rng(2).normal(size=(28, 28)),
                                             "cell 3"),
    "scores": lambda: draw.scores_figure(np.linspace(-3, 5, 10), PROBABILITIES[1]),
    "dream history": lambda: draw.dream_history_figure(np.linspace(0.1, 0.99, 20), 9),
    "changes": lambda: draw.change_accuracy_figure(["As in MNIST", "Moved"], [0.97, 0.52],
                                                   "The walk-through's network"),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_mnist_chart_draws_from_the_palette(name):
    assert problems(FIGURES[name]().to_json()) == []


def test_digits_are_ink_on_paper_and_the_network_still_gets_ink_high():
    figure = draw.input_grid_figure(DIGITS[0])
    heatmap = figure.data[0]
    scale = dict((position, colour) for position, colour in heatmap.colorscale)
    assert scale[0.0].upper() == "#FFFFFF" and scale[1.0].upper() == "#000000"
    ink = DIGITS[0] > 128
    assert heatmap.z[ink].min() > heatmap.z[~ink].max() - 0.5  # ink is the high value
    assert set(np.asarray(heatmap.customdata)[~ink].ravel()) >= {0}  # paper is 0 on hover


def test_output_scores_take_the_colour_of_their_sign_and_the_answer_is_framed():
    from explainer.charts import style

    scores = np.array([-2.0, 0.5, 3.0, -0.1, 1.0, -4.0, 0.0, 2.0, -1.0, 0.2])
    bars = draw.scores_figure(scores, np.full(10, 0.1)).data[0]
    assert list(bars.marker.color) == [style.NEGATIVE if s < 0 else style.POSITIVE
                                       for s in scores]
    frames = list(bars.marker.line.color)
    assert frames[2] == style.MODEL and frames.count(style.MODEL) == 1  # the top score, framed
