"""One-change experiments on the Train page: a click each, then a table and a chart of them all.

Each run goes to the server's worker pool through explainer.training.experiment_runs, which
trains every experiment once per server; this module only keeps the session's list of clicks.
"""

from __future__ import annotations

from concurrent.futures import Future

import streamlit as st

from explainer.charts import experiments as charts
from explainer.data.mnist import MnistData
from explainer.training import experiment_runs, limits
from explainer.training.experiments import (
    BASELINE,
    BY_ID,
    EXPERIMENTS,
    Experiment,
    ExperimentResult,
    table_rows,
)
from explainer.training.trained import TrainedModel
from pages.shared import check, report_failure

ss = st.session_state


def _runs() -> dict[tuple[str, str], Future]:
    """This session's experiment runs, by (experiment id, data source), in the order clicked."""
    return ss.setdefault("train_experiment_runs", {})


def experiments_section(data: MnistData, baseline_model: TrainedModel | None) -> None:
    """The buttons, then the session's comparison; redrawn each second while a run is going.

    ``baseline_model``: the walk-through's network trained on ``data``, or None.
    """
    st.header("One change at a time", divider="gray")
    st.markdown(
        "Each button trains the walk-through's network with **one** setting changed, on the "
        "digits in use, so the difference in the results is that change's doing. Each "
        "experiment is trained once on this server and shared: if someone already ran it, the "
        "answer is there at once.")
    options = ["No scaling", "16 hidden cells", "One epoch", "Plain SGD"]
    check.task("train_mnist", "costliest", "Before you press a button: which of these changes "
               "costs the network the most test accuracy?", options, "Plain SGD",
               "At RMSprop's learning rate, 0.001, plain gradient descent takes tiny steps: on "
               "all 60,000 digits it reaches about 83% after 5 epochs, against 98%. RMSprop "
               "scales each weight's step by the size of its recent gradients. Press its button "
               "to check it on this server's digits.",
               {"No scaling": "Unscaled inputs cost about 1.6 points here: RMSprop's per-weight "
                              "steps soften the damage.",
                "16 hidden cells": "16 cells still reach about 93%.",
                "One epoch": "One pass over the digits already reaches about 96%."})
    st.page_link("pages/draw.py", label="Move, turn and resize a digit yourself: on Draw",
                 icon=":material/draw:", help="Draw a digit's 'Change a digit' section: two "
                 "networks' answers as a test digit changes.")
    pending = any(not run.done() for (_, source), run in _runs().items()
                  if source == data.source)
    st.fragment(_panel, run_every=1.0 if pending else None)(data, baseline_model)


def _start(experiment: Experiment, data: MnistData) -> None:
    _runs()[(experiment.id, data.source)] = experiment_runs.runner().start(experiment, data)


def _panel(data: MnistData, baseline_model: TrainedModel | None) -> None:
    runs = _runs()
    columns = st.columns(2)
    for index, experiment in enumerate(EXPERIMENTS):
        started = (experiment.id, data.source) in runs
        seconds = limits.estimate_seconds(experiment.config, len(data.x_train), 1)
        if columns[index % 2].button(
                experiment.name, key=f"train_experiment_{experiment.id}", disabled=started,
                icon=":material/science:", width="stretch",
                help=f"{experiment.question} About {limits.describe_seconds(seconds)} "
                     "to train the first time."):
            _start(experiment, data)
            st.rerun()  # the whole page: this panel now refreshes until the run is done

    mine = [(key[0], run) for key, run in runs.items() if key[1] == data.source]
    results: list[ExperimentResult] = []
    for experiment_id, run in mine:
        if not run.done():
            running_bar(experiment_id, data)
        elif run.exception() is not None:
            report_failure(f"The experiment '{experiment_id}' could not be trained.",
                           "Press its button to try again.", run.exception())
            runs.pop((experiment_id, data.source), None)
        else:
            results.append(run.result())
    if mine and all(run.done() for _, run in mine) and ss.get("train_experiments_shown") != \
            len(results):
        ss.train_experiments_shown = len(results)
        st.rerun()  # the whole page: stop refreshing
    comparison(results, baseline_model, data, waiting=any(not run.done() for _, run in mine))


def running_bar(experiment_id: str, data: MnistData) -> None:
    """A running experiment's bar: its epoch and batch, as the worker reports them."""
    name = BY_ID[experiment_id].name
    progress = experiment_runs.runner().progress(experiment_id, data.source)
    snap = progress.snapshot() if progress is not None else None
    if snap is None or snap.phase in ("done", "stopped", "failed"):
        st.info(f"Training **{name}** in a separate process ...", icon=":material/hourglass_top:")
        return
    st.progress(snap.fraction, text=f"**{name}**. {snap.status_line}")


def comparison(results: list[ExperimentResult], baseline_model: TrainedModel | None,
               data: MnistData, waiting: bool = False) -> None:
    """The table (one sentence per row, from its own figures) and accuracy per epoch overlaid.

    ``waiting``: an experiment of this visit is still training (its row comes when it is done).
    """
    baseline = (experiment_runs.baseline_result(baseline_model)
                if baseline_model is not None else None)
    if not results:
        st.caption("Its row and its curve appear here when it is done." if waiting else
                   "No experiment in this visit yet: pick one above.")
        return
    rows = ([baseline] if baseline else []) + results
    table = table_rows(rows, baseline)
    st.dataframe([{k: v for k, v in row.items() if k not in ("What it shows", "Note")}
                  for row in table], hide_index=True, key="train_experiments_table",
                 column_config={
                     "Test accuracy": st.column_config.NumberColumn(format="percent"),
                     "Parameters": st.column_config.NumberColumn(format="localized")})
    st.markdown("\n".join(f"- {row['What it shows']}" + (f" ({row['Note']})" if row["Note"]
                                                          else "")
                           for row in table if row["What it shows"]))
    if baseline is None:
        st.caption("The walk-through's network is not ready on these digits yet, so the "
                   "sentences say what they can only once it is.")
    curves = [(row.name, row.epoch_accuracy) for row in rows if row.epoch_accuracy]
    left, right = st.columns(2)
    left.plotly_chart(charts.accuracy_per_epoch_chart(curves, BASELINE.name),
                      key="train_experiments_curves")
    right.plotly_chart(charts.accuracy_bars([r.name for r in rows],
                                            [r.test_accuracy for r in rows], BASELINE.name),
                       key="train_experiments_bars")
