"""Keras' MNIST download, made safe to share: written whole or not at all, one at a time.

``keras.datasets.mnist.load_data`` downloads ``mnist.npz`` and checks its hash, but it writes
straight into Keras' cache (``~/.keras/datasets``), so a broken connection can leave half a file
there, and two servers sharing the folder could write it at once. Here the download goes to a
temporary folder beside the cache, under a lock every process on the machine honours
(``fcntl``); only a complete file that passed Keras' hash check is moved into place, in one
rename. Runs in a worker process only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import tempfile
from pathlib import Path

from explainer.data import mnist

TIMEOUT_S = 30.0  # a connection that stays silent this long ends the download
# Where keras.datasets.mnist.load_data downloads from, and the hash it checks (Keras 3.15).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


@contextlib.contextmanager
def locked(path: Path):
    """Hold an exclusive lock on ``path`` (made if missing) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def download(target: Path | None = None, fetch=None) -> Path:
    """Keras' ``mnist.npz`` at ``target`` (Keras' cache by default), downloaded unless there.

    ``fetch(path)`` downloads and checks the file at ``path``; by default Keras' own loader.
    """
    target = Path(target or mnist.KERAS_CACHE)
    fetch = fetch or _keras_fetch
    with locked(target.with_name(target.name + ".lock")):
        if target.is_file():
            try:
                mnist.load_npz(target)
                return target  # another process finished it meanwhile
            except mnist.MnistError:
                target.unlink()  # a damaged copy: download again
        folder = Path(tempfile.mkdtemp(prefix=".download-", dir=target.parent))
        try:
            partial = folder / target.name
            fetch(partial)
            mnist.load_npz(partial)  # readable and complete, or MnistError
            os.replace(partial, target)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return target


def _keras_fetch(path: Path) -> None:
    """Keras' own download and hash check, into ``path``'s folder."""
    from keras.utils import get_file

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(TIMEOUT_S)
    try:
        get_file(fname=path.name, origin=ORIGIN, file_hash=SHA256, cache_dir=str(path.parent),
                 cache_subdir="")
    finally:
        socket.setdefaulttimeout(previous)
