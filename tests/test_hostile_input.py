"""Hostile input on every input path of the app, as a hosted demo gets it.

Uploads that are not what they claim, canvas values no canvas sends, odd query parameters, every
number widget pushed to its bounds. Each must give a clear message and a page that still works:
no exception, the page's title still there, and a good input right after the bad one still read.
"""

from __future__ import annotations

import ast
import math
import tomllib

import numpy as np
import pytest
from draw_support import canvas_value, png_bytes, sample_mnist_env, seed_default_cache, strokes
from helpers import ROOT, open_page
from hostile_support import (
    canvas_state,
    data_url,
    good_upload,
    harmless_canvas_values,
    hostile_canvas_values,
    hostile_uploads,
    png_claiming,
    save,
)

from explainer.concepts.inputs import canvas_input, preprocess
from explainer.content import journey
from explainer.training import default_model

DRAW, PATTERNS = "pages/draw.py", "pages/patterns.py"
CANVAS = 280


@pytest.fixture(scope="module")
def ready_default(tmp_path_factory):
    """The shared default model, loaded from a cache seeded with the sample-trained network."""
    folder = tmp_path_factory.mktemp("hostile-model-cache")
    with pytest.MonkeyPatch.context() as patch:
        sample_mnist_env(patch, folder)
        seed_default_cache(folder)
        progress = default_model.walk_through().wait(120)
        assert progress.ready, progress.message
        yield default_model.walk_through()
        default_model.reset()


def texts(at) -> str:
    """Everything the page shows as text, one string."""
    return "\n".join(e.value for group in (at.title, at.header, at.subheader, at.markdown,
                                           at.caption, at.info, at.warning, at.error, at.success)
                     for e in group)


def answer(at) -> str | None:
    values = [m.value for m in at.metric if m.label == "The network reads"]
    return values[0] if values else None


def assert_intact(at, title: str) -> None:
    """No exception and the page's own title and text still there."""
    assert not at.exception, at.exception[0].value
    assert [t.value for t in at.title][:1] == [title]
    assert len(texts(at)) > 200, "the page lost its content"


# ---- the server's own limits --------------------------------------------------------------------

def test_the_server_caps_uploads_and_keeps_xsrf_protection():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config.get("server", {})
    assert 0 < server["maxUploadSize"] <= 5  # MB
    assert server.get("enableXsrfProtection", True) is not False
    assert preprocess.MAX_UPLOAD_BYTES <= server["maxUploadSize"] * 2**20


# ---- uploads: the decoder on its own ------------------------------------------------------------

REFUSED = {  # hostile upload -> what the reader is told
    "text": "not an image that can be read",
    "zip": "not an image that can be read",
    "random bytes named .png": "not an image that can be read",
    "PNG of 5000 x 20": "5000 x 20 pixels; the limit is 4096 x 4096",
    "decompression bomb (header 60000 x 60000)": "decompression bomb",
    "truncated PNG": "damaged or cut short",
    "empty file": "The file is empty.",
    "GIF named .png": "This is a GIF image: upload a PNG or JPEG.",
    "over 5 MB": "the limit is 5 MB",
}
READ = {  # hostile but readable upload -> its format, or None when it holds no ink at all
    "JPEG named .png": "JPEG",
    "animated PNG": "PNG",
    "16-bit PNG": "PNG",
    "palette PNG": "PNG",
    "CMYK JPEG": "JPEG",
    "1 x 1 PNG": None,
    "PNG header of 4096 x 4096, one row of data": None,  # Pillow fills the missing rows with 0
    "all white": None,
    "all black": None,
    "transparent": None,
}


def reason(data: bytes) -> str:
    """Why the decoder refuses ``data`` (fails the test when it does not)."""
    with pytest.raises(preprocess.UploadError) as refused:
        preprocess.decode_upload(data)
    return str(refused.value)


def test_every_hostile_upload_has_an_expected_outcome():
    assert set(REFUSED) | set(READ) == set(hostile_uploads())


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_bad_upload_is_refused_with_its_reason(name):
    data, _ = hostile_uploads()[name]
    assert REFUSED[name] in reason(data)


@pytest.mark.parametrize("name", sorted(READ))
def test_an_odd_but_real_picture_is_read_for_what_it_shows(name):
    data, _ = hostile_uploads()[name]
    upload = preprocess.decode_upload(data)
    steps = preprocess.mnist_steps(upload.ink)
    if READ[name] is None:  # blank: nothing that looks like ink
        assert steps is None and upload.ink.max() == 0
        return
    assert upload.format == READ[name] and upload.inverted  # dark ink on white paper
    top, left, bottom, right = steps.box  # the tall thin stroke of a 1, found whole
    assert bottom - top > 3 * (right - left) and bottom - top > 0.6 * upload.size[1]
    if name == "animated PNG":
        assert upload.frames == 2  # the first frame (the 1) is read, the blank second is not


