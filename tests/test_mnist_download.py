"""Keras' MNIST download, shared safely: whole or not at all, one process at a time."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from explainer.data.mnist import SAMPLE_PATH, load_npz
from explainer.training.mnist_download import download


def test_a_broken_download_leaves_nothing_and_the_next_try_works(tmp_path):
    target = tmp_path / "datasets" / "mnist.npz"

    def broken(path):
        path.write_bytes(SAMPLE_PATH.read_bytes()[:5000])  # the connection dropped
        raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        download(target, broken)
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir()] == ["mnist.npz.lock"]  # no partial file

    download(target, lambda path: shutil.copyfile(SAMPLE_PATH, path))
    assert len(load_npz(target).x_train) == 6000


def test_a_truncated_file_that_passed_the_fetch_is_refused(tmp_path):
    target = tmp_path / "mnist.npz"
    with pytest.raises(Exception, match="not a readable"):
        download(target, lambda path: path.write_bytes(SAMPLE_PATH.read_bytes()[:5000]))
    assert not target.exists()


def test_a_damaged_copy_is_downloaded_again(tmp_path):
    target = tmp_path / "mnist.npz"
    target.write_bytes(b"half a file")
    download(target, lambda path: shutil.copyfile(SAMPLE_PATH, path))
    assert len(load_npz(target).x_test) == 1000


def test_two_downloads_at_once_fetch_once(tmp_path):
    target = tmp_path / "mnist.npz"
    fetches = []

    def slow(path):
        fetches.append(path)
        time.sleep(0.5)
        shutil.copyfile(SAMPLE_PATH, path)

    threads = [threading.Thread(target=download, args=(target, slow)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(fetches) == 1 and load_npz(target).x_train.shape == (6000, 28, 28)
