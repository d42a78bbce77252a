"""The drawing page through the router: two networks read the drawing (the one trained on changed
copies first), the pick follows into the inside views, a visitor's own model only once chosen,
the playground's changed digit, the tasks hidden until answered, uploads, waits and failures."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from draw_support import (
    canvas_value,
    on_canvas,
    plotly_array,
    png_bytes,
    sample_mnist_env,
    seed_default_cache,
    trained_on_sample,
)
from helpers import open_page

from explainer.concepts.inputs import distort, preprocess
from explainer.concepts.models.inside import forward
from explainer.concepts.models.reading import Reader
from explainer.concepts.models.robustness import STRONGEST
from explainer.data.mnist import load_sample
from explainer.training import default_model
from explainer.training.spec import PRESETS
from explainer.training.trained import TrainedModel

PAGE = "pages/draw.py"
HEADLINE = "The network reads"
PLAIN = "The walk-through's network reads"


@pytest.fixture(scope="module")
def ready_default(tmp_path_factory):
    """Both shared networks, loaded from a cache seeded with the sample-trained ones."""
    folder = tmp_path_factory.mktemp("model-cache")
    with pytest.MonkeyPatch.context() as patch:
        sample_mnist_env(patch, folder)
        seed_default_cache(folder)
        for shared in (default_model.walk_through(), default_model.augmented()):
            status = shared.wait(120)
            assert status.ready and shared.loaded_from_cache, status.message
        yield default_model.walk_through()
        default_model.reset()


@pytest.fixture(scope="module")
def readers():
    """The two sample-trained networks as the page reads them: {id: Reader}."""
    return {"walk-through": Reader.of(trained_on_sample()),
            "augmented": Reader.of(trained_on_sample(augmented=True))}


@pytest.fixture(scope="module")
def clear_digits(readers):
    """One test digit per class that both sample-trained networks read surely and rightly."""
    sample = load_sample()
    chosen = {}
    for digit, label in zip(sample.x_test, sample.y_test):
        readings = [reader.read(digit) for reader in readers.values()]
        if int(label) not in chosen and all(r.digit == label and r.confidence > 0.97
                                            for r in readings):
            chosen[int(label)] = digit
    return chosen


def canvas_key(at) -> str:
    return f"draw_canvas_{at.session_state['draw_round']}"


def draw(at, rgba):
    at.session_state[canvas_key(at)] = canvas_value(rgba)
    return at.run()


def metric(at, label: str) -> str | None:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) <= 1, (label, values)
    return values[0] if values else None


def answer(at) -> str | None:
    """The digit the page's headline says it reads, or None when it shows no answer."""
    return metric(at, HEADLINE)


def charts(at) -> dict[str, str]:
    """The page's plotly charts by key: their spec."""
    return {chart.proto.id.rsplit("-", 1)[-1]: chart.proto.spec for chart in at.get("plotly_chart")}


def trace(at, key: str, field: str) -> np.ndarray:
    """One field of the first trace of the chart ``key``, as numbers."""
    import json

    return plotly_array(json.loads(charts(at)[key])["data"][0][field])


def guess(at, task: str, option: str):
    at.radio(key=f"check_draw_{task}").set_value(option).run()
    assert not at.exception
    return at


def shown(at) -> str:
    return " ".join(e.value for group in (at.markdown, at.caption, at.info, at.warning,
                                          at.success, at.error) for e in group)


def test_an_empty_canvas_asks_for_a_drawing_and_names_both_networks(ready_default):
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Draw a digit"
    assert "Draw a digit on the canvas" in at.info[0].value
    assert answer(at) is None and metric(at, PLAIN) is None
    assert "Trained on changed copies" in shown(at) and "15 epochs" in shown(at)
    picker = at.segmented_control(key="draw_network")
    assert picker.options == ["Trained on changed copies", "The walk-through's network"]
    assert picker.value == "augmented"
    assert at.slider(key="draw_stroke").value == 18
    assert "0 of 3 done" in shown(at)


