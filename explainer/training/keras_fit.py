"""The one Keras training path: build from the layer plan, fit with live progress, test, save.

Runs only inside a worker process (explainer/training/worker.py): the Train page's trainings and
the shared default model both come here, through :func:`train_job`. Keras is imported inside the
functions, so importing this module costs nothing.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from explainer.concepts.models.evaluation import median_index
from explainer.data.mnist import MnistData
from explainer.training import limits
from explainer.training.messages import Message
from explainer.training.progress import curve_every
from explainer.training.spec import (
    OPTIMIZER_CLASSES,
    ModelConfig,
    input_shape,
    layer_plan,
    one_hot,
    prepare_inputs,
    training_subset,
    validate,
)

# Like the walk-through, train on every training digit and draw the validation curve on the test
# digits, which the network never trains on. A fraction above 0 holds out that share of the
# training digits for the curve instead (the careful practice when the curve is used to choose).
VALIDATION_FRACTION = 0.0
SEND_EVERY_S = 0.1  # batch messages at most this often, besides the curve's own points

Send = Callable[..., None]  # send(Message, **info): one message to the web process


def describe_device() -> str:
    """'GPU: <name>' (memory growth on, before TensorFlow uses it) or 'CPU (no GPU found)'."""
    import tensorflow as tf

    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: growth can no longer be changed
            pass
        names.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
    return f"GPU: {names[0]}" if names else "CPU (no GPU found)"


def build_model(config: ModelConfig):
    """The Keras model of :func:`explainer.training.spec.layer_plan`, compiled for ``fit``."""
    import keras

    problems = validate(config)
    if problems:
        raise ValueError(" ".join(problems))
    keras.utils.set_random_seed(config.seed)
    stack = [keras.Input(shape=input_shape(config))]
    for layer in layer_plan(config):
        stack.append(getattr(keras.layers, layer.kind)(*layer.args, **dict(layer.options),
                                                       name=layer.name))
    model = keras.Sequential(stack, name=config.kind)
    optimizer = getattr(keras.optimizers, OPTIMIZER_CLASSES[config.optimizer])
    model.compile(optimizer=optimizer(learning_rate=config.learning_rate), loss=config.loss,
                  metrics=["accuracy"])
    return model


def split_validation(images: np.ndarray, labels: np.ndarray, fraction: float = VALIDATION_FRACTION):
    """Hold out a fixed random part of the training digits to watch the network on unseen digits.

    Returns ``(x_train, y_train, x_val, y_val)``. The same digits are held out for every seed, so
    runs differ only by the network's own randomness.
    """
    order = np.random.default_rng(20_240_601).permutation(len(images))
    held_out = int(round(len(images) * fraction))
    if held_out == 0:
        return images, labels, images[:0], labels[:0]
    val, train = order[:held_out], order[held_out:]
    return images[train], labels[train], images[val], labels[val]


def predict_in_batches(model, inputs: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """Probabilities for many inputs without Keras' predict loop (and its thread pool)."""
    parts = [np.asarray(model.predict_on_batch(inputs[i:i + batch_size]))
             for i in range(0, len(inputs), batch_size)]
    return np.concatenate(parts).astype("float32") if parts else np.zeros((0, 10), "float32")


def progress_callback(send: Send, stop: Callable[[], bool], deadline: float, batches: int):
    """A Keras callback that reports batches and epochs and ends training on Stop, NaN or time."""
    import keras

    every = curve_every(batches)

    class Reporting(keras.callbacks.Callback):
        last_sent = 0.0
        ended_by = ""

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            loss = logs.get("loss")
            now = time.monotonic()
            if batch % every == 0 or batch + 1 == batches or now - self.last_sent > SEND_EVERY_S:
                self.last_sent = now
                send(Message.BATCH, batch=batch, loss=None if loss is None else float(loss),
                     accuracy=None if logs.get("accuracy") is None else float(logs["accuracy"]))
            if loss is not None and not math.isfinite(float(loss)):
                send(Message.DIVERGED)
                self.end("diverged")
            elif stop():
                self.end("stop")
            elif time.monotonic() > deadline:
                self.end("time")

        def end(self, why: str):
            self.ended_by = self.ended_by or why
            self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            send(Message.EPOCH, epoch=epoch, logs={k: float(v) for k, v in (logs or {}).items()})

    return Reporting()


