"""A class on one machine: N Streamlit servers, nginx in front, and the job queue's processes.

:class:`Cluster` starts them, restarts any that dies, writes what is up to a small status file
the host's status page reads, and stops everything it started when asked (Ctrl-C). Every server
runs ``streamlit run app.py`` on a loopback port with one shared ``server.cookieSecret``, so a
visitor moved to another server (when theirs died) keeps passing the XSRF checks.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from explainer.serve import nginx
from explainer.training import queue_names, queue_service

ROOT = Path(__file__).resolve().parents[2]
CHECK_EVERY_S = 0.5
START_TIMEOUT_S = 120.0


@dataclass
class Process:
    """One process the cluster keeps running: what it is, how to start it, how often it did."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int = 0
    log: Path | None = None  # where its output goes (appended to across restarts)
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0

    def start(self) -> None:
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env,
                                            stdin=subprocess.DEVNULL, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            if self.log:
                output.close()
        self.started_at = time.time()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    """Servers, nginx and queue workers for one class; see the module docstring."""

    replicas: int = 3
    port: int = 8500
    host: str = "0.0.0.0"
    workers: int = 0
    cert: str = ""
    key: str = ""
    share_url: str = ""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="explainer-serve-")))
    servers: list[Process] = field(default_factory=list)
    queue: list[Process] = field(default_factory=list)
    balancer: Process | None = None
    redis: subprocess.Popen | None = None
    redis_url: str = ""
    _stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def status_file(self) -> Path:
        return self.folder / "status.json"

    @property
    def logs(self) -> Path:
        folder = self.folder / "logs"
        folder.mkdir(exist_ok=True)
        return folder

    def server_env(self, secret: str) -> dict[str, str]:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
               "STREAMLIT_SERVER_COOKIE_SECRET": secret,  # one for all: XSRF holds after a move
               "EXPLAINER_SHARE_URL": self.share_url,
               "EXPLAINER_SERVE_STATUS": str(self.status_file)}
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def start(self) -> None:
        """Start everything and wait until each server answers its health check."""
        secret = secrets.token_hex(32)
        if self.workers:
            self.redis_url = os.environ.get("REDIS_URL", "").strip()
            if not self.redis_url:
                self.redis, self.redis_url = queue_service.start_redis()
            for index in range(self.workers + 1):
                queues = ([queue_names.SHARED_QUEUE] if index == 0 else
                          [queue_names.VISITOR_QUEUE, queue_names.SHARED_QUEUE])
                worker = Process(f"queue worker {index}", queue_service.worker_command(
                    self.redis_url, queues), queue_service.worker_env(),
                    log=self.logs / f"queue-worker-{index}.log")
                worker.start()
                self.queue.append(worker)
        for index in range(self.replicas):
            port = queue_service.free_port()
            server = Process(nginx.server_name(index), [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false"],
                self.server_env(secret), port, log=self.logs / f"server-{index}.log")
            server.start()
            self.servers.append(server)
        for server in self.servers:
            wait_healthy(server, START_TIMEOUT_S)
        listen = f"{self.host}:{self.port}"
        self.balancer = Process("nginx", [], {})
        self.balancer.process = nginx.start(self.folder / "nginx", listen,
                                            [s.port for s in self.servers], self.cert, self.key)
        self.balancer.started_at = time.time()
        wait_listening(self.host, self.port, self.balancer, 20.0)
        self.write_status()

    def keep_running(self) -> None:
        """Restart whatever dies, until :meth:`stop`."""
        while not self._stopping.wait(CHECK_EVERY_S):
            for each in (*self.servers, *self.queue):
                if not each.alive and not self._stopping.is_set():
                    each.restarts += 1
                    print(f"{each.name} (port {each.port}) ended; starting it again"
                          if each.port else f"{each.name} ended; starting it again", flush=True)
                    each.start()
            if self.balancer is not None and not self.balancer.alive:
                self.balancer.restarts += 1
                self.balancer.process = nginx.start(self.folder / "nginx",
                                                    f"{self.host}:{self.port}",
                                                    [s.port for s in self.servers],
                                                    self.cert, self.key)
            self.write_status()

    def write_status(self) -> None:
        status = {"share_url": self.share_url, "updated": time.time(),
                  "servers": [describe(s) for s in self.servers],
                  "queue_workers": [describe(w) for w in self.queue],
                  "balancer": describe(self.balancer) if self.balancer else None,
                  "queue": bool(self.redis_url)}
        temporary = self.status_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(status))
        os.replace(temporary, self.status_file)

    def stop(self) -> None:
        """Stop every process this cluster started, and remove its folder."""
        self._stopping.set()
        every = [p.process for p in (self.balancer, *self.servers, *self.queue)
                 if p is not None and p.process is not None]
        queue_service.stop(every, grace=5.0)
        if self.redis is not None:
            queue_service.stop([self.redis])
        shutil.rmtree(self.folder, ignore_errors=True)


def describe(each: Process) -> dict:
    return {"name": each.name, "port": each.port, "up": each.alive, "restarts": each.restarts,
            "pid": each.process.pid if each.process else 0, "since": each.started_at}


def wait_listening(host: str, port: int, balancer: Process, timeout: float) -> None:
    """Until nginx accepts connections on its port."""
    address = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not balancer.alive:
            raise RuntimeError("nginx ended while starting (is the port taken?)")
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nginx did not listen on port {port} in {timeout:.0f} s")


def wait_healthy(server: Process, timeout: float) -> None:
    """Until the server answers ``/_stcore/health`` with ok."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{server.port}/_stcore/health"
    while time.monotonic() < deadline:
        if not server.alive:
            raise RuntimeError(f"server {server.name} ended while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server {server.name} did not answer in {timeout:.0f} s")
