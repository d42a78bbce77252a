"""One visual language: every chart draws from the style's palette; every page is on the path."""

import json

import pytest
from helpers import open_page
from palette_walk import problems

from explainer.charts import style
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


@pytest.mark.parametrize("page", CONCEPT_PAGES)
def test_every_chart_of_a_page_speaks_the_visual_language(page):
    at = open_page(page)
    assert not at.exception
    found = {f"chart {i}: {p}" for i, chart in enumerate(at.get("plotly_chart"))
             for p in problems(chart.proto.spec)}
    assert not found, "\n".join(sorted(found))


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
