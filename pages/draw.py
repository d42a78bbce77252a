"""Draw a digit: the trained network reads it, and every step between strokes and answer shows."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explainer.charts import draw as charts
from explainer.concepts.inputs import preprocess
from explainer.concepts.models.dream import STARTS, dream
from explainer.concepts.models.inside import cell_template, pushes, strongest_pushes
from explainer.concepts.models.reading import CONFIDENT, Reader
from explainer.data.mnist import load_sample
from pages.shared import drawing_canvas, end_page, start_page, terms, url_state
from pages.shared.answering import answering_network, waiting_panel
from pages.shared.kept import kept

start_page(__file__)

CANVAS = 280  # pixels; MNIST's 28 x 28 times ten
STROKE = (8, 40, 18)  # stroke width: min, max, default

st.session_state.setdefault("draw_round", 0)  # bumping it gives a fresh, empty canvas


def clear_canvas() -> None:
    st.session_state.pop(f"draw_canvas_{st.session_state.draw_round}", None)
    st.session_state.draw_round += 1


@st.cache_data(show_spinner=False, max_entries=4)
def decode_upload(data: bytes) -> preprocess.Upload:
    return preprocess.decode_upload(data)


@st.cache_data(show_spinner=False)
def average_digits() -> np.ndarray:
    """The mean picture of each digit over the shipped training sample, (10, 28, 28) in 0-255."""
    sample = load_sample()
    return np.stack([sample.x_train[sample.y_train == d].mean(axis=0) for d in range(10)])


def describe(network: Reader) -> str:
    trained = network.trained
    whose = ("the shared default model" if network.shared
             else "**your model** from the training page")
    where = f", trained on {trained.source}" if trained.source else ""
    return f"Answering: {whose}, *{trained.name}*{where}."


st.title("Draw a digit")
st.markdown(
    "**The trained network reads your handwriting: your drawing becomes 784 numbers, and one "
    "forward pass turns them into ten probabilities.** Draw a digit from 0 to 9 in the white "
    "square; below, follow every step between your strokes and its answer.")
terms.define("Forward propagation", "Softmax", "Hidden layer", "Weight")

network = answering_network()
draw_col, answer_col = st.columns([0.36, 0.64], gap="large")

with draw_col:
    source = st.segmented_control("Input", ["Draw", "Upload a picture"], default="Draw",
                                  required=True, key="draw_source", label_visibility="collapsed")
    picture, upload = None, None
    if source == "Draw":
        stroke = st.slider("Stroke width", *STROKE, key="draw_stroke",
                           help="In canvas pixels. MNIST's strokes are about a tenth of the "
                                "digit's height.")
        picture = drawing_canvas(f"draw_canvas_{st.session_state.draw_round}", CANVAS, stroke)
        st.button("Clear", icon=":material/delete:", on_click=clear_canvas, key="draw_clear")
    else:
        # MIME types, not extensions: the browser still offers only PNGs and JPEGs, and a file
        # with another name reaches decode_upload, which judges its bytes and says what is wrong
        # (an extension list makes Streamlit raise on such a name before the page can answer).
        file = st.file_uploader("A PNG or JPEG of one handwritten digit (5 MB at most)",
                                type=["image/png", "image/jpeg"], key="draw_upload")
        if file is not None:
            try:
                upload = decode_upload(file.getvalue())
            except preprocess.UploadError as problem:
                st.error(str(problem), icon=":material/block:")
            else:
                picture = upload.ink
                notes = [f"{upload.format}, {upload.size[0]} x {upload.size[1]} pixels."]
                if upload.frames > 1:
                    notes.append(f"Animated ({upload.frames} frames): the first one is read."
                                 if upload.format == "PNG" else
                                 f"{upload.frames} pictures in one file: the first one is read.")
                if upload.turned:
                    notes.append("Turned upright, as the photo's orientation tag says.")
                if upload.shrunk:
                    notes.append(f"Read at {upload.ink.shape[1]} x {upload.ink.shape[0]}.")
                if upload.inverted:
                    notes.append("Dark ink on light paper: inverted, so ink is bright as in "
                                 "MNIST.")
                st.caption(" ".join(notes))

steps = preprocess.mnist_steps(picture) if picture is not None else None
reading = network.read(steps.digit, steps) if (network is not None and steps) else None

with answer_col:
    if network is None:
        waiting_panel("The network that reads your digit",
                      "Train one on the Train on MNIST page, or try again.",
                      "The network that reads your digit is getting ready. Your drawing is "
                      "kept; the answer appears by itself.", retry_key="draw_retry_default")
    else:
        st.caption(describe(network))
    if upload is not None and steps is None:
        st.warning("No ink found in this picture: it is blank, or has too little contrast to "
                   "tell a digit from the paper. Upload a dark digit on light paper (or a light "
                   "one on dark).", icon=":material/image_not_supported:")
    elif steps is None:
        st.info("Draw a digit on the canvas (or upload a picture) and the network will read it. "
                "An empty canvas gets no answer.", icon=":material/draw:")
    elif reading is not None:
        guess, sure_col, chart_col = st.columns([0.22, 0.22, 0.56])
        guess.metric("The network reads", str(reading.digit) if reading.sure else "?")
        sure_col.metric(f"P({reading.digit})", f"{reading.confidence:.1%}")
        if reading.blob:
            st.warning("That looks like a dot or a solid blob, not a digit. MNIST has nothing "
                       "like it, but the network must still pick one of ten digits: do not trust "
                       f"its {reading.digit}.", icon=":material/help:")
        elif not reading.sure:
            st.warning(f"Not sure: the best guess, {reading.digit}, has only "
                       f"{reading.confidence:.0%} (below {CONFIDENT:.0%}). Try drawing it larger "
                       "and clearer.", icon=":material/help:")
        else:
            st.success(f"It's a **{reading.digit}**, with {reading.confidence:.1%} probability.",
                       icon=":material/check_circle:")
        st.plotly_chart(charts.probabilities_figure(reading.probabilities, sure=reading.sure),
                        key="draw_probabilities")
        st.caption("The network always answers with ten probabilities that add up to 100%. It "
                   "was only ever shown digits, so it cannot say *none of these*: a scribble "
                   "gets an answer too, sometimes a confident one.")

st.divider()
st.subheader("From your strokes to the network's input")
if steps is None:
    st.info("Once you draw, each step of the preparation shows here.")
else:
    st.markdown(
        "MNIST's digits were made this way: crop to the ink, scale to fit **20 x 20** keeping the "
        "shape, then place in **28 x 28** so the ink's *centre of mass* sits at the centre. "
        "Your drawing goes through the same steps, so it looks like what the network learned.")
    top, left, bottom, right = steps.box
    cols = st.columns(4)
    cols[0].plotly_chart(charts.pixels_figure(steps.grayscale, "1. Your drawing, gray"),
                         key="draw_step_gray")
    cols[0].caption(f"{steps.grayscale.shape[1]} x {steps.grayscale.shape[0]} pixels")
    cols[1].plotly_chart(charts.pixels_figure(steps.cropped, "2. Cropped to the ink"),
                         key="draw_step_crop")
    cols[1].caption(f"{right - left} x {bottom - top} pixels")
    cols[2].plotly_chart(charts.pixels_figure(steps.fitted, "3. Fit in 20 x 20"),
                         key="draw_step_fit")
    cols[2].caption(f"{steps.fitted.shape[1]} x {steps.fitted.shape[0]} pixels, shape kept")
    row, col = preprocess.centre_of_mass(steps.centred)
    centred = charts.pixels_figure(steps.centred, "4. Centre of mass at the centre",
                                   mark=(row, col))
    cols[3].plotly_chart(centred, key="draw_step_centre")
    cols[3].caption(f"28 x 28; centre of mass at row {row:.1f}, column {col:.1f}")

    grid_col, compare_col = st.columns([0.5, 0.5], gap="large")
    with grid_col:
        st.plotly_chart(charts.input_grid_figure(steps.digit, "5. The 784 numbers the network "
                                                 "reads (pixel / 255)"), key="draw_grid")
    with compare_col:
        compare = st.toggle("Compare with just shrinking the canvas to 28 x 28",
                            key="draw_compare")
        if compare:
            naive = preprocess.naive_shrink(picture)
            side_a, side_b = st.columns(2)
            side_a.plotly_chart(charts.pixels_figure(steps.digit, "MNIST-style", height=200),
                                key="draw_compare_mnist")
            side_b.plotly_chart(charts.pixels_figure(naive, "Just shrunk", height=200),
                                key="draw_compare_naive")
            if network is not None:
                shrunk = network.read(naive)
                side_a.metric("Reads", f"{reading.digit}", f"{reading.confidence:.0%} sure",
                              delta_color="off", delta_arrow="off")
                side_b.metric("Reads", f"{shrunk.digit}", f"{shrunk.confidence:.0%} sure",
                              delta_color="off", delta_arrow="off")
                st.plotly_chart(charts.probabilities_figure(
                    shrunk.probabilities, "Just shrunk: the ten probabilities", height=230,
                    sure=shrunk.sure), key="draw_compare_probabilities")
                if shrunk.digit == reading.digit:
                    st.markdown("Here both ways give **the same digit**: your drawing fills the "
                                "canvas much as an MNIST digit fills its box. Draw one small, or "
                                "in a corner, and watch the shrunk one go wrong.")
                else:
                    st.markdown(f"Just shrinking gives **a {shrunk.digit} instead of a "
                                f"{reading.digit}**. The shrunk digit stays wherever and however "
                                "big you drew it, so its ink lands on pixels where the network "
                                "saw little ink in training.")
        else:
            st.markdown(
                "Hover the grid to see each input. The network multiplies these 784 numbers by "
                "each hidden cell's 784 weights and adds them up.\n\n"
                "Turn on the comparison to see what the network makes of the whole canvas "
                "simply shrunk to 28 x 28, without cropping and centring.")

st.divider()
st.subheader("Inside the network")
if reading is None:
    st.info("Draw a digit to see which hidden cells light up.")
elif reading.inside is None:
    st.info(f"This network ({network.trained.config.label}) is not a plain stack of Dense "
            "layers: the hidden-cell views below apply only to MLPs whose first layer is Dense, "
            "where every hidden cell has 784 weights you can draw as a picture.")
else:
    mlp, run, digit = network.mlp, reading.inside, reading.digit
    strongest = strongest_pushes(mlp, run, digit, count=6)
    hidden = run.hidden[-1][0]
    heat_col, out_col = st.columns([0.58, 0.42], gap="large")
    with heat_col:
        active = int((hidden > 0).sum())
        st.markdown(f"**The {len(hidden)} hidden cells** ({active} active; ReLU set the others "
                    "to 0). Orange boxes: the cells that pushed the answer most.")
        st.plotly_chart(charts.hidden_figure(hidden, [p.cell for p in strongest]),
                        key="draw_hidden")
    with out_col:
        st.markdown("**The 10 output cells**: their scores, before softmax turns them into "
                    "probabilities.")
        st.plotly_chart(charts.scores_figure(run.scores[0], run.probabilities[0]),
                        key="draw_scores")
    total = float(pushes(mlp, run, digit).sum())
    bias = float(mlp.output.bias[digit])
    st.markdown(f"**The hidden cells that pushed {digit} most.** Each adds *activation x "
                f"weight* to {digit}'s score. All {len(hidden)} pushes add up to {total:.2f}; "
                f"plus the bias {bias:+.2f} that makes the score {total + bias:.2f}.")
    if strongest:
        cells = st.columns(len(strongest))
        for column, push in zip(cells, strongest):
            template = cell_template(mlp, push.cell)
            if template is not None:
                column.plotly_chart(charts.template_figure(template, f"cell {push.cell}"),
                                    key=f"draw_template_{push.cell}")
            column.caption(f"{push.activation:.2f} x {push.weight:.2f} = **+{push.amount:.2f}**")
        if len(mlp.hidden) == 1:
            st.caption("Each picture is a hidden cell's 784 weights: blue pixels raise the cell "
                       "when inked, orange ones lower it. A cell is a template, and it lights up "
                       "when your digit matches it.")
        else:
            st.caption("This network has two hidden layers: these cells read the first layer's "
                       "cells, not pixels, so their weights make no picture.")

st.divider()
st.subheader("Can the network draw a 9?")
st.markdown(
    "A network trained to *tell digits apart* has never been asked to *draw* one. Let's ask: "
    "start from a blank (or noisy) image and nudge all 784 pixels, step by step, in the "
    "direction that raises the network's probability for one digit. This is gradient descent "
    "turned around: the weights stay fixed and the pixels move.")
if network is None:
    st.info("The network is still getting ready (see above).")
else:
    url_state.check_link({"dream": url_state.whole(0, 9),
                          "dream_start": url_state.one_of(STARTS),
                          "dream_steps": url_state.whole(10, 300)},
                         {"dream": "the digit to draw", "dream_start": "the start",
                          "dream_steps": "the steps"})
    pick_col, start_col, steps_col = st.columns([0.45, 0.2, 0.35])
    # a row of radio buttons wraps on a phone, where ten segments or pills scroll the 0 away
    target = pick_col.radio("Digit", list(range(10)), index=9, horizontal=True, key="dream",
                            bind="query-params")
    start = start_col.segmented_control("Start from", list(STARTS), default="blank",
                                        required=True, key="dream_start", bind="query-params")
    count = steps_col.slider("Steps", 10, 300, 100, step=10, key="dream_steps",
                             bind="query-params")
    with st.spinner(f"Adjusting the pixels to make the network see a {target} ..."):
        # The same model, digit, start and steps give the same dream: made once per server.
        result = kept(("dream", network.trained.model_id, target, start, count),
                      lambda: dream(network.gradient(), target, start=start, steps=count))
    average = average_digits()[target]
    average_p = network.read(preprocess.to_uint8(average)).probabilities[target]
    img_col, avg_col, hist_col = st.columns([0.27, 0.27, 0.46])
    img_col.plotly_chart(charts.pixels_figure(result.image, f"The network's favourite {target}",
                                              height=240, zmax=1.0), key="draw_dream_image")
    img_col.metric(f"P({target})", f"{result.probability:.2%}")
    avg_col.plotly_chart(charts.pixels_figure(average, f"An average MNIST {target}",
                                              height=240), key="draw_dream_average")
    avg_col.metric(f"P({target})", f"{average_p:.2%}")
    hist_col.plotly_chart(charts.dream_history_figure(result.history, target),
                          key="draw_dream_history")
    hist_col.markdown(
        f"After {count} steps the network is {result.probability:.1%} sure its picture is a "
        f"{target}, yet it looks little like one. Trained only to tell digits apart, it learned "
        "which pixels *separate* the ten classes, not what a digit looks like: it cannot draw a "
        f"{target}.")

end_page(__file__)
