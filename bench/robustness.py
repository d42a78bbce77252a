"""Benchmark: does the network read digits, or MNIST's way of writing them?

    MNIST_DIR=../shared/data/mnist python bench/robustness.py
    python bench/robustness.py --quick              # the shipped sample, under a minute
    MNIST_DIR=../shared/data/mnist python bench/robustness.py --curve 30 [--seed 1]

Trains the walk-through's network (784-512-10, rmsprop, batch 128, 5 epochs) and the same network
on shifted, rotated, rescaled, thicker or thinner copies of the digits (``spec.AUGMENTED``), both
through the app's own training function (``keras_fit.train_quietly``), and prints one line each:

    model="..." mnist_test=... robustness_set=... robustness_set_pipeline=... drawn=...
    train_seconds=... epochs=...

``robustness_set``: MNIST's test digits, each moved by up to 3 pixels, turned by up to 15 degrees,
scaled 0.8-1.2 and made thinner or thicker (``distort.robustness_set``, fixed seed), read as they
are; ``_pipeline``: the same digits first put through the Draw page's preparation (crop, fit in
20 x 20, centre of mass), which undoes much of the shift and the scale. ``drawn``: digits drawn
with the mouse on the Draw page's canvas in Chromium (bench/data/drawn_digits.npz: 120 digits,
12 of each, made by bench/draw_digits.py from the stroke templates of bench/digit_strokes.py),
read through that preparation; the ones read wrong are listed under each line.
``train_seconds`` is the time in ``fit`` (after a one-epoch warm-up that pays TensorFlow's
one-time setup, except with --quick).

``--curve N`` trains the augmented network for N epochs and prints its figures after every epoch:
how the epochs of ``spec.AUGMENTED`` were chosen. Figures, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explainer.concepts.inputs import preprocess  # noqa: E402
from explainer.concepts.inputs.distort import robustness_set  # noqa: E402
from explainer.concepts.models.reading import Reader  # noqa: E402
from explainer.data.mnist import describe, load_mnist, load_sample  # noqa: E402
from explainer.training.spec import AUGMENTED, PRESETS, augmented  # noqa: E402

DRAWN = Path(__file__).resolve().parent / "data" / "drawn_digits.npz"
QUICK_AUGMENTED_EPOCHS = 8  # on the 6,000-digit sample: enough to see the change, in seconds


def prepared(pictures: np.ndarray) -> np.ndarray:
    """Each picture (ink, any size) through the Draw page's steps -> (N, 28, 28) uint8."""
    digits = np.zeros((len(pictures), 28, 28), np.uint8)
    for index, picture in enumerate(pictures):
        steps = preprocess.mnist_steps(picture)
        if steps is not None:  # a blank picture stays blank: it is read, and counts, as is
            digits[index] = steps.digit
    return digits


def load_drawn() -> tuple[np.ndarray, np.ndarray] | None:
    """The mouse-drawn digits through the page's preparation, and their labels; None if absent."""
    if not DRAWN.is_file():
        return None
    with np.load(DRAWN) as saved:
        return prepared(saved["ink"]), saved["labels"]


class Sets:
    """The test sets every network is scored on, made once."""

    def __init__(self, data, drawn):
        self.x_test, self.y_test = data.x_test, data.y_test
        self.robust = robustness_set(data.x_test).images
        self.robust_pipeline = prepared(self.robust)
        self.drawn = drawn

    def drawn_mistakes(self, read_many) -> str:
        """The drawn digits read wrong, as 'label>answer', in the saved order."""
        if not self.drawn:
            return ""
        answers = np.argmax(read_many(self.drawn[0]), axis=1)
        return ", ".join(f"{label}>{answer}" for label, answer in zip(self.drawn[1], answers)
                         if label != answer)

    def scores(self, read_many) -> dict[str, float | None]:
        """Accuracy on each set; ``read_many`` maps (N, 28, 28) uint8 digits to probabilities."""
        def accuracy(digits, labels):
            return float((np.argmax(read_many(digits), axis=1) == labels).mean())

        return {"mnist_test": accuracy(self.x_test, self.y_test),
                "robustness_set": accuracy(self.robust, self.y_test),
                "robustness_set_pipeline": accuracy(self.robust_pipeline, self.y_test),
                "drawn": accuracy(*self.drawn) if self.drawn else None}


def line(name: str, figures: dict, seconds: float, epochs: int) -> str:
    shown = " ".join(f"{key}={'n/a' if value is None else f'{value:.4f}'}"
                     for key, value in figures.items())
    return f'model="{name}" {shown} train_seconds={seconds:.1f} epochs={epochs}'


def curve(config, data, sets: Sets, epochs: int) -> None:
    """The augmented network's figures after every epoch, from one run of ``epochs``.

    Built and fed as ``train_once`` does (same model, same pipeline, same seed), so epoch k here
    is what a k-epoch training gives.
    """
    import keras

    from explainer.training.augmentation import training_dataset
    from explainer.training.keras_fit import build_model, predict_in_batches
    from explainer.training.spec import one_hot, prepare_inputs

    model = build_model(config)  # the epochs are only fit's business: the curve may run longer
    dataset = training_dataset(prepare_inputs(data.x_train, config), one_hot(data.y_train),
                               config.batch_size, config.seed, ink=255 * config.input_scale)

    def read_many(digits):
        return predict_in_batches(model, prepare_inputs(digits, config))

    class Figures(keras.callbacks.Callback):
        started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.started
            print(line(augmented(epoch + 1).label, sets.scores(read_many), seconds, epoch + 1) +
                  f" load={os.getloadavg()[0]:.2f}", flush=True)
            self.started = time.perf_counter()

    model.fit(dataset, epochs=epochs, callbacks=[Figures()], verbose=0)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"the shipped sample; the augmented network {QUICK_AUGMENTED_EPOCHS} "
                             "epochs")
    parser.add_argument("--curve", type=int, default=0, metavar="EPOCHS",
                        help="only the augmented network, its figures after every epoch")
    parser.add_argument("--seed", type=int, default=0, help="the networks' seed (default 0)")
    args = parser.parse_args(argv)

    data = load_sample() if args.quick else load_mnist()
    drawn = load_drawn()
    began = time.perf_counter()
    sets = Sets(data, drawn)
    print(f"data: {describe(data)}; robustness set {len(sets.robust):,} digits; drawn "
          f"{len(drawn[1]) if drawn else 0} digits ({DRAWN.name})")

    from explainer.training.keras_fit import describe_device, train_quietly

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores, {describe_device()}, "
          f"load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    if args.curve:
        curve(AUGMENTED.with_changes(seed=args.seed), data, sets, args.curve)
        return
    quick_or_full = augmented(QUICK_AUGMENTED_EPOCHS) if args.quick else AUGMENTED
    networks = [c.with_changes(seed=args.seed) for c in (PRESETS["post"], quick_or_full)]
    if not args.quick:  # the first fit of a process pays a one-time setup: one epoch pays it here
        train_quietly(PRESETS["post"].with_changes(epochs=1), data)
    for config in networks:
        trained = train_quietly(config, data)
        read_many = Reader.of(trained).read_many
        print(line(config.label, sets.scores(read_many), trained.seconds, trained.epochs_done))
        print(f"  drawn digits read wrong (label>answer): {sets.drawn_mistakes(read_many)}",
              flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end; "
          f"{time.perf_counter() - began:.0f} s in all")


if __name__ == "__main__":
    main()
