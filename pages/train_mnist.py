"""Train on MNIST: configure the network, train it in the background, watch it learn, inspect it."""

from __future__ import annotations

import logging
import os
import threading

import numpy as np
import streamlit as st

from explainer.charts import train as charts
from explainer.concepts import evaluation as ev
from explainer.data.mnist import (
    MnistDownloadError,
    MnistError,
    describe,
    download_allowed,
    load_mnist,
    load_sample,
)
from explainer.training.model import (
    ACTIVATIONS,
    LOSSES,
    OPTIMIZERS,
    PRESETS,
    ModelConfig,
    keras_code,
    model_bytes,
    validate,
)
from explainer.training.trainer import Trainer, server_slots
from pages.shared import report_failure, use_router

use_router()

ss = st.session_state
ss.setdefault("train_trainer", None)  # the Trainer of this session (running or finished)
ss.setdefault("train_consumed", None)  # the Trainer whose results are shown below
ss.setdefault("train_results", [])  # TrainedModel per seed of the last training
ss.setdefault("train_last_pick", None)  # the last confusion-matrix click already applied
ss.setdefault("train_use_download", False)

PRESET_NAMES = {key: preset.label for key, preset in PRESETS.items()}
KIND_NAMES = {"mlp": "Dense layers (MLP)", "cnn": "Small CNN"}


# -- data -------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Reading MNIST ...")
def load_data(location: str, allow_download: bool):
    """The best MNIST available here (read-only, shared by every visitor)."""
    return load_mnist(allow_download=allow_download)


@st.cache_data(show_spinner=False)
def data_overview(location: str, allow_download: bool, sample: bool):
    data = load_sample() if sample else load_data(location, allow_download)
    picks = ev.examples_per_class(data.y_train, 12)
    return {"grid": data.x_train[picks], "train_counts": ev.class_counts(data.y_train),
            "test_counts": ev.class_counts(data.y_test),
            "histogram": ev.pixel_histogram(data.x_train[:10_000])}


@st.cache_data(show_spinner="Loading TensorFlow to build the model ...", max_entries=32)
def parameter_rows(architecture: dict) -> list[dict]:
    from explainer.training.model import build_model, parameter_table

    return parameter_table(build_model(ModelConfig(**architecture)))


def session_alive_check():
    """A function telling the worker whether this browser session still exists (or None)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    server, session_id = runtime.get_instance(), ctx.session_id
    return lambda: server.is_active_session(session_id)


class _QuietWorker(logging.Filter):
    """Drop Streamlit's 'missing ScriptRunContext' note when the worker hands over its model."""

    def filter(self, record: logging.LogRecord) -> bool:
        return threading.current_thread().name != "mnist-training"


_context_logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
if not any(isinstance(f, _QuietWorker) for f in _context_logger.filters):
    _context_logger.addFilter(_QuietWorker())


def hand_over(state):
    """Called by the worker when it ends: the median run becomes this session's model.

    ``state`` is the session's thread-safe state object, so the model reaches the Draw page
    even when the reader is there, not here, when training ends.
    """
    def finish(results):
        if results:
            best = results[ev.median_index([r.test_accuracy for r in results])]
            state["session_model"] = best
    return finish


def apply_preset():
    preset = PRESETS[ss.train_preset]
    ss.train_kind = preset.kind
    if preset.hidden:
        ss.train_hidden = preset.hidden[0]
        ss.train_second = len(preset.hidden) > 1
        if len(preset.hidden) > 1:
            ss.train_hidden2 = preset.hidden[1]
    ss.train_activation = preset.activation
    ss.train_dropout = preset.dropout
    ss.train_optimizer = preset.optimizer
    ss.train_lr = preset.learning_rate
    ss.train_epochs = preset.epochs
    ss.train_batch = preset.batch_size
    ss.train_loss = preset.loss


