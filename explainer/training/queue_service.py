"""Starting the job queue's processes: a private Redis on loopback, and queue workers.

The serve command, the tests and the benchmarks start them the same way. Redis keeps nothing on
disk and listens on 127.0.0.1 only (RQ keeps results pickled in it). Each queue worker is
``rq worker -w explainer.training.queue_worker.KerasWorker``: one that only takes shared work
(the default model, the experiments), so the Draw page never waits behind visitors, and as many
as asked for visitors' trainings, which also help with shared work when they are free.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from explainer.training import queue_names

ROOT = Path(__file__).resolve().parents[2]
WORKER_CLASS = "explainer.training.queue_worker.KerasWorker"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_binary() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)


def start_redis(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """A Redis on 127.0.0.1 that keeps nothing on disk; (process, its URL) once it answers."""
    binary = redis_binary()
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (Debian: apt-get install "
                                "redis-server)")
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(64).startswith(b"+PONG"):
                    return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"redis-server did not start on port {port}")
        time.sleep(0.05)


def worker_command(url: str, queues: list[str]) -> list[str]:
    """The command of one queue worker taking jobs from ``queues`` in order."""
    rq = Path(sys.executable).parent / "rq"
    return [str(rq) if rq.exists() else "rq", "worker", "-w", WORKER_CLASS, "--url", url,
            "--quiet", *queues]


def worker_env(env: dict | None = None) -> dict[str, str]:
    """A queue worker's environment: this one's, the project on the path, and ``env``."""
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), environment.get("PYTHONPATH", "")) if p)
    return environment


def start_worker(url: str, queues: list[str], env: dict | None = None) -> subprocess.Popen:
    """One queue worker taking jobs from ``queues`` in order."""
    return subprocess.Popen(worker_command(url, queues), cwd=ROOT, env=worker_env(env),
                            stdin=subprocess.DEVNULL, start_new_session=True)


def start_workers(url: str, visitors: int, env: dict | None = None) -> list[subprocess.Popen]:
    """One worker for shared work, and ``visitors`` for visitors' trainings (then shared)."""
    shared = [start_worker(url, [queue_names.SHARED_QUEUE], env)]
    return shared + [start_worker(url, [queue_names.VISITOR_QUEUE, queue_names.SHARED_QUEUE],
                                  env) for _ in range(visitors)]


def wait_for_workers(url: str, count: int, timeout: float = 60.0) -> None:
    """Until ``count`` queue workers have registered with Redis."""
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while len(Worker.all(connection=connection)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count} queue workers did not start in {timeout:.0f} s")
        time.sleep(0.1)


def stop(processes: list[subprocess.Popen], grace: float = 5.0) -> None:
    """End processes: SIGTERM, then SIGKILL for those still running after ``grace`` seconds."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
