"""Check-yourself tasks: each asked before the page answers it, hidden until a guess or Show me."""

from __future__ import annotations

import pytest
from helpers import answer_task, open_page, show_me, task_keys, task_says

from explainer.content import journey

# Every page but Train and Draw: their tasks come with their own layout.
PAGES = [stop.page for stop in journey.stops()
         if stop.page not in ("pages/train_mnist.py", "pages/draw.py")]


def done_line(at) -> str:
    return next(c.value for c in at.caption if "Check yourself:" in c.value)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_asks_two_or_three_tasks_and_hides_each_answer_until_a_guess(page):
    at = open_page(page, timeout=60)
    keys = task_keys(at)
    assert 2 <= len(keys) <= 3, keys
    assert f"0 of {len(keys)} done" in done_line(at)
    for key in keys:  # unanswered: no verdict, no answer, a Show me
        said = task_says(at, key)
        assert set(said) == {"button"} and "Show me" in said["button"], (key, said)
    first, *others = keys
    said = show_me(at, first)  # Show me: the answer and why, not counted as done
    assert said["info"][0].startswith("The answer: **")
    assert "Show me" not in said.get("button", [])
    assert f"0 of {len(keys)} done" in done_line(at)
    for key in others:  # a guess, right or wrong, brings the verdict; the others stay hidden
        option = at.radio(key=key).options[0]
        said = answer_task(at, key, option)
        assert len(said.get("success", []) + said.get("warning", [])) == 1, said
    for key in keys:
        assert "Show me" not in task_says(at, key).get("button", [])


def test_a_guess_and_the_count_stay_when_the_visitor_comes_back():
    at = open_page("pages/nudging.py")
    key = "check_nudging_double_rate"
    answer_task(at, key, "oscillate")  # 0.2 -> 0.4 oscillates: right
    assert "1 of 3 done" in done_line(at)
    at.switch_page("pages/home.py").run()
    cards = " ".join(c.value for c in at.caption)
    assert "check yourself: 1 of 3 done" in cards  # Home's map counts every page's tasks
    at.switch_page("pages/nudging.py").run()
    assert at.radio(key=key).value == "oscillate"
    assert task_says(at, key)["success"][0].startswith("Right.")
    assert "1 of 3 done" in done_line(at)


def test_home_keeps_its_numbers_until_the_guesses():
    at = open_page("pages/home.py")
    labels = [m.label for m in at.metric]
    assert labels == ["Inputs"]  # the answers wait for the guesses
    answer_task(at, "check_home_weights", "About 40,000")
    assert {m.label: m.value for m in at.metric}["Numbers to learn"] == "407,050"
    show_me(at, "check_home_accuracy")
    assert {m.label: m.value for m in at.metric}["Test accuracy"] == "≈ 97.9%"
    assert "0 of 2 done" in done_line(at)


def test_a_task_whose_answer_is_not_an_option_is_refused():
    from pages.shared import check

    with pytest.raises(ValueError, match="not among the options"):
        check.task("pages/x.py", "t", "Which?", ["a", "b"], "c", "Because.")
