"""The serve command started by a test: ``python -m explainer.serve`` on a free loopback port.

:func:`serving` yields a :class:`Served` (its process, its address, its status file) once it has
printed the address to share, and stops it with SIGINT afterwards, as a teacher's Ctrl-C does.
Without nginx the tests skip, except under ``CI=true``, where a missing nginx is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT

from explainer.serve import nginx
from explainer.training.queue_service import free_port


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    folder: Path
    output: list[str]

    def status(self) -> dict:
        return json.loads((self.folder / "status.json").read_text())

    def get(self, path: str = "/_stcore/health", server: str = "", timeout: float = 10,
            cookie: str = nginx.COOKIE):
        """(status code, the value of the cookie ``cookie`` it set) for a GET through nginx,
        sent to the server ``server`` names (or to any)."""
        import http.client
        import ssl
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout,
                context=ssl._create_unverified_context())  # the test's self-signed certificate
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        headers = {"Cookie": f"{nginx.COOKIE}={server}"} if server else {}
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        answer.read()
        cookies = [v for k, v in answer.getheaders() if k.lower() == "set-cookie"
                   and v.startswith(f"{cookie}=")]
        connection.close()
        return answer.status, cookies[0].split(";")[0].split("=", 1)[1] if cookies else ""


def require_nginx() -> None:
    if nginx.nginx_binary() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx is missing: .ci/run installs it")
        pytest.skip("nginx is not installed")


@contextlib.contextmanager
def serving(*arguments: str, env: dict | None = None, timeout: float = 180):
    """``python -m explainer.serve --host 127.0.0.1 --port <free> *arguments``, running."""
    require_nginx()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "explainer.serve", "--host", "127.0.0.1", "--port", str(port),
         *arguments], cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output, url, folder = [], "", None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and folder is None:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output.append(line)
            if line.startswith("Share this address with the class: "):
                url = line.split(": ", 1)[1].strip()
            if line.startswith("Logs: "):
                folder = Path(line.split(": ", 1)[1].strip()).parent
        assert folder is not None, "the serve command did not start:\n" + "".join(output)
        yield Served(process, url, folder, output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