def test_a_drawn_digit_is_read_by_both_networks_and_every_step_shown(ready_default,
                                                                     clear_digits, readers):
    at = open_page(PAGE)
    for digit in (0, 1, 7):
        rgba = on_canvas(clear_digits[digit], 0.7, 10, 60)
        draw(at, rgba)
        assert not at.exception
        assert answer(at) == str(digit) and metric(at, PLAIN) == str(digit)
        steps = preprocess.mnist_steps(rgba)
        headline = readers["augmented"].read(steps.digit)  # the headline is the augmented one
        assert metric(at, f"P({digit})") == f"{headline.confidence:.1%}"
        assert f"It's a **{digit}**" in at.success[0].value
        text = shown(at)
        assert "centre of mass at row" in text and "The 512 hidden cells" in text
        assert "Inside: **Trained on changed copies**" in text
        centred = [spec for key, spec in charts(at).items() if key == "draw_step_centre"]
        assert len(centred) == 1 and centred[0].count("centre of mass: row") == 1  # one cross
        at.button(key="draw_clear").click().run()
        assert "Draw a digit on the canvas" in at.info[0].value and answer(at) is None


def test_the_pick_follows_into_the_probabilities_the_cells_and_the_dream(ready_default,
                                                                          clear_digits, readers):
    at = open_page(PAGE)
    rgba = on_canvas(clear_digits[7], 0.7)
    draw(at, rgba)
    guess(at, "dream", "A clear 9")
    digit = preprocess.mnist_steps(rgba).digit
    seen = {}
    for which in ("augmented", "walk-through"):
        at.segmented_control(key="draw_network").set_value(which).run()
        assert not at.exception
        expected = forward(readers[which].mlp, digit)
        assert np.allclose(trace(at, "draw_scores", "y"), expected.scores[0], atol=1e-4)
        assert np.allclose(trace(at, "draw_probabilities", "y"), expected.probabilities[0],
                           atol=1e-6)
        hidden = trace(at, "draw_hidden", "z").astype(float).ravel()[:512]
        assert np.allclose(hidden, expected.hidden[-1][0], atol=1e-4)
        seen[which] = trace(at, "draw_dream_image", "z")  # the dream
        average = load_sample().x_train[load_sample().y_train == 9].mean(axis=0)
        expected_p = readers[which].read(preprocess.to_uint8(average)).probabilities[9]
        assert [m.value for m in at.metric if m.label == "P(9)"][1] == f"{expected_p:.2%}"
        assert answer(at) == "7"  # the headline stays the augmented network's
    assert not np.allclose(seen["augmented"], seen["walk-through"])  # each dreams its own 9
    assert "Inside: **The walk-through's network**" in shown(at)


def test_a_visitors_own_model_answers_only_once_they_chose_it(ready_default, clear_digits):
    from pages.shared import own_training

    at = open_page(PAGE)
    trained = trained_on_sample()
    at.session_state[own_training.MODEL] = TrainedModel(
        trained.weights, trained.config.with_changes(label="My network"), 0.9)
    draw(at, on_canvas(clear_digits[5], 0.8))
    assert metric(at, "Your model reads") is None and "My network" not in shown(at)
    assert "yours" not in at.segmented_control(key="draw_network").options
    at.session_state[own_training.USE_ON_DRAW] = True  # "Use my model on Draw" on the Train page
    at.run()
    assert not at.exception
    assert metric(at, "Your model reads") == "5" and answer(at) == "5"
    picker = at.segmented_control(key="draw_network")
    assert picker.value == "yours" and len(picker.options) == 3  # offered, and picked once
    assert "Inside: **Your model**" in shown(at) and "My network" in shown(at)
    picker.set_value("augmented").run()
    at.run()
    assert at.segmented_control(key="draw_network").value == "augmented"  # the visitor's pick


