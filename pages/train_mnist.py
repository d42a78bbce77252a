"""Train on MNIST: the walk-through's network's results at once, one-change experiments, the
compute behind them, and a network of your own.

Every training runs in a worker process (explainer/training/pool.py); the page only shows
progress and numpy results. The shared default model is the walk-through's network, trained
once per server; a visitor's own training replaces it on this page and on Draw a digit.
"""

from __future__ import annotations

import os

import streamlit as st

from explainer.data.mnist import KERAS_CACHE, MnistError, download_allowed, load_mnist
from explainer.training import default_model, limits
from explainer.training.pool import Training, download_mnist
from pages.shared import end_page, own_training, report_failure, start_page, terms
from pages.shared.answering import waiting_panel
from pages.shared.train_compute import compute_section
from pages.shared.train_data import choose_data, explore
from pages.shared.train_experiments import experiments_section
from pages.shared.train_form import config_from_state, settings_form, train_controls
from pages.shared.train_views import draw_progress, show_results

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
def progress_panel() -> None:
    current = own_training.current()
    if current is None:
        st.caption("No training of your own yet. The first one starts a training process (a "
                   "few seconds).")
        return
    draw_progress(current)
    if own_training.take_finished() is not None:
        ss.train_last_pick = None
        for key in ("train_true", "train_answer"):  # start at the new model's worst mistake
            ss.pop(key, None)
        st.rerun()  # the whole page, to show the results and stop refreshing


st.title("Train the network on MNIST")
st.markdown(
    "Here the walk-through's **784-512-10 network** has learned to read handwritten digits: "
    "see what it gets right and wrong, change one thing at a time and compare, then build "
    "and train a network of your own.")
terms.define("Training set", "Test set", "Epoch", "Batch")

LOCATION = (os.environ.get("MNIST_DIR", ""), keras_copy())
try:
    best = load_data(*LOCATION)
except MnistError as exc:
    report_failure("The MNIST digits could not be read.",
                   "Whoever runs this app can find which file and why in the server's log; "
                   "the other pages still work.", exc)
    end_page(__file__)

data = choose_data(best)
if not data.is_full:
    download_panel()
explore(data, best, LOCATION)

# The results: the visitor's own model once they trained one, else the walk-through's network.
shared = default_model.shared()
shared.start()  # also starts a retry once its time has come after a failure
default = shared.model if shared.status().ready else None
outcome = ss[own_training.OUTCOME]
if outcome is not None and outcome.model is not None:
    show_results(outcome.model, data, outcome.model.source == data.source, outcome.runs)
elif default is not None:
    show_results(default, data, data is best, own=False)
else:
    st.header("What the walk-through's network learned", divider="gray")
    waiting_panel("The walk-through's network", "Build and train your own below, or try again.",
                  "The walk-through's network is being trained once for this server (its "
                  "results appear here by themselves; later visitors get them at once).",
                  retry_key="train_retry_default")

experiments_section(data, default if data is best else None)
own_model = outcome.model if outcome is not None else None
compute_section(config_from_state(), len(data.x_train), own_model or default)

st.header("Build your own", divider="gray")
with st.expander("Every setting, the Keras code that runs, Train and Stop",
                 expanded=own is not None, icon=":material/tune:"):
    config, problems = settings_form()
    train_controls(config, problems, data)
    progress_panel()

end_page(__file__)
