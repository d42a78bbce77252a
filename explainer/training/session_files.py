"""Temporary folders for the ``.keras`` files workers write, removed once nobody can use them.

A training's worker writes its model's ``.keras`` file into its visitor's folder, and the Train
page's download reads it from there, so the web process never holds those bytes. A folder is kept
per browser (per session when the browser sent no cookie), so a reloaded tab still finds the file
of the training it took over; it is removed once every session that used it has ended. All of a
server's folders sit in one ``explainer-models-<pid>-*`` folder, removed when the server exits;
one left behind by a server that crashed is removed at the next start, when its process is gone
(other servers of the same host keep theirs).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

SWEEP_EVERY_S = 5.0
PREFIX = "explainer-models-"

_lock = threading.Lock()
_root: Path | None = None
_folders: dict[str, tuple[Path, dict[str, Callable[[], bool]]]] = {}
_sweeper: threading.Thread | None = None


def _remove_root() -> None:
    if _root is not None:
        shutil.rmtree(_root, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_leftovers(folder: Path | None = None) -> list[Path]:
    """Remove the model folders of servers whose process is gone; the folders removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    for candidate in folder.glob(f"{PREFIX}*"):
        found = re.match(rf"{PREFIX}(\d+)-", candidate.name)
        if found and candidate.is_dir() and not process_alive(int(found[1])):
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


def folder_for(key: str, session: str, session_exists: Callable[[], bool]) -> Path:
    """The folder for ``key`` (a browser, or a session); kept while a session using it lives."""
    global _root, _sweeper
    with _lock:
        if _root is None:
            remove_leftovers()
            _root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
            atexit.register(_remove_root)
        if key not in _folders or not _folders[key][0].is_dir():
            _folders[key] = (Path(tempfile.mkdtemp(prefix="visitor-", dir=_root)), {})
        folder, users = _folders[key]
        users[session] = session_exists
        if _sweeper is None:
            _sweeper = threading.Thread(target=_sweep_forever, name="session-files", daemon=True)
            _sweeper.start()
        return folder


def sweep() -> list[Path]:
    """Remove the folders whose sessions have all ended; the folders removed."""
    with _lock:
        for _, users in _folders.values():
            for session in [s for s, exists in users.items() if not exists()]:
                del users[session]
        gone = [key for key, (_, users) in _folders.items() if not users]
        removed = [_folders.pop(key)[0] for key in gone]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def _sweep_forever() -> None:
    while True:
        time.sleep(SWEEP_EVERY_S)
        sweep()


def keep_only(model: Path) -> None:
    """Remove the other ``.keras`` files of the model's folder: one model per visitor."""
    for older in Path(model).parent.glob("model-*.keras"):
        if older != Path(model):
            older.unlink(missing_ok=True)
