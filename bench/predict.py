"""Server-side time to read one drawing: preprocessing plus prediction, median and p95 in ms.

    python bench/predict.py [--repeats 300]

The drawings are MNIST test digits from the shipped sample, drawn at 280 x 280 RGBA as the canvas
sends them. The network is the walk-through's 784-512-10 (weights do not change the timing, so it
is not trained). Printed: the page's path (MNIST-style preprocessing + the numpy forward pass,
which also gives the hidden activations; float32 weights, as the web process keeps them), and
Keras' own ways to predict, for comparison.
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
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from draw_support import on_canvas  # noqa: E402

from explainer.concepts.inputs import preprocess  # noqa: E402
from explainer.concepts.models.reading import Reader  # noqa: E402
from explainer.data.mnist import load_sample  # noqa: E402
from explainer.training.keras_fit import build_model  # noqa: E402
from explainer.training.spec import PRESETS, prepare_inputs  # noqa: E402
from explainer.training.trained import TrainedModel  # noqa: E402


def timed(work, drawings, repeats):
    times = []
    for i in range(repeats):
        drawing = drawings[i % len(drawings)]
        began = time.perf_counter()
        work(drawing)
        times.append((time.perf_counter() - began) * 1000)
    return np.median(times), np.percentile(times, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    sample = load_sample()
    drawings = [on_canvas(d, scale) for d, scale in zip(sample.x_test[:50],
                                                        np.linspace(0.3, 1.0, 50))]
    config = PRESETS["post"]
    model = build_model(config)  # Keras here only for the comparison rows
    network = Reader.of(TrainedModel(model.get_weights(), config))

    def page_path(drawing):
        steps = preprocess.mnist_steps(drawing)
        return network.read(steps.digit, steps)

    def prep_only(drawing):
        return preprocess.mnist_steps(drawing)

    def with_call(drawing):
        x = prepare_inputs(preprocess.mnist_steps(drawing).digit[None], config)
        return model(x, training=False).numpy()

    def with_predict_on_batch(drawing):
        x = prepare_inputs(preprocess.mnist_steps(drawing).digit[None], config)
        return model.predict_on_batch(x)

    def with_predict(drawing):
        x = prepare_inputs(preprocess.mnist_steps(drawing).digit[None], config)
        return model.predict(x, verbose=0)

    for work in (page_path, with_call, with_predict_on_batch):  # warm up (graph tracing)
        timed(work, drawings, 5)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"{args.repeats} drawings of 280 x 280")
    rows = [("preprocessing only", prep_only, args.repeats),
            ("preprocessing + numpy forward pass (the page)", page_path, args.repeats),
            ("preprocessing + model(x, training=False)", with_call, args.repeats),
            ("preprocessing + model.predict_on_batch", with_predict_on_batch, args.repeats),
            ("preprocessing + model.predict", with_predict, max(20, args.repeats // 10))]
    for label, work, repeats in rows:
        median, p95 = timed(work, drawings, repeats)
        print(f"{label:<48} median {median:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
