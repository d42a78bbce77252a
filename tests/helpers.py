"""Helpers for page tests: run the app through its router and open one page."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def open_page(page: str, timeout: float = 30):
    """Run the app through its router and switch to one page; returns the AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    at.switch_page(page)
    at.run()
    return at


def open_with_link(page: str, params: dict[str, str], timeout: float = 60):
    """The app opened from a shared link: these URL parameters, then the page (no exception)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


WIDGETS = ("Button", "Checkbox", "ColorPicker", "DateInput", "Multiselect", "NumberInput",
           "Radio", "Selectbox", "SelectSlider", "Slider", "TextArea", "TextInput", "TimeInput",
           "Toggle", "ButtonGroup")
HIDDEN_BLOCKS = ("expander", "popover", "tab")


def visible_controls(at) -> list[str]:
    """Keys (or kinds) of the widgets a visitor sees before expanding anything.

    Widgets inside expanders, popovers and tabs other than the first are left out, and so are the
    check-yourself tasks (keys starting with ``check_``).
    """
    found = []

    def walk(node, hidden):
        children = getattr(node, "children", None)
        if children is not None:
            kind = getattr(node, "type", None)
            for index, child in children.items():
                inner_hidden = hidden or kind in ("expander", "popover") or (
                    kind == "tab_container" and index != 0)
                walk(child, inner_hidden)
            return
        name = type(node).__name__
        key = getattr(node, "key", None) or ""
        if not hidden and name in WIDGETS and not str(key).startswith("check_"):
            found.append(str(key) or name)

    walk(at._tree, False)
    return found
