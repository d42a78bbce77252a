"""The web process's side of one worker process: launch it, talk to it, end it.

The worker is ``python -m explainer.training.worker FD IDLE_S``: a fresh interpreter, as
multiprocessing's spawn start method makes one, but started directly, because a spawned child
re-runs the parent's ``__main__`` and under Streamlit that is the app script (the script runner
installs it as ``__main__``). Messages go both ways over a ``multiprocessing.connection.Connection``
on a private socket pair: jobs and Stop one way, progress and results the other.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from explainer.training.messages import Message

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 180.0  # a worker that has not imported TensorFlow by then is given up on


class WorkerProcess:
    """One worker process and the socket to it; ``send`` is safe from several threads."""

    def __init__(self, idle_seconds: float):
        parent, child = socket.socketpair()
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT),
                                                         os.environ.get("PYTHONPATH")) if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "explainer.training.worker", str(child.fileno()),
             str(idle_seconds + 30)],  # its own idle exit is a safety net behind the pool's
            pass_fds=(child.fileno(),), cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        child.close()
        self.conn = Connection(parent.detach())
        self._send_lock = threading.Lock()
        self.started = time.monotonic()
        self.start_seconds: float | None = None  # from launch to TensorFlow loaded
        self.device, self.priority = "", ""
        self.idle_since: float | None = None

    def __repr__(self) -> str:
        return f"WorkerProcess(pid {self.pid}, {'alive' if self.alive else 'ended'})"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def ready(self) -> bool:
        return self.start_seconds is not None

    def send(self, message) -> None:
        with self._send_lock:
            self.conn.send(message)

    def receive(self, timeout: float):
        """The next ``(kind, info)`` message, None when none came in time; EOFError once gone."""
        if not self.conn.poll(timeout):
            if not self.alive and not self.conn.poll(0):
                raise EOFError("the worker process ended")
            return None
        return self.conn.recv()

    def wait_ready(self, cancelled: Callable[[], bool]) -> bool:
        """Wait for TensorFlow to load in the worker; False when cancelled (it keeps starting)."""
        while not self.ready:
            if cancelled():
                return False
            message = self.receive(0.2)
            if message is not None and message[0] == Message.READY:
                info = message[1]
                self.start_seconds, self.device = time.monotonic() - self.started, info["device"]
                self.priority = info["priority"]
            elif time.monotonic() - self.started > START_TIMEOUT_S:
                raise TimeoutError(f"the training process did not start in {START_TIMEOUT_S:.0f} s")
        return True

    def retire(self) -> None:
        """Ask it to exit; kill it if it does not within a few seconds."""
        try:
            self.send(None)
        except OSError:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()
