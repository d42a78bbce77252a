"""One visual language: every chart draws from the style's palette; every page is on the path."""

import colorsys
import json
import re

import numpy as np
import pytest
from helpers import open_page, show_me, task_keys
from palette_walk import problems, rgb

from explainer.charts import network_diagram, neuron, optimizers, output, style
from explainer.concepts.nn import backward_pass, network
from explainer.content import journey
from explainer.content.glossary import TERMS, find

CONCEPT_PAGES = [s.page for s in journey.stops()
                 if s.section in ("Start", "Building blocks", "Learning", "Review")]


def test_the_palette_walk_catches_an_outside_colour_and_a_white_background():
    assert problems('{"data": [{"line": {"color": "#1f77b4"}}], "layout": {}}')
    assert problems('{"data": [], "layout": {"plot_bgcolor": "white"}}')
    assert problems('{"data": [{"colorscale": "RdBu"}], "layout": {}}')
    fine = json.dumps({"data": [{"line": {"color": style.POSITIVE},
                                 "colorscale": [[0, "#FFFFFF"], [1, "#000000"]]}],
                       "layout": {"plot_bgcolor": "rgba(0, 0, 0, 0)",
                                  "template": {"x": "#123456"}}})
    assert problems(fine) == []


def test_positive_and_negative_keep_their_colours():
    assert style.sign_colour(0.5) == style.POSITIVE
    assert style.sign_colour(-0.5) == style.NEGATIVE
    assert style.verdict(True) == (style.RIGHT, style.RIGHT_MARK)
    assert style.verdict(False) == (style.WRONG, style.WRONG_MARK)


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def reveal_every_task(at):
    """Press Show me on every task, so the charts that wait for a guess are drawn too."""
    for key in task_keys(at):
        if at.button(key=f"{key}_show") is not None:
            show_me(at, key)
    return at


# Settings that draw other charts or other colours: (widget kind, key, value).
STATES = {
    "pages/output_loss.py": [("radio", "source", "A real digit, random weights")],
    "pages/backprop.py": [("select_slider", "backprop_stage", stage) for stage in range(1, 6)]
    + [("selectbox", "act", "tanh")],
    "pages/optimizers.py": [("selectbox", "surface", name) for name in
                            ("Banana valley", "Small model: weight and bias")],
    "pages/patterns.py": [("selectbox", "template", "loop")],
    "pages/neurons.py": [("radio", "activation", "ReLU")],
}


def walk_states(at, page):
    """The page as it opens, then after each setting of STATES: every chart spec seen."""
    seen = chart_specs(reveal_every_task(at))
    for kind, key, value in STATES.get(page, []):
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception
        seen += chart_specs(at)
    return seen


@pytest.mark.parametrize("page", CONCEPT_PAGES)
def test_every_chart_of_a_page_speaks_the_visual_language(page):
    at = open_page(page, timeout=60)
    assert not at.exception
    specs = walk_states(at, page)
    found = {f"chart {i}: {p}" for i, spec in enumerate(specs)
             for p in problems(json.dumps(spec))}
    assert not found, "\n".join(sorted(found))
    for spec in specs:  # every title fits a phone, and legends sit under the plot
        title = spec["layout"].get("title", {}).get("text") or ""
        lines = [re.sub(r"<[^>]+>", "", line) for line in title.split("<br>")]
        assert all(len(line) <= style.TITLE_CHARACTERS for line in lines), title
        legend = spec["layout"].get("legend", {})
        if legend.get("y", 0) > 0.5:
            assert legend.get("yref") != "container", legend


def hue(colour: str) -> float:
    r, g, b = (v / 255 for v in rgb(colour))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_categories_are_neither_blue_nor_orange():
    assert hue(style.POSITIVE) == pytest.approx(202, abs=5)  # the reference hues themselves
    assert hue(style.NEGATIVE) == pytest.approx(26, abs=5)
    for colour in style.CATEGORIES:
        h = hue(colour)
        assert not 180 <= h <= 250, (colour, h)  # blue, sky blue
        assert not 15 <= h <= 50, (colour, h)  # orange, amber
    assert len(set(style.CATEGORIES)) == len(style.CATEGORIES)


