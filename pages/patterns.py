"""Recognizing patterns: multiply a digit by a template cell by cell, add up, rank the digits."""

import numpy as np
import streamlit as st

from explainer.charts import patterns as charts
from explainer.charts import style
from explainer.concepts.lessons import templates
from explainer.content import journey
from explainer.data.mnist import load_sample
from pages.shared import check, drawing_canvas, end_page, start_page, url_state
from pages.shared.terms import define

start_page(__file__)

PAGE = "pages/patterns.py"
CANVAS_SIZE = 280  # pixels; reduced to 28 x 28 by averaging 10 x 10 blocks
SOURCES = ("a sample", "draw one")
TEMPLATE_CHOICES = (*templates.TEMPLATES, "your own")

st.session_state.setdefault("patterns_source", SOURCES[0])


def canvas(key: str, stroke_width: int):
    """A white 280 x 280 canvas to draw on in black; its RGBA image, or None if it cannot load."""
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


def set_off_value(value: float):
    def action():
        st.session_state["patterns_low"] = value
    return action


st.title("Recognizing patterns")
st.markdown(f"**{journey.find(PAGE).summary}** A template is a 28 × 28 grid, high where a stroke "
            "should have ink and low elsewhere. Ink on the stroke scores, ink elsewhere costs. "
            "That sum is exactly what one hidden cell computes with its 784 weights.")
define("Weight", "Feature engineering")
url_state.check_link({"digit": url_state.whole(0, 9),
                      "template": url_state.one_of(TEMPLATE_CHOICES)},
                     {"digit": "the digit", "template": "the template"})

sample = load_sample()
st.session_state.setdefault("patterns_low", templates.LOW)
low = st.session_state["patterns_low"]
drawing = st.session_state["patterns_source"] == SOURCES[1]
painting = st.session_state.get("template", st.query_params.get("template")) == "your own"
pick_digit, pick_template = st.columns(2, gap="medium")
with pick_digit:
    source = st.radio("The digit: take", SOURCES, key="patterns_source", horizontal=True)
    if source == SOURCES[0]:
        a, b = st.columns(2)
        digit_class = a.selectbox("Digit", range(10), index=1, key="digit", bind="query-params")
        of_class = np.flatnonzero(sample.y_train == digit_class)
        index = b.number_input("Which one", 0, len(of_class) - 1, 1, key="patterns_index",
                               help=f"0 to {len(of_class) - 1}: the sample holds "
                                    f"{len(of_class)} of each digit.")
with pick_template:
    name = st.selectbox("The template", TEMPLATE_CHOICES, key="template", bind="query-params")
# One column per step, each with its own heading: on a phone they stack in reading order.
steps = st.columns([1.5 if drawing else 1, 1.5 if painting else 1, 1, 0.85], gap="medium")
with steps[0]:
    st.markdown("**The digit**")
    if source == SOURCES[0]:
        digit = sample.x_train[of_class[index]]
        digit_label = f"this {digit_class} from the sample"
        st.plotly_chart(charts.digit(digit, ""), key="patterns_digit_chart")
    else:
        digit = templates.drawing_to_digit(canvas("patterns_canvas", stroke_width=20))
        digit_label = "your drawing"
        if digit is None:
            st.info("The canvas is empty: draw a digit on it in black (a 1 or a 7 scores high on "
                    "the vertical line).")
        else:
            st.caption("Your drawing, averaged down to 28 × 28 cells.")
with steps[1]:
    st.markdown("**× the template**")
    template = None
    if name == "your own":
        painted = templates.drawing_to_digit(canvas("patterns_paint_canvas", stroke_width=24))
        if painted is None:
            st.info("Paint your template on the canvas: for example a diagonal stroke.")
        else:
            template = templates.from_painting(painted, low=low)
            st.caption(f"Painted cells get 1, the rest {low:g}.")
    else:
        template = templates.TEMPLATES[name](low=low)
        st.plotly_chart(charts.signed(template, "", limit=1.0, hover="template value"),
                        key="patterns_template_chart")
product = score = None
if digit is not None and template is not None:
    product = templates.products(digit, template)
    score = templates.score(digit, template)
