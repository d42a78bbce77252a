"""The Train page's views of a training: its live progress, then what the network learned."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explainer.charts import train as charts
from explainer.concepts.models import evaluation as ev
from explainer.concepts.models.reading import Reader
from explainer.data.mnist import MnistData
from explainer.training.limits import describe_seconds
from explainer.training.pool import Training, shared_backend
from explainer.training.spec import prepare_inputs
from explainer.training.trained import TrainedModel
from pages.shared import check, report_failure
from pages.shared.kept import kept
from pages.shared.train_data import source_name

ss = st.session_state
PAGE = "train_mnist"  # the page's name for its check-yourself tasks
TASKS = 3  # train or test digits, the change that costs most, the hardest digit


def draw_progress(current: Training, gap: bool = True) -> None:
    """One snapshot of a training: phase, bar, speed, place in line, device, curves, problems.

    ``gap``: whether the sentence on the gap between training and test digits may show."""
    snap = current.progress.snapshot()
    text = snap.status_line
    if snap.runs > 1:
        text = f"Run {snap.run or 1} of {snap.runs}. {text}"
    if current.stop_requested.is_set() and current.running:
        text += " (stopping after this batch)"
    st.progress(snap.fraction, text=text)
    figures = [f"{snap.samples_done:,} digits seen", f"{describe_seconds(snap.elapsed_s)} so far"]
    if snap.samples_per_second:
        figures.insert(0, f"{snap.samples_per_second:,.0f} digits a second")
    if snap.eta_s:
        figures.append(f"about {describe_seconds(snap.eta_s)} left")
    place = f" · yours is number {snap.queue_place} in line" if snap.queue_place else ""
    pool = shared_backend().status()
    device = snap.device or "not started yet"
    st.caption(" · ".join(figures) + f"  \n:material/memory: Computing on: **{device}** · "
               f"trainings running: {pool.running_count} of {pool.limit}, {pool.waiting} "
               f"waiting{place}")
    if snap.stop_latency_s is not None:
        st.caption(f":material/stop_circle: Training stopped {snap.stop_latency_s:.1f} s after "
                   "you pressed Stop; what it had learned was kept and tested.")
    if snap.curve.get("x") or snap.epochs_log.get("epoch"):
        learning_curves(snap.curve, snap.epochs_log, snap.epochs, gap=gap)
    if snap.diverged:
        st.warning("The loss became NaN (not a number): the weights blew up, so training "
                   "stopped. Scale the inputs or lower the learning rate.",
                   icon=":material/warning:")
    if snap.phase == "failed" and snap.error_sayable:
        st.error(snap.error, icon=":material/error:")
    elif snap.phase == "failed":
        report_failure("The training stopped with an error.",
                       "Press Train to try again, or pick the walk-through's recipe.", snap.error)


def learning_curves(curve: dict, epochs_log: dict, epochs: int, key: str = "train_curves_chart",
                    gap: bool = True) -> None:
    """The training and test digits' loss and accuracy per epoch, then what their gap means."""
    st.plotly_chart(charts.training_curves(curve, epochs_log, epochs), key=key)
    if gap and epochs_log.get("epoch"):
        st.markdown(gap_sentence(epochs_log))


def gap_sentence(epochs_log: dict) -> str:
    """What the gap between training and test accuracy at the last epoch says."""
    epoch = epochs_log["epoch"][-1]
    seen, unseen = epochs_log["accuracy"][-1], epochs_log["val_accuracy"][-1]
    figures = (f"After epoch {epoch}: **{seen:.1%}** right on the training digits, "
               f"**{unseen:.1%}** on the test digits.")
    if seen - unseen >= 0.005:
        return (f"{figures} The gap, {(seen - unseen) * 100:.1f} points, is what the network "
                "memorised: it does better on digits it has seen than on new ones. If the gap "
                "grows while the test line stops rising, it is *overfitting*.")
    return (f"{figures} No real gap yet: the network does as well on new digits as on the ones "
            "it trains on, so it learned shapes rather than memorising. (The training figure is "
            "an average over the epoch, taken while the network was still improving.)")


