"""One command for a class: servers behind a real nginx, sticky by its cookie, restarted, stopped.

Each test starts ``python -m explainer.serve`` on a free loopback port (tests/serve_support.py)
and talks to it through nginx as browsers do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from serve_support import serving

pytestmark = pytest.mark.slow


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] not in ("Z", "X")
    except OSError:
        return False


def test_two_servers_behind_nginx_sticky_restarted_and_stopped_by_ctrl_c():
    with serving("--replicas", "2") as served:
        status = served.status()
        servers = status["servers"]
        assert len(servers) == 2 and all(s["up"] for s in servers)
        assert status["balancer"]["up"]
        # a first visit lands somewhere and is named by the cookie nginx sets
        code, first = served.get()
        assert code == 200 and first in ("s0", "s1")
        # each visitor stays on the server its cookie names
        assert [served.get(server="s1")[1] for _ in range(5)] == ["s1"] * 5
        assert [served.get(server="s0")[1] for _ in range(5)] == ["s0"] * 5

        os.kill(servers[1]["pid"], signal.SIGKILL)  # a server dies mid-lesson
        wait_for(lambda: not alive(servers[1]["pid"]))
        began = time.monotonic()
        code, moved = served.get(server="s1")  # its visitors move to the other one at once
        assert code == 200 and moved == "s0" and time.monotonic() - began < 10
        wait_for(lambda: served.status()["servers"][1]["restarts"] == 1
                 and served.status()["servers"][1]["up"], timeout=60)
        wait_for(lambda: served.get(server="s1") == (200, "s1"), timeout=60)  # it is back
        # and it does not pull back the visitors who moved away while it was down
        assert [served.get(server="s0")[1] for _ in range(5)] == ["s0"] * 5

        started = [s["pid"] for s in served.status()["servers"]]
        started.append(served.status()["balancer"]["pid"])
        folder = served.folder
    assert served.process.returncode == 0  # Ctrl-C stopped it cleanly
    assert not any(alive(pid) for pid in started)  # and everything it started
    assert not folder.exists()


def test_https_with_a_self_signed_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    with serving("--replicas", "1", "--cert", str(cert), "--key", str(key)) as served:
        assert served.url.startswith("https://127.0.0.1:")
        code, server = served.get()
        assert code == 200 and server == "s0"


def test_a_wrong_option_is_refused_in_words():
    result = subprocess.run([sys.executable, "-m", "explainer.serve", "--cert", "only.pem"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--cert and --key go together" in result.stderr
