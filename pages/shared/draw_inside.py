"""The Draw page's looks inside the network the visitor picked: its hidden cells and its dream.

Both follow the pick above them (the network trained on changed copies, the walk-through's, or
the visitor's own): the same drawing lights up other cells in another network, and each network
dreams its own favourite digit.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from explainer.charts import draw as charts
from explainer.concepts.inputs import preprocess
from explainer.concepts.models import dream as dreaming
from explainer.concepts.models.dream import STARTS
from explainer.concepts.models.inside import cell_template, pushes, strongest_pushes
from explainer.concepts.models.reading import Reading
from explainer.data.mnist import load_sample
from pages.shared import url_state
from pages.shared.answering import Answering
from pages.shared.draw_layout import QUIET, tile
from pages.shared.draw_tasks import ask
from pages.shared.kept import kept


@st.cache_data(show_spinner=False)
def average_digits() -> np.ndarray:
    """The mean picture of each digit over the shipped training sample, (10, 28, 28) in 0-255."""
    sample = load_sample()
    return np.stack([sample.x_train[sample.y_train == d].mean(axis=0) for d in range(10)])


def inside_section(network: Answering | None, reading: Reading | None) -> None:
    """The hidden cells the drawing lit up in the picked network, and those that pushed most."""
    st.subheader("Inside the network")
    if reading is None or network is None:
        st.info("Draw a digit to see which hidden cells light up.")
        return
    if reading.inside is None:
        st.info(f"This network ({network.reader.trained.config.label}) is not a plain stack of "
                "Dense layers: the hidden-cell views below apply only to MLPs whose first layer "
                "is Dense, where every hidden cell has 784 weights you can draw as a picture.")
        return
    if not network.reader.mlp.hidden:
        st.info("This network has no hidden layer: each digit's score is one weighted sum of "
                "the 784 pixels, so there are no hidden cells to show.")
        return
    st.caption(f":material/visibility: Inside: **{network.name}**, as picked above.")
    mlp, run, digit = network.reader.mlp, reading.inside, reading.digit
    strongest = strongest_pushes(mlp, run, digit, count=6)
    hidden = run.hidden[-1][0]
    heat_col, out_col = st.columns([0.58, 0.42], gap="large")
    with heat_col:
        active = int((hidden > 0).sum())
        st.markdown(f"**The {len(hidden)} hidden cells** ({active} active; ReLU set the others "
                    "to 0). Boxed: the cells that pushed the answer most.")
        st.plotly_chart(charts.hidden_figure(hidden, [p.cell for p in strongest]),
                        key="draw_hidden", config=QUIET)
    with out_col:
        st.markdown("**The 10 output cells**: their scores, before softmax turns them into "
                    "probabilities. The highest, framed, is the answer.")
        st.plotly_chart(charts.scores_figure(run.scores[0], run.probabilities[0]),
                        key="draw_scores", config=QUIET)
    total = float(pushes(mlp, run, digit).sum())
    bias = float(mlp.output.bias[digit])
    st.markdown(f"**The hidden cells that pushed {digit} most.** Each adds *activation x "
                f"weight* to {digit}'s score. All {len(hidden)} pushes add up to {total:.2f}; "
                f"plus the bias {bias:+.2f} that makes the score {total + bias:.2f}.")
    if not strongest:
        return
    with st.container(horizontal=True):
        for push in strongest:
            template = cell_template(mlp, push.cell)
            caption = f"{push.activation:.2f} x {push.weight:.2f} = **+{push.amount:.2f}**"
            if template is not None:
                tile(charts.template_figure(template, f"cell {push.cell}", height=160),
                     f"draw_template_{push.cell}", caption, 140)
            else:
                st.caption(f"cell {push.cell}: {caption}", width=140)
    if len(mlp.hidden) == 1:
        st.caption("Each picture is a hidden cell's 784 weights: blue pixels raise the cell "
                   "when inked, orange ones lower it. A cell is a template, and it lights up "
                   "when your digit matches it.")
    else:
        st.caption("This network has two hidden layers: these cells read the first layer's "
                   "cells, not pixels, so their weights make no picture.")


def dream_section(network: Answering | None) -> None:
    """Gradient ascent on the pixels: the picked network's favourite picture of a digit, asked
    for after a guess at what it will look like."""
    st.subheader("Can the network draw a 9?")
    st.markdown(
        "A network trained to *tell digits apart* has never been asked to *draw* one. Let's ask: "
        "start from a blank (or noisy) image and nudge all 784 pixels, step by step, in the "
        "direction that raises the network's probability for one digit. This is gradient "
        "descent turned around: the weights stay fixed and the pixels move.")
    if network is None:
        st.info("The network is still getting ready (see above).")
        return
    url_state.check_link({"dream": url_state.whole(0, 9),
                          "dream_start": url_state.one_of(STARTS),
                          "dream_steps": url_state.whole(10, 300)},
                         {"dream": "the digit to draw", "dream_start": "the start",
                          "dream_steps": "the steps"})
    looks = ["A clear 9", "A blurry 9", "Specks that look little like a 9"]
    if not ask("dream", "Nudge a blank picture until the network is over 99% sure it shows a 9. "
                        "What will the picture look like?", looks, looks[2],
               "Trained only to tell ten digits apart, the network learned which pixels "
               "separate them, not what a digit looks like. Any picture that hits those pixels "
               "will do."):
        return
    pick_col, start_col, steps_col = st.columns([0.55, 0.18, 0.27])
    target = pick_col.segmented_control("Digit", list(range(10)), default=9, required=True,
                                        key="dream", bind="query-params", wrap=True)
    start = start_col.segmented_control("Start from", list(STARTS), default="blank",
                                        required=True, key="dream_start", bind="query-params")
    count = steps_col.slider("Steps", 10, 300, 100, step=10, key="dream_steps",
                             bind="query-params")
    reader = network.reader
    with st.spinner(f"Adjusting the pixels to make the network see a {target} ..."):
        # The same model, digit, start and steps give the same dream: made once per server.
        result = kept(("dream", reader.trained.model_id, target, start, count),
                      lambda: dreaming.dream(reader.gradient(), target, start=start,
                                             steps=count))
    average = average_digits()[target]
    average_p = reader.read(preprocess.to_uint8(average)).probabilities[target]
    pictures, history = st.columns([0.5, 0.5], gap="large")
    with pictures, st.container(horizontal=True):
        tile(charts.pixels_figure(result.image, f"Its favourite {target}", height=220,
                                  zmax=1.0), "draw_dream_image").metric(
            f"P({target})", f"{result.probability:.2%}")
        tile(charts.pixels_figure(average, f"An average MNIST {target}", height=220),
             "draw_dream_average").metric(f"P({target})", f"{average_p:.2%}")
    history.plotly_chart(charts.dream_history_figure(result.history, target),
                         key="draw_dream_history", config=QUIET)
    history.markdown(
        f"After {count} steps {network.subject} is {result.probability:.1%} sure its "
        f"picture is a {target}, yet it looks little like one. Trained only to tell digits "
        f"apart, it learned which pixels *separate* the ten classes, not what a digit looks "
        f"like: it cannot draw a {target}.")
