"""Benchmark: train a preset on MNIST through the app's training path and through plain ``fit``.

    python bench/train.py --preset post --seeds 3
    MNIST_DIR=/path/to/mnist python bench/train.py --preset cnn --seeds 1 --no-plain

Per seed it prints the test accuracy, seconds per epoch and samples per second of the app's path
(a worker process at the lowest CPU priority, its progress callback and messages, the live
progress object here), the same for a plain ``model.fit`` in this process with identical settings
(same split, seed, validation digits; no callbacks), their ratio, and the peak memory. On a busy
machine the worker's lowest priority makes it the slower of the two: that is its purpose. The
data come from ``MNIST_DIR`` or the loader (never downloaded here).
Figures, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explainer.data.mnist import describe, load_mnist, load_sample  # noqa: E402
from explainer.training.jobs import TrainJob  # noqa: E402
from explainer.training.keras_fit import (  # noqa: E402
    build_model,
    describe_device,
    predict_in_batches,
    split_validation,
)
from explainer.training.local_pool import LocalPool  # noqa: E402
from explainer.training.pool import Visitor  # noqa: E402
from explainer.training.spec import PRESETS, one_hot, prepare_inputs  # noqa: E402

TARGETS = {"post": 0.978, "better-mlp": 0.983, "cnn": 0.992}


def plain_fit(config, data):
    """``model.fit`` with the app's settings, minus the thread, the callback and the progress."""
    x_train, y_train, x_val, y_val = split_validation(data.x_train, data.y_train)
    if not len(x_val):  # as in the app: the validation curve uses the test digits
        x_val, y_val = data.x_test, data.y_test
    model = build_model(config)
    inputs = prepare_inputs(x_train, config)
    started = time.perf_counter()
    model.fit(inputs, one_hot(y_train), epochs=config.epochs, batch_size=config.batch_size,
              validation_data=(prepare_inputs(x_val, config), one_hot(y_val)), verbose=0)
    seconds = time.perf_counter() - started
    probabilities = predict_in_batches(model, prepare_inputs(data.x_test, config))
    accuracy = float((probabilities.argmax(axis=1) == data.y_test).mean())
    return accuracy, seconds, len(inputs)


POOL = LocalPool(limit=1, idle_seconds=3600)
FOLDER = Path(tempfile.mkdtemp())


def app_path(config, data):
    """The page's path: a job for a worker process, its progress applied here, waited for."""
    job = TrainJob.train(config, data, FOLDER / "model.keras")
    training = POOL.submit(job, Visitor("bench"))
    while training.running:
        training.progress.snapshot()  # what the page's panel does once a second
        training.wait(1.0)
    if training.error:
        raise SystemExit(f"training failed: {training.error}")
    run = training.result["runs"][0]
    return run["test_accuracy"], run["seconds"], run["train_samples"]


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def gpu_peak_mb() -> float | None:
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        return None
    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="post")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="override the preset's epochs")
    parser.add_argument("--sample", action="store_true", help="use the shipped sample")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain fit comparison")
    args = parser.parse_args(argv)

    data = load_sample() if args.sample else load_mnist()
    config = PRESETS[args.preset]
    if args.epochs:
        config = config.with_changes(epochs=args.epochs)
    print(f"preset={args.preset} ({config.label}) epochs={config.epochs} "
          f"batch_size={config.batch_size}")
    print(f"data: {describe(data)}")
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{__import__('os').cpu_count()} CPU cores, {describe_device()}")

    # Warm-up: the first full-size fit in a process pays TensorFlow's one-time setup (a short fit
    # on a few digits is not enough: the first full epoch still ran ~60% slower), so one full
    # epoch runs first and neither measured path pays it.
    warm = config.with_changes(epochs=1)
    build_model(warm).fit(prepare_inputs(data.x_train, warm), one_hot(data.y_train),
                          batch_size=config.batch_size, verbose=0)
    app_path(warm, data)  # the worker's own warm-up

    accuracies, ratios = [], []
    for index in range(args.seeds):
        seed = args.first_seed + index
        seeded = config.with_changes(seed=seed)
        order = ("app", "plain") if index % 2 == 0 else ("plain", "app")
        figures = {}
        for path in order:
            if path == "plain" and args.no_plain:
                continue
            runner = app_path if path == "app" else plain_fit
            figures[path] = runner(seeded, data)
        accuracy, seconds, samples = figures["app"]
        accuracies.append(accuracy)
        line = (f"seed={seed} accuracy={accuracy:.4f} "
                f"seconds_per_epoch={seconds / config.epochs:.2f} "
                f"samples_per_second={samples * config.epochs / seconds:.0f}")
        if "plain" in figures:
            plain_accuracy, plain_seconds, _ = figures["plain"]
            ratios.append(seconds / plain_seconds)
            line += (f" plain_accuracy={plain_accuracy:.4f} "
                     f"plain_seconds_per_epoch={plain_seconds / config.epochs:.2f} "
                     f"app_over_plain={seconds / plain_seconds:.3f}")
        line += f" peak_memory_mb={peak_memory_mb():.0f}"
        gpu = gpu_peak_mb()
        if gpu is not None:
            line += f" gpu_peak_mb={gpu:.0f}"
        print(line, flush=True)

    median = statistics.median(accuracies)
    target = TARGETS[args.preset]
    print(f"median_accuracy={median:.4f} (target {target:.1%} on the full set: "
          f"{'met' if median >= target else 'NOT met'}) "
          f"spread={min(accuracies):.4f}-{max(accuracies):.4f}")
    if ratios:
        ratio = statistics.median(ratios)
        print(f"median_app_over_plain={ratio:.3f} (target at most 1.10: "
              f"{'met' if ratio <= 1.10 else 'NOT met'})")
    POOL.shutdown()


if __name__ == "__main__":
    main()
