"""Change a test digit and watch the networks read it: data augmentation, played with.

The visitor moves, turns, resizes and thickens one of MNIST's test digits and sees the
walk-through's network's answer and confidence change, often into an answer no person would
give, beside the network trained on such changed copies. A task asks which change hurts most
before the chart that answers it shows: every test digit of the sample changed the same way,
counted per network.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from explainer.charts import draw as charts
from explainer.concepts.inputs.distort import MAX_DEGREES, MAX_SHIFT, SCALES, distort
from explainer.concepts.models import robustness
from explainer.concepts.models.robustness import STRONGEST, UNCHANGED
from explainer.data.mnist import load_sample
from explainer.training.code_shown import augmentation_code
from explainer.training.spec import AUGMENTED
from pages.shared.answering import ON_COPIES, WALK_THROUGH, Answering
from pages.shared.draw_layout import QUIET, tile
from pages.shared.draw_tasks import ask
from pages.shared.kept import kept

ANCHOR = "change-a-digit"  # the section's address: /draw#change-a-digit
# key: (label, low, high, unchanged, step, format, help)
SLIDERS = {
    "draw_play_right": ("Move right", -6.0, 6.0, 0.0, 0.5, "%+.1f px",
                        "Pixels to the right (negative: to the left)."),
    "draw_play_down": ("Move down", -6.0, 6.0, 0.0, 0.5, "%+.1f px",
                       "Pixels down (negative: up)."),
    "draw_play_turn": ("Turn", -45, 45, 0, 5, "%+d°",
                       "Degrees, counter-clockwise (negative: clockwise)."),
    "draw_play_size": ("Size", 0.5, 1.5, 1.0, 0.05, "%.2f x",
                       "Times its size: 0.8 is a fifth smaller."),
    "draw_play_pen": ("Pen", -1.0, 1.0, 0.0, 0.25, "%+.2f",
                      "Negative: a thinner pen; positive: a fatter one, up to a pixel a side."),
}
INDEX = "draw_play_index"  # session key: which of the sample's test digits is played with
NAMES = {UNCHANGED.id: UNCHANGED.name, **{change.id: change.name for change in STRONGEST}}


@st.cache_data(show_spinner=False)
def changed_test_digits() -> dict[str, np.ndarray]:
    """The sample's 1,000 test digits as they are and after each change at its strongest."""
    digits = load_sample().x_test
    return {UNCHANGED.id: digits, **{change.id: change.apply(digits) for change in STRONGEST}}


def accuracies(network: Answering) -> dict[str, float]:
    """The share of the changed test digits the network reads right, per change (per server)."""
    reader = network.reader
    return kept(("draw-changes", reader.trained.model_id),
                lambda: robustness.accuracy_per_change(reader.read_many, changed_test_digits(),
                                                       load_sample().y_test))


def first_seven() -> int:
    return int(np.flatnonzero(load_sample().y_test == 7)[0])


def put_back() -> None:
    for key, (_, _, _, unchanged, *_) in SLIDERS.items():
        st.session_state[key] = unchanged


def another_digit() -> None:
    count = len(load_sample().x_test)
    st.session_state[INDEX] = int(np.random.default_rng().integers(count))
    put_back()


def changes_section(networks: list[Answering]) -> None:
    """The idea, the task, the playground, the task's answer once out, and Go deeper."""
    st.subheader("Change a digit: does the network still read it?", anchor=ANCHOR)
    st.markdown(
        "**A person reads a 7 the same when it is moved, turned, resized or drawn with a fatter "
        "pen; a network that only saw MNIST's centred, upright digits may not.** Training it on "
        "such changed copies of the digits, *data augmentation*, teaches it the digit rather "
        "than where MNIST's writers put the ink.")
    by_id = {network.id: network for network in networks}
    plain = by_id.get(WALK_THROUGH)
    if plain is None:
        st.info("This needs the walk-through's network, which is getting ready (see above).")
        return
    scores = accuracies(plain)
    worst = robustness.hurts_most(scores)
    options = [change.name for change in STRONGEST]
    revealed = ask(
        "hurts_most", "Each change below is made to all 1,000 test digits of the sample. Which "
        "one makes the walk-through's network misread the most?", options, NAMES[worst],
        f"After '{NAMES[worst]}' it reads {scores[worst]:.0%} of them right, against "
        f"{scores[UNCHANGED.id]:.0%} unchanged. It has one weight per pixel, so ink that lands "
        "on other pixels meets other weights; a person just sees the same shape.")
    playground(plain, by_id.get(ON_COPIES))
    if revealed:  # the walk-through's network first: the task asked about it
        shown = sorted((network for network in networks if network.reader.mlp is not None),
                       key=lambda network: network.id != WALK_THROUGH)
        columns = st.columns(len(shown))
        for column, network in zip(columns, shown):
            values = accuracies(network)
            column.plotly_chart(charts.change_accuracy_figure(
                [NAMES[key] for key in values], list(values.values()), network.name),
                key=f"draw_changes_{network.id.replace('-', '_')}", config=QUIET)
    go_deeper(by_id)


