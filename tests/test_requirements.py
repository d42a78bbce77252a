"""Pinned installs: what the code imports is declared, the compiled files match their inputs.

requirements.in and requirements-dev.in list the direct needs; requirements.txt and
requirements-dev.txt pin them and everything they pull in (docs/development.md: Pinned installs).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_CODE = ["app.py", "pages", "explainer"]
DEV_CODE = ["tests", "bench", "scripts"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(name: str) -> dict[str, str | None]:
    """Package -> pinned version (None when unpinned) of a requirements file, its -r files too."""
    found: dict[str, str | None] = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-c "):
            continue
        if line.startswith("-r "):
            found.update(requirements(line[3:].strip()))
            continue
        pinned = PIN.match(line)
        if pinned:
            found[normalized(pinned[1])] = pinned[3]
        else:
            found[normalized(re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0])] = None
    return found


def python_files(places: list[str]) -> list[Path]:
    files = []
    for place in places:
        path = ROOT / place
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def local_names() -> set[str]:
    """Top-level names that are this repository's own: its folders, and modules that a script
    or a test imports from beside itself (pythonpath = [".", "tests"])."""
    names = {path.stem for path in ROOT.glob("*.py")}
    names |= {path.name for path in ROOT.iterdir() if path.is_dir()}
    for folder in DEV_CODE:
        names |= {path.stem for path in (ROOT / folder).rglob("*.py")}
    return names


def third_party_imports(places: list[str]) -> dict[str, list[str]]:
    """Top-level module -> the files importing it, for modules neither standard nor our own."""
    skip = set(sys.stdlib_module_names) | local_names() | {"__future__"}
    found: dict[str, list[str]] = {}
    for path in python_files(places):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".", 1)[0]
                if top not in skip:
                    found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


def undeclared(places: list[str], declared: set[str]) -> dict[str, list[str]]:
    distributions = metadata.packages_distributions()
    return {module: files for module, files in third_party_imports(places).items()
            if not {normalized(name) for name in distributions.get(module, [module])} & declared}


def test_what_the_app_imports_is_a_direct_need_of_the_app():
    assert undeclared(APP_CODE, set(requirements("requirements.in"))) == {}


def test_what_the_tests_and_benchmarks_import_is_a_direct_need():
    assert undeclared(DEV_CODE, set(requirements("requirements-dev.in"))) == {}


def test_the_scan_sees_the_app_s_imports():
    # guards the two tests above against passing on a scan that finds nothing
    assert {"numpy", "streamlit", "pandas", "PIL", "keras"} <= set(third_party_imports(APP_CODE))
    assert {"pytest", "playwright"} <= set(third_party_imports(DEV_CODE))


def test_the_compiled_files_pin_every_package_and_hold_the_inputs_versions():
    for source, compiled in [("requirements.in", "requirements.txt"),
                             ("requirements-dev.in", "requirements-dev.txt")]:
        pins = requirements(compiled)
        assert len(pins) > 40, compiled  # the transitive packages too
        assert all(pins.values()), f"{compiled}: every line is pinned with =="
        for name, version in requirements(source).items():
            assert name in pins, f"{name} of {source} is not in {compiled}: compile it again"
            if version:
                assert pins[name] == version, f"{name}: {source} says {version}, {compiled} "\
                    f"{pins[name]}: compile it again"


def test_the_test_set_holds_the_app_s_pins():
    app, dev = requirements("requirements.txt"), requirements("requirements-dev.txt")
    assert {name: dev.get(name) for name in app} == app


def test_one_python_range_in_pyproject_python_version_and_readme():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    low, high = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", project["requires-python"]).groups()
    minors = list(range(int(low), int(high)))
    default = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", default) and int(default[2:]) in minors
    stated = ", ".join(f"3.{minor}" for minor in minors[:-1]) + f" or 3.{minors[-1]}"
    assert f"Python {stated}" in (ROOT / "README.md").read_text()
