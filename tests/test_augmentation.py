"""Data augmentation in the tf.data pipeline: shapes and ranges kept, digits moved, seeded; the
code the page shows makes the same batches; a training with it reads changed digits better."""

from __future__ import annotations

import numpy as np
import pytest

from explainer.concepts.inputs import distort
from explainer.concepts.inputs.preprocess import centre_of_mass
from explainer.data.mnist import load_sample
from explainer.training.code_shown import keras_code
from explainer.training.spec import AUGMENTED, PRESETS, one_hot, prepare_inputs

pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def batches(inputs, carried, seed, epochs=1, batch_size=128):
    """Every batch of ``epochs`` passes as numpy: (changed inputs, what was carried alongside)."""
    from explainer.training.augmentation import training_dataset

    dataset = training_dataset(inputs, carried, batch_size, seed, ink=1.0)
    return [[(x.numpy(), y.numpy()) for x, y in dataset] for _ in range(epochs)]


def test_the_pipeline_keeps_the_shape_the_range_and_the_ink(sample):
    inputs = prepare_inputs(sample.x_train[:300], PRESETS["post"])
    (epoch,) = batches(inputs, np.arange(300), seed=0)
    assert [x.shape for x, _ in epoch] == [(128, 784), (128, 784), (44, 784)]
    changed = np.concatenate([x for x, _ in epoch])
    order = np.concatenate([i for _, i in epoch])
    assert sorted(order) == list(range(300))  # each digit once per epoch, shuffled
    assert order.tolist() != list(range(300))
    assert changed.dtype == np.float32 and changed.min() >= 0.0 and changed.max() <= 1.0
    assert np.all(changed.max(axis=1) > 0.5)  # no digit faded or pushed out of the field
    ink_ratio = changed.sum(axis=1) / inputs[order].sum(axis=1)
    assert 0.25 < ink_ratio.min() and ink_ratio.max() < 4 and ink_ratio.std() > 0.1


def spread(image: np.ndarray) -> float:
    """How far the ink lies from its balance point, on average (root mean square, pixels)."""
    centre = np.reshape(centre_of_mass(image), (2, 1, 1))
    return float(np.sqrt(((np.indices(image.shape) - centre) ** 2 * image).sum() / image.sum()))


def by_digit(epoch) -> dict[int, np.ndarray]:
    """One epoch's changed pictures, keyed by the digit they came from."""
    return {int(i): x.reshape(28, 28) for xs, index in epoch for x, i in zip(xs, index)}


def test_the_pipeline_moves_turns_and_resizes_every_digit(sample):
    inputs = prepare_inputs(sample.x_train[:256], PRESETS["post"])
    (epoch,) = batches(inputs, np.arange(256), seed=0)
    shifts, sizes = [], []
    for i, changed in by_digit(epoch).items():
        original = inputs[i].reshape(28, 28)
        assert not np.allclose(changed, original)
        shifts.append(np.subtract(centre_of_mass(changed), centre_of_mass(original)))
        sizes.append(spread(changed) / spread(original))
    shifts = np.array(shifts)
    # up to 3 pixels each way, drawn uniformly: mean |shift| about 1.5, some near 3, none far out
    assert 1.0 < np.abs(shifts).mean() < 2.0
    assert 2.5 < np.abs(shifts).max() < 5.0  # 3, plus a turn or zoom of an off-centre digit
    assert np.corrcoef(shifts[:, 0], shifts[:, 1])[0, 1] == pytest.approx(0, abs=0.2)
    # resized: the ink's spread around its centre grows and shrinks, by about 0.8-1.2
    assert np.percentile(sizes, 5) < 0.92 and np.percentile(sizes, 95) > 1.08


def test_the_pipeline_is_seeded_and_changes_each_epoch(sample):
    inputs = prepare_inputs(sample.x_train[:256], PRESETS["post"])
    first = batches(inputs, np.arange(256), seed=0, epochs=2)
    again = batches(inputs, np.arange(256), seed=0, epochs=2)
    other = batches(inputs, np.arange(256), seed=1, epochs=1)
    for epoch_a, epoch_b in zip(first, again):
        for (xa, ia), (xb, ib) in zip(epoch_a, epoch_b):
            assert np.array_equal(xa, xb) and np.array_equal(ia, ib)
    assert not np.array_equal(first[0][0][1], first[1][0][1])  # a new shuffle each epoch
    one, two, elsewhere = by_digit(first[0]), by_digit(first[1]), by_digit(other[0])
    assert all(not np.allclose(one[i], two[i]) for i in range(256))  # and fresh copies
    assert all(not np.allclose(one[i], elsewhere[i]) for i in range(256))