def test_probabilities(shown: TrainedModel, data: MnistData) -> np.ndarray:
    """The model's ten probabilities for every test digit: the worker's, else read with numpy.

    Read once per server for a model and the digits in use (the shared default model's are the
    same for every visitor), a thousand digits at a time so the reading stays small in memory.
    """
    if shown.test_probabilities is not None:
        return shown.test_probabilities

    def read_all() -> np.ndarray:
        reader = Reader.of(shown)
        parts = [reader.read_many(data.x_test[i:i + 1000]).astype(np.float32)
                 for i in range(0, len(data.x_test), 1000)]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)

    return kept(("test probabilities", shown.model_id, data.source, len(data.x_train)), read_all)


def show_results(shown: TrainedModel, data: MnistData, same_data: bool, runs=(),
                 own: bool = True) -> None:
    """What a network learned: accuracy beside 97.86%, per digit, mistakes, templates.

    ``same_data``: whether the model was trained on the digits in use (else it is not tested).
    """
    who = "your network" if own else "the walk-through's network"
    st.header(f"What {who} learned", divider="gray")
    if not same_data:
        st.info("This model was trained and tested on other digits than the ones in use now. "
                "Switch back, or train again, to see its results here.")
        return
    probabilities = test_probabilities(shown, data)
    predicted = ev.predictions(probabilities)
    labels = data.y_test
    accuracy = float(np.mean(predicted == labels))
    if own:
        st.success(f"**Your model**: {shown.name}.", icon=":material/person:")
    else:
        st.caption("The walk-through's network (784-512-10, ReLU, RMSprop, 5 epochs), "
                   "trained once on this server and shared by every visitor: the same network "
                   "answers on the Draw a digit page. Your own training's results replace these.")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Test accuracy", f"{accuracy:.2%}",
              delta=f"{(accuracy - ev.WALKTHROUGH_ACCURACY) * 100:+.2f} pts vs 97.86%",
              delta_color="normal", help="97.86% is the walk-through's test accuracy.")
    m2.metric("Mistakes", f"{int((predicted != labels).sum()):,} of {len(labels):,}")
    m3.metric("Epochs trained", f"{shown.epochs_done} of {shown.config.epochs}")
    m4.metric("Training time", describe_seconds(shown.seconds), help=shown.device)
    held_out = len(data.x_train) - shown.train_samples
    note = (f"{held_out:,} training digits were held out for the validation curve. "
            if own and held_out else "")
    st.caption(f"Trained on {shown.train_samples or len(data.x_train):,} digits from "
               f"{source_name(data.source, data.is_full)}, on {shown.device or 'a worker'}. "
               f"{note}Tested on {len(labels):,} digits it never trained on.")
    if shown.stopped:
        st.info("Training ended early (Stop, a NaN loss or the server's time limit): these are "
                "the results of the model as it was then.", icon=":material/stop_circle:")
    if not data.is_full:
        st.caption("These are the 6,000 digits of the sample shipped with the app, so accuracy "
                   "is lower than the walk-through's 97.86%, a figure for the full 60,000. For "
                   "the full set, use the download button above or start the app with MNIST_DIR "
                   "at a folder of the four official MNIST files.")
    if len(runs) > 1:
        accuracies = [run.test_accuracy for run in runs]
        spread = ev.Spread(tuple(accuracies))
        st.plotly_chart(charts.seed_spread_chart(accuracies, [r.seed for r in runs],
                                                 ev.WALKTHROUGH_ACCURACY),
                        key="train_spread_chart")
        st.markdown(f"Three seeds, three networks: test accuracy from **{spread.low:.2%}** to "
                    f"**{spread.high:.2%}** (median {spread.median:.2%}). The only difference is "
                    "the random starting weights and batch order, so a gap this size is luck, not "
                    "a better recipe; the results below are the median run's.")
    mistakes_section(probabilities, predicted, data, (shown.model_id, data.source,
                                                     len(data.x_train)))
    hidden_cells_section(shown, data)
    if own:
        download_section(shown)


