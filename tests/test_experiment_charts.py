"""The experiments' charts: every run drawn, the walk-through's network stands out, no white."""

from __future__ import annotations

import pytest

from explainer.charts import experiments as charts
from explainer.charts import style

BASELINE = "The walk-through's network"
CURVES = [(BASELINE, [0.962, 0.971, 0.975, 0.978, 0.979]),
          ("No scaling: inputs 0-255", [0.88, 0.90, 0.91, 0.91, 0.912]),
          ("One epoch instead of five", [0.961]),
          ("Sigmoid instead of ReLU", [0.93, 0.95, 0.96, 0.965, 0.97]),
          ("16 hidden cells instead of 512", [0.92, 0.94, 0.945, 0.95, 0.951]),
          ("No hidden layer (784-10)", [0.90, 0.91, 0.92, 0.923, 0.925])]


def test_accuracy_per_epoch_draws_every_run_with_the_baseline_emphasised():
    fig = charts.accuracy_per_epoch_chart(CURVES, BASELINE)
    assert [trace.name for trace in fig.data] == [name for name, _ in CURVES]
    first = fig.data[0]
    assert list(first.x) == [1, 2, 3, 4, 5]
    assert list(first.y) == pytest.approx([96.2, 97.1, 97.5, 97.8, 97.9])  # percent
    assert first.line.color == charts.BASELINE_COLOUR
    others = fig.data[1:]
    assert all(trace.line.width < first.line.width for trace in others)
    # every change can be told apart: no two share colour and dash, none takes the baseline's
    styles = {(trace.line.color, trace.line.dash) for trace in others}
    assert len(styles) == len(others)
    assert all(trace.line.color != charts.BASELINE_COLOUR for trace in others)
    assert list(fig.data[2].x) == [1] and list(fig.data[2].y) == pytest.approx([96.1])


def test_accuracy_bars_are_sorted_with_the_baseline_marked():
    names = [name for name, _ in CURVES]
    final = [curve[-1] for _, curve in CURVES]
    fig = charts.accuracy_bars(names, final, BASELINE)
    bar = fig.data[0]
    assert list(bar.x) == sorted(100 * value for value in final)
    assert list(bar.y)[-1] == BASELINE  # the best at the top of a horizontal bar chart
    colours = dict(zip(bar.y, bar.marker.color))
    assert colours[BASELINE] == charts.BASELINE_COLOUR
    assert {colours[n] for n in names if n != BASELINE} == {style.DATA}
    assert fig.layout.shapes[0].x0 == pytest.approx(97.9)  # the baseline's line
    assert "91.2%" in bar.text


@pytest.mark.parametrize("build", [
    lambda: charts.accuracy_per_epoch_chart(CURVES, BASELINE),
    lambda: charts.accuracy_bars([n for n, _ in CURVES], [c[-1] for _, c in CURVES], BASELINE),
])
def test_charts_use_the_palette_on_a_transparent_background(build):
    fig = build()
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == charts.TRANSPARENT
    assert fig.layout.font.color is None  # the theme chooses the text colour
    used = set()
    for trace in fig.data:
        if getattr(trace, "line", None) is not None and trace.line.color:
            used.add(trace.line.color)
        colour = getattr(trace.marker, "color", None)
        if isinstance(colour, str):
            used.add(colour)
        elif colour is not None:
            used.update(colour)
    assert used and used <= style.PALETTE


def test_no_runs_yet_still_draws_empty_charts():
    assert len(charts.accuracy_per_epoch_chart([], BASELINE).data) == 0
    assert len(charts.accuracy_bars([], [], BASELINE).data[0].x or []) == 0
