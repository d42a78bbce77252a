"""Start `streamlit run app.py` on a free loopback port, wait until healthy, read its memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(log_path: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 60, rerun_log: Path | None = None,
              script: str = "app.py") -> tuple[subprocess.Popen, str]:
    """A running app server and its URL; raises RuntimeError when it does not become healthy.

    With ``rerun_log`` the server notes each script run's timing there (``bench/timed_server.py``).
    ``script`` is run from the repository root, so it gets the app's .streamlit/config.toml.
    """
    port = free_port()
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    launcher = ([sys.executable, str(ROOT / "bench" / "timed_server.py")] if rerun_log else
                [sys.executable, "-m", "streamlit", "run", script])
    env = {**os.environ, **(env or {}), **({"RERUN_LOG": str(rerun_log)} if rerun_log else {})}
    process = subprocess.Popen(
        [*launcher, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return process, url
        except OSError:
            time.sleep(0.2)
    stop_app(process)
    raise RuntimeError(f"the app did not become healthy within {timeout:.0f} s")


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def find_chromium() -> str | None:
    import shutil

    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None
