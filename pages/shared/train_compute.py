"""The compute made concrete: multiply-adds for the chosen network, this machine's speed, a GPU."""

from __future__ import annotations

import streamlit as st

from explainer.concepts.nn import compute
from explainer.training.spec import ModelConfig, multiply_adds_per_digit
from explainer.training.trained import TrainedModel


def measured_rate(model: TrainedModel | None) -> tuple[float, float, str] | None:
    """(digits per second, seconds per epoch, device) of a finished training, if it has them."""
    if model is None or model.seconds <= 0 or model.epochs_done <= 0 or not model.train_samples:
        return None
    per_epoch = model.seconds / model.epochs_done
    return model.train_samples / per_epoch, per_epoch, model.device


def compute_section(config: ModelConfig, digits: int, measured_on: TrainedModel | None) -> None:
    """Multiply-adds per digit and per epoch, the measured speed, and what a GPU changes."""
    st.header("How much arithmetic is that?", divider="gray")
    per_digit = multiply_adds_per_digit(config)
    per_epoch = compute.multiply_adds_per_epoch(per_digit, digits)
    st.markdown(
        f"Reading one digit with **{config.label}** takes **{per_digit:,} multiply-adds** "
        f"(multiply an input by a weight, add it to a sum). Training does about three times "
        f"that per digit (the backward pass costs two more), so one epoch over {digits:,} "
        f"digits is about **{per_epoch / 1e9:,.1f} billion multiply-adds**.")
    rate = measured_rate(measured_on)
    if rate is None:
        st.caption("This machine's speed shows here once a training has finished.")
        return
    samples_per_second, epoch_seconds, device = rate
    measured = compute.multiply_adds_per_second(
        samples_per_second, multiply_adds_per_digit(measured_on.config))
    a, b, c = st.columns(3)
    a.metric("Measured here", f"{samples_per_second:,.0f} digits/s",
             help=f"{measured_on.name}, on {device or 'a worker'}")
    b.metric("Its epoch took", f"{epoch_seconds:.1f} s")
    c.metric("Multiply-adds per second", f"{measured / 1e9:,.1f} billion")
    if device.startswith("GPU"):
        st.markdown(f"This server trains on a **{device[5:]}**: the figures above were measured "
                    "on it.")
        return
    st.markdown(
        f"Measured on this server's **CPU**. A GPU does thousands of multiply-adds at the same "
        f"time. At their published peak speeds (arithmetic, not a measurement: a network this "
        f"small keeps a GPU far from its peak), one epoch of **{config.label}** would take:")
    rows = [{"GPU": e.device.name,
             "one epoch at peak": f"{e.seconds_per_epoch * 1000:,.1f} milliseconds",
             "times this CPU's measured rate": f"{e.times_faster:,.0f}x"}
            for e in compute.gpu_estimates(per_epoch, measured)]
    st.dataframe(rows, hide_index=True, key="train_compute_gpus")
    st.caption("Arithmetic from published peak speeds, labelled as such; on a GPU server this "
               "section shows the measured figures instead.")