def test_a_16_bit_picture_keeps_its_contrast():
    """Pillow's own 16-to-8-bit conversion clips at 255: ink and paper would both turn white."""
    upload = preprocess.decode_upload(hostile_uploads()["16-bit PNG"][0])
    assert upload.ink.max() == 255 and (upload.ink == 0).mean() > 0.8


def test_a_big_picture_is_shrunk_before_the_float_math():
    from PIL import Image, ImageDraw

    big = Image.new("L", (4096, 3000), 255)
    ImageDraw.Draw(big).line([(2000, 400), (1950, 2600)], fill=0, width=160)
    upload = preprocess.decode_upload(save(big))
    assert upload.size == (4096, 3000) and upload.shrunk
    assert upload.ink.shape == (750, preprocess.WORK_SIDE)  # 3000 / 4 rows, 4096 / 4 columns
    top, left, bottom, right = preprocess.mnist_steps(upload.ink).box
    assert bottom - top > 4 * (right - left)


# ---- uploads through the page -------------------------------------------------------------------

# One of each kind of outcome, in a row on one page, with a good picture before, amid and after
# them (the decoder meets every hostile upload above; here the page turns each outcome into words).
THROUGH_THE_PAGE = ("text", "decompression bomb (header 60000 x 60000)", "truncated PNG",
                    "over 5 MB", "all white", "good", "empty file", "animated PNG", "16-bit PNG",
                    "JPEG named .png", "script named .sh", "good")


def upload(at, data: bytes, name: str):
    at.file_uploader(key="draw_upload").set_value((name, data, "image/png"))
    return at.run()


def test_hostile_uploads_get_clear_messages_and_the_page_still_reads(ready_default):
    at = open_page(DRAW)
    at.segmented_control(key="draw_source").set_value("Upload a picture").run()
    uploads = {**hostile_uploads(), "good": (good_upload(), "one.png"),
               "script named .sh": (b"#!/bin/sh\nrm -rf /\n", "script.sh")}
    for name in THROUGH_THE_PAGE:
        data, file_name = uploads[name]
        at = upload(at, data, file_name)
        assert_intact(at, "Draw a digit")
        if name == "good":
            assert not at.error and answer(at) == "1" and "inverted" in texts(at)
        elif name in READ and READ[name] is None:
            assert "No ink found in this picture" in at.warning[0].value, name
            assert answer(at) is None and not at.error
        elif name in READ:
            assert not at.error and f"{READ[name]}, 120 x 120 pixels." in texts(at)
            assert answer(at) == "1" and "centre of mass at row" in texts(at), name
        else:  # refused, in the decoder's own words; the earlier answer is gone with its picture
            assert [e.value for e in at.error] == [reason(data)], name
            assert answer(at) is None and "centre of mass at row" not in texts(at)
        if name == "animated PNG":
            assert "Animated (2 frames): the first one is read." in texts(at)
    assert "not an image that can be read" in reason(uploads["script named .sh"][0])


# ---- the canvas ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(hostile_canvas_values()))
def test_read_drawing_refuses_what_no_canvas_sends(name):
    with pytest.raises(canvas_input.CanvasError):
        canvas_input.read_drawing(hostile_canvas_values()[name], CANVAS, CANVAS)


def test_read_drawing_reads_a_real_drawing_and_nothing_from_nothing():
    one = strokes([[(140, 40), (136, 240)]])
    assert np.array_equal(canvas_input.read_drawing(canvas_value(one), CANVAS, CANVAS), one)
    values = harmless_canvas_values()
    for name in ("None", "empty dict", "drawing None", "data None",
                 "background fit missing its fields"):
        assert canvas_input.read_drawing(values[name], CANVAS, CANVAS) is None, name
    gray = canvas_input.read_drawing(values["grayscale PNG of the right size"], CANVAS, CANVAS)
    assert gray.shape == (CANVAS, CANVAS, 4) and np.array_equal(gray[..., 0], one[..., 0])


def test_the_length_limit_fits_the_noisiest_honest_canvas():
    """Random pixels do not compress: the largest PNG a 280 x 280 canvas can make still passes."""
    noise = np.random.default_rng(3).integers(0, 256, (CANVAS, CANVAS, 4), dtype=np.uint8)
    url = data_url(png_bytes(noise))
    assert len(url) < canvas_input.max_data_url_length(CANVAS, CANVAS) < 1.05 * len(url)
    assert canvas_input.read_drawing(canvas_state(url), CANVAS, CANVAS).shape == (280, 280, 4)
    bomb = canvas_state(data_url(png_claiming(CANVAS, 60_000)))
    with pytest.raises(canvas_input.CanvasError, match="280 x 60000 pixels"):
        canvas_input.read_drawing(bomb, CANVAS, CANVAS)


