"""Safe as a public demo: no error details for visitors, phones keep their session, checked clicks,
and an MNIST download that only happens when the server allows it and says when it failed.
"""

from __future__ import annotations

import logging
import socket
import tomllib
import urllib.request
from pathlib import Path

import pytest
from helpers import ROOT, open_page

from explainer.concepts.models.evaluation import picked_cell
from explainer.data import mnist
from explainer.data.mnist import IDX_FILES

TRAIN = "pages/train_mnist.py"


def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def texts(at) -> str:
    """Everything a visitor reads on the page, one string."""
    return "\n".join(str(e.value) for kind in ("title", "header", "subheader", "markdown",
                                               "caption", "info", "success", "warning", "error")
                     for e in getattr(at, kind))


# ---- the server's settings ----------------------------------------------------------------------

def test_uncaught_errors_show_no_details_to_visitors():
    assert config()["client"]["showErrorDetails"] in ("none", "type")


def test_a_phone_tab_in_the_background_for_minutes_keeps_its_session():
    assert 120 <= config()["server"]["disconnectedSessionTTL"] <= 900  # seconds


# ---- the confusion matrix's click, as the browser may send it ----------------------------------

def click(x, y, curve=1) -> dict:
    return {"selection": {"points": [{"curve_number": curve, "x": x, "y": y}],
                          "point_indices": [0], "box": [], "lasso": []}}


def test_a_click_on_a_cell_picks_true_digit_and_answer():
    assert picked_cell(click(4, 9)) == (9, 4)
    assert picked_cell(click(0.0, 7.0)) == (7, 0)
    two = {"selection": {"points": [{"curve_number": 0, "x": 1, "y": 1},
                                    {"curve_number": 1, "x": 2, "y": 3}]}}
    assert picked_cell(two) == (3, 2)  # the first point on the cells' trace


@pytest.mark.parametrize("event", [
    None, {}, [], "selection", {"selection": None}, {"selection": []}, {"selection": "x"},
    {"selection": {"points": None}}, {"selection": {"points": "many"}},
    {"selection": {"points": [None, 3, "p", []]}},
    {"selection": {"points": [{"x": 1, "y": 2}]}},  # no trace named
    click(1, 2, curve=0), click(1, 2, curve="1"),
    click(10, 2), click(2, -1), click(1.5, 2), click("1", "2"), click(True, False),
    click(float("nan"), 2), click(float("inf"), 2), click(10 ** 30, 2), click([1], 2),
    click(None, None), {"selection": {"points": [{"curve_number": 1}]}},
])
def test_anything_else_the_browser_sends_is_no_click(event):
    assert picked_cell(event) is None


# ---- error text stays in the server's log -------------------------------------------------------