with steps[2]:
    st.markdown("**= cell by cell**")
    if product is not None:
        st.plotly_chart(charts.signed(product, "", hover="digit × template"),
                        key="patterns_product_chart")
with steps[3]:
    st.markdown("**= added up**")
    if score is None:
        st.info("The score appears once there is a digit and a template.")
    else:
        st.metric("Score (sum of the products)", f"{score:.1f}")
        gained = float(product[product > 0].sum())
        lost = abs(float(product[product < 0].sum()))
        st.caption(f"Ink on the pattern adds {gained:.1f}, ink off it costs {lost:.1f}.")
        if check.revealed(PAGE, "top"):  # it would tell the ranking task's answer away
            better = int(np.sum(score > mean_scores(template)))
            st.caption(f"{digit_label.capitalize()} beats the average score of **{better} of "
                       "10** digit classes.")
st.caption(f"{style.DIGIT_LEGEND} Template and products: blue is positive, orange negative, "
           "faint 0. Hover over a cell to read its value.")

with st.expander("Go deeper: what ink off the pattern costs"):
    st.markdown("The template's cells off the pattern hold a low value. At 0, ink there costs "
                "nothing, and heavy digits with lots of ink everywhere win. At −1, ink off the "
                "pattern costs as much as ink on it earns.")
    st.slider("Value of the cells off the pattern", -1.0, 0.0, step=0.05, key="patterns_low")

# ---- ranking -----------------------------------------------------------------------------------
st.header("How a template ranks the digits")
if template is None:
    st.info("Paint a template (or pick one) to see how it ranks the ten classes, and to answer "
            "which class it likes best.")
else:
    means = mean_scores(template)
    order = np.argsort(-means)
    ranked = check.task(
        PAGE, "top", f"Before you look: which digit class scores highest on average on the "
        f"{name} template, with ink off the pattern at {low:g}?", [str(k) for k in range(10)],
        str(int(order[0])),
        f"The {order[0]}s average {means[order[0]]:.1f}, the {order[1]}s {means[order[1]]:.1f} "
        f"and the {order[-1]}s only {means[order[-1]]:.1f}. A class wins with ink on the "
        "pattern and little ink off it.")
    if ranked:
        left, right = st.columns([2, 1], gap="large")
        with left:
            st.plotly_chart(charts.class_scores(means), key="patterns_rank_chart")
            st.caption(f"{charts.TOP_MARK} marks the highest class. Bars above 0 are blue, below "
                       "0 orange.")
        with right:
            st.markdown(f"The average score of each class over the {len(sample.x_train):,} "
                        f"training digits of the sample. The **{name}** ranks **{order[0]}s** "
                        f"and **{order[1]}s** highest and **{order[-1]}s** lowest.")
            st.markdown("A network does not need anyone to design its templates: training finds "
                        "its own, one per hidden cell.")
            train_page = journey.find("pages/train_mnist.py")
            if train_page is not None and train_page.exists:
                st.page_link(train_page.page, label="Templates a network learns",
                             icon=train_page.icon)

if digit is not None and template is not None:
    other_low = 0.0 if low < 0 else -1.0
    other = templates.score(digit, templates.from_painting(painted, low=other_low)
                            if name == "your own" else templates.TEMPLATES[name](low=other_low))
    moves = ("It goes up" if other > score + 0.05 else "It goes down" if other < score - 0.05
             else "It stays the same")
    check.task(PAGE, "off_value", f"Set the cells off the pattern from {low:g} to "
               f"{other_low:g} (under Go deeper): what happens to the score of "
               f"{digit_label}?", ["It goes up", "It goes down", "It stays the same"], moves,
               f"It goes from {score:.1f} to {other:.1f}: every drop of ink off the pattern is "
               f"multiplied by that value, so at {other_low:g} it "
               + ("costs nothing." if other_low == 0 else "costs as much as ink on the pattern "
                  "earns."), try_it=(f"Set it to {other_low:g}", set_off_value(other_low)))
check.progress(PAGE, 2)

end_page(__file__)
