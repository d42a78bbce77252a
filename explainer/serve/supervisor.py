"""Keep a few processes running: start them, restart one that dies, stop them all together.

Each program runs in a process group of its own, so stopping it also stops what it started (a
Streamlit server's training workers), and a server killed from outside leaves nothing behind: its
group is emptied before it starts again. On Linux every program also gets SIGTERM if the
supervisor itself dies without stopping them (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

RESTART_AFTER_S = 0.5  # a program that ran a while is started again at once
CRASH_LOOP_S = 30.0  # one that dies sooner than this after its start waits 1, 2, 4... s
MAX_BACKOFF_S = 30.0
HEALTH_EVERY_S = 2.0
STOP_GRACE_S = 10.0


@dataclass
class Program:
    """One supervised process: its command, where it logs, and how to tell that it is up."""

    name: str
    argv: list[str]
    kind: str  # "server", "balancer", "worker": for the status view
    log: Path
    cwd: Path | None = None
    env: dict[str, str] | None = None
    healthy: Callable[[], bool] | None = None  # None: up as soon as it runs
    port: int | None = None
    process: subprocess.Popen | None = None
    state: str = "stopped"  # starting, up, not answering, restarting, stopped
    restarts: int = 0
    since: float = 0.0  # wall-clock time of the last change of state
    started: float = 0.0  # monotonic time of the last start
    quick_exits: int = 0  # deaths in a row soon after starting
    restart_at: float | None = None
    checked_at: float = 0.0
    failed_checks: int = 0
    exit_codes: list[int] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Program({self.name!r}, {self.state}, pid {self.pid})"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def set_state(self, state: str) -> None:
        if state != self.state:
            self.state, self.since = state, time.time()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the supervisor's process ends (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def signal_group(pid: int, sig: int) -> bool:
    """Send a signal to a program's whole process group; False when nobody is left in it."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:  # the group id now belongs to someone else's process
        return False
    return True


def group_alive(pgid: int) -> bool:
    """Whether a process of this group still runs (one killed but not yet reaped does not)."""
    if not signal_group(pgid, 0):
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):  # state, ..., pgrp
            return True
    return False


class Supervisor:
    """Runs programs, restarts those that die (after emptying their process group), stops all."""

    def __init__(self, programs: list[Program], report: Callable[[str], None] | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.programs = programs
        self.report = report or (lambda line: print(line, file=sys.stderr, flush=True))
        self.on_change = on_change or (lambda: None)
        self.stopping = False

    def __repr__(self) -> str:
        return f"Supervisor({', '.join(p.name + ' ' + p.state for p in self.programs)})"

    def program(self, name: str) -> Program:
        return next(p for p in self.programs if p.name == name)

    # -- starting ----------------------------------------------------------------------------
    def start(self, program: Program) -> None:
        program.log.parent.mkdir(parents=True, exist_ok=True)
        with open(program.log, "ab") as log:
            program.process = subprocess.Popen(
                program.argv, cwd=program.cwd, env=program.env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        program.started = time.monotonic()
        program.restart_at, program.failed_checks, program.checked_at = None, 0, 0.0
        program.set_state("starting" if program.healthy else "up")
        self.on_change()

    def start_all(self) -> None:
        for program in self.programs:
            self.start(program)

    # -- watching ----------------------------------------------------------------------------
    def poll(self) -> None:
        """One round: note programs that died and restart them when due; check health."""
        now = time.monotonic()
        for program in self.programs:
            if self.stopping:
                return
            if program.process is not None and program.process.poll() is not None:
                self._died(program, now)
            elif program.restart_at is not None and now >= program.restart_at:
                program.restarts += 1
                self.start(program)
                self.report(f"{program.name}: started again (restart {program.restarts})")
            elif program.process is not None and program.healthy is not None:
                self._check(program, now)

    def _died(self, program: Program, now: float) -> None:
        code = program.process.returncode
        pid = program.process.pid
        program.exit_codes.append(code)
        signal_group(pid, signal.SIGKILL)  # what it started dies with it
        program.process = None
        ran = now - program.started
        program.quick_exits = program.quick_exits + 1 if ran < CRASH_LOOP_S else 0
        delay = (RESTART_AFTER_S if not program.quick_exits else
                 min(2.0 ** (program.quick_exits - 1), MAX_BACKOFF_S))
        program.restart_at = now + delay
        program.set_state("restarting")
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        self.report(f"{program.name}: ended ({how}) after {ran:.0f} s; "
                    f"starting it again in {delay:.1f} s" + _last_lines(program.log))
        self.on_change()

    def _check(self, program: Program, now: float) -> None:
        due = HEALTH_EVERY_S if program.state != "starting" else 0.5
        if now - program.checked_at < due:
            return
        program.checked_at = now
        if program.healthy():
            program.failed_checks = 0
            if program.state != "up":
                program.set_state("up")
                self.on_change()
            return
        program.failed_checks += 1
        if program.state == "up" and program.failed_checks >= 3:
            program.set_state("not answering")
            self.on_change()

    def wait_until_up(self, timeout: float, names: list[str] | None = None,
                      keep_going: Callable[[], bool] = lambda: True) -> bool:
        """Poll until the named programs (all by default) are up; False on time-out or stop."""
        deadline = time.monotonic() + timeout
        chosen = [p for p in self.programs if names is None or p.name in names]
        while time.monotonic() < deadline and keep_going() and not self.stopping:
            self.poll()
            if all(p.state == "up" for p in chosen):
                return True
            time.sleep(0.2)
        return False

    # -- stopping ----------------------------------------------------------------------------
    def stop_all(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM to every program's group (the balancer first), SIGKILL what remains after
        ``grace`` seconds; returns when every group is empty."""
        self.stopping = True
        order = sorted(self.programs, key=lambda p: p.kind != "balancer")
        pids = [p.process.pid for p in order if p.process is not None]
        for pid in pids:
            signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for program in order:
            if program.process is not None:
                try:
                    program.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    pass
        while any(group_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in pids:
            signal_group(pid, signal.SIGKILL)
        for program in order:
            if program.process is not None:
                program.process.wait()
                program.process = None
            program.restart_at = None
            program.set_state("stopped")
        settled = time.monotonic() + 5  # killed processes leave their groups as they are reaped
        while any(group_alive(pid) for pid in pids) and time.monotonic() < settled:
            time.sleep(0.05)


def _last_lines(log: Path, count: int = 8) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()[-count:]
    except OSError:
        return ""
    return "".join(f"\n    {line}" for line in lines)