def config_from_widgets() -> ModelConfig:
    kind = ss.train_kind
    hidden = (int(ss.train_hidden), int(ss.train_hidden2)) if ss.train_second and kind == "mlp" \
        else (int(ss.train_hidden),)  # a CNN: the dense layer after the convolutions
    config = ModelConfig(kind=kind, hidden=hidden, activation=ss.train_activation,
                         dropout=float(ss.train_dropout), optimizer=ss.train_optimizer,
                         learning_rate=float(ss.train_lr), loss=ss.train_loss,
                         epochs=int(ss.train_epochs), batch_size=int(ss.train_batch),
                         scale_inputs=bool(ss.train_scale), seed=int(ss.train_seed))
    for preset in PRESETS.values():
        if config.with_changes(seed=0, scale_inputs=True, label=preset.label) == preset and \
                config.scale_inputs:
            return config.with_changes(label=preset.label)
    return config


def format_seconds(seconds: float | None) -> str:
    if seconds is None or not np.isfinite(seconds):
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d} min" if minutes else f"{secs} s"


# -- page -------------------------------------------------------------------------------------

st.title("Train the network on MNIST")
st.markdown(
    "Everything so far comes together here: the **784-512-10 network** of the walk-through, "
    "trained with Keras on handwritten digits. Pick a recipe, press **Train**, watch the loss "
    "fall, then look at what the network got wrong and what its hidden cells learned.")

try:
    try:
        best = load_data(os.environ.get("MNIST_DIR", ""), ss.train_use_download)
    except MnistDownloadError as exc:  # not cached: the button below tries again
        ss.train_use_download = False
        report_failure("The download of the full MNIST did not work, so the app goes on with "
                       "its sample.", "Try the download again later.", exc)
        best = load_data(os.environ.get("MNIST_DIR", ""), False)
except MnistError as exc:
    report_failure("The MNIST digits could not be read.",
                   "Whoever runs this app can find which file and why in the server's log; "
                   "the other pages still work.", exc)
    st.stop()

# 1. The data -----------------------------------------------------------------------------------
st.header("1. The data", divider="gray")
data = best
if best.is_full:
    choice = st.radio("Digits to train on", ["full", "sample"], key="train_data",
                      horizontal=True,
                      format_func={"full": f"All of MNIST ({len(best.x_train):,} training "
                                           "digits)",
                                   "sample": "The small sample (6,000: fast, less accurate)"}.get)
    if choice == "sample":
        data = load_sample()
source_line = f"**Data in use:** {describe(data)}."
if data.is_full:
    st.success(source_line, icon=":material/database:")
else:
    st.info(source_line + " Accuracies on this small sample are lower than on the full set.",
            icon=":material/database:")
    if download_allowed() and st.button(
            "Download the full MNIST (11 MB) with Keras", key="train_download_data",
            help="Uses keras.datasets.mnist.load_data(); cached in ~/.keras/datasets."):
        ss.train_use_download = True
        st.rerun()

overview = data_overview(os.environ.get("MNIST_DIR", ""), ss.train_use_download,
                         data is not best)
with st.expander("Explore the digits: samples, counts per class, pixel values", expanded=False):
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.digit_grid(overview["grid"]), key="train_grid_chart")
    with right:
        st.plotly_chart(charts.class_counts_chart(overview["train_counts"],
                                                  overview["test_counts"]),
                        key="train_counts_chart")
st.markdown(
    "**Data wrangling.** Each pixel is a number from 0 (background) to 255 (ink). Before "
    "training we divide by 255 so every input lies between 0 and 1: with raw values up to 255 "
    "the weighted sums get huge, the first updates are violent and training can stall or blow "
    "up. Switch the scaling off to see it happen.")
scale_col, hist_col = st.columns([1, 2])
with scale_col:
    st.toggle("Scale inputs to 0-1 (divide by 255)", value=True, key="train_scale")
    if not ss.train_scale:
        st.warning("Training on raw 0-255 values: expect a jumpy loss and a worse network, "
                   "maybe a loss that turns into NaN.", icon=":material/warning:")
with hist_col:
    counts, edges = overview["histogram"]
    st.plotly_chart(charts.pixel_histogram_chart(counts, edges, scaled=ss.train_scale),
                    key="train_hist_chart")

