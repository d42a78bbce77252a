"""The Train page's data: which MNIST is in use (named, never a server path), and a look at it."""

from __future__ import annotations

import streamlit as st

from explainer.charts import train as charts
from explainer.concepts.models import evaluation as ev
from explainer.data.mnist import MnistData, load_sample
from pages.shared import url_state
from pages.shared.kept import kept
from pages.shared.train_form import setting

ss = st.session_state


def source_name(source: str, is_full: bool) -> str:
    """Where digits came from, in words a visitor can use (no folder or file names)."""
    if "Keras" in source:
        return "Keras' MNIST download, full set"
    if is_full:
        return "the official MNIST files, full set"
    return "the sample shipped with the app"


def data_name(data: MnistData) -> str:
    """The digits in use, counted and named: '6,000 training and 1,000 test digits from ...'."""
    return (f"{len(data.x_train):,} training and {len(data.x_test):,} test digits from "
            f"{source_name(data.source, data.is_full)}")


@st.cache_data(show_spinner=False)
def data_overview(location: tuple, sample: bool, _data: MnistData):
    """Example digits, counts per class and the pixel histogram of the data in use."""
    data = load_sample() if sample else _data
    picks = ev.examples_per_class(data.y_train, 12)
    return {"grid": data.x_train[picks], "train_counts": ev.class_counts(data.y_train),
            "test_counts": ev.class_counts(data.y_test),
            "histogram": ev.pixel_histogram(data.x_train[:10_000])}


def choose_data(best: MnistData) -> MnistData:
    """The digits a visitor trains on: the sample by default (curves within seconds), the full
    set one click away when this server has it."""
    if not best.is_full:
        return best
    sample = load_sample()
    url_state.check_link({"train_data": url_state.one_of(("Sample", "Full"))},
                         {"train_data": "the digits to train on"})
    choice = st.segmented_control(
        "Digits to train on", ["Sample", "Full"], key="train_data", default="Sample",
        required=True, bind="query-params",
        help=f"Sample: {len(sample.x_train):,} training digits, seconds to train. Full: all "
             f"{len(best.x_train):,}, slower and more accurate.")
    return best if choice == "Full" else sample


def explore(data: MnistData, best: MnistData, location: tuple) -> None:
    """Digits per class, counts, pixel values and what scaling does, behind an expander."""
    overview = data_overview(location, data is not best, best)
    digits = (location, data is not best)
    with st.expander("Explore the digits: samples, counts per class, pixel values"):
        left, right = st.columns([3, 2])
        with left:
            st.plotly_chart(kept(("examples", *digits), lambda: charts.digit_grid(
                overview["grid"])), key="train_grid_chart")
        with right:
            st.plotly_chart(kept(("class counts", *digits), lambda: charts.class_counts_chart(
                overview["train_counts"], overview["test_counts"])), key="train_counts_chart")
        st.markdown(
            "**Data wrangling.** Each pixel is a number from 0 (background) to 255 (ink). "
            "Before training we divide by 255 so every input lies between 0 and 1: with raw "
            "values up to 255 the weighted sums get huge and training can stall or blow up.")
        counts, edges = overview["histogram"]
        scaled = bool(setting("scale"))
        st.plotly_chart(kept(("pixel histogram", *digits, scaled),
                             lambda: charts.pixel_histogram_chart(counts, edges, scaled=scaled)),
                        key="train_hist_chart")