def test_the_optimizers_are_drawn_in_categories_with_their_own_line():
    from explainer.concepts.lessons import descent as d

    surface = d.SURFACES["Long narrow valley"]
    paths = [d.descend_2d(surface, name, rate, 20)
             for name, rate in surface.learning_rates.items()]
    w1, w2, grid = d.surface_grid(surface)
    race = optimizers.contour_paths.build(w1, w2, grid, paths, surface.labels, surface.minimum)
    costs = optimizers.cost_per_step.build({p.optimizer: list(p.costs) for p in paths})
    lines = [t for t in (*race.data, *costs.data) if t.type == "scatter" and t.name]
    assert {t.name for t in lines} == set(optimizers.ORDER)
    for trace in lines:
        assert trace.line.color in style.CATEGORIES, (trace.name, trace.line.color)
    assert len({t.line.dash for t in costs.data}) == 4  # told apart without colour too
    titles = [a.text for a in race.layout.annotations]
    assert "<b>Gradient descent</b><br>rate 0.18" in titles  # the number says what it is
    rows = {round(axis.domain[0], 2) for axis in race.select_yaxes()}
    assert len(rows) == 2  # two panels a row at most


def test_scores_are_coloured_by_sign_and_the_correct_digit_is_marked_and_framed():
    scores = np.array([0.5, -1.0, 0.2, 3.0, -0.5, 1.0, 0.0, -2.0, 1.5, 0.3])
    p = np.exp(scores) / np.exp(scores).sum()
    fig = output.scores_and_probabilities.build(scores, p, 3)
    bars, probabilities = fig.data
    assert list(bars.marker.color) == [style.POSITIVE if v >= 0 else style.NEGATIVE
                                       for v in scores]
    assert probabilities.marker.color == style.MODEL
    assert bars.x[3] == f"3 {style.RIGHT_MARK}" and style.RIGHT_MARK not in "".join(
        bars.x[:3] + bars.x[4:])
    frames = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(frames) == 2 and all(s.x0 < 3 < s.x1 for s in frames)


def test_the_draw_page_scores_are_coloured_by_sign_and_its_answer_is_starred():
    from explainer.charts import draw

    scores = np.linspace(-3, 5, 10)
    bars = draw.scores_figure.build(scores, np.full(10, 0.1)).data[0]
    assert list(bars.marker.color) == [style.sign_colour(v) for v in scores]
    assert bars.text[9].startswith("★") and bars.marker.line.color[9] == style.MODEL
    assert not any(t.startswith("★") for t in bars.text[:9])


def test_the_layer_fills_each_cell_by_the_sign_of_its_value():
    fig = neuron.dense_layer.build([1.0, 1.0], np.ones((3, 2)), [0, 0, 0], [0.8, -0.5, 0.0], 0)
    cells = fig.data[-1]
    assert list(cells.marker.color) == [style.with_alpha(style.POSITIVE, 0.3),
                                        style.with_alpha(style.NEGATIVE, 0.3), style.NEUTRAL]
    assert cells.marker.line.color[0] == style.CHANGING  # yours, ringed in purple
    r, g, b = rgb(style.CHANGING)
    assert r > g and b > g  # purple: red and blue over green


def diagram(stage: int, seed: int, activation: str = "relu"):
    net = network.init_network((2, 3, 2), activation, seed=seed, bias_scale=0.5, decimals=2)
    x = np.array([[0.5, -1.0]])
    fp = network.forward(net, x, [1])
    back = backward_pass.backward(net, fp, [1])
    fig = network_diagram.network_diagram.build(net, fp, back, stage, network.cell_names((2, 3, 2)),
                                                1)
    return fig, net, fp


