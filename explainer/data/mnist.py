"""MNIST: 28 x 28 grayscale digits, ink 255 on background 0, labels 0-9.

Where the digits come from, in order:
1. ``MNIST_DIR``: a folder with the four official IDX ``.gz`` files, or a path to a Keras-style
   ``mnist.npz``;
2. Keras' downloaded copy (``~/.keras/datasets/mnist.npz``), read with numpy; the download
   runs in a worker process, when the server allows it (``MNIST_DOWNLOAD``, on unless set to 0);
3. the sample shipped in ``explainer/data/`` (6,000 training and 1,000 test digits).

Reading local files needs numpy only. Every bad file raises :class:`MnistError` naming the file
and the problem, never a bare traceback.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_PATH = Path(__file__).parent / "mnist_sample.npz"
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
IMAGE_MAGIC = 0x00000803  # uint8 data, 3 dimensions (count, rows, columns)
LABEL_MAGIC = 0x00000801  # uint8 data, 1 dimension (count)
CREDIT = "MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0)"


DOWNLOAD_ENV = "MNIST_DOWNLOAD"  # 0 / false / no / off: visitors cannot start the download


class MnistError(Exception):
    """A clear, user-facing problem with an MNIST file."""


def download_allowed() -> bool:
    """Whether a visitor may start Keras' download of MNIST on this server (``MNIST_DOWNLOAD``)."""
    return os.environ.get(DOWNLOAD_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class MnistData:
    """Training and test digits plus a short description of where they came from."""

    x_train: np.ndarray  # (N, 28, 28) uint8
    y_train: np.ndarray  # (N,) uint8
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    is_full: bool  # True for the complete 60,000 / 10,000 set

    def __repr__(self) -> str:
        return f"MnistData({len(self.x_train)} train, {len(self.x_test)} test, from {self.source})"

    @functools.cached_property
    def fingerprint(self) -> str:
        """A short hash of every digit and label: different data, different fingerprint."""
        digest = hashlib.sha256()
        for array in (self.x_train, self.y_train, self.x_test, self.y_test):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array).data)  # the bytes, without a copy
        return digest.hexdigest()[:16]


def _read_gzip(path: Path) -> bytes:
    if not path.is_file():
        raise MnistError(f"{path}: file not found. Put the four official MNIST .gz files there "
                         "or unset MNIST_DIR to use another source.")
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistError(f"{path}: not a complete gzip file ({exc}). Download it again.") from exc