def test_thickness_in_tensorflow_is_the_numpy_thickness(sample):
    import tensorflow as tf

    from explainer.training.augmentation import thicker_or_thinner

    pictures = sample.x_test[:21].astype(np.float32)
    amounts = np.linspace(-1, 1, 21, dtype=np.float32)
    for ink, scale in ((255.0, 1.0), (1.0, 1 / 255)):
        ours = thicker_or_thinner(tf.constant(pictures[..., None] * scale), amounts, ink)
        expected = distort.thickness_float(pictures * scale, amounts, ink)
        np.testing.assert_allclose(ours.numpy()[..., 0], expected, atol=1e-5 * ink)
    # the max-pool dilation against the numpy one on a pixel at the border
    corner = np.zeros((1, 28, 28, 1), np.float32)
    corner[0, 0, 0, 0] = 1.0
    grown = thicker_or_thinner(tf.constant(corner), [1.0], 1.0).numpy()[0, :3, :3, 0]
    assert grown.tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]


def test_augmentation_is_in_the_code_only_when_asked():
    plain, augmented = keras_code(PRESETS["post"]), keras_code(AUGMENTED)
    assert "RandomRotation" not in plain and "tf.data" not in plain
    for name in ("RandomTranslation(3 / 28, 3 / 28", "RandomRotation(15 / 360",
                 "RandomZoom((1 / 1.2 - 1, 1 / 0.8 - 1)", "max_pool2d", "tf.data.Dataset",
                 f"model.fit(train, epochs={AUGMENTED.epochs}, shuffle=False)"):
        assert name in augmented
    assert "keras.Input(shape=(784,))" in augmented  # the network itself is unchanged
    assert AUGMENTED.as_dict()["augment"] is True and PRESETS["post"].as_dict()["augment"] is False
    assert f"({AUGMENTED.epochs} epochs)" in AUGMENTED.label


@pytest.mark.slow
def test_the_shown_code_trains_on_the_batches_the_worker_trains_on(sample):
    """The page's code runs as it is, and its pipeline makes the very batches the worker's does."""
    import keras

    config = AUGMENTED.with_changes(epochs=1, seed=4)
    code = keras_code(config)
    fit = "model.fit(train, epochs=1, shuffle=False)  # train is shuffled already"
    assert code.endswith(fit)
    scope = {"train_images": sample.x_train[:200], "train_labels": sample.y_train[:200]}
    exec(code, scope)  # noqa: S102  (our own generated code; fits one epoch)
    assert scope["model"].input_shape == (None, 784)
    exec(code.removesuffix(fit), scope)  # noqa: S102  (a fresh pipeline, before fit uses it)
    shown = [(x.numpy(), y.numpy()) for x, y in scope["train"]]
    keras.utils.set_random_seed(4)  # as build_model does before the worker makes its pipeline
    ours = batches(prepare_inputs(sample.x_train[:200], config), one_hot(sample.y_train[:200]),
                   seed=4)[0]
    assert len(shown) == len(ours) == 2
    for (xs, ys), (xo, yo) in zip(shown, ours):
        np.testing.assert_array_equal(ys, yo)
        np.testing.assert_allclose(xs, xo, atol=1e-6)


@pytest.mark.slow
def test_training_on_changed_copies_reads_changed_digits_better(sample):
    """The app's own training with augment on: the robustness set is read far better."""
    from explainer.concepts.models.reading import Reader
    from explainer.training.keras_fit import train_quietly

    robust = distort.robustness_set(sample.x_test)
    scores = {}
    for name, config in (("plain", PRESETS["post"]), ("augmented", AUGMENTED)):
        trained = train_quietly(config.with_changes(epochs=4), sample)
        read = Reader.of(trained).read_many(robust.images).argmax(axis=1)
        scores[name] = (read == sample.y_test).mean()
        assert trained.epochs_done == 4 and trained.test_accuracy > 0.85
    assert scores["augmented"] > scores["plain"] + 0.2, scores


@pytest.mark.slow
def test_the_robustness_bench_prints_both_networks_quickly(root):
    """bench/robustness.py --quick: one line per network, every figure a share, the changed
    digits read better by the augmented network, the mouse-drawn digits read by both."""
    import re
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "bench/robustness.py", "--quick"], cwd=root,
                            capture_output=True, text=True, timeout=300, check=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("model=")]
    assert len(lines) == 2, result.stdout
    figures = []
    for line in lines:
        found = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))
        assert set(found) == {"model", "mnist_test", "robustness_set", "robustness_set_pipeline",
                              "drawn", "train_seconds", "epochs"}, line
        figures.append({k: float(v) for k, v in found.items() if k != "model"})
    plain, augmented = figures
    assert "walk-through" in lines[0] and "shifted, rotated and rescaled" in lines[1]
    assert plain["epochs"] == 5 and augmented["epochs"] > 5
    for row in figures:
        for name in ("mnist_test", "robustness_set", "robustness_set_pipeline", "drawn"):
            assert 0.0 <= row[name] <= 1.0
        assert row["train_seconds"] > 0
    assert augmented["robustness_set"] > plain["robustness_set"] + 0.15
    assert plain["robustness_set_pipeline"] > plain["robustness_set"]  # re-centring helps