def playground(plain: Answering, copies: Answering | None) -> None:
    """Five sliders change one test digit; each network's reading of it, right or wrong."""
    sample = load_sample()
    index = int(st.session_state.setdefault(INDEX, first_seven())) % len(sample.x_test)
    digit, label = sample.x_test[index], int(sample.y_test[index])
    for key, (_, _, _, unchanged, *_) in SLIDERS.items():
        st.session_state.setdefault(key, unchanged)
    view, controls = st.columns([0.5, 0.5], gap="large")
    with controls:
        values = {}
        for key, (name, low, high, _, step, shown, helps) in SLIDERS.items():
            values[key] = st.slider(name, low, high, step=step, format=shown, key=key,
                                    help=helps)
        with st.container(horizontal=True):
            st.button("Put it back", key="draw_play_reset", on_click=put_back,
                      icon=":material/undo:")
            st.button("Another test digit", key="draw_play_another", on_click=another_digit,
                      icon=":material/casino:")
    changed = distort(digit, right=values["draw_play_right"], down=values["draw_play_down"],
                      degrees=values["draw_play_turn"], factor=values["draw_play_size"],
                      amount=values["draw_play_pen"])
    with view:
        with st.container(horizontal=True):  # side by side, on a phone too
            tile(charts.pixels_figure(digit, f"A test {label}", height=170), "draw_play_before")
            tile(charts.pixels_figure(changed, "Changed", height=170), "draw_play_after")
        readers = [network for network in (plain, copies) if network is not None]
        readings = {network.id: network.reader.read(changed) for network in readers}
        with st.container(horizontal=True):
            for network in readers:
                reading = readings[network.id]
                mark = "✓" if reading.digit == label else "✗"
                st.metric(network.name, f"{reading.digit} {mark}",
                          f"{reading.confidence:.0%} sure", delta_color="off",
                          delta_arrow="off", width="content")
        said = readings[WALK_THROUGH]
        st.caption(f"Move a slider and the networks read the changed digit again. In training, "
                   f"the one on changed copies saw moves of up to {MAX_SHIFT:g} pixels, turns of "
                   f"up to {MAX_DEGREES:g}° and sizes {SCALES[0]:g}-{SCALES[1]:g}: past those, "
                   "it is on its own too.")
        if said.digit != label:
            st.markdown(f"The walk-through's network now reads **a {said.digit}**, an answer no "
                        f"person would give for this {label}.")
        if copies is None:
            st.caption("The network trained on changed copies answers here too once it is "
                       "ready (see above).")


def go_deeper(by_id: dict[str, Answering]) -> None:
    """How the copies are made and what they cost; why drawings need this less than photos."""
    with st.expander("Go deeper: how the copies are made, and what they buy and cost"):
        st.markdown(
            f"Each epoch, every training digit comes as a fresh random copy: moved by up to "
            f"{MAX_SHIFT:g} pixels each way, turned by up to {MAX_DEGREES:g} degrees, "
            f"{SCALES[0]:g} to {SCALES[1]:g} times its size, with a thinner or fatter pen. The "
            "copies are made in the input pipeline, not in the network: it still reads 784 "
            "numbers, with the same layers and weights. These lines join the walk-through's "
            "code:")
        st.code("\n".join(augmentation_code(AUGMENTED)).strip(), language="python")
        rows = ["| Network | MNIST's test digits | 1,000 of them, changed | Epochs | Training |",
                "|---|---|---|---|---|"]
        digits = load_sample()
        for network in by_id.values():
            trained = network.reader.trained
            robust = kept(("draw-robust", trained.model_id), lambda r=network.reader: (
                robustness.robustness_accuracy(r.read_many, digits.x_test, digits.y_test)))
            tested = f"{trained.test_accuracy:.1%}" if trained.test_accuracy else "-"
            rows.append(f"| {network.name} | {tested} | {robust:.1%} | "
                        f"{trained.config.epochs} | {trained.seconds:.0f} s |")
        st.markdown("\n".join(rows))
        st.caption("Changed: the sample's 1,000 test digits, each moved, turned, resized and "
                   "drawn thinner or thicker at random (the robustness set, a fixed seed). "
                   "Training: the time this server took; an epoch on copies costs about 2.3 "
                   "plain ones, as the pipeline changes every batch first.")
        st.markdown(
            "**Your drawings** go through the page's preparation first: cropped, fitted in 20 x "
            "20 and centred, which undoes most of a move or a size change before the network "
            "sees them. A turn, a slant or the pen stay. The digit above is read as it is, "
            "without that preparation, as a cropped photo would be.")
        st.page_link("pages/train_mnist.py", label="Train it yourself: the experiment 'Trained "
                     "on shifted, rotated and rescaled copies too' on the Train page",
                     icon=":material/science:")
