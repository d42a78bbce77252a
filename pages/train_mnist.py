"""Train on MNIST: configure the network, train it in a worker process, watch it learn, inspect it.

The training runs in a worker process (explainer/training/pool.py); its progress reaches this
page through a plain object that the panel below redraws once a second.
"""

from __future__ import annotations

import os

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from explainer.charts import train as charts
from explainer.concepts import evaluation as ev
from explainer.data.mnist import (
    KERAS_CACHE,
    MnistError,
    describe,
    download_allowed,
    load_mnist,
    load_sample,
)
from explainer.training import limits, session_files, visitor_trainings
from explainer.training.pool import Training, shared_pool
from explainer.training.spec import (
    ACTIVATION_CHOICES,
    LOSS_CHOICES,
    OPTIMIZER_CLASSES,
    PRESETS,
    ModelConfig,
    keras_code,
    parameter_table,
    validate,
    with_preset_label,
)
from pages.shared import report_failure, use_router, visitor
from pages.shared.train_views import draw_progress, show_results

use_router()

ss = st.session_state
ss.setdefault("train_training", None)  # this session's Training (running or finished)
ss.setdefault("train_consumed", None)  # the Training whose outcome is shown below
ss.setdefault("train_outcome", None)  # TrainingOutcome of the last training
ss.setdefault("train_last_pick", None)  # the last confusion-matrix click already applied
ss.setdefault("train_download_job", None)  # a worker downloading Keras' mnist.npz

PRESET_NAMES = {key: preset.label for key, preset in PRESETS.items()}
KIND_NAMES = {"mlp": "Dense layers (MLP)", "cnn": "Small CNN"}


# -- data -------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Reading MNIST ...")
def load_data(location: str, keras_cache_present: bool):
    """The best MNIST available here without a download (read-only, shared by every visitor)."""
    return load_mnist()


@st.cache_data(show_spinner=False)
def data_overview(location: str, keras_cache_present: bool, sample: bool):
    data = load_sample() if sample else load_data(location, keras_cache_present)
    picks = ev.examples_per_class(data.y_train, 12)
    return {"grid": data.x_train[picks], "train_counts": ev.class_counts(data.y_train),
            "test_counts": ev.class_counts(data.y_test),
            "histogram": ev.pixel_histogram(data.x_train[:10_000])}


def apply_preset():
    preset = PRESETS[ss.train_preset]
    ss.train_kind = preset.kind
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
    return with_preset_label(ModelConfig(
        kind=kind, hidden=hidden, activation=ss.train_activation, dropout=float(ss.train_dropout),
        optimizer=ss.train_optimizer, learning_rate=float(ss.train_lr), loss=ss.train_loss,
        epochs=int(ss.train_epochs), batch_size=int(ss.train_batch),
        scale_inputs=bool(ss.train_scale), seed=int(ss.train_seed)))


@st.fragment(run_every=1.0 if ss.train_download_job is not None
             and ss.train_download_job.running else None)
def download_panel() -> None:
    """Keras' MNIST download, done by a worker process; then the page reads it with numpy."""
    job: Training | None = ss.train_download_job
    if job is not None and job.running:
        st.info(f"{job.progress.snapshot().phase_text}: downloading MNIST in a separate process "
                "...", icon=":material/download:")
        return
    if job is not None:
        ss.train_download_job = None
        if not job.error:
            st.rerun()  # the whole page: the digits are now in Keras' cache
        report_failure("The download of the full MNIST did not work, so the app goes on with "
                       "the digits it has.", "Try the download again later.", job.error)
    if download_allowed() and st.button(
            "Download the full MNIST (11 MB) with Keras", key="train_download_data",
            help="Uses keras.datasets.mnist.load_data(); cached in ~/.keras/datasets."):
        try:
            ss.train_download_job = visitor_trainings.download_mnist(visitor.session_id())
        except limits.LimitError as refused:
            st.error(str(refused), icon=":material/block:")
        else:
            st.rerun()


# -- page -------------------------------------------------------------------------------------

st.title("Train the network on MNIST")
st.markdown(
    "Everything so far comes together here: the **784-512-10 network** of the walk-through, "
    "trained with Keras on handwritten digits. Pick a recipe, press **Train**, watch the loss "
    "fall, then look at what the network got wrong and what its hidden cells learned.")

LOCATION = (os.environ.get("MNIST_DIR", ""), KERAS_CACHE.is_file())
try:
    best = load_data(*LOCATION)
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
    download_panel()

