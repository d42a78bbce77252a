"""What ``bench/load.py`` measures: one ``streamlit run app.py``, or the serve command's servers
behind nginx; their processes read from /proc (Linux), and one server killed on purpose."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import gevent

from bench.appserver import start_app, stop_app
from bench.cluster import Cluster, start_cluster
from bench.load_users import Figures, Kill

TENSORFLOW_FILES = ("_pywrap_tensorflow_internal", "libtensorflow")


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB ({} once it has ended)."""
    values = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def tensorflow_loaded(pid: int) -> bool:
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False
    return any(name in maps for name in TENSORFLOW_FILES)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads (fields 14 and 15 of /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes this one started (the app's training workers), from /proc."""
    found = []
    for thread in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (thread / "children").read_text().split()]
        except OSError:
            pass
    return found


@dataclass
class Target:
    """The app under load: its address, its web processes, and how to stop it."""

    url: str
    process: object  # the server (Popen) or the serve command (Cluster)

    @property
    def cluster(self) -> Cluster | None:
        return self.process if isinstance(self.process, Cluster) else None

    def web_pids(self) -> list[int]:
        """The Streamlit servers' processes now (a restarted server has a new one)."""
        if self.cluster is None:
            return [self.process.pid]
        return [p.pid for p in self.cluster.servers() if p.pid]

    def balancer_pids(self) -> list[int]:
        if self.cluster is None:
            return []
        master = self.cluster.program("nginx").pid
        return [master, *children(master)] if master else []

    def server_urls(self) -> list[str]:
        """Each server's own address (the balancer's is ``url``)."""
        if self.cluster is None:
            return [self.url]
        return [f"http://127.0.0.1:{p.port}" for p in self.cluster.servers()]

    def stop(self) -> None:
        if self.cluster is None:
            stop_app(self.process)
        else:
            self.cluster.stop()


def start_target(replicas: int, log: Path, workers: int = 0) -> Target:
    """``replicas`` 0: one ``streamlit run app.py``; more: the serve command with that many, and
    with ``workers`` its trainings on a Redis queue served by that many queue workers."""
    if replicas == 0:
        process, url = start_app(env={"OPENBLAS_NUM_THREADS": "1"})
        return Target(url, process)
    cluster = start_cluster(replicas, log, env={"OPENBLAS_NUM_THREADS": "1"},
                            args=("--workers", str(workers)) if workers else ())
    return Target(cluster.url, cluster)


def kill_busiest(target: Target, figures: Figures, restart_timeout: float = 120) -> None:
    """Kill -9 the server most users are on, note who was on it, wait for its restart."""
    sessions = figures.sessions_per_server()
    if not sessions or target.cluster is None:
        return
    name = sessions.most_common(1)[0][0]
    pid = target.cluster.program(name).pid
    figures.kill = Kill(name, time.monotonic(), {u.id for u in figures.users
                                                 if u.session is not None and u.server == name},
                        dict(sessions))
    os.kill(pid, signal.SIGKILL)
    deadline = figures.kill.at + restart_timeout
    while time.monotonic() < deadline:
        now = target.cluster.program(name)
        if now.pid not in (None, pid) and now.state == "up":
            figures.kill.restarted_after_s = time.monotonic() - figures.kill.at
            return
        gevent.sleep(0.2)
