"""The worker process: the only place TensorFlow is imported. It trains one job at a time.

Started by :mod:`explainer.training.pool` as ``python -m explainer.training.worker FD IDLE_S``
(a fresh interpreter, as multiprocessing's spawn makes, but without re-running the parent's
``__main__``, which under Streamlit is the app script) and spoken to over a
``multiprocessing.connection.Connection`` on the socket ``FD``. It first lowers its own priority
to the lowest the OS offers (``SCHED_IDLE`` on Linux: it runs only on cores nothing else wants),
imports Keras, names the device, then waits for jobs (:class:`~explainer.training.jobs.TrainJob`)
on its pipe. Each message it sends back is a ``(Message, info)`` pair: progress for the page, then
one ``RESULT`` or ``ERROR``. It exits when its
pipe closes or after ``idle_seconds`` without a job, so its memory goes back to the system.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import sys
import threading
import time
import traceback
from pathlib import Path

from explainer.training.messages import Message


def lower_priority() -> str:
    """The lowest CPU priority this OS offers, for this process and every thread it starts."""
    if hasattr(os, "SCHED_IDLE") and sys.platform.startswith("linux"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return "SCHED_IDLE"
        except OSError:
            pass
    try:
        os.nice(19 - os.nice(0))
        return "nice 19"
    except (OSError, AttributeError):
        return "normal"


def volunteer_for_oom_killer() -> None:
    """When memory runs out, the kernel should end a training, not the web server (Linux)."""
    try:
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:
        pass


class Inbox:
    """The worker's side of the pipe, read by a thread of its own, so Stop is answered at once.

    Jobs wait in :attr:`jobs` for the main thread; a Stop sets :attr:`stop` and is acknowledged
    right away with ``STOPPING``, even while the main thread is busy outside Keras' loop. A closed
    pipe (the web process is gone) puts None in the jobs.
    """

    def __init__(self, conn):
        self.conn = conn
        self.jobs: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.closed = threading.Event()
        self._send_lock = threading.Lock()
        threading.Thread(target=self._read, name="inbox", daemon=True).start()

    def send(self, kind: Message, **info) -> None:
        with self._send_lock:
            self.conn.send((kind, info))

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                message = None
            if message == Message.STOP:
                self.stop.set()
                try:
                    self.send(Message.STOPPING)
                except OSError:
                    pass
                continue
            if message is None:
                self.closed.set()
                self.jobs.put(None)
                return
            self.jobs.put(message)

    def stop_asked(self) -> bool:
        """True once Stop came for the current job (checked after each batch)."""
        if self.closed.is_set():  # the web process is gone: nobody to train for
            raise SystemExit(0)
        return self.stop.is_set()


def worker_main(conn, idle_seconds: float) -> None:
    """The worker's whole life: start, then one job after another until idle or told to end."""
    began = time.monotonic()
    priority = lower_priority()
    volunteer_for_oom_killer()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    inbox = Inbox(conn)

    import keras  # noqa: F401  (the slow part of starting: seconds, about 600 MB)

    from explainer.training import keras_fit
    from explainer.training.jobs import TrainJob

    device = keras_fit.describe_device()
    inbox.send(Message.READY, device=device, priority=priority, pid=os.getpid(),
               seconds=time.monotonic() - began)
    while True:
        try:
            job = inbox.jobs.get(timeout=idle_seconds)
        except queue.Empty:
            return  # idle: exit, so the memory goes back
        if job is None:
            return  # told to end, or the web process is gone
        if not isinstance(job, TrainJob):
            continue
        inbox.stop.clear()  # a Stop that came after the last job had ended
        try:
            inbox.send(Message.RESULT, **run_job(job, inbox.send, inbox.stop_asked, device))
        except Exception as exc:  # reported to the page; the worker stays usable
            message, sayable = describe_error(exc)
            inbox.send(Message.ERROR, message=message, sayable=sayable,
                       detail=traceback.format_exc(limit=3))
        finally:
            keras.backend.clear_session()
            gc.collect()


def describe_error(exc: Exception) -> tuple[str, bool]:
    """The error's message, and whether it is written for the visitor (else for the log)."""
    from explainer.training.jobs import DataMismatch
    from explainer.training.limits import LimitError

    if isinstance(exc, (LimitError, DataMismatch)):
        return str(exc), True
    if isinstance(exc, MemoryError):
        return ("The training ran out of memory. Try smaller hidden layers or a smaller batch.",
                True)
    return f"{type(exc).__name__}: {exc}", False


def run_job(job, send, stop_asked, device: str) -> dict:
    """One job: a training or the MNIST download; its result."""
    if job.kind == "download_mnist":
        return download_mnist(send)
    if job.kind != "train":
        raise ValueError(f"unknown job {job.kind!r}")
    from explainer.training.keras_fit import train_job

    send(Message.DEVICE, device=device, pid=os.getpid())
    send(Message.PHASE, phase="loading", message="Reading the digits ...")
    data = job.data.load()
    return train_job(job.config, job.seeds, data, Path(job.keras_path), send, stop_asked,
                     device)


def download_mnist(send) -> dict:
    """Keras' own MNIST download, written whole or not at all (see mnist_download)."""
    from explainer.data.mnist import download_allowed
    from explainer.training.mnist_download import download

    if not download_allowed():  # the server's setting holds here too, whoever asked
        raise RuntimeError("Downloads are turned off on this server (MNIST_DOWNLOAD).")
    send(Message.PHASE, phase="loading", message="Downloading MNIST (11 MB) ...")
    download()
    return {"downloaded": True}


def main(argv: list[str]) -> None:
    import socket
    from multiprocessing.connection import Connection

    fd, idle_seconds = int(argv[1]), float(argv[2])
    conn = Connection(socket.socket(fileno=fd).detach())
    try:
        worker_main(conn, idle_seconds)
    finally:
        conn.close()


if __name__ == "__main__":
    main(sys.argv)
