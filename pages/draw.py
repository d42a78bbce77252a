"""Draw a digit: two trained networks read it, and every step between strokes and answer shows."""

from __future__ import annotations

import streamlit as st

from explainer.charts import draw as charts
from explainer.concepts.inputs import preprocess
from explainer.concepts.models.reading import CONFIDENT, Reading
from pages.shared import drawing_canvas, end_page, own_training, start_page, terms
from pages.shared.answering import (
    NAMES,
    ON_COPIES,
    WALK_THROUGH,
    YOURS,
    Answering,
    answering_networks,
    preparing,
    waiting_panel,
)
from pages.shared.draw_changes import ANCHOR, changes_section
from pages.shared.draw_inside import dream_section, inside_section
from pages.shared.draw_layout import QUIET, tile
from pages.shared.draw_tasks import ask, progress

start_page(__file__)

CANVAS = 280  # pixels; MNIST's 28 x 28 times ten
STROKE = (8, 40, 18)  # stroke width: min, max, default
PICK = "draw_network"  # session key: the network whose charts the page shows
OFFERED = "draw_offered_model"  # session key: the visitor's model already offered (its id)
WAITING = {ON_COPIES: ("The network trained on changed copies", "draw_retry_augmented"),
           WALK_THROUGH: ("The walk-through's network", "draw_retry_default")}

st.session_state.setdefault("draw_round", 0)  # bumping it gives a fresh, empty canvas


def clear_canvas() -> None:
    st.session_state.pop(f"draw_canvas_{st.session_state.draw_round}", None)
    st.session_state.draw_round += 1


@st.cache_data(show_spinner=False, max_entries=4)
def decode_upload(data: bytes) -> preprocess.Upload:
    return preprocess.decode_upload(data)


def describe(network: Answering) -> str:
    trained = network.reader.trained
    where = f", trained on {trained.source}" if trained.source else ""
    whose = "shared by every visitor" if network.reader.for_everyone else "from the Train page"
    return f"Answering: **{network.name}**, {whose}: *{trained.name}*{where}."


def pick(networks: list[Answering]) -> Answering | None:
    """The network whose probabilities, hidden cells and dream the page shows: the visitor's
    pick, the headline until they pick, their own model once they chose it on the Train page."""
    if not networks:
        return None
    ids = [network.id for network in networks]
    own = st.session_state.get(own_training.MODEL)
    if YOURS in ids and st.session_state.get(OFFERED) != own.model_id:
        st.session_state[OFFERED] = own.model_id  # newly chosen: shown once, then the visitor's
        st.session_state[PICK] = YOURS
    if st.session_state.get(PICK) not in ids:
        st.session_state[PICK] = ids[0]
    if len(ids) > 1:
        st.segmented_control("Look inside", ids, format_func=NAMES.get, required=True,
                             key=PICK, wrap=True, help="The probabilities, the hidden cells and "
                                                       "the dream below follow your pick.")
    return networks[ids.index(st.session_state[PICK])]


def verdict(reading: Reading) -> None:
    if reading.blob:
        st.warning("That looks like a dot or a solid blob, not a digit. MNIST has nothing like "
                   "it, but the network must still pick one of ten digits: do not trust its "
                   f"{reading.digit}.", icon=":material/help:")
    elif not reading.sure:
        st.warning(f"Not sure: the best guess, {reading.digit}, has only "
                   f"{reading.confidence:.0%} (below {CONFIDENT:.0%}). Try drawing it larger "
                   "and clearer.", icon=":material/help:")
    else:
        st.success(f"It's a **{reading.digit}**, with {reading.confidence:.1%} probability.",
                   icon=":material/check_circle:")


st.title("Draw a digit")
st.markdown(
    "**Trained networks read your handwriting: your drawing becomes 784 numbers, and one "
    "forward pass turns them into ten probabilities.** Draw a digit from 0 to 9 in the white "
    "square; below, follow every step between your strokes and its answer.")
terms.define("Forward propagation", "Softmax", "Hidden layer", "Data augmentation")

