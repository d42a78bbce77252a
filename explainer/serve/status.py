"""What the host sees: the servers, nginx and the queue's workers, as the serve command keeps them.

The serve command writes a small JSON file whenever a program changes state and every few
seconds; each Streamlit server learns its path from ``EXPLAINER_SERVE_STATUS`` and its host page
reads it. The trainings are not in the file: they come from ``hooks.training_status()``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

STATUS_VARIABLE = "EXPLAINER_SERVE_STATUS"  # the status file, set for every server it starts
SERVER_VARIABLE = "EXPLAINER_SERVER_NAME"  # "s1", "s2"...: which server this process is
HOST_KEY_VARIABLE = "EXPLAINER_HOST_KEY"  # the key of the host page's link
SHARE_URL_VARIABLE = "EXPLAINER_SHARE_URL"  # the address the class opens


@dataclass(frozen=True)
class ProgramStatus:
    """One supervised process as the host page shows it."""

    name: str
    kind: str  # "server", "balancer", "worker"
    state: str  # starting, up, not answering, restarting, stopped
    pid: int | None
    port: int | None
    restarts: int
    since: float  # wall-clock time of its last change of state


@dataclass(frozen=True)
class ClusterStatus:
    """The serve command's view of everything it started."""

    address: str
    started: float
    updated: float
    programs: tuple[ProgramStatus, ...]

    def of_kind(self, kind: str) -> list[ProgramStatus]:
        return [p for p in self.programs if p.kind == kind]

    def up(self, kind: str) -> int:
        return sum(p.state == "up" for p in self.of_kind(kind))


@dataclass(frozen=True)
class TrainingStatus:
    """The trainings as the training side counts them (``hooks.training_status``)."""

    running_count: int
    waiting: int
    workers: int | None = None  # queue workers connected, when there is a queue


def write(path: Path, address: str, started: float, programs) -> None:
    """Replace the status file at once (write a new file, then rename it over the old one)."""
    status = ClusterStatus(address, started, time.time(), tuple(
        ProgramStatus(p.name, p.kind, p.state, p.pid, p.port, p.restarts, p.since)
        for p in programs))
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(json.dumps(asdict(status), indent=1))
    os.replace(temporary, path)


def read(path: Path | str | None = None) -> ClusterStatus | None:
    """The status the serve command last wrote; None outside it or when the file is unreadable."""
    path = path or os.environ.get(STATUS_VARIABLE)
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text())
        return ClusterStatus(data["address"], data["started"], data["updated"],
                             tuple(ProgramStatus(**p) for p in data["programs"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def served() -> bool:
    """Whether this process is one of the serve command's servers."""
    return bool(os.environ.get(STATUS_VARIABLE))
