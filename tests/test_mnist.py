"""The MNIST loader: the full official files, the shipped sample, and every kind of bad file."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from explainer.data import mnist
from explainer.data.mnist import IDX_FILES, MnistError

TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_full_set_from_official_files(full_mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(full_mnist_dir))
    data = mnist.load_mnist()
    assert data.is_full
    assert data.x_train.shape == (60_000, 28, 28) and data.x_train.dtype == np.uint8
    assert data.x_test.shape == (10_000, 28, 28) and data.y_test.shape == (10_000,)
    assert np.bincount(data.y_train, minlength=10).tolist() == TRAIN_CLASS_COUNTS
    assert data.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # MNIST's first labels
    assert data.x_train.max() == 255 and data.x_train.min() == 0
    assert data.source == "the official MNIST files, full set"
    assert "/" not in data.source  # names what the digits are, never a server path


def test_full_set_is_loaded_once(full_mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(full_mnist_dir))
    assert mnist.load_mnist() is mnist.load_mnist()


def test_shipped_sample_is_balanced_and_from_the_official_sets(full_mnist_dir):
    sample = mnist.load_sample()
    assert sample.x_train.shape == (6_000, 28, 28) and sample.x_test.shape == (1_000, 28, 28)
    assert np.bincount(sample.y_train).tolist() == [600] * 10
    assert np.bincount(sample.y_test).tolist() == [100] * 10
    assert not sample.is_full and "sample" in sample.source
    full = mnist.load_idx_folder(full_mnist_dir)
    with np.load(mnist.SAMPLE_PATH, allow_pickle=False) as npz:
        train_index, test_index = npz["train_index"], npz["test_index"]
    # Training digits come from the training set, test digits from the separate test set.
    assert np.array_equal(full.x_train[train_index], sample.x_train)
    assert np.array_equal(full.y_test[test_index], sample.y_test)
    assert np.array_equal(full.x_test[test_index], sample.x_test)


def test_without_mnist_dir_the_sample_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setattr(mnist, "KERAS_CACHE", tmp_path / "no-cache.npz")
    data = mnist.load_mnist()
    assert data is mnist.load_sample()
    assert "6,000 training and 1,000 test digits" in mnist.describe(data)


def test_a_keras_style_npz_loads(tmp_path, monkeypatch):
    sample = mnist.load_sample()
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=sample.x_train, y_train=sample.y_train, x_test=sample.x_test,
             y_test=sample.y_test)
    monkeypatch.setenv("MNIST_DIR", str(path))
    data = mnist.load_mnist()
    assert np.array_equal(data.x_train, sample.x_train)
    assert data.source.startswith("an MNIST .npz file") and "/" not in data.source


# --- bad input: every problem is named with the file, never a bare traceback -------------------


def _write_idx(path, magic: int, shape: tuple[int, ...], values: np.ndarray, extra: bytes = b""):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + values.astype(np.uint8).tobytes() + extra)


@pytest.fixture()
def small_folder(tmp_path):
    """A valid folder of the four files, holding 20 training and 10 test digits."""
    sample = mnist.load_sample()
    for key, name in IDX_FILES.items():
        values = getattr(sample, key)[: 20 if "train" in key else 10]
        magic = mnist.IMAGE_MAGIC if key.startswith("x") else mnist.LABEL_MAGIC
        _write_idx(tmp_path / name, magic, values.shape, values)
    return tmp_path


def test_small_valid_folder_loads(small_folder):
    data = mnist.load_idx_folder(small_folder)
    assert len(data.x_train) == 20 and len(data.y_test) == 10 and not data.is_full


def test_missing_file(small_folder):
    (small_folder / IDX_FILES["y_test"]).unlink()
    with pytest.raises(MnistError, match="t10k-labels-idx1-ubyte.gz: file not found"):
        mnist.load_idx_folder(small_folder)


def test_not_gzip(small_folder):
    (small_folder / IDX_FILES["x_train"]).write_bytes(b"this is not gzip at all")
    with pytest.raises(MnistError, match="train-images-idx3-ubyte.gz: not a complete gzip"):
        mnist.load_idx_folder(small_folder)


def test_truncated_gzip(small_folder, full_mnist_dir):
    original = (full_mnist_dir / IDX_FILES["x_test"]).read_bytes()
    (small_folder / IDX_FILES["x_test"]).write_bytes(original[: len(original) // 2])
    with pytest.raises(MnistError, match="t10k-images-idx3-ubyte.gz: not a complete gzip"):
        mnist.load_idx_folder(small_folder)


def test_truncated_data_inside_a_valid_gzip(small_folder):
    values = np.zeros((20, 28, 28), np.uint8)
    with gzip.open(small_folder / IDX_FILES["x_train"], "wb") as handle:
        handle.write((0x803).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in
                                                           (20, 28, 28)) + values.tobytes()[:-5])
    with pytest.raises(MnistError, match="truncated or padded"):
        mnist.load_idx_folder(small_folder)


def test_wrong_magic_number(small_folder):
    # Labels where images belong: magic 0x801 instead of 0x803.
    shutil.copy(small_folder / IDX_FILES["y_train"], small_folder / IDX_FILES["x_train"])
    with pytest.raises(MnistError, match="wrong IDX magic number 0x00000801"):
        mnist.load_idx_folder(small_folder)


def test_images_and_labels_of_different_counts(small_folder):
    _write_idx(small_folder / IDX_FILES["y_train"], mnist.LABEL_MAGIC, (19,), np.zeros(19))
    with pytest.raises(MnistError, match="20 images but 19 labels"):
        mnist.load_idx_folder(small_folder)


def test_labels_outside_0_to_9(small_folder):
    labels = np.full(10, 3)
    labels[4] = 12
    _write_idx(small_folder / IDX_FILES["y_test"], mnist.LABEL_MAGIC, (10,), labels)
    with pytest.raises(MnistError, match="labels must be digits 0-9, found 12"):
        mnist.load_idx_folder(small_folder)


def test_npz_without_the_expected_arrays(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(MnistError, match="missing arrays x_train, y_train, x_test, y_test"):
        mnist.load_npz(path)


def test_npz_that_is_not_a_zip(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"garbage")
    with pytest.raises(MnistError, match="not a readable .npz"):
        mnist.load_npz(path)


def test_npz_with_pickled_objects_is_refused(tmp_path):
    path = tmp_path / "mnist.npz"
    objects = np.array([{"a": 1}], dtype=object)
    np.savez(path, x_train=objects, y_train=objects, x_test=objects, y_test=objects)
    with pytest.raises(MnistError, match="not a readable .npz"):
        mnist.load_npz(path)


def test_mnist_dir_pointing_at_nothing_useful(tmp_path, monkeypatch):
    target = tmp_path / "notes.txt"
    target.write_text("hello")
    monkeypatch.setenv("MNIST_DIR", str(target))
    with pytest.raises(MnistError, match="neither a folder"):
        mnist.load_mnist()
