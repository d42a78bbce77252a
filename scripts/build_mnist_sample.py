"""Build explainer/data/mnist_sample.npz: a class-balanced slice of the official MNIST files.

600 digits per class from MNIST's training set and 100 per class from its separate test set
(6,000 + 1,000), chosen with a fixed seed, stored compressed. Run from the repo root:

    python scripts/build_mnist_sample.py ../shared/data/mnist
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from explainer.data.mnist import SAMPLE_PATH, load_idx_folder  # noqa: E402

TRAIN_PER_CLASS = 600
TEST_PER_CLASS = 100
SEED = 0


def balanced_pick(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` random examples of each digit, shuffled together."""
    picks = [rng.choice(np.flatnonzero(labels == d), per_class, replace=False) for d in range(10)]
    indices = np.concatenate(picks)
    rng.shuffle(indices)
    return indices


def main(folder: str) -> None:
    full = load_idx_folder(folder)
    rng = np.random.default_rng(SEED)
    train = balanced_pick(full.y_train, TRAIN_PER_CLASS, rng)
    test = balanced_pick(full.y_test, TEST_PER_CLASS, rng)
    SAMPLE_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(SAMPLE_PATH, x_train=full.x_train[train], y_train=full.y_train[train],
                        x_test=full.x_test[test], y_test=full.y_test[test],
                        train_index=train.astype(np.int32), test_index=test.astype(np.int32))
    print(f"wrote {SAMPLE_PATH} ({SAMPLE_PATH.stat().st_size / 1e6:.2f} MB): "
          f"{len(train)} train, {len(test)} test")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mnist")
