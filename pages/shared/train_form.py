"""'Build your own': every setting of the network, its Keras code, and the Train / Stop buttons.

The settings live in session state under ``train_*`` keys; :func:`settings_form` draws them and
returns the config they describe, :func:`train_controls` starts and stops the visitor's training.
"""

from __future__ import annotations

import streamlit as st

from explainer.data.mnist import MnistData
from explainer.training import limits, session_files
from explainer.training.code_shown import keras_code
from explainer.training.pool import shared_backend, start_training
from explainer.training.spec import (
    ACTIVATION_CHOICES,
    LOSS_CHOICES,
    OPTIMIZER_CLASSES,
    PRESETS,
    ModelConfig,
    parameter_table,
    validate,
    with_preset_label,
)
from pages.shared import own_training, url_state, visitor

ss = st.session_state
PRESET_NAMES = {key: preset.label for key, preset in PRESETS.items()}
KIND_NAMES = {"mlp": "Dense layers (MLP)", "cnn": "Small CNN"}
DEFAULTS = {"recipe": "post", "kind": "mlp", "cells": 512, "layer2": False, "cells2": 512,
            "activation": "relu", "dropout": 0.0, "optimizer": "rmsprop", "rate": 0.001,
            "epochs": 5, "batch": 128, "lossfn": "categorical_crossentropy", "init_seed": 0,
            "train_three_seeds": False, "scale": True}
URL = "query-params"  # the recipe and main settings live in the link


def setting(key: str):
    """A setting's value: the widget's, else its default (before the form is drawn)."""
    return ss.get(key, DEFAULTS[key])


def check_settings_link() -> None:
    """A link's settings that the widgets cannot use get a note; their defaults are used."""
    url_state.check_link(
        {"recipe": url_state.one_of(PRESET_NAMES.values()),
         "kind": url_state.one_of(KIND_NAMES.values()),
         "cells": url_state.whole(1, 100_000), "cells2": url_state.whole(1, 100_000),
         "layer2": url_state.one_of(("true", "false", "True", "False")),
         "activation": url_state.one_of(ACTIVATION_CHOICES),
         "optimizer": url_state.one_of(OPTIMIZER_CLASSES), "rate": url_state.number(0, 100),
         "epochs": url_state.whole(0, 1000), "batch": url_state.whole(1, 100_000),
         "lossfn": url_state.one_of(LOSS_CHOICES.values()),
         "dropout": url_state.number(0, 0.8), "init_seed": url_state.whole(0, 10_000),
         "scale": url_state.one_of(("true", "false", "True", "False"))},
        {"recipe": "the recipe", "cells": "hidden cells", "cells2": "the second layer",
         "rate": "the learning rate", "batch": "the batch size", "lossfn": "the loss",
         "init_seed": "the seed", "scale": "scaling"})


def apply_preset() -> None:
    preset = PRESETS[ss.recipe]
    ss.kind = preset.kind
    ss.cells = preset.hidden[0]
    ss.layer2 = len(preset.hidden) > 1
    if len(preset.hidden) > 1:
        ss.cells2 = preset.hidden[1]
    ss.activation = preset.activation
    ss.dropout = preset.dropout
    ss.optimizer = preset.optimizer
    ss.rate = preset.learning_rate
    ss.epochs = preset.epochs
    ss.batch = preset.batch_size
    ss.lossfn = preset.loss


def config_from_state() -> ModelConfig:
    """The network the settings describe (the walk-through's before anything is changed)."""
    kind = setting("kind")
    hidden = (int(setting("cells")), int(setting("cells2"))) \
        if setting("layer2") and kind == "mlp" \
        else (int(setting("cells")),)  # a CNN: the dense layer after the convolutions
    return with_preset_label(ModelConfig(
        kind=kind, hidden=hidden, activation=setting("activation"),
        dropout=float(setting("dropout")), optimizer=setting("optimizer"),
        learning_rate=float(setting("rate")), loss=setting("lossfn"),
        epochs=int(setting("epochs")), batch_size=int(setting("batch")),
        scale_inputs=bool(setting("scale")), seed=int(setting("init_seed"))))