def label_box(annotation) -> tuple[float, float, float, float]:
    """An annotation's box in pixels at the narrowest width the diagram is drawn (a phone)."""
    px, py = network_diagram.PIXELS_PER_UNIT
    lines = annotation.text.replace("<b>", "").replace("</b>", "").split("<br>")
    width = max(len(line) for line in lines) * 0.6 * network_diagram.FONT + 6
    height = len(lines) * 1.25 * network_diagram.FONT + 4
    x, y = annotation.x * px, annotation.y * py
    top = y if annotation.yanchor == "top" else y + height / 2
    return x - width / 2, x + width / 2, top - height, top


def overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


@pytest.mark.parametrize("seed", [1, 5])
@pytest.mark.parametrize("stage", [0, 2, 4, 5])
def test_the_backprop_labels_sit_on_their_wires_and_never_overlap_on_a_phone(stage, seed):
    fig, net, fp = diagram(stage, seed)
    notes = list(fig.layout.annotations)
    weights = [a for a in notes if a.hovertext and "→" in a.hovertext]
    assert len(weights) == 12
    boxes = [label_box(a) for a in notes]
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not overlap(a, boxes[j]), (notes[i].text, notes[j].text)
    wires = [t for t in fig.data if t.mode == "lines"]
    for note in weights:  # each weight's label lies on a wire
        gaps = []
        for wire in wires:
            (x0, x1), (y0, y1) = wire.x, wire.y
            t = (note.y - y0) / (y1 - y0)
            gaps.append(abs(x0 + t * (x1 - x0) - note.x))
        assert min(gaps) < 1e-9
    text = " ".join(t for trace in fig.data if trace.text for t in trace.text)
    assert "sum" in text and "output" in text and "prob." in text
    if stage >= 1:
        assert "blame" in " ".join(a.text for a in notes)
    for letter in ("z ", "a ", "p ", "g "):  # the letters wait for Go deeper
        assert letter not in text


def test_the_backprop_cells_are_filled_by_the_sign_of_their_output():
    fig, net, fp = diagram(0, 1, "tanh")
    hidden = next(t for t in fig.data if t.mode == "markers+text" and "hidden" not in str(t.name)
                  and len(t.x) == 3)
    for value, fill in zip(fp.a[1][0], hidden.marker.color):
        expected = style.NEUTRAL if abs(value) < 1e-12 else style.with_alpha(
            style.sign_colour(value), 0.28)
        assert fill == expected


def test_the_loss_chart_starts_at_zero_even_with_one_point():
    fig = network_diagram.loss_history_figure.build([1.01], [0])
    assert fig.layout.xaxis.range[0] == 0 and fig.layout.xaxis.range[1] >= 10
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] > 1.01


def test_a_long_title_wraps_to_fit_a_phone_and_the_legend_sits_below():
    import plotly.graph_objects as go

    fig = style.tidy(go.Figure(), 300, title="The cross-entropy of each digit, and their mean: "
                                            "the cost")
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) == 2 and all(len(line) <= style.TITLE_CHARACTERS for line in lines)
    assert fig.layout.margin.t >= 14 + 20 * 2
    assert (fig.layout.legend.yref, fig.layout.legend.y) == ("container", 0)


@pytest.mark.parametrize("page", [s.page for s in journey.stops()])
def test_every_page_links_to_its_neighbours_on_the_journey(page):
    at = open_page(page)
    before, after = journey.neighbours(page)
    labels = [link.proto.label for link in at.get("page_link")]
    if before is not None:
        assert f"Previous: {before.title}" in labels
    if after is not None:
        assert f"Next: {after.title}" in labels
    assert before is not None or after is not None


def test_the_glossary_closes_the_journey_and_every_term_lookup_names_an_entry():
    assert journey.stops()[-1].page == "pages/glossary.py"
    for term in TERMS:
        assert find(term.name.upper()) is term
    for name in ("Deep", "Hidden layer", "Label", "ReLU", "Sigmoid", "One-hot", "Derivative",
                 "Chain rule", "Dropout", "CNN", "Feature engineering", "GPU"):
        assert find(name) is not None, name
