"""Per-session folders for the workers' .keras files: one per session, gone with the session."""

from __future__ import annotations

from explainer.training import session_files


def test_a_sessions_folder_is_kept_while_it_lives_and_removed_after():
    alive = {"a": True, "b": True}
    first = session_files.folder_for("a", lambda: alive["a"])
    other = session_files.folder_for("b", lambda: alive["b"])
    assert first.is_dir() and other.is_dir() and first != other
    assert session_files.folder_for("a", lambda: alive["a"]) == first  # the same one again
    (first / "model-1.keras").write_bytes(b"PK")
    assert session_files.sweep() == []
    alive["a"] = False
    assert session_files.sweep() == [first]
    assert not first.exists() and other.is_dir()
    again = session_files.folder_for("a", lambda: True)  # a new session with the same key
    assert again.is_dir() and again != first
    alive["b"] = False
    session_files.sweep()
    assert not other.exists()
