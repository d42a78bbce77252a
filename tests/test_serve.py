"""The serve command for real: Streamlit servers behind nginx on loopback, visited at the protocol
level (no browser), each visitor with its own cookie jar as a browser has.

Each test starts its own serve command (`bench/cluster.py`) on the shipped MNIST sample and a
model cache of its own, and stops it with Ctrl-C (SIGINT) as a host does.
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.cluster import Cluster, route_of, start_cluster
from bench.streamlit_client import StreamlitSession, keep_cookies
from explainer.data.mnist import SAMPLE_PATH
from explainer.serve.nginx import COOKIE

pytestmark = [pytest.mark.slow, pytest.mark.serve]


@pytest.fixture()
def cluster_env(tmp_path) -> dict[str, str]:
    return {"MNIST_DIR": str(SAMPLE_PATH), "EXPLAINER_CACHE_DIR": str(tmp_path / "cache")}


class Visitor:
    """One browser: a cookie jar, plain requests and Streamlit sessions that share it."""

    def __init__(self, url: str, ca_file: str | None = None) -> None:
        self.url, self.ca_file, self.cookies = url, ca_file, {}
        self.session: StreamlitSession | None = None

    @property
    def server(self) -> str | None:
        return route_of(f"{COOKIE}={self.cookies[COOKIE]}") if COOKIE in self.cookies else None

    def get(self, path: str) -> tuple[int, bytes, str | None]:
        """A plain request with the jar's cookies: status, body, and the route it was given."""
        request = urllib.request.Request(self.url + path, headers={"Cookie": "; ".join(
            f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {})
        context = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None
        with urllib.request.urlopen(request, timeout=20, context=context) as response:
            set_cookie = ", ".join(response.headers.get_all("Set-Cookie") or [])
            keep_cookies(self.cookies, set_cookie)
            return response.status, response.read(), route_of(set_cookie)

    def open(self, page: str = "neurons") -> None:
        if self.session is not None:
            self.session.close()
        self.session = StreamlitSession(self.url, timeout=120, cookies=self.cookies,
                                        ca_file=self.ca_file)
        run = self.session.open(page)
        assert run.exceptions == []

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def processes_of(cluster: Cluster) -> list[int]:
    """Every process the serve command started: its servers' and nginx's groups, by /proc."""
    groups = {p.pid for p in cluster.status().programs}
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def upload_status(url: str, size: int) -> int:
    """The status of an upload of ``size`` bytes (Streamlit's own answer once nginx let it in:
    this one carries no XSRF token)."""
    request = urllib.request.Request(f"{url}/_stcore/upload_file/session/file", method="PUT",
                                     data=b"0" * size,
                                     headers={"Content-Type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_two_servers_behind_nginx_answer_and_ctrl_c_stops_everything(nginx_path, tmp_path,
                                                                      cluster_env):
    cluster = start_cluster(2, tmp_path / "serve.log", cluster_env)
    try:
        servers = cluster.servers()
        assert [s.name for s in servers] == ["s1", "s2"]
        assert all(s.state == "up" for s in cluster.status().programs)
        assert cluster.program("nginx").state == "up" and cluster.url.startswith("http://127.")
        for server in servers:  # each answers on its own loopback port
            with urllib.request.urlopen(
                    f"http://127.0.0.1:{server.port}/_stcore/health", timeout=10) as response:
                assert response.read() == b"ok"
        visitor = Visitor(cluster.url)
        status, body, route = visitor.get("/_stcore/health")
        assert (status, body) == (200, b"ok") and route in ("s1", "s2")
        visitor.open("neurons")  # a page's run through nginx's WebSocket
        visitor.close()
        # the app's 5 MB pass nginx (Streamlit refuses this one: it carries no XSRF token)
        assert upload_status(cluster.url, 5 * 2**20 + 64 * 2**10) == 403
        assert upload_status(cluster.url, 7 * 2**20) == 413  # nginx turns away more
        started = processes_of(cluster)
        nginx_master = cluster.program("nginx").pid
        workers = [p for p in started if p != nginx_master and
                   Path(f"/proc/{p}/cmdline").read_bytes().startswith(b"nginx: worker")]
        assert len(workers) == 1 and len(started) >= 4
        folder = cluster.folder()
        assert folder is not None and (folder / "nginx.conf").is_file()
    finally:
        code = cluster.stop(signal.SIGINT)
    assert code == 0, cluster.text()[-2000:]
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in started if alive(pid)] == []
    assert not folder.exists()  # its configuration, logs and nginx's temporary files
    assert {p.state for p in cluster.status().programs} == {"stopped"}
    for server in servers:
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/_stcore/health", timeout=2)


def test_a_session_keeps_its_server_and_moves_for_good_when_that_server_dies(
        nginx_path, tmp_path, cluster_env):
    cluster = start_cluster(2, tmp_path / "serve.log", cluster_env)
    first = second = None
    try:
        first = Visitor(cluster.url)
        first.open("neurons")
        home = first.server
        assert home in ("s1", "s2")
        for _ in range(5):  # every request of this browser goes to its server
            assert first.get("/_stcore/health")[2] == home
        second = Visitor(cluster.url)  # a new browser: the server with fewer connections
        second.open("neurons")
        other = second.server
        assert other not in (None, home)

        killed = cluster.program(home).pid
        os.kill(killed, signal.SIGKILL)
        time.sleep(0.1)
        # The browser reconnects at once, before the server is back: it moves
        assert first.get("/_stcore/health")[2] == other
        first.open("neurons")  # a new session, on the other server
        assert first.server == other

        cluster.wait_until(lambda s: next(p for p in s.programs if p.name == home).restarts == 1
                           and next(p for p in s.programs if p.name == home).state == "up",
                           120, f"{home} restarted")
        assert cluster.program(home).pid != killed
        # It came back; the visitor who moved stays where it moved
        for _ in range(5):
            assert first.get("/_stcore/health")[2] == other
        assert first.session.open("nudging").exceptions == []  # its session there goes on
        first.open("neurons")  # and a new connection of this browser goes there too
        assert first.server == other
        # and a new browser goes to the server that came back (fewer connections there)
        third = Visitor(cluster.url)
        third.open("neurons")
        assert third.server == home
        third.close()
        assert "ended (killed by signal 9)" in cluster.text()
    finally:
        for visitor in (first, second):
            if visitor is not None:
                visitor.close()
        assert cluster.stop() == 0


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_https_with_a_self_signed_certificate(nginx_path, tmp_path, cluster_env):
    cert, key = self_signed(tmp_path)
    cluster = start_cluster(1, tmp_path / "serve.log", cluster_env,
                            args=("--cert", str(cert), "--key", str(key)))
    try:
        assert cluster.url.startswith("https://127.0.0.1:")
        visitor = Visitor(cluster.url, ca_file=str(cert))  # the certificate is checked
        status, body, route = visitor.get("/_stcore/health")
        assert (status, body, route) == (200, b"ok", "s1")
        request = urllib.request.Request(cluster.url + "/_stcore/health")
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(request, context=context, timeout=20) as response:
            ours = [c for c in response.headers.get_all("Set-Cookie") if c.startswith(COOKIE)]
            assert len(ours) == 1 and ours[0].endswith("; Secure")
        visitor.open("neurons")  # the WebSocket over TLS (wss://)
        visitor.close()
        with pytest.raises(urllib.error.URLError) as refused:  # unknown to the system: refused
            urllib.request.urlopen(cluster.url + "/_stcore/health", timeout=20)
        assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
        plain = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as moved:  # http:// is sent to https://
            plain.open(cluster.url.replace("https://", "http://") + "/draw", timeout=20)
        assert moved.value.code == 301
        assert moved.value.headers["Location"] == cluster.url + "/draw"
    finally:
        assert cluster.stop() == 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_when_the_serve_command_itself_is_killed_its_servers_and_nginx_end(nginx_path, tmp_path,
                                                                           cluster_env):
    cluster = start_cluster(1, tmp_path / "serve.log", cluster_env)
    started = processes_of(cluster)
    assert len(started) >= 3  # a server, nginx and its worker
    cluster.process.kill()  # no chance to stop them: they get SIGTERM from the kernel
    cluster.process.wait()
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in started if alive(pid)] == []
    folder = cluster.folder()
    if folder is not None:  # what the command could not clean up itself
        subprocess.run(["rm", "-rf", str(folder)], check=False)