def test_the_playground_turns_a_right_answer_into_one_no_person_would_give(ready_default,
                                                                            readers):
    sample = load_sample()
    index = next(i for i, (digit, label) in enumerate(zip(sample.x_test, sample.y_test))
                 if all(readers[w].read(digit).digit == label for w in readers)
                 and readers["walk-through"].read(distort.distort(digit, right=3)).digit != label
                 and readers["augmented"].read(distort.distort(digit, right=3)).digit == label)
    label = int(sample.y_test[index])
    at = open_page(PAGE)
    at.session_state["draw_play_index"] = index
    at.run()
    assert metric(at, "The walk-through's network") == f"{label} ✓"
    assert metric(at, "Trained on changed copies") == f"{label} ✓"
    at.slider(key="draw_play_right").set_value(3.0).run()
    assert not at.exception
    moved = distort.distort(sample.x_test[index], right=3)
    plain = readers["walk-through"].read(moved)
    assert metric(at, "The walk-through's network") == f"{plain.digit} ✗"
    assert metric(at, "Trained on changed copies") == f"{label} ✓"
    assert f"now reads **a {plain.digit}**" in shown(at)
    deltas = [m.proto.delta for m in at.metric if m.label == "The walk-through's network"]
    assert deltas == [f"{plain.confidence:.0%} sure"]
    at.button(key="draw_play_reset").click().run()
    assert at.slider(key="draw_play_right").value == 0.0
    assert metric(at, "The walk-through's network") == f"{label} ✓"


def test_the_tasks_answers_stay_hidden_until_a_guess(ready_default, clear_digits, readers):
    import json

    at = open_page(PAGE)
    small = on_canvas(clear_digits[7], 0.3, 5, 5)  # small, in the top-left corner
    draw(at, small)
    assert [r.key for r in at.radio] == ["check_draw_shrink", "check_draw_hurts_most",
                                         "check_draw_dream"]
    hidden = ("draw_compare_naive", "draw_changes_walk_through", "draw_dream_image")
    assert not set(hidden) & set(charts(at)) and metric(at, "Reads") is None
    assert not at.success[1:] and not at.warning  # no verdict yet (the first: the headline)
    # the change that hurts most, counted here on the same 1,000 changed test digits
    sample = load_sample()
    plain = readers["walk-through"]
    scores = {change.name: float(np.mean(plain.read_many(change.apply(sample.x_test))
                                         .argmax(axis=1) == sample.y_test))
              for change in STRONGEST}
    worst = min(scores, key=scores.get)
    wrong = next(name for name in scores if name != worst)
    guess(at, "hurts_most", wrong)
    assert f"the answer is **{worst}**" in at.warning[0].value
    names = list(plotly_array(json.loads(charts(at)["draw_changes_walk_through"])["data"][0]
                              ["y"]))
    assert np.allclose(trace(at, "draw_changes_walk_through", "x")[1:],
                       [100 * scores[name] for name in names[1:]])
    assert "draw_changes_augmented" in charts(at) and "draw_dream_image" not in charts(at)
    at.segmented_control(key="draw_network").set_value("walk-through").run()
    shrunk = plain.read(preprocess.naive_shrink(small)).digit
    assert shrunk != 7  # a small corner digit, just shrunk: the walk-through's reads another
    guess(at, "shrink", "Another digit")
    assert "Right." in " ".join(s.value for s in at.success)
    reads = [m.value for m in at.metric if m.label == "Reads"]
    assert reads == ["7", str(shrunk)]
    guess(at, "dream", "Specks that look little like a 9")
    assert "draw_dream_image" in charts(at)
    assert "2 of 3 done" in shown(at)  # the dream and the shrink right, the change wrong


def test_a_dot_gets_an_honest_not_sure(ready_default):
    at = open_page(PAGE)
    dot = np.full((280, 280, 4), 255, np.uint8)  # white paper
    yy, xx = np.mgrid[:280, :280]
    dot[((yy - 100) ** 2 + (xx - 150) ** 2) < 81, :3] = 0  # a black dot
    draw(at, dot)
    assert not at.exception
    assert answer(at) == "?"
    assert "dot or a solid blob" in at.warning[0].value


