"""The work estimate against the clock: one epoch of a few networks, each in a training worker.

    MNIST_DIR=../shared/data/mnist python bench/work_estimate.py [--sample]

For each network it prints the estimate of explainer/training/limits.py for one epoch and the
seconds that epoch took in a worker process (measured by the worker around ``fit``), and their
ratio. Figures, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explainer.data.mnist import load_mnist, load_sample  # noqa: E402
from explainer.training import limits  # noqa: E402
from explainer.training.jobs import TrainJob  # noqa: E402
from explainer.training.local_pool import LocalPool  # noqa: E402
from explainer.training.pool import Visitor  # noqa: E402
from explainer.training.spec import AUGMENTED, PRESETS, ModelConfig  # noqa: E402

NETWORKS = {
    "walk-through, batch 128": PRESETS["post"],
    "walk-through, batch 16": PRESETS["post"].with_changes(batch_size=16),
    "2048-2048, batch 128": ModelConfig(hidden=(2048, 2048)),
    "better MLP": PRESETS["better-mlp"],
    "small CNN": PRESETS["cnn"],
    "walk-through on changed copies": AUGMENTED,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true", help="the shipped 6,000 digits")
    parser.add_argument("--only", default="", help="one network, by its name below")
    args = parser.parse_args()
    networks = {k: v for k, v in NETWORKS.items() if not args.only or k == args.only}
    if not networks:
        parser.error(f"no network named {args.only!r}; choose from {', '.join(NETWORKS)}")
    data = load_sample() if args.sample else load_mnist()
    pool = LocalPool(limit=1)
    folder = Path(tempfile.mkdtemp())
    print(f"{len(data.x_train):,} digits; one epoch each")
    try:
        for name, config in networks.items():
            config = config.with_changes(epochs=1)
            job = TrainJob.train(config, data, folder / "model.keras")
            training = pool.submit(job, Visitor(name))
            training.wait()
            if training.error:
                print(f"{name:<26} failed: {training.error}")
                continue
            measured = training.result["runs"][0]["seconds"]
            estimate = limits.estimate_seconds(config, len(data.x_train))
            print(f"{name:<26} estimate_s={estimate:6.1f} measured_s={measured:6.1f} "
                  f"ratio={measured / estimate:.2f}", flush=True)
    finally:
        pool.shutdown()


if __name__ == "__main__":
    main()
