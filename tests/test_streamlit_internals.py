"""Streamlit's private pieces the app relies on are all there, in the pinned Streamlit.

pages/shared/streamlit_internals.py is the only module that reaches into Streamlit's internals;
after an upgrade this test names each piece that moved, so the fix is one module, not a hunt.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import streamlit

from pages.shared import streamlit_internals

ROOT = Path(__file__).resolve().parents[1]


def pinned_streamlit() -> str:
    found = re.search(r"^streamlit==(\S+)", (ROOT / "requirements.in").read_text(), re.M)
    assert found, "requirements.in pins no streamlit version"
    return found[1]


def test_the_installed_streamlit_is_the_pinned_one():
    pinned = pinned_streamlit()
    assert metadata.version("streamlit") == streamlit.__version__ == pinned, (
        f"Streamlit {streamlit.__version__} is installed but {pinned} is pinned: after an upgrade, "
        "check pages/shared/streamlit_internals.py against the new version and pin it.")


def test_every_internal_piece_is_there():
    gone = streamlit_internals.missing()
    assert not gone, (f"Streamlit {streamlit.__version__} (pinned {pinned_streamlit()}) lacks what "
                      f"pages/shared/streamlit_internals.py relies on: {', '.join(gone)}")


def test_a_missing_piece_is_named(monkeypatch):
    monkeypatch.setattr(streamlit_internals, "RELIED_ON",
                        (("streamlit.runtime.scriptrunner", "no_such_function"),))
    monkeypatch.setattr(streamlit_internals, "SET_IN_INIT",
                        (("streamlit.runtime.runtime", "Runtime", "_no_such_manager"),))
    assert streamlit_internals.missing() == [
        "streamlit.runtime.scriptrunner.no_such_function",
        "streamlit.runtime.runtime.Runtime()._no_such_manager"]


def test_no_other_module_reaches_into_streamlit():
    private = re.compile(r"streamlit\.(runtime|web)|_session_mgr|PagesManager|get_script_run_ctx")
    users = [path.relative_to(ROOT).as_posix()
             for folder in ("pages", "explainer") for path in (ROOT / folder).rglob("*.py")
             if private.search(path.read_text())]
    users += ["app.py"] if private.search((ROOT / "app.py").read_text()) else []
    assert users == ["pages/shared/streamlit_internals.py"]


def test_outside_a_server_there_is_no_session():
    assert streamlit_internals.session_id() == "local"
    assert streamlit_internals.session_exists_check() is None
    assert streamlit_internals.session_state_of_this_run() is None
    assert streamlit_internals.xsrf_token("not a token") is None
