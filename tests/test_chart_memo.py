"""Charts asked for again with the same numbers are built once, and a kept chart never changes."""

import ast
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from helpers import open_page

import explainer.charts
from explainer.charts import descent, neuron
from explainer.charts.memo import Unkeyable, key_of, remembered
from explainer.concepts.lessons import nudging
from explainer.content import journey


def remembered_builders():
    """Every builder in explainer.charts that keeps its figures, by name."""
    found = {}
    for info in pkgutil.iter_modules(explainer.charts.__path__):
        module = importlib.import_module(f"explainer.charts.{info.name}")
        for name, value in vars(module).items():
            if callable(value) and hasattr(value, "kept") and hasattr(value, "build"):
                found[f"{info.name}.{name}"] = value
    return found


def test_keys_are_equal_exactly_when_the_values_are():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert key_of(a) == key_of(a.copy())
    assert key_of(a) != key_of(a.astype(np.float64))
    assert key_of(a) != key_of(a.reshape(3, 2))
    changed = a.copy()
    changed[1, 2] = 5.5
    assert key_of(a) != key_of(changed)
    assert key_of(a[:, ::2]) == key_of(np.ascontiguousarray(a[:, ::2]))
    assert len({key_of(1), key_of(1.0), key_of(True), key_of("1")}) == 4
    assert key_of([1, (2, "x")]) != key_of((1, (2, "x")))
    assert key_of({"b": 1, "a": 2}) == key_of({"a": 2, "b": 1})

    @dataclass
    class Point:
        x: float
        weights: np.ndarray

    assert key_of(Point(1.0, a)) == key_of(Point(1.0, a.copy()))
    assert key_of(Point(1.0, a)) != key_of(Point(2.0, a))
    with pytest.raises(Unkeyable):
        key_of(object())


def test_a_remembered_builder_builds_once_per_key_and_keeps_the_last_few():
    calls = []

    @remembered(maxsize=2)
    def build(values, scale=1.0):
        calls.append(scale)
        return {"sum": float(np.sum(values)) * scale}

    first = build(np.ones(3))
    assert build(np.ones(3)) is first
    assert build(np.ones(3), scale=2.0) == {"sum": 6.0}
    assert calls == [1.0, 2.0]
    build(np.zeros(3))  # a third key pushes out the least recently used (scale 1.0)
    assert build(np.ones(3), scale=2.0)["sum"] == 6.0
    build(np.ones(3))
    assert calls == [1.0, 2.0, 1.0, 1.0]


def test_arguments_that_make_no_key_are_built_every_time():
    calls = []

    @remembered()
    def build(thing):
        calls.append(thing)
        return len(calls)

    marker = object()
    assert build(marker) == 1 and build(marker) == 2


def test_a_kept_chart_is_the_one_the_builder_makes():
    fig = neuron.activation_curve("ReLU", 0.7, 0.1)
    assert neuron.activation_curve("ReLU", 0.7, 0.1) is fig
    assert fig.to_dict() == neuron.activation_curve.build("ReLU", 0.7, 0.1).to_dict()
    assert neuron.activation_curve("sigmoid", 0.7, 0.1) is not fig


def test_builders_that_start_from_another_chart_do_not_change_the_kept_one():
    w = np.linspace(-2, 2, 41)
    c = (w - 0.5) ** 2
    title = "Two nudges, two forward passes"  # the curve nudge_figure draws on
    base = descent.cost_curve(w, c, title).to_json()
    descent.nudge_figure(w, c, nudging.nudge(1.0, 0.5))
    assert descent.cost_curve(w, c, title).to_json() == base


def test_no_chart_builder_calls_a_remembered_one_except_through_build():
    """A builder that adds to another's figure must start from a fresh one (``.build``)."""
    remembered_names = {name.split(".")[1] for name in remembered_builders()}
    for info in pkgutil.iter_modules(explainer.charts.__path__):
        path = Path(explainer.charts.__path__[0]) / f"{info.name}.py"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in remembered_names, (
                    f"{info.name}.py line {node.lineno} calls {node.func.id}(); use "
                    f"{node.func.id}.build() so the kept figure stays as it was")


def test_the_concept_charts_are_remembered():
    names = remembered_builders()
    for expected in ("neuron.dense_layer", "curves.fit_animation", "descent.cost_curve",
                     "network_diagram.network_diagram", "draw.pixels_figure",
                     "output.scores_and_probabilities", "patterns.signed"):
        assert expected in names


@pytest.mark.parametrize("page", [s.page for s in journey.stops()
                                  if s.section in ("Building blocks", "Learning")])
def test_showing_a_page_again_leaves_every_kept_chart_as_it_was(page):
    """A page that changed a chart it was handed would change it again on the next rerun."""
    at = open_page(page)
    assert not at.exception
    kept = {(name, key): fig.to_json() for name, builder in remembered_builders().items()
            for key, fig in list(builder.kept.items()) if hasattr(fig, "to_json")}
    assert kept, "the page showed no remembered chart"
    at.run()
    at.run()
    assert not at.exception
    for (name, key), before in kept.items():
        builder = remembered_builders()[name]
        if key in builder.kept:
            assert builder.kept[key].to_json() == before, f"{name} was changed after it was kept"