def read_idx(path: Path | str, expected_magic: int) -> np.ndarray:
    """Read one gzipped IDX file: big-endian magic, one 4-byte size per dimension, then uint8s."""
    path = Path(path)
    raw = _read_gzip(path)
    if len(raw) < 4:
        raise MnistError(f"{path}: too short to be an IDX file ({len(raw)} bytes).")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected_magic:
        kind = "images" if expected_magic == IMAGE_MAGIC else "labels"
        raise MnistError(f"{path}: wrong IDX magic number 0x{magic:08x} (expected "
                         f"0x{expected_magic:08x} for MNIST {kind}). Is this the right file?")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MnistError(f"{path}: truncated IDX header.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise MnistError(f"{path}: truncated or padded: header promises {expected:,} values of "
                         f"shape {shape}, file holds {len(raw) - header:,}.")
    if ndim == 3 and shape[1:] != (28, 28):
        raise MnistError(f"{path}: images are {shape[1]}x{shape[2]}, MNIST digits are 28x28.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _check_pair(images: np.ndarray, labels: np.ndarray, where: str) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise MnistError(f"{where}: images have shape {images.shape}, expected (N, 28, 28).")
    if len(images) != len(labels):
        raise MnistError(f"{where}: {len(images):,} images but {len(labels):,} labels.")
    if len(labels) and int(labels.max()) > 9:
        raise MnistError(f"{where}: labels must be digits 0-9, found {int(labels.max())}.")


def load_idx_folder(folder: Path | str) -> MnistData:
    """The four official files in one folder: the full 60,000 training and 10,000 test digits."""
    folder = Path(folder)
    arrays = {}
    for key, name in IDX_FILES.items():
        magic = IMAGE_MAGIC if key.startswith("x") else LABEL_MAGIC
        arrays[key] = read_idx(folder / name, magic)
    _check_pair(arrays["x_train"], arrays["y_train"], str(folder / IDX_FILES["x_train"]))
    _check_pair(arrays["x_test"], arrays["y_test"], str(folder / IDX_FILES["x_test"]))
    full = len(arrays["x_train"]) == 60_000 and len(arrays["x_test"]) == 10_000
    # The source names what the digits are, never where they lie on the server (a visitor sees it).
    return MnistData(**arrays, source="the official MNIST files, full set" if full
                     else "the official MNIST files (part of the set)", is_full=full)


def load_npz(path: Path | str, source: str | None = None) -> MnistData:
    """A Keras-style ``mnist.npz`` with arrays x_train, y_train, x_test, y_test (no pickles)."""
    path = Path(path)
    if not path.is_file():
        raise MnistError(f"{path}: file not found.")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [key for key in IDX_FILES if key not in npz.files]
            if missing:
                raise MnistError(f"{path}: missing arrays {', '.join(missing)} (found "
                                 f"{', '.join(npz.files) or 'none'}).")
            arrays = {key: np.asarray(npz[key]) for key in IDX_FILES}
    except MnistError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, ValueError, OSError, pickled arrays ...
        raise MnistError(f"{path}: not a readable .npz file ({exc}).") from exc
    for key in IDX_FILES:
        if arrays[key].dtype != np.uint8:
            raise MnistError(f"{path}: {key} has dtype {arrays[key].dtype}, expected uint8.")
    _check_pair(arrays["x_train"], arrays["y_train"], f"{path} (train)")
    _check_pair(arrays["x_test"], arrays["y_test"], f"{path} (test)")
    full = len(arrays["x_train"]) == 60_000 and len(arrays["x_test"]) == 10_000
    named = source or ("an MNIST .npz file, full set" if full else "an MNIST .npz file")
    return MnistData(**arrays, source=named, is_full=full)


def load_from(location: str) -> MnistData:
    """MNIST from a folder of the four official files or an ``.npz``, named as
    :func:`load_mnist` names it (a worker process loads its training data this way)."""
    return _load_location(str(Path(location).expanduser().resolve()))


@functools.lru_cache(maxsize=4)
def _load_location(location: str) -> MnistData:
    path = Path(location).expanduser()
    if path.is_dir():
        return load_idx_folder(path)
    if path.suffix == ".npz":
        named = {SAMPLE_PATH.resolve(): "the sample shipped with the app",
                 KERAS_CACHE.resolve(): "Keras' MNIST download, full set"}
        return load_npz(path, named.get(path.resolve()))
    raise MnistError(f"MNIST_DIR={location}: neither a folder of the four official .gz files "
                     "nor a path to an mnist.npz file.")


@functools.lru_cache(maxsize=1)
def load_sample() -> MnistData:
    """The shipped sample: 600 training digits per class and 100 test digits per class."""
    data = load_npz(SAMPLE_PATH)
    return MnistData(data.x_train, data.y_train, data.x_test, data.y_test,
                     source="the sample shipped with the app",
                     is_full=False)


KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"


def load_mnist() -> MnistData:
    """The best MNIST here: ``MNIST_DIR``, then Keras' downloaded copy, then the shipped sample.

    A set ``MNIST_DIR`` that is broken raises :class:`MnistError` (the user asked for it). Keras'
    copy is read with numpy: this process never imports Keras. The download itself runs in a
    worker process (``explainer/training/worker.py``), when the server allows it
    (:func:`download_allowed`).
    """
    location = os.environ.get("MNIST_DIR", "").strip()
    if location:
        return _load_location(str(Path(location).expanduser().resolve()))
    if KERAS_CACHE.is_file():
        try:
            return _load_location(str(KERAS_CACHE))
        except MnistError:
            pass  # a damaged copy: the sample below
    return load_sample()


def describe(data: MnistData) -> str:
    """One line for the UI: counts and source."""
    return (f"{len(data.x_train):,} training and {len(data.x_test):,} test digits from "
            f"{data.source}")