def test_the_dream_section_shows_the_networks_favourite_digit(ready_default):
    at = open_page(PAGE)
    guess(at, "dream", "A blurry 9")
    at.segmented_control(key="dream").set_value(4).run()
    at.slider(key="dream_steps").set_value(60).run()
    assert not at.exception
    dreamt, _average = [m.value for m in at.metric if m.label == "P(4)"]
    assert float(dreamt.rstrip("%")) > 99
    assert "it looks little like one" in shown(at)
    at.segmented_control(key="dream_start").set_value("noise").run()
    assert not at.exception


def test_an_upload_goes_through_the_same_steps(ready_default, clear_digits):
    at = open_page(PAGE)
    at.segmented_control(key="draw_source").set_value("Upload a picture").run()
    paper = on_canvas(clear_digits[2], 0.8)[..., 0]  # dark ink on white paper
    at.file_uploader(key="draw_upload").set_value(("two.png", png_bytes(paper), "image/png"))
    at.run()
    assert not at.exception
    assert "inverted" in shown(at) and answer(at) == "2"
    at.file_uploader(key="draw_upload").set_value(("two.png", b"GIF89a not really", "image/png"))
    at.run()
    assert not at.exception
    assert "not an image" in at.error[0].value and answer(at) is None


def test_a_dream_is_made_once_per_model_for_every_visitor(ready_default, monkeypatch):
    """The same model, digit, start and steps give the same dream: the second visitor who asks
    gets the first one's; another step count or another network is a new dream."""
    from explainer.concepts.models import dream as dreaming

    made = []
    original = dreaming.dream

    def counting(gradient, digit, **options):
        made.append((digit, options["steps"]))
        return original(gradient, digit, **options)

    monkeypatch.setattr(dreaming, "dream", counting)
    first, second = open_page(PAGE), open_page(PAGE)
    for at in (first, second):
        guess(at, "dream", "A clear 9")
        at.slider(key="dream_steps").set_value(20).run()
    assert made.count((9, 20)) == 1
    second.slider(key="dream_steps").set_value(30).run()
    assert made.count((9, 30)) == 1
    second.segmented_control(key="draw_network").set_value("walk-through").run()
    assert made.count((9, 30)) == 2  # the other network dreams its own 9
    for at in (first, second):
        assert not at.exception
        assert any("Its favourite 9" in spec for spec in charts(at).values())


def test_a_cnn_of_the_visitor_reads_but_has_no_hidden_cell_pictures(ready_default,
                                                                     clear_digits):
    pytest.importorskip("explainer.concepts.models.convnet")
    from explainer.training.keras_fit import build_model
    from pages.shared import own_training

    at = open_page(PAGE)
    cnn = TrainedModel(build_model(PRESETS["cnn"]).get_weights(), PRESETS["cnn"])  # untrained
    at.session_state[own_training.MODEL] = cnn
    at.session_state[own_training.USE_ON_DRAW] = True
    guess(at, "dream", "A clear 9")
    at.slider(key="dream_steps").set_value(10).run()
    draw(at, on_canvas(clear_digits[8]))
    assert not at.exception
    assert at.segmented_control(key="draw_network").value == "yours"
    assert "draw_hidden" not in charts(at)  # no hidden-cell views for a CNN, a note instead
    assert metric(at, "Your model reads") in ("?", *"0123456789")  # untrained: it answers
    assert "draw_changes_yours" not in charts(at)


def waiting_model(folder, release: threading.Event, config=None) -> default_model.DefaultModel:
    def slow_data():
        release.wait(60)
        raise RuntimeError("the test is over")  # ends the thread without training

    if config is None:
        return default_model.DefaultModel(folder=folder, load_data=slow_data)
    return default_model.DefaultModel(config, folder, slow_data)


def test_while_the_augmented_network_trains_the_walk_throughs_answers(ready_default, tmp_path,
                                                                      monkeypatch, clear_digits):
    from explainer.training.spec import AUGMENTED

    release = threading.Event()
    waiting = waiting_model(tmp_path, release, AUGMENTED)
    monkeypatch.setattr(default_model, "_AUGMENTED", waiting)
    try:
        at = open_page(PAGE)
        draw(at, on_canvas(clear_digits[6]))
        assert not at.exception
        assert "changed copies is getting ready" in at.info[0].value
        assert at.progress[0].value == 0
        assert answer(at) == "6" and metric(at, PLAIN) is None  # the walk-through's, as headline
        assert "draw_network" not in [group.key for group in at.get("button_group")]  # one
        assert "Inside: **The walk-through's network**" in shown(at)
    finally:
        release.set()
        waiting._thread.join(120)


