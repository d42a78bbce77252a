"""Benchmark: every one-change experiment on MNIST, then the walk-through's network.

    MNIST_DIR=../shared/data/mnist python bench/experiments.py
    python bench/experiments.py --sample --only no-scaling,one-epoch

Each run goes through the app's training function (``train_once``: same split, seed and
evaluation as the Train page). One line per experiment, ``change=... accuracy=... seconds=...``
with its epochs, parameters and the sentence the page would show, then the walk-through's
network's line, then the compute figures: multiply-adds per digit and per epoch and the measured
multiply-adds per second. ``seconds`` is the time in ``fit``. The walk-through's network runs
first (each sentence compares against it) after a one-epoch warm-up that pays TensorFlow's
one-time setup. Figures, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explainer.concepts.nn import compute  # noqa: E402
from explainer.data.mnist import describe, load_mnist, load_sample  # noqa: E402
from explainer.training import experiments  # noqa: E402
from explainer.training.keras_fit import train_quietly as train_once  # noqa: E402
from explainer.training.spec import multiply_adds_per_digit  # noqa: E402


def run(experiment, data, epochs: int | None):
    config = experiment.config
    if epochs is not None:
        config = config.with_changes(epochs=epochs)
    return experiments.result_from_trained(experiment, train_once(config, data))


def line(result, baseline, note: str = "") -> str:
    text = (f'change="{result.name}" accuracy={result.test_accuracy:.4f} '
            f"seconds={result.seconds:.1f} epochs={result.epochs} "
            f"parameters={result.parameters} train_digits={result.train_samples}")
    if note:
        text += f' note="{note}"'
    return text + f' says="{experiments.describe(result, baseline)}"'


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated experiment ids")
    parser.add_argument("--sample", action="store_true", help="the shipped sample (fast)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="override every run's epochs (a quick look)")
    parser.add_argument("--save", type=Path, default=None,
                        help="also write the results (with each run's accuracy per epoch) as JSON")
    args = parser.parse_args(argv)

    chosen = list(experiments.EXPERIMENTS)
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(wanted) - {e.id for e in experiments.EXPERIMENTS})
        if unknown:
            parser.error(f"unknown experiment(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(e.id for e in experiments.EXPERIMENTS)}")
        chosen = [e for e in experiments.EXPERIMENTS if e.id in wanted]

    data = load_sample() if args.sample else load_mnist()
    import keras

    from explainer.training.keras_fit import describe_device

    print(f"data: {describe(data)}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores, {describe_device()}, "
          f"Keras {keras.__version__}", flush=True)

    # the first fit of a process pays a one-time setup: a full epoch here, so no run pays it
    train_once(experiments.BASELINE.config.with_changes(epochs=1), data)
    baseline = run(experiments.BASELINE, data, args.epochs)
    results = [baseline]
    for experiment in chosen:
        results.append(run(experiment, data, args.epochs))
        print(line(results[-1], baseline, experiment.epochs_note), flush=True)
    print(line(baseline, baseline), flush=True)
    if args.save:
        args.save.write_text(json.dumps([r.as_dict() for r in results], indent=1))

    per_digit = multiply_adds_per_digit(experiments.BASELINE.config)
    per_epoch = compute.multiply_adds_per_epoch(per_digit, digits=baseline.train_samples)
    rate = baseline.train_samples * baseline.epochs / baseline.seconds
    measured = compute.multiply_adds_per_second(rate, per_digit)
    print(f"compute: multiply_adds_per_digit={per_digit} multiply_adds_per_epoch={per_epoch} "
          f"(x{compute.TRAINING_FACTOR} for forward + backward) samples_per_second={rate:.0f} "
          f"measured_multiply_adds_per_second={measured:.3g} "
          f"seconds_per_epoch={baseline.seconds / baseline.epochs:.2f}")
    for estimate in compute.gpu_estimates(per_epoch, measured):
        print(f"gpu_at_peak: device=\"{estimate.device.name}\" "
              f"seconds_per_epoch={estimate.seconds_per_epoch:.4f} "
              f"times_faster_at_most={estimate.times_faster:.0f} ({estimate.label})")


if __name__ == "__main__":
    main()
