"""Every benchmark still runs: its imports resolve, and its quick mode runs on the sample.

The figures in docs/benchmarks.md come from the scripts in bench/, so a module moved or renamed
must fail here, not in a reader's hands. Imports are read from each script's syntax tree (some
import only after parsing their arguments); then each step of bench/run_all.py runs with its
smallest settings, on the shipped sample, and must finish without an error.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from bench.run_all import STEPS

BENCH = sorted((ROOT / "bench").glob("*.py"))
OURS = ("explainer", "bench", "pages")
TESTS_HELPERS = {path.stem for path in (ROOT / "tests").glob("*.py")}


def imports_of(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names) for every import statement of a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, tuple(alias.name for alias in node.names)))
    return found


def defined_in(path: Path) -> set[str]:
    """The names a module defines at its top level (functions, classes, constants, imports)."""
    if not path.is_file():
        return set()
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                parts = target.elts if isinstance(target, ast.Tuple) else [target]
                names |= {part.id for part in parts if isinstance(part, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


@pytest.mark.parametrize("path", BENCH, ids=lambda p: p.name)
def test_every_import_of_a_bench_script_resolves(path):
    missing = []
    for module, names in imports_of(path):
        top = module.split(".")[0]
        if top in TESTS_HELPERS:  # the tests' helpers, which some benches reuse
            continue
        if importlib.util.find_spec(top) is None:
            missing.append(module)
            continue
        if top not in OURS:
            continue
        if top == "bench":  # read, not imported: some patch the standard library (locust)
            missing += [f"{module}.{name}" for name in names
                        if name not in defined_in(ROOT / (module.replace(".", "/") + ".py"))]
            continue
        try:
            loaded = importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"{module} ({exc})")
            continue
        for name in names:
            if not hasattr(loaded, name) and importlib.util.find_spec(f"{module}.{name}") is None:
                missing.append(f"{module}.{name}")
    assert missing == [], f"{path.name} imports what is not there: {missing}"


def test_every_figure_script_is_a_step_of_run_all():
    libraries = {"__init__", "appserver", "streamlit_client", "timed_server",
                 "emulated_training", "load_browsers", "run_all", "cluster", "load_users",
                 "load_target", "load_report",
                 "digit_strokes", "draw_digits"}  # the drawn digits' strokes, and their maker
    stepped = {Path(arg).stem for step in STEPS for arg in step.args if arg.endswith(".py")}
    stepped |= {arg.rsplit(".", 1)[-1] for step in STEPS for arg in step.args
                if arg.startswith("bench.")}
    figure_scripts = {path.stem for path in BENCH} - libraries
    assert figure_scripts - stepped == set()


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_the_quick_mode_of_each_benchmark_runs_on_the_sample(step, tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "MNIST_DIR"}
    env.update({"EXPLAINER_CACHE_DIR": str(tmp_path / "cache"), "TF_CPP_MIN_LOG_LEVEL": "2",
                **dict(step.env)})
    result = subprocess.run([sys.executable, *step.quick], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout[-1500:], result.stderr[-3000:])
    assert result.stdout.strip(), "it printed no figures"


def test_run_all_writes_each_step_into_its_section(tmp_path):
    document = tmp_path / "benchmarks.md"
    document.write_text("# Benchmarks\n\nWords of our own.\n\n<!-- bench:predict -->\nold\n"
                        "<!-- /bench:predict -->\n\nMore words.\n")
    result = subprocess.run([sys.executable, "bench/run_all.py", "--quick", "--only", "predict",
                             "--out", str(document)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    text = document.read_text()
    assert "Words of our own." in text and "More words." in text and "\nold\n" not in text
    assert text.count("<!-- bench:predict -->") == 1
    assert "python bench/predict.py --repeats 10" in text
