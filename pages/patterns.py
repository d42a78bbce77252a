"""Recognizing patterns: multiply a digit by a template cell by cell, add up, rank the digits."""

import numpy as np
import streamlit as st

from explainer.charts import building as charts
from explainer.concepts import templates
from explainer.content import journey
from explainer.data.mnist import load_sample
from pages.shared import drawing_canvas, use_router

use_router()

CANVAS_SIZE = 280  # pixels; reduced to 28 x 28 by averaging 10 x 10 blocks
SOURCES = ("a digit from the sample", "draw one")
TEMPLATE_CHOICES = (*templates.TEMPLATES, "your own")

st.session_state.setdefault("patterns_source", SOURCES[0])
st.session_state.setdefault("patterns_template", "vertical line")


def canvas(key: str, stroke_width: int):
    """A black 280 x 280 canvas to draw on in white; its RGBA image, or None if it cannot load."""
    try:
        import streamlit_drawable_canvas  # noqa: F401
    except Exception:  # the component is missing or cannot register: say so, keep the page
        st.warning("The drawing canvas is not available here (streamlit-drawable-canvas 0.13 "
                   "is needed). Pick a digit from the sample instead.")
        return None
    return drawing_canvas(key, CANVAS_SIZE, stroke_width)


@st.cache_data(show_spinner=False, max_entries=16)  # painted templates: one entry each
def mean_scores(template: np.ndarray) -> np.ndarray:
    sample = load_sample()
    return templates.class_mean_scores(sample.x_train, sample.y_train, template)


st.title("Recognizing patterns")
st.markdown("How can arithmetic spot a vertical stroke? Take a **template**: a 28 × 28 grid with "
            "high values where the stroke should be and low values elsewhere. Multiply the digit "
            "by it cell by cell and add everything up. Ink on the stroke scores, ink elsewhere "
            "costs. That sum is exactly what one hidden cell computes from its 784 weights.")

sample = load_sample()
choose_digit, choose_template = st.columns(2, gap="large")
with choose_digit:
    st.subheader("1. The digit")
    source = st.radio("Take", SOURCES, key="patterns_source", horizontal=True)
    digit = None
    if source == SOURCES[0]:
        a, b = st.columns(2)
        digit_class = a.selectbox("Class", range(10), index=1, key="patterns_class")
        of_class = np.flatnonzero(sample.y_train == digit_class)
        index = b.number_input(f"Index (0-{len(of_class) - 1})", 0, len(of_class) - 1, 1,
                               key="patterns_index")
        digit = sample.x_train[of_class[index]]
        digit_label = f"a {digit_class} from the sample (#{index})"
    else:
        digit = templates.drawing_to_digit(canvas("patterns_canvas", stroke_width=20))
        st.caption("Draw a digit in white on the black square; it is reduced to 28 × 28 cells "
                   "by averaging blocks of 10 × 10 pixels.")
        digit_label = "your drawing"
        if digit is None:
            st.info("The canvas is empty: draw a digit on it (a 1 or a 7 scores high on the "
                    "vertical line).")
with choose_template:
    st.subheader("2. The template")
    name = st.radio("Template", TEMPLATE_CHOICES, key="patterns_template", horizontal=True)
    low = st.slider("Value of the cells off the pattern", -1.0, 0.0, templates.LOW, 0.05,
                    key="patterns_low", help="0: ink off the pattern costs nothing; -1: it costs "
                                             "as much as ink on the pattern earns.")
    template = None
    if name == "your own":
        painted = templates.drawing_to_digit(canvas("patterns_paint_canvas", stroke_width=24))
        st.caption(f"Paint where the pattern should be: painted cells get 1, the rest {low:g}.")
        if painted is None:
            st.info("Paint your template on the canvas: for example a diagonal stroke.")
        else:
            template = templates.from_painting(painted, low=low)
    else:
        template = templates.TEMPLATES[name](low=low)

st.subheader("3. Multiply cell by cell, then add up")
pictures = st.columns([1, 1, 1, 0.8])
if digit is not None:
    pictures[0].plotly_chart(charts.heatmap(digit, "the digit (0-255)", kind="ink", hover="ink"),
                             key="patterns_digit_chart")
if template is not None:
    pictures[1].plotly_chart(charts.heatmap(template, "× the template", limit=1.0,
                                            hover="template value"),
                             key="patterns_template_chart")
if digit is not None and template is not None:
    product = templates.products(digit, template)
    score = templates.score(digit, template)
    means = mean_scores(template)
    pictures[2].plotly_chart(charts.heatmap(product, "= cell-by-cell products",
                                            hover="digit × template"),
                             key="patterns_product_chart")
    with pictures[3]:
        st.metric("Score (sum of the products)", f"{score:.1f}")
        gained = float(product[product > 0].sum())
        lost = float(product[product < 0].sum())
        st.caption(f"Ink on the pattern adds {gained:.1f}, ink off it costs {-lost:.1f}.")
        better = int(np.sum(score > means))
        st.markdown(f"Class means range from {np.nanmin(means):.1f} "
                    f"({int(np.nanargmin(means))}s) to {np.nanmax(means):.1f} "
                    f"({int(np.nanargmax(means))}s). {digit_label.capitalize()} beats the mean "
                    f"of **{better} of 10** classes.")
else:
    pictures[3].info("The score appears once there is a digit and a template.")
st.caption("Template and products: red cells are positive, blue negative, white 0. Hover over a "
           "cell to read its value.")

# ---- ranking -----------------------------------------------------------------------------------
st.header("How a template ranks the digits")
if template is None:
    st.info("Paint a template (or pick one) to see how it ranks the ten classes.")
else:
    means = mean_scores(template)
    order = np.argsort(-means)
    left, right = st.columns([2, 1], gap="large")
    with left:
        st.plotly_chart(charts.class_scores(means, highlight=int(order[0])),
                        key="patterns_rank_chart")
    with right:
        st.markdown(f"The mean score of each class over the {len(sample.x_train):,} training "
                    f"digits of the sample. The **{name}** ranks "
                    f"**{order[0]}s** and **{order[1]}s** highest and **{order[-1]}s** lowest.")
        st.markdown("Set the off-pattern value to 0 and watch the ranking change: then heavy "
                    "digits with lots of ink everywhere win, since ink elsewhere costs nothing.")
        st.markdown("A network does not need us to design templates: training finds its own, "
                    "one per hidden cell, 512 of them in the 784-512-10 network.")
        train_page = journey.find("pages/train_mnist.py")
        if train_page is not None and train_page.exists:
            st.page_link(train_page.page, label="See the templates a trained network finds",
                         icon=train_page.icon)