def settings_form() -> tuple[ModelConfig, list[str]]:
    """Every setting, then the parameter table; returns (config, problems)."""
    controls, table_col = st.columns([3, 2], gap="large")
    with controls:
        st.selectbox("Start from a recipe", list(PRESETS), format_func=PRESET_NAMES.get,
                     index=list(PRESETS).index(DEFAULTS["recipe"]),
                     key="recipe", on_change=apply_preset, bind=URL,
                     help="The walk-through's network is the default. 'A better MLP' aims at "
                          "98.3%, 'A small CNN' at 99.2% test accuracy on the full set.")
        st.radio("Network type", list(KIND_NAMES), format_func=KIND_NAMES.get, key="kind",
                 bind=URL,
                 horizontal=True)
        mlp = setting("kind") == "mlp"
        a, b = st.columns(2)
        a.number_input("Hidden cells (16-2048)", min_value=1, max_value=100_000, step=16,
                       value=DEFAULTS["cells"], key="cells", bind=URL,
                       help="For the CNN: the dense layer after the convolutions.")
        b.selectbox("Activation", ACTIVATION_CHOICES, key="activation", bind=URL,
                    index=list(ACTIVATION_CHOICES).index(DEFAULTS["activation"]), disabled=not mlp)
        a.checkbox("2nd hidden layer", key="layer2", bind=URL, disabled=not mlp)
        b.number_input("Cells in the second layer", min_value=1, max_value=100_000, step=16,
                       value=DEFAULTS["cells2"], key="cells2", bind=URL,
                       disabled=not (mlp and setting("layer2")))
        a.selectbox("Optimizer", list(OPTIMIZER_CLASSES), key="optimizer", bind=URL,
                    index=list(OPTIMIZER_CLASSES).index(DEFAULTS["optimizer"]))
        b.number_input("Learning rate", min_value=0.0, max_value=100.0, step=0.0005,
                       format="%.4f", value=DEFAULTS["rate"], key="rate", bind=URL,
                       help="Keras' default is 0.001 for rmsprop and adam.")
        a.number_input("Epochs (1-30)", min_value=0, max_value=1000, step=1, key="epochs",
                       value=DEFAULTS["epochs"], bind=URL,
                       help="One epoch = every training digit seen once.")
        b.number_input("Batch size (16-1024)", min_value=1, max_value=100_000, step=16,
                       value=DEFAULTS["batch"], key="batch", bind=URL,
                       help="Digits per weight update.")
        st.radio("Loss", list(LOSS_CHOICES), format_func=LOSS_CHOICES.get, key="lossfn",
                 bind=URL,
                 horizontal=True,
                 help="The walk-through explains the squared error; its code uses cross-entropy.")
        st.slider("Dropout", 0.0, 0.8, step=0.1, key="dropout", bind=URL,
                  help="During training, switch off this share of the hidden cells at random.")
        st.toggle("Scale inputs to 0-1 (divide by 255)", value=True, key="scale", bind=URL)
        if not setting("scale"):
            st.warning("Training on raw 0-255 values: expect a jumpy loss and a worse network, "
                       "maybe a loss that turns into NaN.", icon=":material/warning:")
        a, b = st.columns(2)
        a.number_input("Seed", min_value=0, max_value=10_000, step=1, key="init_seed",
                       bind=URL,
                       help="Fixes the random starting weights and the batch order.")
        b.toggle("3 seeds", key="train_three_seeds",
                 help="Train three times (seeds s, s+1, s+2) and compare the test accuracies.")
    config = config_from_state()
    problems = validate(config)
    with table_col:
        for problem in problems:
            st.error(problem, icon=":material/block:")
        if not problems:
            st.caption(f"Recipe: **{config.label}**. The code at the top of the page follows "
                       "these settings, and **Train it now** trains them.")
            rows = parameter_table(config)
            total = sum(r["total"] for r in rows)
            st.dataframe(rows + [{"layer": "total", "weights": sum(r["weights"] for r in rows),
                                  "biases": sum(r["biases"] for r in rows), "total": total}],
                         hide_index=True, key="train_params_table",
                         column_config={c: st.column_config.NumberColumn(format="localized")
                                        for c in ("weights", "biases", "total")})
            st.markdown(f"**{total:,} parameters** to learn, every one a weight or a bias.")
    return config, problems


def the_code(config: ModelConfig, problems: list[str], digits: str) -> None:
    """The Keras program that Train it now runs, whole; or why these settings cannot run."""
    for problem in problems:
        st.error(problem, icon=":material/block:")
    if not problems:
        st.code(keras_code(config, digits), language="python", wrap_lines=True)


def train_controls(config: ModelConfig, problems: list[str], data: MnistData) -> bool:
    """Train it now / Stop and the time estimate; starts the visitor's training. True while it
    runs."""
    seeds = [config.seed + i for i in range(3)] if setting("train_three_seeds") \
        else [config.seed]
    training = own_training.current()
    running = training is not None and training.running
    too_big = "" if problems else limits.work_refusal(config, len(data.x_train), len(seeds))
    with st.container(horizontal=True):
        start = st.button("Train it now" if len(seeds) == 1 else "Train it 3 times",
                          type="primary", key="train_start",
                          disabled=running or bool(problems) or bool(too_big),
                          icon=":material/play_arrow:")
        stop = st.button("Stop", key="train_stop", disabled=not running, icon=":material/stop:",
                         help="End training now and keep the model as it is.")
    if not problems:
        seconds = limits.estimate_seconds(config, len(data.x_train), len(seeds))
        st.caption(
            f"Estimated time: **about {limits.describe_seconds(seconds)}** on two CPU cores "
            f"({len(data.x_train):,} digits x {config.epochs} epochs x {len(seeds)} run"
            f"{'s' if len(seeds) > 1 else ''}). It goes on in a separate process while you "
            f"visit other pages; at most {shared_backend().status().limit} trainings run at "
            "once, one per visitor.")
    if too_big:
        st.error(too_big, icon=":material/timer_off:")
    if start and not running and not problems and not too_big:
        who = visitor.current()
        folder = session_files.folder_for(who.browser or who.session, who.session,
                                          who.session_exists or (lambda: True))
        try:
            ss[own_training.TRAINING] = start_training(config, seeds, data, folder, who)
        except limits.LimitError as refused:
            st.error(str(refused), icon=":material/block:")
        else:
            st.rerun()  # draw the buttons again: Train off, Stop on, while it runs
    if stop and training is not None:
        training.stop()
    return running


def use_on_draw() -> None:
    """Once the visitor has a model of their own: the choice to let it answer on Draw."""
    if ss.get(own_training.MODEL) is None:
        return
    if ss.get(own_training.USE_ON_DRAW):
        st.success("Your model answers on **Draw a digit**, beside the shared networks.",
                   icon=":material/draw:")
        st.button("Let only the shared networks answer on Draw", key="train_use_on_draw",
                  type="tertiary", on_click=ss.__setitem__,
                  args=(own_training.USE_ON_DRAW, False))
    else:
        st.button("Use my model on Draw", key="train_use_on_draw", icon=":material/draw:",
                  on_click=ss.__setitem__, args=(own_training.USE_ON_DRAW, True),
                  help="Until you choose it, the shared networks answer on Draw a digit, so a "
                       "quick run on the sample does not make Draw worse unasked.")
