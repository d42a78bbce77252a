"""The small CNN in numpy: ms per digit to read (batch 1 and batch 1000) and per gradient step.

    python bench/convnet.py [--repeats 50] [--keras]

Weights are random, shaped like the "cnn" recipe's (Conv2D 32 and 64, Dense 128, Dense 10):
weights do not change the timing. The digits are the shipped sample's test digits. A gradient
step is one call of ``ConvNet.gradient`` (what one step of "Can the network draw a 9?" costs).
``--keras`` also times Keras' own model call and TensorFlow's autodiff on the same model.
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

from explainer.concepts.models.convnet import ConvNet  # noqa: E402
from explainer.data.mnist import load_sample  # noqa: E402


def recipe_shaped_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 128), (128,), (128, 10), (10,)]
    return [rng.normal(0, 0.05, shape).astype(np.float32) for shape in shapes]


def median_ms(work, repeats: int) -> tuple[float, float]:
    """Median and p95 of the wall time of ``work()``, in ms."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return float(np.median(times)), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--keras", action="store_true", help="also time Keras on the same model")
    args = parser.parse_args()
    digits = load_sample().x_test[:1000]
    weights = recipe_shaped_weights()
    net = ConvNet.from_weights(weights, 1 / 255)
    pixels = digits[0].reshape(784) / 255.0
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}; {net}")

    rows = []
    net.probabilities(digits[:1])  # warm up
    median, p95 = median_ms(lambda: net.probabilities(digits[:1]), args.repeats)
    rows.append(("numpy probabilities, batch 1", median, p95, 1))
    median, p95 = median_ms(lambda: net.probabilities(digits), max(3, args.repeats // 10))
    rows.append(("numpy probabilities, batch 1000", median, p95, 1000))
    median, p95 = median_ms(lambda: net.gradient(pixels, 9), args.repeats)
    rows.append(("numpy gradient step", median, p95, 1))

    if args.keras:
        from explainer.training.keras_fit import build_model
        from explainer.training.keras_reference import input_gradient
        from explainer.training.spec import PRESETS, prepare_inputs

        config = PRESETS["cnn"]
        model = build_model(config)
        model.set_weights(weights)
        one, many = prepare_inputs(digits[:1], config), prepare_inputs(digits, config)
        by_tensorflow = input_gradient(model, "cnn", 1 / 255)
        for work in (lambda: model(one, training=False), lambda: by_tensorflow(pixels, 9)):
            median_ms(work, 3)  # warm up
        median, p95 = median_ms(lambda: model(one, training=False), args.repeats)
        rows.append(("Keras model(x), batch 1", median, p95, 1))
        median, p95 = median_ms(lambda: model(many, training=False), max(3, args.repeats // 10))
        rows.append(("Keras model(x), batch 1000", median, p95, 1000))
        median, p95 = median_ms(lambda: by_tensorflow(pixels, 9), args.repeats)
        rows.append(("TensorFlow GradientTape step", median, p95, 1))
        gap = np.abs(net.probabilities(digits) - np.asarray(model(many, training=False))).max()
        print(f"max |numpy - Keras| over 1000 digits: {gap:.1e}")

    for label, median, p95, batch in rows:
        print(f"{label:<34} {median / batch:8.3f} ms per digit   (call median {median:7.2f} ms, "
              f"p95 {p95:7.2f} ms)")
    by_label = {label: median / batch for label, median, _, batch in rows}
    print(f"probabilities_ms_per_digit_batch1={by_label['numpy probabilities, batch 1']:.3f} "
          f"batch1000={by_label['numpy probabilities, batch 1000']:.3f} "
          f"gradient_ms={by_label['numpy gradient step']:.3f}")


if __name__ == "__main__":
    main()
