"""Per-session temporary folders for the ``.keras`` files workers write, removed with the session.

A training's worker writes its model's ``.keras`` file into its session's folder, and the Train
page's download reads it from there, so the web process never holds those bytes. A sweeper thread
removes a folder once its session has ended, and everything is removed when the server exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

SWEEP_EVERY_S = 5.0

_lock = threading.Lock()
_root: Path | None = None
_folders: dict[str, tuple[Path, Callable[[], bool]]] = {}
_sweeper: threading.Thread | None = None


def _remove_root() -> None:
    if _root is not None:
        shutil.rmtree(_root, ignore_errors=True)


def folder_for(session: str, alive: Callable[[], bool]) -> Path:
    """This session's folder (made on first use); removed once ``alive()`` turns False."""
    global _root, _sweeper
    with _lock:
        if _root is None:
            _root = Path(tempfile.mkdtemp(prefix="explainer-models-"))
            atexit.register(_remove_root)
        if session not in _folders or not _folders[session][0].is_dir():
            folder = Path(tempfile.mkdtemp(prefix="session-", dir=_root))
            _folders[session] = (folder, alive)
        if _sweeper is None:
            _sweeper = threading.Thread(target=_sweep_forever, name="session-files", daemon=True)
            _sweeper.start()
        return _folders[session][0]


def sweep() -> list[Path]:
    """Remove the folders of sessions that have ended; the folders removed."""
    with _lock:
        gone = [key for key, (_, alive) in _folders.items() if not alive()]
        removed = [_folders.pop(key)[0] for key in gone]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def _sweep_forever() -> None:
    while True:
        time.sleep(SWEEP_EVERY_S)
        sweep()


def keep_only(model: Path) -> None:
    """Remove the other ``.keras`` files of the model's folder: one model per session."""
    for older in Path(model).parent.glob("model-*.keras"):
        if older != Path(model):
            older.unlink(missing_ok=True)