# 2. The model ----------------------------------------------------------------------------------
st.header("2. The model", divider="gray")
for key, default in (("train_preset", "post"), ("train_kind", "mlp"), ("train_hidden", 512),
                     ("train_second", False), ("train_hidden2", 512), ("train_activation", "relu"),
                     ("train_dropout", 0.0), ("train_optimizer", "rmsprop"), ("train_lr", 0.001),
                     ("train_epochs", 5), ("train_batch", 128),
                     ("train_loss", "categorical_crossentropy"), ("train_seed", 0),
                     ("train_three_seeds", False)):
    ss.setdefault(key, default)

controls, code_col = st.columns([2, 3], gap="large")
with controls:
    st.selectbox("Start from a recipe", list(PRESETS), format_func=PRESET_NAMES.get,
                 key="train_preset", on_change=apply_preset,
                 help="The walk-through's network is the default. 'A better MLP' aims at 98.3%, "
                      "'A small CNN' at 99.2% test accuracy on the full set.")
    st.radio("Network type", list(KIND_NAMES), format_func=KIND_NAMES.get, key="train_kind",
             horizontal=True)
    mlp = ss.train_kind == "mlp"
    a, b = st.columns(2)
    a.number_input("Hidden cells (16-2048)", min_value=1, max_value=100_000, step=16,
                   key="train_hidden",
                   help="For the CNN: the dense layer after the convolutions.")
    b.selectbox("Activation", ACTIVATIONS, key="train_activation", disabled=not mlp)
    a.checkbox("2nd hidden layer", key="train_second", disabled=not mlp)
    b.number_input("Cells in the second layer", min_value=1, max_value=100_000, step=16,
                   key="train_hidden2", disabled=not (mlp and ss.train_second))
    a.selectbox("Optimizer", OPTIMIZERS, key="train_optimizer")
    b.number_input("Learning rate", min_value=0.0, max_value=100.0, step=0.0005, format="%.4f",
                   key="train_lr", help="Keras' default is 0.001 for rmsprop and adam.")
    a.number_input("Epochs (1-30)", min_value=0, max_value=1000, step=1, key="train_epochs",
                   help="One epoch = every training digit seen once.")
    b.number_input("Batch size (16-1024)", min_value=1, max_value=100_000, step=16,
                   key="train_batch", help="Digits per weight update.")
    st.radio("Loss", list(LOSSES), format_func=LOSSES.get, key="train_loss", horizontal=True,
             help="The walk-through explains the squared error; its code uses cross-entropy.")
    st.slider("Dropout", 0.0, 0.8, step=0.1, key="train_dropout",
              help="During training, switch off this share of the hidden cells at random.")
    a, b = st.columns(2)
    a.number_input("Seed", min_value=0, max_value=10_000, step=1, key="train_seed",
                   help="Fixes the random starting weights and the batch order.")
    b.toggle("3 seeds", key="train_three_seeds",
             help="Train three times (seeds s, s+1, s+2) and compare the test accuracies.")

config = config_from_widgets()
problems = validate(config)
with code_col:
    if problems:
        for problem in problems:
            st.error(problem, icon=":material/block:")
    else:
        st.caption(f"Recipe: **{config.label}**. This is the code that runs when you press "
                   "Train:")
        st.code(keras_code(config), language="python")
        architecture = {k: v for k, v in config.as_dict().items()
                        if k in ("kind", "hidden", "activation", "dropout")}
        rows = parameter_rows(architecture)
        total = sum(r["total"] for r in rows)
        st.dataframe(rows + [{"layer": "total", "weights": sum(r["weights"] for r in rows),
                              "biases": sum(r["biases"] for r in rows), "total": total}],
                     hide_index=True, key="train_params_table",
                     column_config={c: st.column_config.NumberColumn(format="localized")
                                    for c in ("weights", "biases", "total")})
        st.markdown(f"**{total:,} parameters** to learn, every one a weight or a bias.")

# 3. Train --------------------------------------------------------------------------------------
st.header("3. Train", divider="gray")
trainer: Trainer | None = ss.train_trainer
running = trainer is not None and trainer.running
seeds = [config.seed + i for i in range(3)] if ss.train_three_seeds else [config.seed]