networks = answering_networks()
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
        file = st.file_uploader("A PNG or JPEG of one handwritten digit (5 MB at most). On a "
                                "phone you can take a photo of a digit on paper.",
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
readings = {network.id: network.reader.read(steps.digit, steps)
            for network in networks} if steps else {}

with answer_col:
    for which, shared in preparing().items():
        what, retry_key = WAITING[which]
        others = ("Meanwhile the other network answers." if networks else
                  "Your drawing is kept; the answer appears by itself.")
        waiting_panel(what, "The other network answers meanwhile; or try again." if networks
                      else "Train one on the Train on MNIST page, or try again.",
                      f"{what} is getting ready on this server. {others}", retry_key, shared)
    if upload is not None and steps is None:
        st.warning("No ink found in this picture: it is blank, or has too little contrast to "
                   "tell a digit from the paper. Upload a dark digit on light paper (or a light "
                   "one on dark).", icon=":material/image_not_supported:")
    elif steps is None and networks:
        st.info("Draw a digit on the canvas (or upload a picture) and the networks will read "
                "it. An empty canvas gets no answer.", icon=":material/draw:")
    if networks:
        headline = networks[0]
        head = readings.get(headline.id)
        if head is not None:
            with st.container(horizontal=True):
                st.metric("The network reads", str(head.digit) if head.sure else "?",
                          border=True, width="content")
                st.metric(f"P({head.digit})", f"{head.confidence:.1%}", border=True,
                          width="content")
                for other in networks[1:]:
                    said = readings[other.id]
                    st.metric(f"{other.name} reads", str(said.digit) if said.sure else "?",
                              f"{said.confidence:.0%} sure", delta_color="off",
                              delta_arrow="off", width="content")
            verdict(head)
        st.caption(describe(headline) + (" Beside it: " + " and ".join(
            other.subject + (f" (*{other.reader.name}*)" if other.id == YOURS else "")
            for other in networks[1:]) + f". [Why two?](#{ANCHOR})" if len(networks) > 1
            else ""))
    picked = pick(networks)
    reading = readings.get(picked.id) if picked is not None else None
    if reading is not None:
        st.plotly_chart(charts.probabilities_figure(
            reading.probabilities, f"{picked.name}: the ten probabilities", sure=reading.sure),
            key="draw_probabilities", config=QUIET)
        st.caption("A network always answers with ten probabilities that add up to 100%. It "
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
    row, col = preprocess.centre_of_mass(steps.centred)
    with st.container(horizontal=True):
        tile(charts.pixels_figure(steps.grayscale, "1. Your drawing"), "draw_step_gray",
             f"{steps.grayscale.shape[1]} x {steps.grayscale.shape[0]} pixels, gray")
        tile(charts.pixels_figure(steps.cropped, "2. Cropped to the ink"), "draw_step_crop",
             f"{right - left} x {bottom - top} pixels")
        tile(charts.pixels_figure(steps.fitted, "3. Fit in 20 x 20"), "draw_step_fit",
             f"{steps.fitted.shape[1]} x {steps.fitted.shape[0]} pixels, shape kept")
        tile(charts.pixels_figure(steps.centred, "4. Centred by mass", mark=(row, col)),
             "draw_step_centre", f"28 x 28; centre of mass at row {row:.1f}, column {col:.1f}")

    grid_col, compare_col = st.columns([0.5, 0.5], gap="large")
    with grid_col:
        grid = charts.input_grid_figure(steps.digit, "5. The 784 numbers the network reads "
                                                     "(pixel / 255)")
        st.plotly_chart(grid, key="draw_grid", config=QUIET)
        st.caption("Hover the grid to see each input. The network multiplies these 784 numbers "
                   "by each hidden cell's 784 weights and adds them up.")
    with compare_col:
        if reading is None:
            st.info("Once a network is ready, it compares this with the canvas just shrunk.")
        else:
            naive = preprocess.naive_shrink(picture)
            shrunk = picked.reader.read(naive)
            same = shrunk.digit == reading.digit
            options = ["The same digit", "Another digit"]
            if ask("shrink", "Skip the crop and the centring: shrink your whole canvas to 28 x "
                             f"28 as it is. Will {picked.subject} still read a {reading.digit}?",
                   options, options[0] if same else options[1],
                   "Your drawing fills the canvas much as an MNIST digit fills its box; draw "
                   "one small, or in a corner, and the shrunk one goes wrong." if same else
                   "The shrunk digit stays wherever and however big you drew it, so its ink "
                   "lands on pixels where the network saw little ink in training."):
                with st.container(horizontal=True):
                    for figure, key, said in (
                            (charts.pixels_figure(steps.digit, "MNIST-style", height=200),
                             "draw_compare_mnist", reading),
                            (charts.pixels_figure(naive, "Just shrunk", height=200),
                             "draw_compare_naive", shrunk)):
                        tile(figure, key).metric("Reads", f"{said.digit}",
                                                 f"{said.confidence:.0%} sure",
                                                 delta_color="off", delta_arrow="off")
                st.plotly_chart(charts.probabilities_figure(
                    shrunk.probabilities, "Just shrunk: the ten probabilities", height=230,
                    sure=shrunk.sure), key="draw_compare_probabilities", config=QUIET)

st.divider()
changes_section(networks)
st.divider()
inside_section(picked, reading)
st.divider()
dream_section(picked)
st.divider()
progress()
end_page(__file__)