# Through the pages: values that trip the component itself, that read_drawing refuses for each
# of its reasons, and odd ones that mean "nothing drawn" or a readable drawing.
SENT = ("drawing is a string", "good", "data is not a data URL", "PNG of 5000 x 1",
        "huge base64 string", "None", "background fit missing its fields",
        "grayscale PNG of the right size", "data is not base64", "good")


def canvas_values() -> dict[str, object]:
    return {**hostile_canvas_values(), **harmless_canvas_values(),
            "good": canvas_value(strokes([[(140, 40), (136, 240)]]))}


def ignored(at) -> list[str]:
    return [w.value for w in at.warning if "It was ignored: clear the canvas" in w.value]


def test_malformed_values_on_the_draw_canvas_are_ignored_with_a_warning(ready_default):
    at, values = open_page(DRAW), canvas_values()
    for name in SENT:
        at.session_state["draw_canvas_0"] = values[name]
        at.run()
        assert_intact(at, "Draw a digit")
        drawn = name in ("good", "grayscale PNG of the right size")
        if name in hostile_canvas_values():
            assert len(ignored(at)) == 1 and ignored(at)[0].startswith("The canvas"), name
        else:
            assert not ignored(at), name
        assert answer(at) == ("1" if drawn else None), name
        assert ("Draw a digit on the canvas" in texts(at)) is not drawn


def test_malformed_values_on_both_pattern_canvases_are_ignored_with_a_warning():
    """The digit's canvas and the template's, each sent a different bad value in the same run."""
    at, values = open_page(PATTERNS), canvas_values()
    at.radio(key="patterns_source").set_value("draw one")
    at.selectbox(key="template").set_value("your own").run()
    for digit, template in (("drawing is a string", "PNG of 5000 x 1"), ("good", "good"),
                            ("huge base64 string", "data is not a data URL"),
                            ("None", "grayscale PNG of the right size"),
                            ("data is not base64", "drawing is a list"), ("good", "good")):
        at.session_state["patterns_canvas"] = values[digit]
        at.session_state["patterns_paint_canvas"] = values[template]
        at.run()
        assert_intact(at, "Recognizing patterns")
        hostile = [name for name in (digit, template) if name in hostile_canvas_values()]
        assert len(ignored(at)) == len(hostile), (digit, template)
        scored = "Score (sum of the products)" in [m.label for m in at.metric]
        assert scored is (digit == "good" and template in ("good", "grayscale PNG of the "
                                                                   "right size"))
        assert ("The canvas is empty: draw a digit" in texts(at)) is (digit != "good")
        assert ("Paint your template on the canvas" in texts(at)) is (template in hostile)


# ---- crafted links and raw HTML -----------------------------------------------------------------

MARKERS = ("<script", "evil.example", "etc/passwd", "日本語", "xxxxxxxxxx")
ODD_QUERY = {  # a repeated key, markup, a path, Streamlit's own embed options, unicode, length
    "term": ["<script>alert(1)</script>", "[Sign in](https://evil.example)"],
    "page": "../../etc/passwd", "embed": "true", "embed_options": "show_toolbar",
    "q": "日本語 🧠 \u202emirrored ![](https://evil.example/t.png)", "x" * 200: "x" * 20_000,
    "session_model": "x" * 1000, "draw_source": "Upload a picture",
}


