"""Run ``python -m explainer.serve`` for a measure or a test: start it, read its status, stop it.

    cluster = start_cluster(replicas=2, env={"MNIST_DIR": ...})
    cluster.url                      # the address it shares (nginx, on 127.0.0.1)
    cluster.program("s1").pid        # its processes, from its status file
    cluster.stop()                   # Ctrl-C (SIGINT), as a host would; returns the exit code
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.appserver import free_port  # noqa: E402
from explainer.serve import status  # noqa: E402
from explainer.serve.nginx import COOKIE  # noqa: E402

SHARE_LINE = re.compile(r"^Share this address:\s+(\S+)", re.MULTILINE)
LOG_LINE = re.compile(r"logs in (\S+)\)")
ROUTE = re.compile(COOKIE + r"=(s\d+)\.([0-9a-f]{32})")


def route_of(set_cookie: str | None) -> str | None:
    """The server a reply's route cookie names ("s2"), or None when it set none."""
    found = ROUTE.search(set_cookie or "")
    return found[1] if found else None


@dataclass
class Cluster:
    """A running serve command."""

    process: subprocess.Popen
    url: str
    status_file: Path
    output: Path  # its stdout and stderr

    def __repr__(self) -> str:
        return f"Cluster({self.url}, pid {self.process.pid})"

    def status(self) -> status.ClusterStatus:
        found = status.read(self.status_file)
        if found is None:
            raise RuntimeError(f"no status in {self.status_file}")
        return found

    def program(self, name: str) -> status.ProgramStatus:
        return next(p for p in self.status().programs if p.name == name)

    def servers(self) -> list[status.ProgramStatus]:
        return self.status().of_kind("server")

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def folder(self) -> Path | None:
        """The temporary folder it works in (the one holding its logs)."""
        found = LOG_LINE.search(self.text())
        return Path(found[1]).parent if found else None

    def wait_until(self, check, timeout: float = 120, what: str = "the cluster") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the serve command ended (code {self.process.returncode}):"
                                   f"\n{self.text()[-3000:]}")
            found = status.read(self.status_file)
            if found is not None and check(found):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{what} not reached within {timeout:.0f} s:\n{self.text()[-3000:]}")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        """Stop it as a host does (Ctrl-C); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_cluster(replicas: int, output: Path, env: dict[str, str] | None = None,
                  args: tuple[str, ...] = (), timeout: float = 180) -> Cluster:
    """The serve command with ``replicas`` servers on 127.0.0.1, once everything is up."""
    port = free_port()
    status_file = output.with_suffix(".status.json")
    log = open(output, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "explainer.serve", "--replicas", str(replicas), "--port",
         str(port), "--listen", "127.0.0.1", "--status-file", str(status_file), *args],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    log.close()
    cluster = Cluster(process, "", status_file, output)
    try:
        cluster.wait_until(lambda s: all(p.state == "up" for p in s.programs)
                           and SHARE_LINE.search(cluster.text()), timeout, "every server up")
    except BaseException:
        cluster.stop()
        raise
    cluster.url = SHARE_LINE.search(cluster.text())[1]
    return cluster