def test_while_both_networks_train_the_page_waits_and_still_prepares(ready_default, monkeypatch,
                                                                      tmp_path, clear_digits):
    from explainer.training.spec import AUGMENTED

    release = threading.Event()
    models = [waiting_model(tmp_path, release), waiting_model(tmp_path, release, AUGMENTED)]
    monkeypatch.setattr(default_model, "_WALK_THROUGH", models[0])
    monkeypatch.setattr(default_model, "_AUGMENTED", models[1])
    try:
        at = open_page(PAGE)
        draw(at, on_canvas(clear_digits[6]))
        assert not at.exception
        assert [info.value.count("getting ready") for info in at.info[:2]] == [1, 1]
        assert [bar.value for bar in at.progress] == [0, 0]
        assert "centre of mass at row" in shown(at) and answer(at) is None
    finally:
        release.set()
        for model in models:
            model._thread.join(120)


def test_a_failed_walk_through_network_stops_waiting_and_offers_a_retry(ready_default,
                                                                        monkeypatch, tmp_path,
                                                                        clear_digits):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("no room on the disk")
        return load_sample(), ""

    seed_default_cache(tmp_path, augmented=False)
    failing = default_model.DefaultModel(folder=tmp_path, load_data=flaky)
    monkeypatch.setattr(default_model, "_WALK_THROUGH", failing)
    assert failing.wait(30).failed
    at = open_page(PAGE)
    assert not at.exception
    message = at.error[0].value
    assert "walk-through's network could not be prepared" in message
    assert "tries again" in message and "no room on the disk" not in message  # details: log
    assert not at.progress  # no bar: it is not waiting any more
    assert metric(at, PLAIN) is None
    at.button(key="draw_retry_default").click().run()
    failing.wait(30)
    at.run()
    draw(at, on_canvas(clear_digits[3], 0.8))
    assert not at.exception and answer(at) == "3" and metric(at, PLAIN) == "3"


def test_dream_state_stays_bounded_over_many_varied_actions(ready_default):
    """120 dream actions (digits, starts, steps, the networks taking turns): the session's
    state stays under a fixed size."""
    import pickle

    from pages.shared import own_training

    at = open_page(PAGE)
    guess(at, "dream", "A clear 9")
    trained = trained_on_sample()
    models = [TrainedModel(trained.weights, trained.config.with_changes(label=f"M{i}"), 0.9)
              for i in range(2)]
    at.session_state[own_training.USE_ON_DRAW] = True
    rng = np.random.default_rng(5)
    sizes = []
    for action in range(120):
        kind = rng.choice(["digit", "start", "steps", "model", "pick"])
        if kind == "digit":
            at.segmented_control(key="dream").set_value(int(rng.integers(0, 10)))
        elif kind == "start":
            at.segmented_control(key="dream_start").set_value(str(rng.choice(["blank", "noise"])))
        elif kind == "steps":
            at.slider(key="dream_steps").set_value(int(rng.choice([10, 20, 30, 40])))
        elif kind == "model":
            at.session_state[own_training.MODEL] = models[int(rng.integers(0, 2))]
        else:
            at.segmented_control(key="draw_network").set_value(
                str(rng.choice(["augmented", "walk-through"])))
        at.run()
        assert not at.exception, (action, kind)
        state = {key: at.session_state[key] for key in at.session_state  # all but the model
                 if key not in (own_training.MODEL, "draw_session_reader")  # (and its reader)
                 and not key.startswith("draw_canvas")}  # and the canvas widget's own state
        sizes.append(len(pickle.dumps(state)))
    assert max(sizes) < 256 * 1024, max(sizes)  # dreams are kept per server, not per session
