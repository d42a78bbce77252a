"""The Train page's views of a training: its live progress, then what the network learned."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explainer.charts import train as charts
from explainer.concepts import evaluation as ev
from explainer.data.mnist import MnistData
from explainer.training.limits import describe_seconds
from explainer.training.pool import Training, TrainingPool
from explainer.training.spec import prepare_inputs
from explainer.training.trained import TrainingOutcome
from pages.shared import report_failure

ss = st.session_state


def draw_progress(current: Training, pool: TrainingPool) -> None:
    """One snapshot of a training: phase, bar, speed, place in line, device, curves, problems."""
    snap = current.progress.snapshot()
    text = snap.phase_text + (f" (run {snap.run or 1} of {snap.runs})" if snap.runs > 1 else "")
    if snap.phase == "training":
        text += f": epoch {min(snap.epoch + 1, snap.epochs)} of {snap.epochs}, " \
                f"batch {snap.batch} of {snap.batches}"
    elif snap.message:
        text += f": {snap.message}"
    if current.stop_requested.is_set() and current.running:
        text += " (stopping after this batch)"
    st.progress(snap.fraction, text=text)
    cols = st.columns(4)
    cols[0].metric("Samples per second", f"{snap.samples_per_second:,.0f}")
    cols[1].metric("Elapsed", describe_seconds(snap.elapsed_s))
    cols[2].metric("Time left", describe_seconds(snap.eta_s) if snap.eta_s else "-")
    cols[3].metric("Digits seen", f"{snap.samples_done:,}")
    place = f" · yours is number {snap.queue_place} in line" if snap.queue_place else ""
    st.caption(f":material/memory: Computing on: **{snap.device or 'not started yet'}** · "
               f"trainings running on this server: {pool.running} of {pool.limit}, "
               f"{pool.waiting} waiting{place}")
    if snap.stop_latency_s is not None:
        st.caption(f":material/stop_circle: Training stopped {snap.stop_latency_s:.1f} s after "
                   "you pressed Stop; what it had learned was kept and tested.")
    if snap.curve.get("x") or snap.epochs_log.get("epoch"):
        st.plotly_chart(charts.training_curves(snap.curve, snap.epochs_log, snap.epochs),
                        key="train_curves_chart")
    if snap.diverged:
        st.warning("The loss became NaN (not a number): the weights blew up, so training "
                   "stopped. Scale the inputs or lower the learning rate.",
                   icon=":material/warning:")
    if snap.phase == "failed":
        report_failure("The training stopped with an error.",
                       "Press Train to try again, or pick the walk-through's recipe.", snap.error)


def show_results(outcome: TrainingOutcome, data: MnistData) -> None:
    shown = outcome.model
    probabilities = shown.test_probabilities
    if probabilities is None or shown.source != data.source:
        st.info(f"Your last model was trained and tested on {shown.source}; the data in use now "
                "differ. Switch back, or train again, to see its results here.")
        return

    st.header("4. What the network learned", divider="gray")
    predicted = ev.predictions(probabilities)
    labels = data.y_test
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Test accuracy", f"{shown.test_accuracy:.2%}",
              delta=f"{(shown.test_accuracy - ev.WALKTHROUGH_ACCURACY) * 100:+.2f} pts vs 97.86%",
              delta_color="normal", help="97.86% is the walk-through's test accuracy.")
    m2.metric("Mistakes", f"{int((predicted != labels).sum()):,} of {len(labels):,}")
    m3.metric("Epochs trained", f"{shown.epochs_done} of {shown.config.epochs}")
    m4.metric("Training time", describe_seconds(shown.seconds), help=shown.device)
    held_out = len(data.x_train) - shown.train_samples
    st.caption(f"Your model: {shown.name}. Trained on {shown.train_samples:,} digits from "
               f"{shown.source}, on {shown.device or 'a worker'}. " + (
                   f"{held_out:,} training digits were held out for the validation curve. "
                   if held_out else "The validation curve shows the test digits, which the "
                   "network never trains on. ") + "It is now the model of the **Draw a digit** "
               "page.")
    if shown.stopped:
        st.info("Training ended early (Stop, a NaN loss or the server's time limit): these are "
                "the results of the model as it was then.", icon=":material/stop_circle:")
    if not data.is_full:
        st.caption("On the 6,000-digit sample accuracy is lower than on the full 60,000: the "
                   "walk-through's 97.86% is a full-set figure.")
    if len(outcome.runs) > 1:
        accuracies = outcome.accuracies
        spread = ev.Spread(tuple(accuracies))
        st.plotly_chart(charts.seed_spread_chart(accuracies, [r.seed for r in outcome.runs],
                                                 ev.WALKTHROUGH_ACCURACY),
                        key="train_spread_chart")
        st.markdown(f"Three seeds, three networks: test accuracy from **{spread.low:.2%}** to "
                    f"**{spread.high:.2%}** (median {spread.median:.2%}). The walk-through's "
                    "97.86% is one draw from a spread like this; the results below are the median "
                    "run's.")
    mistakes_section(probabilities, predicted, data)
    hidden_cells_section(shown, data)
    download_section(shown)


def mistakes_section(probabilities: np.ndarray, predicted: np.ndarray, data: MnistData) -> None:
    labels = data.y_test
    matrix = ev.confusion_matrix(labels, predicted)
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.plotly_chart(charts.per_class_chart(ev.accuracy_per_class(matrix)),
                        key="train_per_class_chart")
        st.markdown("**The confusion matrix** (right): row = the true digit, column = the "
                    "network's answer. The diagonal is right; every other number is a kind of "
                    "mistake. Click a cell, or pick one here:")
        if "train_true" not in ss:
            off_diagonal = matrix - np.diag(np.diag(matrix))
            worst = np.unravel_index(off_diagonal.argmax(), matrix.shape)
            ss.train_true, ss.train_answer = int(worst[0]), int(worst[1])
    with right:
        event = st.plotly_chart(charts.confusion_chart(matrix, (ss.train_true, ss.train_answer)),
                                key="train_confusion_chart", on_select="rerun",
                                selection_mode="points")
        pick = ev.picked_cell(event)  # a click on a cell, checked: the browser can send anything
        if pick is not None:
            if pick != ss.train_last_pick:
                ss.train_last_pick = pick
                ss.train_true, ss.train_answer = pick
                st.rerun()
    with left:
        a, b = st.columns(2)
        a.selectbox("True digit", range(10), key="train_true")
        b.selectbox("Answered as", range(10), key="train_answer")

    cell = ev.cell_indices(labels, predicted, ss.train_true, ss.train_answer)
    what = "right answers" if ss.train_true == ss.train_answer else "mistakes"
    st.subheader(f"True {ss.train_true}, answered {ss.train_answer}: {len(cell)} {what}")
    if len(cell):
        chosen = cell[:12]
        st.plotly_chart(charts.digit_gallery(data.x_test[chosen], labels[chosen],
                                             probabilities[chosen]), key="train_cell_gallery")
        if len(cell) > 12:
            st.caption(f"The first 12 of {len(cell)}.")
    else:
        st.info("No test digit falls in this cell.")

    st.subheader("The worst mistakes")
    st.caption("Wrong answers the network was surest of. Under each digit: its 10 probabilities, "
               "green = the true digit, red = the wrong answer. Some are hard even for people.")
    worst = ev.worst_mistakes(probabilities, labels, 12)
    if len(worst):
        st.plotly_chart(charts.digit_gallery(data.x_test[worst], labels[worst],
                                             probabilities[worst]), key="train_worst_gallery")
    else:
        st.success("No mistakes at all on the test set.")


def hidden_cells_section(shown, data: MnistData) -> None:
    st.subheader("What hidden cells learned")
    weights = shown.first_layer_weights()
    if shown.config.kind != "mlp":
        st.markdown("A CNN's first layer is 32 small 3 x 3 filters slid over the whole digit "
                    "instead of one 28 x 28 template per cell. Here they are:")
        filters = np.moveaxis(weights[:, :, 0, :], -1, 0)
        st.plotly_chart(charts.weight_images(filters, [f"filter {i}" for i in range(len(filters))],
                                             columns=8, height_per_row=130),
                        key="train_filters_chart")
        return
    st.markdown(
        "Each hidden cell multiplies the 784 pixels by its 784 weights and adds up, like the "
        "templates of the *Recognizing patterns* page. Here are the weights the network found, "
        "drawn as 28 x 28 images: **red** pixels push the cell's sum up, **blue** push it down.")
    mode = st.radio("Which cells", ["The cell most selective for each digit", "Cells I choose"],
                    key="train_cells_mode", horizontal=True)
    if mode.startswith("The cell"):
        sample = data.x_test[:2000]
        activations = ev.hidden_activations(prepare_inputs(sample, shown.config), weights,
                                            shown.first_layer_biases(), shown.config.activation)
        cells = ev.favourite_cells(activations, data.y_test[:2000])
        titles = [f"digit {d}: cell {c}" for d, c in enumerate(cells)]
    else:
        cells = st.multiselect("Hidden cells", range(weights.shape[1]),
                               default=list(range(min(10, weights.shape[1]))),
                               key="train_cells_pick", max_selections=20)
        titles = [f"cell {c}" for c in cells]
    if weights.shape[1] >= 128:
        st.caption(f"With {weights.shape[1]} cells each one is a small part of the answer, so "
                   "many look like noise. Train with 16-32 hidden cells to see clearer "
                   "templates.")
    if len(cells):
        st.plotly_chart(charts.weight_images(ev.templates(weights, cells), titles),
                        key="train_templates_chart")
    else:
        st.info("Choose at least one cell.")


def download_section(shown) -> None:
    st.subheader("Take the model with you")
    if shown.keras_path is None or not shown.keras_path.is_file():
        st.info("The model file is no longer on the server (it is kept while your session "
                "lasts). Train again to download one.")
    else:
        st.download_button("Download the trained model (.keras)", data=shown.keras_bytes,
                           file_name="mnist_model.keras", mime="application/octet-stream",
                           key="train_download_model", icon=":material/download:",
                           help="Load it with keras.models.load_model('mnist_model.keras').")
    st.caption("This app never loads a model file a visitor uploads: a model file from a "
               "stranger can carry code.")