start_col, stop_col, note_col = st.columns([1, 1, 4])
start = start_col.button("Train" if len(seeds) == 1 else "Train 3 times", type="primary",
                         key="train_start", disabled=running or bool(problems),
                         icon=":material/play_arrow:", width="stretch")
stop = stop_col.button("Stop", key="train_stop", disabled=not running, icon=":material/stop:",
                       width="stretch", help="End training now and keep the model as it is.")
note_col.caption("Training goes on in the background while you visit other pages. At most "
                 f"{server_slots().limit} trainings run on this server at once; more wait.")

if start and not running and not problems:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    trainer = Trainer(config, data, seeds=seeds, alive=session_alive_check(),
                      on_finish=hand_over(ctx.session_state) if ctx else None)
    ss.train_trainer = trainer.start()
    st.rerun()  # draw the buttons again: Train off, Stop on, while it runs
if stop and trainer is not None:
    trainer.stop()


def adopt_results(finished: Trainer) -> None:
    """Show a finished training's results and make its median run this session's model."""
    ss.train_consumed = finished
    ss.train_results = list(finished.results)
    ss.train_last_pick = None
    for key in ("train_true", "train_answer"):  # start at the new model's biggest mistake
        ss.pop(key, None)
    if finished.results:
        accuracies = [r.test_accuracy for r in finished.results]
        ss.session_model = finished.results[ev.median_index(accuracies)]


@st.fragment(run_every=1.0 if running else None)
def progress_panel() -> None:
    current: Trainer | None = ss.train_trainer
    if current is None:
        st.caption("No training yet. The first one loads TensorFlow, which takes a few seconds.")
        return
    snap = current.progress.snapshot()
    phase = current.progress.PHASE_TEXT.get(snap.phase, snap.phase)
    if snap.runs > 1:
        phase += f" (run {snap.run or 1} of {snap.runs})"
    if snap.phase == "training":
        text = f"{phase}: epoch {min(snap.epoch + 1, snap.epochs)} of {snap.epochs}, " \
               f"batch {snap.batch} of {snap.batches}"
    else:
        text = phase + (f": {snap.message}" if snap.message else "")
    st.progress(snap.fraction, text=text)
    cols = st.columns(4)
    cols[0].metric("Samples per second", f"{snap.samples_per_second:,.0f}")
    cols[1].metric("Elapsed", format_seconds(snap.elapsed_s))
    cols[2].metric("Time left", format_seconds(snap.eta_s) if snap.active else "-")
    cols[3].metric("Digits seen", f"{snap.samples_done:,}")
    slots = server_slots()  # refreshed with the panel, so the count follows the trainings
    st.caption(f":material/memory: Computing on: **{snap.device or 'starting ...'}** · "
               f"trainings running on this server: {slots.running} of {slots.limit}")
    if snap.curve.get("x") or snap.epochs_log.get("epoch"):
        st.plotly_chart(charts.training_curves(snap.curve, snap.epochs_log, snap.epochs),
                        key="train_curves_chart")
    if snap.diverged:
        st.warning("The loss became NaN (not a number): the weights blew up, so training "
                   "stopped. Scale the inputs or lower the learning rate.",
                   icon=":material/warning:")
    if snap.phase == "failed":
        report_failure("The training stopped with an error.",
                       "Press Train to try again, or pick the walk-through's recipe.")
    if not current.running and ss.train_consumed is not current:
        adopt_results(current)
        st.rerun()  # the whole page, to show the results and stop refreshing


progress_panel()

# 4. Results ------------------------------------------------------------------------------------
results = ss.train_results
if not results:
    st.stop()

accuracies = [r.test_accuracy for r in results]
shown = results[ev.median_index(accuracies)]
probabilities = shown.test_probabilities
matrix = None
if probabilities is None or shown.source != data.source:
    st.info(f"Your last model was trained and tested on {shown.source}; the data in use now "
            "differ. Switch back, or train again, to see its results here.")
    st.stop()