def test_a_broken_mnist_folder_is_explained_without_its_path(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "secret-server-folder"
    folder.mkdir()
    for name in IDX_FILES.values():
        (folder / name).write_bytes(b"not gzip at all")
    monkeypatch.setenv("MNIST_DIR", str(folder))
    with caplog.at_level(logging.ERROR, logger="explainer.pages"):
        at = open_page(TRAIN, timeout=120)
    assert not at.exception
    shown = texts(at)
    assert "The MNIST digits could not be read." in shown and "server's log" in shown
    assert "secret-server-folder" not in shown and str(tmp_path) not in shown
    logged = "\n".join(r.getMessage() + str(r.exc_info and r.exc_info[1]) for r in caplog.records)
    assert "secret-server-folder" in logged and "not a complete gzip file" in logged


def test_a_failure_on_screen_is_logged_once_not_on_every_rerun(tmp_path, monkeypatch, caplog):
    from pages import shared

    folder = tmp_path / "broken"
    folder.mkdir()
    for name in IDX_FILES.values():
        (folder / name).write_bytes(b"not gzip at all")
    monkeypatch.setenv("MNIST_DIR", str(folder))
    monkeypatch.setattr(shared, "_logged", type(shared._logged)())  # nothing logged yet
    with caplog.at_level(logging.ERROR, logger="explainer.pages"):
        visitors = [open_page(TRAIN, timeout=120) for _ in range(3)]
        for at in visitors * 10:  # 3 visitors, 10 reruns each, the failure on screen each time
            at.run()
            assert "could not be read" in texts(at)
    mentions = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(mentions) == 1
    monkeypatch.setattr(shared, "LOG_AGAIN_AFTER_S", 0.0)  # the window has passed
    with caplog.at_level(logging.ERROR, logger="explainer.pages"):
        visitors[0].run()
    again = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(again) == 2 and "shown 32 more times" in again[-1]


# ---- the MNIST download -------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free, and nobody listens once the socket closes


@pytest.fixture()
def no_network(monkeypatch, tmp_path):
    """Downloads go through a proxy on a closed local port: refused at once, nothing leaves.

    No MNIST_DIR and no Keras copy here, so the Train page runs on the sample and offers the
    download; Keras' own cache folder must not hold MNIST either (it would not download then).
    """
    keras = pytest.importorskip("keras")
    from keras.src.backend.config import keras_home

    if (Path(keras_home()) / "datasets" / "mnist.npz").exists():
        pytest.skip("Keras already has MNIST here: its download cannot be seen failing")
    proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, proxy)
    for name in ("no_proxy", "NO_PROXY", "MNIST_DIR", mnist.DOWNLOAD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(urllib.request, "_opener", None)  # read the proxy settings again
    monkeypatch.setattr(mnist, "KERAS_CACHE", tmp_path / "no-keras-copy.npz")
    return keras


def test_a_failed_download_raises_each_time_it_is_tried(no_network, monkeypatch):
    from explainer.training.worker import download_mnist

    for _ in range(2):  # a failure is not remembered: the second call tries again
        with pytest.raises(Exception, match="URL fetch failure|Connection refused|proxy"):
            download_mnist(lambda *args, **kwargs: None)
    assert mnist.load_mnist() is mnist.load_sample()  # nothing half-downloaded is read
    monkeypatch.setenv(mnist.DOWNLOAD_ENV, "0")
    assert not mnist.download_allowed()
    with pytest.raises(RuntimeError, match="turned off"):  # not even tried
        download_mnist(lambda *args, **kwargs: None)


@pytest.fixture()
def fresh_pool(monkeypatch, tmp_path):
    """A pool of its own whose workers start now, with this test's environment (the proxy, and a
    home folder of their own, so Keras' cache there is empty)."""
    from explainer.training import pool
    from explainer.training.local_pool import LocalPool

    monkeypatch.setenv("HOME", str(tmp_path))
    own = LocalPool()
    monkeypatch.setattr(pool, "_BACKEND", own)
    yield own
    own.shutdown()


def run_until(at, words: str, seconds: float = 150) -> str:
    """Rerun the page (as its progress panel does) until ``words`` show; the text shown."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        shown = texts(at)
        if words in shown or time.monotonic() > deadline:
            return shown
        time.sleep(1)
        at.run()


def test_the_train_page_says_when_the_download_failed_and_offers_it_again(no_network,
                                                                         fresh_pool):
    at = open_page(TRAIN, timeout=120)
    assert "the sample shipped with the app" in texts(at)
    for _ in range(2):  # the worker's download fails at the closed proxy, each time it is asked
        at.button(key="train_download_data").click().run()
        assert not at.exception
        shown = run_until(at, "download of the full MNIST did not work")
        assert "download of the full MNIST did not work" in shown, shown
        assert "127.0.0.1" not in shown and "URL fetch failure" not in shown
        assert "the sample shipped with the app" in shown
    at.run()  # the next run of the page: the sample, and the button, without a message
    assert "did not work" not in texts(at)
    assert at.button(key="train_download_data")


def test_with_downloads_off_the_train_page_offers_none(monkeypatch):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setattr(mnist, "KERAS_CACHE", Path("/nonexistent/mnist.npz"))
    monkeypatch.setenv(mnist.DOWNLOAD_ENV, "off")
    at = open_page(TRAIN, timeout=120)
    assert not at.exception and "the sample shipped with the app" in texts(at)
    assert not [b for b in at.button if b.key == "train_download_data"]