overview = data_overview(*LOCATION, data is not best)
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
    b.selectbox("Activation", ACTIVATION_CHOICES, key="train_activation", disabled=not mlp)
    a.checkbox("2nd hidden layer", key="train_second", disabled=not mlp)
    b.number_input("Cells in the second layer", min_value=1, max_value=100_000, step=16,
                   key="train_hidden2", disabled=not (mlp and ss.train_second))
    a.selectbox("Optimizer", list(OPTIMIZER_CLASSES), key="train_optimizer")
    b.number_input("Learning rate", min_value=0.0, max_value=100.0, step=0.0005, format="%.4f",
                   key="train_lr", help="Keras' default is 0.001 for rmsprop and adam.")
    a.number_input("Epochs (1-30)", min_value=0, max_value=1000, step=1, key="train_epochs",
                   help="One epoch = every training digit seen once.")
    b.number_input("Batch size (16-1024)", min_value=1, max_value=100_000, step=16,
                   key="train_batch", help="Digits per weight update.")
    st.radio("Loss", list(LOSS_CHOICES), format_func=LOSS_CHOICES.get, key="train_loss",
             horizontal=True,
             help="The walk-through explains the squared error; its code uses cross-entropy.")
    st.slider("Dropout", 0.0, 0.8, step=0.1, key="train_dropout",
              help="During training, switch off this share of the hidden cells at random.")
    a, b = st.columns(2)
    a.number_input("Seed", min_value=0, max_value=10_000, step=1, key="train_seed",
                   help="Fixes the random starting weights and the batch order.")
    b.toggle("3 seeds", key="train_three_seeds",
             help="Train three times (seeds s, s+1, s+2) and compare the test accuracies.")

config = config_from_widgets()
seeds = [config.seed + i for i in range(3)] if ss.train_three_seeds else [config.seed]
problems = validate(config)
with code_col:
    if problems:
        for problem in problems:
            st.error(problem, icon=":material/block:")
    else:
        st.caption(f"Recipe: **{config.label}**. This is the code that runs when you press "
                   "Train:")
        st.code(keras_code(config), language="python")
        rows = parameter_table(config)
        total = sum(r["total"] for r in rows)
        st.dataframe(rows + [{"layer": "total", "weights": sum(r["weights"] for r in rows),
                              "biases": sum(r["biases"] for r in rows), "total": total}],
                     hide_index=True, key="train_params_table",
                     column_config={c: st.column_config.NumberColumn(format="localized")
                                    for c in ("weights", "biases", "total")})
        st.markdown(f"**{total:,} parameters** to learn, every one a weight or a bias.")

# 3. Train ------------------------------------------------------------------------------------
st.header("3. Train", divider="gray")
training: Training | None = ss.train_training
running = training is not None and training.running
too_big = "" if problems else limits.work_refusal(config, len(data.x_train), len(seeds))

start_col, stop_col, note_col = st.columns([1, 1, 4])
start = start_col.button("Train" if len(seeds) == 1 else "Train 3 times", type="primary",
                         key="train_start", disabled=running or bool(problems) or bool(too_big),
                         icon=":material/play_arrow:", width="stretch")
stop = stop_col.button("Stop", key="train_stop", disabled=not running, icon=":material/stop:",
                       width="stretch", help="End training now and keep the model as it is.")
if not problems:
    seconds = limits.estimate_seconds(config, len(data.x_train), len(seeds))
    note_col.caption(
        f"Estimated time: **about {limits.describe_seconds(seconds)}** on two CPU cores "
        f"({len(data.x_train):,} digits x {config.epochs} epochs x {len(seeds)} run"
        f"{'s' if len(seeds) > 1 else ''}). Training goes on in a separate process while you "
        f"visit other pages; at most {shared_pool().limit} trainings run on this server at once, "
        "one per visitor.")
if too_big:
    st.error(too_big, icon=":material/timer_off:")

if start and not running and not problems and not too_big:
    state = get_script_run_ctx().session_state  # thread-safe: the hand-over writes to it
    alive = visitor.session_exists_check()
    folder = session_files.folder_for(visitor.session_id(), alive or (lambda: True))
    try:
        ss.train_training = visitor_trainings.start_training(
            config, seeds, data, folder, visitor.session_id(), visitor.client_keys(), alive,
            on_outcome=lambda outcome: state.__setitem__("session_model", outcome.model))
    except limits.LimitError as refused:
        st.error(str(refused), icon=":material/block:")
    else:
        st.rerun()  # draw the buttons again: Train off, Stop on, while it runs
if stop and training is not None:
    training.stop()


@st.fragment(run_every=1.0 if running else None)
def progress_panel() -> None:
    current: Training | None = ss.train_training
    if current is None:
        st.caption("No training yet. The first one starts a training process (a few seconds).")
        return
    draw_progress(current, shared_pool())
    if not current.running and ss.train_consumed is not current:
        ss.train_consumed = current
        if current.outcome is not None and current.outcome.model is not None:
            ss.train_outcome = current.outcome
            ss.session_model = current.outcome.model
            ss.train_last_pick = None
            for key in ("train_true", "train_answer"):  # start at the new model's worst mistake
                ss.pop(key, None)
        st.rerun()  # the whole page, to show the results and stop refreshing


progress_panel()

# 4. Results ----------------------------------------------------------------------------------
if ss.train_outcome is not None and ss.train_outcome.model is not None:
    show_results(ss.train_outcome, data)
