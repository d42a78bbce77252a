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


def chart_keys(at) -> set[str]:
    """The keys of the plotly charts the page shows (a keyed element's id ends with its key)."""
    return {chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")}


def task_keys(at) -> list[str]:
    """The check-yourself tasks on the page, by their radio's key, in page order."""
    return [radio.key for radio in at.radio if str(radio.key).startswith("check_")]


def task_box(at, key: str):
    """The bordered box of one check-yourself task: the block that holds its radio."""
    def walk(node):
        children = getattr(node, "children", None)
        if children is None:
            return None
        if any(getattr(child, "key", None) == key for child in children.values()):
            return node
        for child in children.values():
            found = walk(child)
            if found is not None:
                return found
        return None

    box = walk(at._tree)
    if box is None:
        raise AssertionError(f"no task {key} on the page")
    return box


def task_says(at, key: str) -> dict[str, list[str]]:
    """What a task's box shows, by kind: its verdict ("success", "warning"), the answer shown by
    Show me ("info"), and its buttons ("button": Show me, the try-it button)."""
    found: dict[str, list[str]] = {}

    def walk(node):
        children = getattr(node, "children", None)
        if children is not None:
            for child in children.values():
                walk(child)
            return
        kind = type(node).__name__.lower()
        if kind in ("success", "warning", "info"):
            found.setdefault(kind, []).append(node.value)
        elif kind == "button":
            found.setdefault("button", []).append(node.proto.label)

    walk(task_box(at, key))
    return found


def answer_task(at, key: str, option):
    """Pick ``option`` in a task (None clears it) and rerun; returns what its box then shows."""
    at.radio(key=key).set_value(option).run()
    assert not at.exception
    return task_says(at, key)


def show_me(at, key: str):
    """Press a task's Show me; returns what its box then shows."""
    at.button(key=f"{key}_show").click().run()
    assert not at.exception
    return task_says(at, key)


def try_it(at, key: str):
    """Press a task's try-it button (it makes the change the question is about)."""
    at.button(key=f"{key}_try").click().run()
    assert not at.exception
    return at
