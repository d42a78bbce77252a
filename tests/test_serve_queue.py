"""A class on the job queue: two servers behind nginx, queue workers, one Redis.

The shared default model is trained once for both servers, a browser's training is one for the
whole cluster (its other tab, on the other server, shows it and its Stop), and Stop pressed on
the other server ends it. Visitors are protocol-level clients (bench/streamlit_client.py) that
carry nginx's route cookie and one browser's XSRF cookie, as a browser's tabs do.
"""

from __future__ import annotations

import time
import urllib.request

import pytest
from backends import redis_url
from redis import Redis
from rq import Queue
from rq.registry import FinishedJobRegistry

from bench.cluster import start_cluster
from bench.streamlit_client import StreamlitSession
from explainer.data.mnist import SAMPLE_PATH
from explainer.serve.nginx import COOKIE
from explainer.training import queue_names

pytestmark = pytest.mark.slow
BROWSER = "0123456789abcdef0123456789abcdef"  # the browser id nginx's cookie carries


def settle(session: StreamlitSession, until, timeout: float = 180) -> None:
    """Let the page's self-refreshing panels run, as a browser tab does, until ``until()``."""
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)
        for fragment in session.due_auto_reruns():
            session.rerun_fragment(fragment)
        if not session.auto_reruns:
            session.open(session.page)


def xsrf_of(url: str) -> str:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as answer:
        for header, value in answer.getheaders():
            if header.lower() == "set-cookie" and value.startswith("_streamlit_xsrf="):
                return value.split(";")[0].split("=", 1)[1]
    raise AssertionError("no XSRF cookie")


def test_the_cluster_trains_shared_work_once_and_one_training_per_browser(nginx_path, tmp_path):
    url = redis_url().rsplit("/", 1)[0] + "/14"
    redis = Redis.from_url(url)
    redis.flushdb()
    env = {"MNIST_DIR": str(SAMPLE_PATH), "EXPLAINER_CACHE_DIR": str(tmp_path / "cache"),
           "REDIS_URL": url}
    cluster = start_cluster(2, tmp_path / "serve.log", env=env, args=("--workers", "1"))
    try:
        assert len(cluster.status().of_kind("worker")) == 2  # one for shared work, one more
        xsrf = xsrf_of(cluster.url)
        tabs = [StreamlitSession(cluster.url, timeout=180, cookies={
            COOKIE: f"{server}.{BROWSER}", "_streamlit_xsrf": xsrf}) for server in ("s1", "s2")]
        for tab in tabs:  # both servers want the default model
            tab.open("draw")
        for tab in tabs:
            settle(tab, lambda tab=tab: not tab.auto_reruns)
        shared = FinishedJobRegistry(queue=Queue(queue_names.SHARED_QUEUE, connection=redis))
        # both shared networks (the walk-through's, the one on changed copies), each trained
        # once for the class, not once per server
        assert shared.count == 2

        first, second = tabs
        first.open("train_mnist")
        first.press(first.widget("train_start"))
        assert first.widget("train_stop") is not None
        second.open("train_mnist")  # the same browser's tab on the other server
        assert second.widget("train_start").proto.disabled  # no second training
        assert not second.widget("train_stop").proto.disabled  # its Stop is here too
        second.press(second.widget("train_stop"))
        settle(second, lambda: not second.widget("train_start").proto.disabled)
        for tab in tabs:
            tab.close()
    finally:
        assert cluster.stop() == 0
