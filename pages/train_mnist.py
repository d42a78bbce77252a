"""Train on MNIST: the walk-through's code beside "Train it now", the network learning live, then
what it learned, one-change experiments, the compute behind them, and every setting.

Every training runs in a worker process (explainer/training/pool.py); the page only shows
progress and numpy results. Until the visitor trains, the results are the shared default model's
(the walk-through's network, trained once per server). A visitor's model answers on Draw a digit
only once they choose it ("Use my model on Draw").
"""

from __future__ import annotations

import os

import streamlit as st

from explainer.data.mnist import (
    KERAS_CACHE,
    MnistData,
    MnistError,
    download_allowed,
    load_mnist,
    load_sample,
)
from explainer.training import default_model, limits
from explainer.training.pool import Training, download_mnist
from explainer.training.spec import PRESETS
from explainer.training.trained import TrainedModel
from pages.shared import check, end_page, own_training, report_failure, start_page, terms
from pages.shared.answering import waiting_panel
from pages.shared.train_compute import compute_section
from pages.shared.train_data import choose_data, data_name, explore
from pages.shared.train_experiments import experiments_section
from pages.shared.train_form import (
    check_settings_link,
    settings_form,
    the_code,
    train_controls,
    use_on_draw,
)
from pages.shared.train_views import PAGE, TASKS, draw_progress, learning_curves, show_results

start_page(__file__)

ss = st.session_state
ss.setdefault(own_training.OUTCOME, None)  # TrainingOutcome of the last training
ss.setdefault("train_last_pick", None)  # the last confusion-matrix click already applied
ss.setdefault("train_download_job", None)  # a worker downloading Keras' mnist.npz


@st.cache_resource(show_spinner="Reading MNIST ...", max_entries=4)
def load_data(location: str, keras_copy: tuple | None):
    """The best MNIST available here without a download (read-only, shared by every visitor).

    Keyed by Keras' copy as it is on disk (size and time), so a copy that was damaged and then
    downloaded again is read again, not the sample it fell back to.
    """
    return load_mnist()


def keras_copy() -> tuple | None:
    """Keras' downloaded MNIST as (size, modification time), or None when there is none."""
    try:
        found = KERAS_CACHE.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


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
            help="Uses keras.datasets.mnist.load_data(); kept in Keras' own cache."):
        try:
            ss.train_download_job = download_mnist()
        except limits.LimitError as refused:
            st.error(str(refused), icon=":material/block:")
        else:
            st.rerun()


own = own_training.current()  # also a training this browser started in another tab


@st.fragment(run_every=1.0 if own is not None and own.running else None)
def progress_panel(default: TrainedModel | None) -> None:
    """The visitor's training as it goes; before one, the shared network's own curves."""
    current = own_training.current()
    if current is None:
        if default is not None and default.history.get("val_accuracy"):
            digits = f" on {default.train_samples:,} digits" if default.train_samples else ""
            st.caption(f"Before you train: the curves of the walk-through's network, trained "
                       f"once on this server{digits}. Yours draw here, epoch by epoch.")
            log = {"epoch": list(range(1, len(default.history["loss"]) + 1)), **default.history}
            learning_curves({}, log, len(log["epoch"]), key="train_default_curves",
                            gap=check.revealed(PAGE, "gap"))
        else:
            st.caption("Press **Train it now**: the curves draw here, one point per epoch.")
        return
    draw_progress(current, gap=check.revealed(PAGE, "gap"))
    if own_training.take_finished() is not None:
        ss.train_last_pick = None
        for key in ("train_true", "train_answer"):  # start at the new model's worst mistake
            ss.pop(key, None)
        st.rerun()  # the whole page, to show the results and stop refreshing


def digits_of(model: TrainedModel, best: MnistData) -> MnistData | None:
    """The digits a model was trained and is tested on: this server's best, or the sample."""
    if model.source == best.source:
        return best
    sample = load_sample()
    return sample if model.source == sample.source else None