st.header("4. What the network learned", divider="gray")
predicted = ev.predictions(probabilities)
labels = data.y_test
m1, m2, m3, m4 = st.columns(4)
m1.metric("Test accuracy", f"{shown.test_accuracy:.2%}",
          delta=f"{(shown.test_accuracy - ev.WALKTHROUGH_ACCURACY) * 100:+.2f} pts vs 97.86%",
          delta_color="normal", help="97.86% is the walk-through's test accuracy.")
m2.metric("Mistakes", f"{int((predicted != labels).sum()):,} of {len(labels):,}")
m3.metric("Epochs trained", f"{shown.epochs_done} of {shown.config.epochs}")
m4.metric("Training time", format_seconds(shown.seconds), help=shown.device)
held_out = len(data.x_train) - shown.train_samples
st.caption(f"Your model: {shown.name}. Trained on {shown.train_samples:,} digits from "
           f"{shown.source}. " + (
               f"{held_out:,} training digits were held out for the validation curve. "
               if held_out else "The validation curve shows the test digits, which the network "
               "never trains on. ") + "It is now the model of the **Draw a digit** page.")
if shown.stopped:
    st.info("Training ended early (Stop or a NaN loss): these are the results of the model as "
            "it was then.", icon=":material/stop_circle:")
if not data.is_full:
    st.caption("On the 6,000-digit sample accuracy is lower than on the full 60,000: the "
               "walk-through's 97.86% is a full-set figure.")
if len(results) > 1:
    spread = ev.Spread(tuple(accuracies))
    st.plotly_chart(charts.seed_spread_chart(accuracies, [r.config.seed for r in results],
                                             ev.WALKTHROUGH_ACCURACY), key="train_spread_chart")
    st.markdown(f"Three seeds, three networks: test accuracy from **{spread.low:.2%}** to "
                f"**{spread.high:.2%}** (median {spread.median:.2%}). The walk-through's 97.86% "
                "is one draw from a spread like this; the results below are the median run's.")

matrix = ev.confusion_matrix(labels, predicted)
left, right = st.columns([2, 3], gap="large")
with left:
    st.plotly_chart(charts.per_class_chart(ev.accuracy_per_class(matrix)),
                    key="train_per_class_chart")
    st.markdown("**The confusion matrix** (right): row = the true digit, column = the "
                "network's answer. The diagonal is right; every other number is a kind of "
                "mistake. Click a cell, or pick one here:")
    off_diagonal = matrix - np.diag(np.diag(matrix))
    if "train_true" not in ss:
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

st.subheader("What hidden cells learned")
weights = shown.first_layer_weights()
if shown.config.kind == "mlp":
    st.markdown(
        "Each hidden cell multiplies the 784 pixels by its 784 weights and adds up, like the "
        "templates of the *Recognizing patterns* page. Here are the weights the network found, "
        "drawn as 28 x 28 images: **red** pixels push the cell's sum up, **blue** push it down.")
    mode = st.radio("Which cells", ["The cell most selective for each digit", "Cells I choose"],
                    key="train_cells_mode", horizontal=True)
    if mode.startswith("The cell"):
        biases = np.asarray(shown.model.layers[0].get_weights()[1])
        sample = data.x_test[:2000]
        from explainer.training.model import prepare_inputs

        activations = ev.hidden_activations(prepare_inputs(sample, shown.config), weights,
                                            biases, shown.config.activation)
        cells = ev.favourite_cells(activations, labels[:2000])
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
else:
    st.markdown("A CNN's first layer is 32 small 3 x 3 filters slid over the whole digit "
                "instead of one 28 x 28 template per cell. Here they are:")
    filters = np.moveaxis(weights[:, :, 0, :], -1, 0)
    st.plotly_chart(charts.weight_images(filters, [f"filter {i}" for i in range(len(filters))],
                                         columns=8, height_per_row=130),
                    key="train_filters_chart")

st.subheader("Take the model with you")
st.download_button("Download the trained model (.keras)", data=lambda: model_bytes(shown.model),
                   file_name="mnist_model.keras", mime="application/octet-stream",
                   key="train_download_model", icon=":material/download:",
                   help="Load it with keras.models.load_model('mnist_model.keras').")
st.caption("This app never loads a model file a visitor uploads: a model file from a stranger "
           "can carry code.")