def mistakes_section(probabilities: np.ndarray, predicted: np.ndarray, data: MnistData,
                     results: tuple) -> None:
    """``results`` names the model and the digits (the key of the figures kept for everyone)."""
    labels = data.y_test
    matrix = ev.confusion_matrix(labels, predicted)
    per_class = ev.accuracy_per_class(matrix)
    hardest = int(np.nanargmin(per_class))
    digits = [str(d) for d in range(10)]
    if check.task(PAGE, "hardest", "Which digit do you think this network gets wrong most "
                  "often?", digits, str(hardest),
                  f"It reads {per_class[hardest]:.1%} of the test {hardest}s right, the fewest "
                  f"of any digit. Find the {hardest} row in the confusion matrix to see what it "
                  "takes them for."):
        left, right = st.columns([2, 3], gap="large")
        with left:
            st.plotly_chart(kept(("per class", *results),
                                 lambda: charts.per_class_chart(per_class)),
                            key="train_per_class_chart")
    else:
        left, right = st.columns([2, 3], gap="large")
    with left:
        st.markdown("**The confusion matrix**: row = the true digit, column = the network's "
                    "answer. The diagonal is right; every other number is a kind of mistake. "
                    "Click a cell, or pick one here:")
        if "train_true" not in ss:
            off_diagonal = matrix - np.diag(np.diag(matrix))
            worst = np.unravel_index(off_diagonal.argmax(), matrix.shape)
            ss.train_true, ss.train_answer = int(worst[0]), int(worst[1])
    with right:
        selected = (ss.train_true, ss.train_answer)
        event = st.plotly_chart(kept(("confusion", *results, selected),
                                     lambda: charts.confusion_chart(matrix, selected)),
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
        st.plotly_chart(kept(("cell gallery", *results, ss.train_true, ss.train_answer),
                             lambda: charts.digit_gallery(data.x_test[chosen], labels[chosen],
                                                          probabilities[chosen])),
                        key="train_cell_gallery")
        if len(cell) > 12:
            st.caption(f"The first 12 of {len(cell)}.")
    else:
        st.info("No test digit falls in this cell.")

    st.subheader("The worst mistakes")
    st.caption("Wrong answers the network was surest of. Under each digit: its 10 probabilities, "
               "one bar per digit 0-9, the true digit in blue and the wrong answer in amber, each "
               "named above its bar. Some are hard even for people.")
    worst = ev.worst_mistakes(probabilities, labels, 12)
    if len(worst):
        st.plotly_chart(kept(("worst gallery", *results),
                             lambda: charts.digit_gallery(data.x_test[worst], labels[worst],
                                                          probabilities[worst])),
                        key="train_worst_gallery")
    else:
        st.success("No mistakes at all on the test set.")


def hidden_cells_section(shown, data: MnistData) -> None:
    st.subheader("What hidden cells learned")
    weights = shown.first_layer_weights()
    if shown.config.kind != "mlp":
        st.markdown("A CNN's first layer is 32 small 3 x 3 filters slid over the whole digit "
                    "instead of one 28 x 28 template per cell. Here they are:")
        filters = np.moveaxis(weights[:, :, 0, :], -1, 0)
        st.plotly_chart(kept(("filters", shown.model_id), lambda: charts.weight_images(
            filters, [f"filter {i}" for i in range(len(filters))], columns=8,
            height_per_row=130)), key="train_filters_chart")
        return
    st.markdown(
        "Each hidden cell multiplies the 784 pixels by its 784 weights and adds up, like the "
        "templates of the *Recognizing patterns* page. Here are the weights the network found, "
        "drawn as 28 x 28 images: **blue** pixels push the cell's sum up, **orange** push it down.")
    mode = st.radio("Which cells", ["The cell most selective for each digit", "Cells I choose"],
                    key="train_cells_mode", horizontal=True)
    if mode.startswith("The cell"):
        cells = kept(("favourite cells", shown.model_id, data.source, len(data.x_train)),
                     lambda: favourite_cells(shown, data))
        titles = [f"digit {d}<br>cell {c}" for d, c in enumerate(cells)]  # two lines: a phone
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
        st.plotly_chart(kept(("templates", shown.model_id, tuple(cells), tuple(titles)),
                             lambda: charts.weight_images(ev.templates(weights, cells), titles)),
                        key="train_templates_chart")
    else:
        st.info("Choose at least one cell.")


def favourite_cells(shown: TrainedModel, data: MnistData) -> tuple[int, ...]:
    """For each digit, the hidden cell that fires most for it over 2,000 test digits."""
    sample = data.x_test[:2000]
    activations = ev.hidden_activations(prepare_inputs(sample, shown.config),
                                        shown.first_layer_weights(), shown.first_layer_biases(),
                                        shown.config.activation)
    return tuple(int(c) for c in ev.favourite_cells(activations, data.y_test[:2000]))


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
