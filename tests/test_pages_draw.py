"""The drawing page through the router: empty canvas, a drawn digit, a dot, uploads, the models."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from draw_support import (
    canvas_value,
    on_canvas,
    png_bytes,
    sample_mnist_env,
    seed_default_cache,
    trained_on_sample,
)
from helpers import open_page

from explainer.concepts.models.reading import Reader
from explainer.data.mnist import load_sample
from explainer.training import default_model
from explainer.training.spec import PRESETS
from explainer.training.trained import TrainedModel

PAGE = "pages/draw.py"


@pytest.fixture(scope="module")
def ready_default(tmp_path_factory):
    """The shared default model, loaded from a cache seeded with the sample-trained network."""
    folder = tmp_path_factory.mktemp("model-cache")
    with pytest.MonkeyPatch.context() as patch:
        sample_mnist_env(patch, folder)
        seed_default_cache(folder)
        status = default_model.shared().wait(120)
        assert status.ready and default_model.shared().loaded_from_cache, status.message
        yield default_model.shared()
        default_model.reset_shared()


@pytest.fixture(scope="module")
def clear_digits():
    """One test digit per class that the sample-trained network reads surely and rightly."""
    network = Reader.of(trained_on_sample())
    sample = load_sample()
    chosen = {}
    for digit, label in zip(sample.x_test, sample.y_test):
        reading = network.read(digit)
        if int(label) not in chosen and reading.digit == label and reading.confidence > 0.97:
            chosen[int(label)] = digit
    return chosen


def canvas_key(at) -> str:
    return f"draw_canvas_{at.session_state['draw_round']}"


def draw(at, rgba):
    at.session_state[canvas_key(at)] = canvas_value(rgba)
    return at.run()


def answer(at) -> str | None:
    """The digit the page says it reads, or None when it shows no answer."""
    values = [m.value for m in at.metric if m.label == "The network reads"]
    return values[0] if values else None


def shown(at) -> str:
    return " ".join(e.value for group in (at.markdown, at.caption, at.info, at.warning,
                                          at.success, at.error) for e in group)


def test_an_empty_canvas_asks_for_a_drawing_and_predicts_nothing(ready_default):
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Draw a digit"
    assert "Draw a digit on the canvas" in at.info[0].value
    assert answer(at) is None
    assert "the shared default model" in shown(at) and "test accuracy" in shown(at)
    assert at.slider(key="draw_stroke").value == 18


def test_a_drawn_digit_is_read_and_every_step_shown(ready_default, clear_digits):
    at = open_page(PAGE)
    for digit in (0, 1, 7):
        draw(at, on_canvas(clear_digits[digit], 0.7, 10, 60))
        assert not at.exception
        assert answer(at) == str(digit)
        assert f"It's a **{digit}**" in at.success[0].value
        text = shown(at)
        assert "centre of mass at row" in text and "The 512 hidden cells" in text
        assert f"The hidden cells that pushed {digit} most" in text
        centred = [chart.proto.spec for chart in at.get("plotly_chart")
                   if "4. Centre of mass" in chart.proto.spec]
        assert len(centred) == 1 and centred[0].count("centre of mass: row") == 1  # one cross
        at.button(key="draw_clear").click().run()
        assert "Draw a digit on the canvas" in at.info[0].value and answer(at) is None


def test_the_comparison_shows_what_just_shrinking_does(ready_default, clear_digits):
    at = open_page(PAGE)
    draw(at, on_canvas(clear_digits[7], 0.3, 5, 5))  # small, in the top-left corner
    at.toggle(key="draw_compare").set_value(True).run()
    assert not at.exception
    assert "Just shrinking gives **a " in shown(at)  # a small corner digit: they differ
    reads = [m.value for m in at.metric if m.label == "Reads"]
    assert reads[0] == "7" and reads[1] != "7" and len(reads) == 2


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
    at.radio(key="dream").set_value(4).run()
    at.slider(key="dream_steps").set_value(60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["P(4)"].rstrip("%")) > 99
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


def test_this_sessions_model_answers_when_there_is_one(ready_default, clear_digits):
    at = open_page(PAGE)
    trained = trained_on_sample()
    mine = TrainedModel(trained.weights, trained.config.with_changes(label="My network"), 0.9)
    at.session_state["session_model"] = mine
    draw(at, on_canvas(clear_digits[5], 0.8))
    assert not at.exception
    assert "**your model** from the training page" in shown(at) and "My network" in shown(at)
    assert answer(at) == "5"


def test_a_dream_is_made_once_per_model_for_every_visitor(ready_default, monkeypatch):
    """The same model, digit, start and steps give the same dream: the second visitor who asks
    gets the first one's; another step count or another model is a new dream."""
    from explainer.concepts.models import dream as dreaming

    made = []
    original = dreaming.dream

    def counting(gradient, digit, **options):
        made.append((digit, options["steps"]))
        return original(gradient, digit, **options)

    monkeypatch.setattr(dreaming, "dream", counting)
    first, second = open_page(PAGE), open_page(PAGE)
    for at in (first, second):
        at.slider(key="dream_steps").set_value(20).run()
    assert made.count((9, 20)) == 1
    second.slider(key="dream_steps").set_value(30).run()
    assert made.count((9, 30)) == 1
    trained = trained_on_sample()
    second.session_state["session_model"] = TrainedModel(
        trained.weights, trained.config.with_changes(label="Mine"), 0.9)
    second.run()
    assert made.count((9, 30)) == 2  # the visitor's own model dreams its own 9
    for at in (first, second):
        assert not at.exception
        assert any("The network's favourite 9" in chart.proto.spec
                   for chart in at.get("plotly_chart"))