def the_gap_task(default: TrainedModel | None) -> None:
    """Train digits or test digits: where does the network score higher after its epochs?"""
    options = ["On the training digits", "On the test digits", "The same on both"]
    history = default.history if default is not None else {}
    seen = (history.get("accuracy") or [1.0])[-1]
    unseen = (history.get("val_accuracy") or [0.0])[-1]
    answer = options[0] if seen - unseen >= 0.005 else (
        options[1] if unseen - seen >= 0.005 else options[2])
    check.task(PAGE, "gap", "When training ends, where will the network score higher?", options,
               answer, "It was tuned on the training digits, so it knows some of them by heart; "
               "the test digits are new to it, like your handwriting on the Draw page. The "
               "chart below shows both, epoch by epoch.")


st.title("Train the network on MNIST")
st.markdown(
    "**Training is practice with the answers:** the network reads thousands of labelled digits, "
    "and after every small batch each of its weights is nudged so that its answers match the "
    "labels a little better.")
terms.define("Training set", "Test set", "Epoch", "Batch")

LOCATION = (os.environ.get("MNIST_DIR", ""), keras_copy())
try:
    best = load_data(*LOCATION)
except MnistError as exc:
    report_failure("The MNIST digits could not be read.",
                   "Whoever runs this app can find which file and why in the server's log; "
                   "the other pages still work.", exc)
    end_page(__file__)

check_settings_link()
shared = default_model.walk_through()
shared.start()  # also starts a retry once its time has come after a failure
default = shared.model if shared.status().ready else None

# The code and its button sit at the top, but the settings that shape them are drawn at the
# bottom (Build your own): their places are kept here and filled once the settings are read,
# so a link's settings show in the code on the first run.
st.header("Run the code", divider="gray")
run_col, code_col = st.columns([2, 3], gap="large")  # on a phone: the button, then the code
with run_col:
    st.markdown("The walk-through's code, as the app runs it. Press the button and this server "
                "trains it in a separate process, on the digits you pick.")
    data = choose_data(best)
    controls = st.container()
    if not best.is_full:
        st.caption(f"This server has only the sample shipped with the app "
                   f"({len(best.x_train):,} training digits), so accuracy stays below the "
                   "walk-through's 97.86%. Start the app with MNIST_DIR at a folder of the four "
                   "official MNIST files for all 60,000.")
        download_panel()
code_place = code_col.container()

st.header("Watch it learn", divider="gray")
check.progress(PAGE, TASKS)
the_gap_task(default)
progress_panel(default)

# The results: the visitor's own model once they trained one, else the walk-through's network.
outcome = ss[own_training.OUTCOME]
own_model = outcome.model if outcome is not None else None
if own_model is not None:
    own_digits = digits_of(own_model, best)
    show_results(own_model, own_digits or best, own_digits is not None, outcome.runs)
elif default is not None:
    show_results(default, best, True, own=False)
else:
    st.header("What the walk-through's network learned", divider="gray")
    waiting_panel("The walk-through's network", "Train your own above, or try again.",
                  "The walk-through's network is being trained once for this server (its "
                  "results appear here by themselves; later visitors get them at once).",
                  retry_key="train_retry_default")

experiments_section(best, default)
compute_place = st.container()

st.header("Build your own", divider="gray")
explore(data, best, LOCATION)
with st.expander("Every setting: layers, activation, optimizer, epochs, batch, loss",
                 icon=":material/tune:"):
    config, problems = settings_form()

with controls:
    train_controls(config, problems, data)
    use_on_draw()
with code_place:
    if config.label != PRESETS["post"].label:
        st.caption(f"Recipe: **{config.label}**, from the settings under *Build your own*.")
    the_code(config, problems, data_name(data))
with compute_place:
    compute_section(config, len(data.x_train), own_model or default)

end_page(__file__)
