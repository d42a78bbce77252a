"""Per-session folders for the workers' .keras files: one per session, gone with the session."""

from __future__ import annotations

from explainer.training import session_files


def test_a_sessions_folder_is_kept_while_it_lives_and_removed_after():
    alive = {"a": True, "b": True}
    first = session_files.folder_for("a", "a", lambda: alive["a"])
    other = session_files.folder_for("b", "b", lambda: alive["b"])
    assert first.is_dir() and other.is_dir() and first != other
    assert session_files.folder_for("a", "a", lambda: alive["a"]) == first  # the same one
    (first / "model-1.keras").write_bytes(b"PK")
    assert session_files.sweep() == []
    alive["a"] = False
    assert session_files.sweep() == [first]
    assert not first.exists() and other.is_dir()
    again = session_files.folder_for("a", "a", lambda: True)  # a new session, the same key
    assert again.is_dir() and again != first
    alive["b"] = False
    session_files.sweep()
    assert not other.exists()


def test_a_browsers_folder_lives_while_any_of_its_tabs_does():
    tabs = {"old": True, "new": True}
    folder = session_files.folder_for("browser-1", "old", lambda: tabs["old"])
    assert session_files.folder_for("browser-1", "new", lambda: tabs["new"]) == folder
    tabs["old"] = False  # the tab before a reload expired
    assert folder not in session_files.sweep() and folder.is_dir()
    tabs["new"] = False
    assert folder in session_files.sweep() and not folder.exists()


def test_leftovers_of_a_crashed_server_are_removed_and_live_servers_keep_theirs(tmp_path):
    import os
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs
    crashed = tmp_path / f"explainer-models-{gone.pid}-x1"
    running = tmp_path / f"explainer-models-{os.getpid()}-x2"
    other = tmp_path / "explainer-models-notapid"
    for folder in (crashed, running, other):
        (folder / "visitor-1").mkdir(parents=True)
    assert session_files.remove_leftovers(tmp_path) == [crashed]
    assert not crashed.exists() and running.is_dir() and other.is_dir()


def test_a_servers_folders_are_named_by_its_process():
    import os

    folder = session_files.folder_for("c", "c", lambda: True)
    assert folder.parent.name.startswith(f"explainer-models-{os.getpid()}-")
