"""A class at once: N Streamlit servers on loopback ports behind nginx, kept up until Ctrl-C.

One Streamlit process runs one visitor's script at a time (Python's interpreter lock), so a class
needs several. Each is a plain ``streamlit run app.py`` with the project's
``.streamlit/config.toml``, on a free port of 127.0.0.1; nginx, listening on the address to
share, sends each browser to its own server (``nginx.conf.template`` says how). Every server gets
the same cookie secret, drawn for this start, so a browser that moves keeps passing Streamlit's
checks; the address to share and the status file reach the servers as environment variables.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from explainer.serve import address, hooks, nginx, status
from explainer.serve.supervisor import Program, Supervisor
from explainer.training import queue_service

ROOT = Path(__file__).resolve().parents[2]  # where app.py and .streamlit/config.toml are
STATUS_EVERY_S = 5.0


@dataclass
class Options:
    """What the serve command was asked for (``python -m explainer.serve --help``)."""

    replicas: int = 3
    port: int = 8500
    listen: str = "0.0.0.0"
    public_url: str | None = None
    tls: nginx.Tls | None = None
    workers: int = 0
    status_file: Path | None = None
    log_dir: Path | None = None
    start_timeout: float = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(listen: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((listen, port))
        except OSError:
            return False
    return True


def answers_ok(url: str) -> bool:
    """Whether ``url`` (a Streamlit server's /_stcore/health) answers "ok" within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def accepts(host: str, port: int) -> bool:
    """Whether something accepts connections on host:port (nginx, from this machine)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def streamlit_command(port: int) -> list[str]:
    """One server: the project's own app and settings, on a loopback port, no file watcher."""
    return [sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false"]


def server_environment(name: str, cookie_secret: str, share_url: str, status_file: Path,
                       host_key: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # docs/benchmarks.md: one BLAS thread each
    env.update({
        "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret,  # the same for all: XSRF holds on a move
        status.SHARE_URL_VARIABLE: share_url,
        status.STATUS_VARIABLE: str(status_file),
        status.SERVER_VARIABLE: name,
        status.HOST_KEY_VARIABLE: host_key,
    })
    return env


def build(options: Options, folder: Path, nginx_path: str, share_url: str, status_file: Path,
          host_key: str) -> list[Program]:
    """The programs to run: the servers, nginx in front of them, the queue's workers."""
    logs = options.log_dir or folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    logs.chmod(0o700)
    cookie_secret = secrets.token_urlsafe(32)
    programs, backends = queue(options, logs), []
    for index in range(1, options.replicas + 1):
        name, port = f"s{index}", free_port()
        backends.append(nginx.Backend(name, port))
        programs.append(Program(
            name, streamlit_command(port), "server", logs / f"{name}.log", cwd=ROOT,
            env=server_environment(name, cookie_secret, share_url, status_file, host_key),
            healthy=lambda port=port: answers_ok(f"http://127.0.0.1:{port}/_stcore/health"),
            port=port))
    listen = f"[{options.listen}]" if ":" in options.listen else options.listen  # IPv6
    error_log = logs / nginx.ERROR_LOG
    config = nginx.write(backends, f"{listen}:{options.port}", folder, options.tls, error_log)
    check = subprocess.run(nginx.check_command(nginx_path, config, folder, error_log),
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
    local = {"::": "::1", "0.0.0.0": "127.0.0.1", "": "127.0.0.1"}.get(options.listen,
                                                                      options.listen)
    programs.append(Program(
        "nginx", nginx.command(nginx_path, config, folder, error_log), "balancer",
        logs / "nginx.log",
        healthy=lambda: accepts(local, options.port), port=options.port))
    for index in range(options.workers + 1 if options.workers else 0):
        programs.append(Program(f"worker{index}", hooks.worker_command(index), "worker",
                                logs / f"worker{index}.log", cwd=ROOT,
                                env=queue_service.worker_env()))
    return programs


def queue(options: Options, logs: Path) -> list[Program]:
    """With ``--workers``: a private Redis on loopback when REDIS_URL names none (its address
    then goes to every server and worker through the environment)."""
    if not options.workers or os.environ.get(hooks.REDIS_VARIABLE):
        return []
    port = free_port()
    os.environ[hooks.REDIS_VARIABLE] = f"redis://127.0.0.1:{port}/0"
    return [Program("redis", hooks.redis_command(port), "queue", logs / "redis.log",
                    healthy=lambda: accepts("127.0.0.1", port), port=port)]


class Stop:
    """Set by SIGINT, SIGTERM or SIGHUP: the main loop then stops everything it started."""

    def __init__(self) -> None:
        self.asked = False
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame) -> None:
        self.asked = True


def say(line: str = "") -> None:
    print(line, flush=True)


def note(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def run(options: Options) -> int:
    """Start everything, print the address, keep it running until asked to stop; exit code."""
    nginx_path = nginx.find_nginx()
    if nginx_path is None:
        note("nginx is not installed: apt-get install nginx (Debian, Ubuntu)")
        return 1
    if not port_is_free(options.listen, options.port):
        note(f"{options.listen}:{options.port} is in use or not allowed: choose another --port")
        return 1
    share_url = options.public_url or address.share_address(options.listen, options.port,
                                                            options.tls is not None)
    folder = Path(tempfile.mkdtemp(prefix="explainer-serve-"))
    status_file = options.status_file or folder / "status.json"
    host_key = secrets.token_urlsafe(9)
    try:
        try:
            programs = build(options, folder, nginx_path, share_url, status_file, host_key)
        except (RuntimeError, hooks.NotAvailable) as exc:
            note(str(exc))
            return 2 if isinstance(exc, hooks.NotAvailable) else 1
        return supervise(programs, options, share_url, status_file, host_key)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def supervise(programs: list[Program], options: Options, share_url: str, status_file: Path,
              host_key: str) -> int:
    """Run the programs until SIGINT, SIGTERM or SIGHUP; then stop every one of them."""
    stop = Stop()
    started = time.time()
    supervisor = Supervisor(programs, report=note,
                            on_change=lambda: status.write(status_file, share_url, started,
                                                           programs))
    note(f"starting {options.replicas} Streamlit server(s) and nginx (logs in "
         f"{programs[0].log.parent})")
    try:
        supervisor.start_all()
        if not supervisor.wait_until_up(options.start_timeout, keep_going=lambda: not stop.asked):
            if stop.asked:
                return 0
            late = ", ".join(p.name for p in programs if p.state != "up")
            note(f"still not up after {options.start_timeout:.0f} s: {late} (see its log); "
                 "serving with the others")
        announce(share_url, host_key, options)
        written = time.monotonic()
        while not stop.asked:
            supervisor.poll()
            if time.monotonic() - written > STATUS_EVERY_S:
                supervisor.on_change()
                written = time.monotonic()
            time.sleep(0.2)
        note("stopping")
        return 0
    finally:
        supervisor.stop_all()
        supervisor.on_change()


def announce(share_url: str, host_key: str, options: Options) -> None:
    say()
    say(f"The app for a class: {options.replicas} Streamlit servers behind nginx.")
    say(f"Share this address:  {share_url}")
    if address.is_loopback(share_url):
        say("  (this machine only: start with --listen 0.0.0.0 to let others in)")
    say(address.terminal_code(share_url))
    say(f"Host status:         {share_url}/host?key={host_key}")
    say("Stop with Ctrl-C.")
    say()