def train_once(config: ModelConfig, data: MnistData, send: Send, stop: Callable[[], bool],
               deadline: float, run: int = 1):
    """Build, fit (reporting through ``send``), test: (Keras model, figures)."""
    x_train, y_train, x_val, y_val = split_validation(data.x_train, data.y_train)
    x_train, y_train = training_subset(x_train, y_train, config.train_fraction)
    if not len(x_val):
        x_val, y_val = data.x_test, data.y_test
    inputs, targets = prepare_inputs(x_train, config), one_hot(y_train)
    model = build_model(config)
    batches = math.ceil(len(inputs) / config.batch_size)
    callback = progress_callback(send, stop, deadline, batches)
    send(Message.BEGIN_RUN, run=run, batches=batches, batch_size=config.batch_size,
         samples=len(inputs))
    started = time.perf_counter()
    if config.augment:  # fresh random copies every epoch, made in a tf.data pipeline
        from explainer.training.augmentation import training_dataset

        fed = {"x": training_dataset(inputs, targets, config.batch_size, config.seed,
                                     ink=255 * config.input_scale), "shuffle": False}
    else:
        fed = {"x": inputs, "y": targets, "batch_size": config.batch_size}
    history = model.fit(**fed, epochs=config.epochs,
                        validation_data=(prepare_inputs(x_val, config), one_hot(y_val)),
                        callbacks=[callback], verbose=0)
    seconds = time.perf_counter() - started
    send(Message.TRAINING_ENDED, at=time.time(), why=callback.ended_by)
    send(Message.END_RUN)
    send(Message.PHASE, phase="evaluating")
    probabilities = predict_in_batches(model, prepare_inputs(data.x_test, config))
    epochs_done = len(history.history.get("loss", []))
    accuracy = float((probabilities.argmax(1) == data.y_test).mean())
    figures = {
        "seed": config.seed, "test_accuracy": accuracy,
        "history": {k: [float(v) for v in values] for k, values in history.history.items()},
        "test_probabilities": probabilities, "seconds": seconds, "epochs_done": epochs_done,
        "stopped": epochs_done < config.epochs or bool(callback.ended_by),
        "ended_by": callback.ended_by, "train_samples": len(inputs)}
    return model, figures


SAVE_FAILED = ("Your network is trained, but its file could not be written on the server ({}), "
               "so there is nothing to download: it still answers on the Draw page.")
SESSION_GONE = "its session's folder is gone"


def save_keras(model, path: Path) -> Path:
    """Write the model's ``.keras`` file atomically (a temporary name, then a rename).

    The folder must exist: a session's folder that was removed (the session ended) is not made
    again, so nothing is left behind that nobody tracks. OSError when it cannot be written.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(SESSION_GONE)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".keras")
    os.close(handle)
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def train_job(config: ModelConfig, seeds: tuple[int, ...], data: MnistData, keras_path: Path,
              send: Send, stop: Callable[[], bool], device: str) -> dict:
    """Train every seed, keep the median one: its weights, its ``.keras`` file, all figures.

    Refuses work over the cap (see explainer/training/limits.py) before building anything, and
    ends training at the wall-clock cap, keeping what was learned.
    """
    refusal = limits.work_refusal(config, len(data.x_train), len(seeds))
    if refusal:
        raise limits.LimitError(refusal)
    deadline = time.monotonic() + limits.max_wall_seconds()
    models, runs = [], []
    for run, seed in enumerate(seeds, start=1):
        if stop() or (runs and time.monotonic() > deadline):
            break
        model, figures = train_once(config.with_changes(seed=seed), data, send, stop, deadline,
                                    run)
        models.append(model)
        runs.append(figures)
    if not runs:
        return {"runs": [], "weights": None}
    best = median_index([r["test_accuracy"] for r in runs])
    for index, figures in enumerate(runs):  # the others keep only their figures
        if index != best:
            figures.pop("test_probabilities")
    send(Message.PHASE, phase="saving")
    note = ""
    try:
        save_keras(models[best], keras_path)
    except OSError as exc:  # a full disk, a file-size limit, a folder gone: the weights stay
        note = SAVE_FAILED.format(exc.strerror or exc.args[0] if exc.args else exc)
        keras_path = ""
    weights = [np.asarray(w, dtype=np.float32) for w in models[best].get_weights()]
    return {"runs": runs, "best": best, "weights": weights, "keras_path": str(keras_path),
            "device": device, "source": data.source, "note": note}


def train_quietly(config: ModelConfig, data: MnistData):
    """One training in this process with nobody watching: a TrainedModel (for benchmarks/tests).

    The same :func:`train_once` the workers run, without progress messages or a Stop.
    """
    from explainer.training.trained import TrainedModel

    model, figures = train_once(config, data, send=lambda *args, **kwargs: None,
                                stop=lambda: False, deadline=float("inf"))
    return TrainedModel(weights=model.get_weights(), config=config,
                        test_accuracy=figures["test_accuracy"], history=figures["history"],
                        source=data.source, test_probabilities=figures["test_probabilities"],
                        seconds=figures["seconds"], epochs_done=figures["epochs_done"],
                        stopped=figures["stopped"], device=describe_device(),
                        train_samples=figures["train_samples"])
