"""Page tests for Home and Glossary, through the router."""

from helpers import ROOT, open_page

from explainer.content import journey
from explainer.content.glossary import TERMS


def test_home_shows_the_journey_with_links():
    at = open_page("pages/home.py")
    assert not at.exception
    assert at.title[0].value == "How a neural network works"
    first = at.markdown[0].value  # the idea of the whole app, in one sentence, before the map
    assert first.startswith("**A neural network is") and first.count(".") == 1
    shown = " ".join(m.value for m in at.markdown)
    for section in journey.SECTIONS[1:]:
        if journey.stops(section):
            assert section in shown


def test_home_says_what_the_walk_through_is_before_any_page_leans_on_it():
    at = open_page("pages/home.py")
    line = next(c.value for c in at.caption if "the walk-through" in c.value)
    for part in ("blog post", "talk", "page by page", "Chollet", "Deep Learning with Python"):
        assert part in line, part
    captions = [c.value for c in at.caption]
    assert captions.index(line) == 0  # said once, first, under the app's idea


def test_glossary_lists_every_term_and_filters():
    at = open_page("pages/glossary.py")
    assert not at.exception
    assert at.markdown[0].value.startswith("**The closing review of the journey")
    assert "after Draw a digit" in at.caption[0].value
    text = " ".join(m.value for m in at.markdown)
    for term in TERMS:
        assert term.name in text
    at.text_input(key="glossary_query").input("softmax").run()
    text = " ".join(m.value for m in at.markdown)
    assert "Softmax" in text and "Epoch" not in text
    at.text_input(key="glossary_query").input("zzzz-no-such-term").run()
    assert not at.exception
    assert "No term matches" in at.info[0].value


def test_every_glossary_link_points_at_a_stop_of_the_journey():
    pages = {stop.page for stop in journey.STOPS}
    for term in TERMS:
        assert term.page is None or term.page in pages, term.name


def test_glossary_opens_filtered_from_a_link():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"))
    at.query_params["term"] = "epoch"
    at.run()
    at.switch_page("pages/glossary.py").run()
    assert at.text_input(key="glossary_query").value == "epoch"
    text = " ".join(m.value for m in at.markdown)
    assert "**Epoch**" in text and "**Softmax**" not in text


def test_glossary_survives_odd_query_values():
    from streamlit.testing.v1 import AppTest

    for odd in ["<script>alert(1)</script>", "x" * 5000, "%00", "' OR 1=1 --", "**bold**"]:
        at = AppTest.from_file(str(ROOT / "app.py"))
        at.query_params["term"] = odd
        at.run()
        at.switch_page("pages/glossary.py").run()
        assert not at.exception, odd
        assert len(at.text_input(key="glossary_query").value) <= 40


def test_every_page_runs_through_the_router_when_opened_by_a_link():
    for stop in journey.stops():
        source = (ROOT / stop.page).read_text()
        assert "\nstart_page(__file__)\n" in source or "\nuse_router()\n" in source, \
            f"{stop.page} does not start through the router"


def test_every_stop_of_the_journey_has_its_page():
    missing = [stop.page for stop in journey.STOPS if not stop.exists]
    assert missing == []