def open_with_query(page: str, query: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    return at


def assert_query_reached_no_markdown(at, page: str) -> None:
    """Nothing of ODD_QUERY in what the page shows; the page itself whole."""
    assert not at.exception, at.exception[0].value
    assert at.title and len(texts(at)) > 200
    shown = texts(at) + "".join(f"{m.label} {m.value}" for m in at.metric)
    assert not [m for m in MARKERS if m in shown], page
    if page == "pages/glossary.py":  # the last value of a repeated key wins, in the box
        assert at.text_input(key="glossary_query").value == "[Sign in](https://evil.example)"
        assert at.info[0].value == ("No term matches your search. Try another word, or clear "
                                    "the box.")


def test_no_user_text_can_reach_raw_html():
    """unsafe_allow_html, st.html and components only ever get a fixed string literal."""
    offenders = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            raw = (name.endswith(".html") or "components" in name
                   or any(k.arg == "unsafe_allow_html" and not (
                       isinstance(k.value, ast.Constant) and k.value.value is False)
                          for k in node.keywords))
            literal = node.args and isinstance(node.args[0], ast.Constant)
            if raw and not literal:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not offenders


# ---- every page: a crafted link, then every number widget at and past its bounds --------------

def test_every_number_widget_in_the_source_has_explicit_bounds():
    """Also those a walk may not reach (behind a checkbox, or shown once a model is ready)."""
    missing, found = [], 0
    for path in sorted((ROOT / "pages").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("number_input", "slider")):
                found += 1
                starred = any(isinstance(arg, ast.Starred) for arg in node.args)  # the walk
                given = {"min_value": len(node.args) > 1 or starred,  # checks these at run time
                         "max_value": len(node.args) > 2 or starred}
                for keyword in node.keywords:
                    if keyword.arg in given:
                        given[keyword.arg] = not (isinstance(keyword.value, ast.Constant)
                                                  and keyword.value.value is None)
                if not all(given.values()):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found >= 10 and not missing


def numeric_widgets(at) -> dict[str, object]:
    return {w.key or w.label: w for w in [*at.number_input, *at.slider]}


def assert_bounded(at, page: str, seen: dict) -> None:
    for name, widget in numeric_widgets(at).items():
        low, high = widget.min, widget.max
        assert low is not None and high is not None, f"{page}: {name} is unbounded"
        assert math.isfinite(low) and math.isfinite(high) and low < high, f"{page}: {name}"
        seen[name] = (low, high)


def set_all(at, end: str) -> None:
    """Every number widget to its max, its min, or (as a client past the browser might send) far
    beyond its max, NaN for a float one.

    Not NaN for an int number_input: Streamlit 1.67 calls int() on it before its bounds check
    (a ValueError in that client's own session; the browser never sends it).
    """
    for widget in numeric_widgets(at).values():
        low, high = widget.min, widget.max
        value = {"max": high, "min": low, "beyond": high + 1000 * (high - low)}[end]
        if end == "beyond" and isinstance(widget.value, float):
            value = math.nan
        widget.set_value((value, value) if isinstance(widget.value, (tuple, list)) else value)
    at.run()


def assert_within_bounds(at) -> None:
    for name, widget in numeric_widgets(at).items():
        values = widget.value if isinstance(widget.value, (tuple, list)) else [widget.value]
        assert all(widget.min <= v <= widget.max for v in values), f"{name}: {widget.value}"


def push_to_the_ends(at, page: str, title: str, seen: dict) -> None:
    """Every number widget shown to its max, its min and beyond: the page must keep working."""
    for end in ("max", "min", "beyond"):  # "max" also shows widgets that depend on a count
        set_all(at, end)
        assert_intact(at, title)
        assert_bounded(at, page, seen)
    assert_within_bounds(at)  # Streamlit puts a value out of bounds back to the default


def choices(at):
    """(kind, key, option) for every other option of each keyed radio or selectbox whose options
    are shown as they are (so an option's text is its value)."""
    for kind in ("radio", "selectbox"):
        for widget in getattr(at, kind):
            if widget.key is None:
                continue
            for option in widget.options:
                if option != str(widget.value) and shown_as_is(widget.format_func, option):
                    yield kind, widget.key, option


def shown_as_is(format_func, option: str) -> bool:
    try:
        return format_func(option) == option
    except Exception:  # a format_func made for other values (numbers, dictionary keys)
        return False


@pytest.mark.parametrize("stop", journey.stops(), ids=lambda s: s.page)
def test_each_page_takes_a_crafted_link_and_number_widgets_at_and_past_their_bounds(
        ready_default, stop):
    """Opened by a link with odd query parameters (see ODD_QUERY), then every number widget is
    checked for finite bounds and pushed to them and past them, also those behind a switch or a
    choice."""
    at = open_with_query(stop.page, ODD_QUERY)
    assert_query_reached_no_markdown(at, stop.page)
    title, seen = at.title[0].value, {}
    assert_bounded(at, stop.page, seen)
    switches = [*at.checkbox, *at.toggle]  # what hides behind a switch
    if switches:
        for switch in switches:
            switch.set_value(True)
        at.run()
        assert_intact(at, title)
        assert_bounded(at, stop.page, seen)
    if seen:
        push_to_the_ends(at, stop.page, title, seen)
    wanted = literal_number_widget_keys(stop.page)
    for kind, key, option in list(choices(at)):  # what hides behind a choice, until all found
        if wanted <= set(seen):
            break
        getattr(at, kind)(key=key).set_value(option)
        at.run()
        assert_intact(at, title)
        before = set(seen)
        assert_bounded(at, stop.page, seen)
        if set(seen) - before:
            push_to_the_ends(at, stop.page, title, seen)
    assert wanted <= set(seen)  # the walk reached every number widget the source names


def literal_number_widget_keys(page: str) -> set[str]:
    """The keys, written as plain strings, of the number widgets in a page's source."""
    return {keyword.value.value
            for node in ast.walk(ast.parse((ROOT / page).read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("number_input", "slider")
            for keyword in node.keywords
            if keyword.arg == "key" and isinstance(keyword.value, ast.Constant)}
