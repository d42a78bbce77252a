"""Both training backends for the tests: the local pool, and the job queue on a real Redis.

``make_backend(kind, limit=...)`` gives a backend with ``limit`` slots for visitors' trainings: a
local pool, or a :class:`~explainer.training.queue_backend.QueueBackend` with one queue worker
for shared work and ``limit`` for visitors, started now (so they read this test's environment).
Redis (Debian's ``redis-server``) is started once per test session on loopback, and each queue
backend gets a database of its own; without Redis the queue cases are skipped, except under
``CI=true``, where a missing Redis is a failure.
"""

from __future__ import annotations

import contextlib
import os

import pytest

from explainer.training import queue_service
from explainer.training.local_pool import LocalPool

KINDS = ["local", "queue"]
_redis: dict[str, object] = {}


def redis_url() -> str:
    """The test session's Redis (started on first use)."""
    if "url" not in _redis:
        if queue_service.redis_binary() is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("redis-server is missing: .ci/run installs it")
            pytest.skip("redis-server is not installed")
        _redis["process"], _redis["url"] = queue_service.start_redis()
    return _redis["url"]


def stop_redis() -> None:
    if "process" in _redis:
        queue_service.stop([_redis.pop("process")])
        _redis.pop("url", None)


@contextlib.contextmanager
def make_backend(kind: str, limit: int = 1, idle_seconds: float = 300,
                 max_waiting: int | None = None):
    """A fresh backend of ``kind`` ("local" or "queue"), ended afterwards with its processes."""
    if kind == "local":
        pool = LocalPool(limit=limit, idle_seconds=idle_seconds, max_waiting=max_waiting)
        try:
            yield pool
        finally:
            pool.shutdown()
        return
    from redis import Redis

    from explainer.training.queue_backend import QueueBackend

    # a database of its own (Redis has 16), so another backend's workers never take its jobs
    _redis["db"] = _redis.get("db", 0) % 15 + 1
    url = redis_url().rsplit("/", 1)[0] + f"/{_redis['db']}"
    Redis.from_url(url).flushdb()
    workers = queue_service.start_workers(url, limit,
                                          env={"WORKER_IDLE_S": str(int(idle_seconds))})
    backend = None
    try:
        queue_service.wait_for_workers(url, limit + 1)
        backend = QueueBackend(url, max_waiting=max_waiting)
        yield backend
    finally:
        if backend is not None:
            backend.shutdown()
        queue_service.stop(workers, grace=3.0)