def test_a_cnn_session_model_reads_but_has_no_hidden_cell_pictures(ready_default, clear_digits):
    pytest.importorskip("explainer.concepts.models.convnet")
    from explainer.training.keras_fit import build_model

    at = open_page(PAGE)
    cnn = TrainedModel(build_model(PRESETS["cnn"]).get_weights(), PRESETS["cnn"])  # untrained
    at.session_state["session_model"] = cnn
    at.slider(key="dream_steps").set_value(10).run()
    draw(at, on_canvas(clear_digits[8]))
    assert not at.exception
    assert "apply only to MLPs whose first layer is Dense" in shown(at)
    assert answer(at) in ("?", *"0123456789")  # untrained: it answers, surely or not


def test_while_the_default_model_trains_the_page_waits_and_still_prepares(
        monkeypatch, tmp_path, clear_digits):
    release = threading.Event()

    def slow_data():
        release.wait(60)
        raise RuntimeError("the test is over")  # ends the thread without training

    waiting = default_model.DefaultModel(folder=tmp_path, load_data=slow_data)
    monkeypatch.setattr(default_model, "_SHARED", waiting)
    try:
        at = open_page(PAGE)
        draw(at, on_canvas(clear_digits[6]))
        assert not at.exception
        assert "getting ready" in at.info[0].value
        assert at.progress[0].value == 0
        assert "centre of mass at row" in shown(at) and answer(at) is None
    finally:
        release.set()
        waiting._thread.join(120)


def test_a_failed_default_model_stops_waiting_and_offers_a_retry(monkeypatch, tmp_path,
                                                                 clear_digits):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("no room on the disk")
        return load_sample(), ""

    seed_default_cache(tmp_path)
    failing = default_model.DefaultModel(folder=tmp_path, load_data=flaky)
    monkeypatch.setattr(default_model, "_SHARED", failing)
    assert failing.wait(30).failed
    at = open_page(PAGE)
    assert not at.exception
    message = at.error[0].value
    assert "could not be prepared" in message and "tries again" in message
    assert "no room on the disk" not in message  # the details go to the server's log
    assert not at.progress  # no bar: it is not waiting any more
    at.button(key="draw_retry_default").click().run()
    failing.wait(30)
    at.run()
    assert not at.exception and "the shared default model" in shown(at)
    draw(at, on_canvas(clear_digits[3], 0.8))
    assert answer(at) == "3"


def test_dream_state_stays_bounded_over_many_varied_actions(ready_default):
    """120 dream actions (digits, starts, steps, three models taking turns): the session's state
    stays under a fixed size."""
    import pickle

    at = open_page(PAGE)
    trained = trained_on_sample()
    models = [None] + [TrainedModel(trained.weights, trained.config.with_changes(label=f"M{i}"),
                                    0.9) for i in range(2)]
    rng = np.random.default_rng(5)
    sizes = []
    for action in range(120):
        kind = rng.choice(["digit", "start", "steps", "model"])
        if kind == "digit":
            at.radio(key="dream").set_value(int(rng.integers(0, 10)))
        elif kind == "start":
            at.segmented_control(key="dream_start").set_value(str(rng.choice(["blank", "noise"])))
        elif kind == "steps":
            at.slider(key="dream_steps").set_value(int(rng.choice([10, 20, 30, 40])))
        else:
            at.session_state["session_model"] = models[int(rng.integers(0, 3))]
        at.run()
        assert not at.exception, (action, kind)
        state = {key: at.session_state[key] for key in at.session_state  # all but the model
                 if key not in ("session_model", "draw_session_reader")  # (and its reader) and
                 and not key.startswith("draw_canvas")}  # the canvas widget's own state
        sizes.append(len(pickle.dumps(state)))
    assert max(sizes) < 256 * 1024, max(sizes)  # dreams are kept per server, not per session
