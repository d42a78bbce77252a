"""Shared by the drawing tests: digits drawn like the canvas does, a model trained on the sample.

The model is trained once per test process (a few seconds on a CPU) and reused by every test
file that asks for it.
"""

from __future__ import annotations

import functools
import io

import numpy as np
from PIL import Image, ImageDraw

from explainer.data.mnist import SAMPLE_PATH, load_sample

CANVAS = 280


def on_canvas(digit: np.ndarray, scale: float = 1.0, top: int | None = None,
              left: int | None = None, size: int = CANVAS) -> np.ndarray:
    """A 28 x 28 digit scaled up smoothly and drawn dark on a white (size, size) RGBA canvas."""
    side = int(round(size * scale))
    big = np.asarray(Image.fromarray(np.asarray(digit, dtype=np.uint8)).resize(
        (side, side), Image.Resampling.BILINEAR))
    top = (size - side) // 2 if top is None else top
    left = (size - side) // 2 if left is None else left
    ink = np.zeros((size, size), np.uint8)
    ink[top:top + side, left:left + side] = big
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = 255 - ink[..., None]  # MNIST's ink (high) as darkness on white paper
    rgba[..., 3] = 255
    return rgba


def strokes(lines: list[list[tuple[float, float]]], width: int = 18,
            size: int = CANVAS) -> np.ndarray:
    """Black strokes with round ends on a white RGBA canvas, like the pages' canvases draw."""
    image = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    pen = ImageDraw.Draw(image)
    for line in lines:
        pen.line(line, fill=(0, 0, 0, 255), width=width, joint="curve")
        for x, y in (line[0], line[-1]):
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2),
                        fill=(0, 0, 0, 255))
    return np.asarray(image)


def png_bytes(image: np.ndarray | Image.Image, format: str = "PNG") -> bytes:
    if not isinstance(image, Image.Image):
        image = Image.fromarray(np.asarray(image))
    buffer = io.BytesIO()
    image.save(buffer, format=format)
    return buffer.getvalue()


def canvas_value(rgba: np.ndarray) -> dict:
    """What streamlit-drawable-canvas 0.13.0 stores under its key after a stroke."""
    import base64

    data = "data:image/png;base64," + base64.b64encode(png_bytes(rgba)).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": data},
            "backgroundFit": None}


@functools.lru_cache(maxsize=2)
def keras_trained_on_sample(augmented: bool = False):
    """The walk-through's network trained on the shipped sample (6,000 digits, 5 epochs), or
    with ``augmented`` the same network on changed copies (``spec.AUGMENTED``, 15 epochs),
    through the app's own training function, in this test process: (Keras model, figures)."""
    from explainer.training.keras_fit import train_once
    from explainer.training.spec import AUGMENTED, PRESETS

    return train_once(AUGMENTED if augmented else PRESETS["post"], load_sample(),
                      lambda kind, **info: None, stop=lambda: False, deadline=float("inf"))


def trained_on_sample(augmented: bool = False):
    """The same network as the web process keeps it: numpy weights and its figures."""
    from explainer.training.spec import AUGMENTED, PRESETS
    from explainer.training.trained import TrainedModel

    model, figures = keras_trained_on_sample(augmented)
    return TrainedModel(model.get_weights(), AUGMENTED if augmented else PRESETS["post"],
                        figures["test_accuracy"], figures["history"], load_sample().source,
                        figures["test_probabilities"], figures["seconds"],
                        figures["epochs_done"],
                        model_id="sample-augmented" if augmented else "sample-post")


def sample_mnist_env(monkeypatch, folder) -> None:
    """Point MNIST at the shipped sample and the default models' cache at ``folder``."""
    from explainer.training import default_model

    monkeypatch.setenv("MNIST_DIR", str(SAMPLE_PATH))
    monkeypatch.setenv(default_model.CACHE_ENV, str(folder))
    default_model.reset()


def seed_default_cache(folder, augmented: bool = True) -> str:
    """Save the sample-trained networks where the shared models look for them with sample data:
    the walk-through's, and (unless ``augmented`` is False) the one trained on changed copies.
    Returns the walk-through's cache name."""
    from explainer.data.mnist import load_npz
    from explainer.training import default_model
    from explainer.training.spec import AUGMENTED, PRESETS

    data, version = load_npz(SAMPLE_PATH), default_model.keras_version()
    name = default_model.cache_name(PRESETS["post"], data, version)
    default_model.save_cached(trained_on_sample(), folder, name)
    if augmented:
        default_model.save_cached(trained_on_sample(augmented=True), folder,
                                  default_model.cache_name(AUGMENTED, data, version))
    return name


def plotly_array(value) -> np.ndarray:
    """A plotly JSON array as the browser gets it: a list, or the typed {"dtype", "bdata",
    "shape"} form."""
    import base64

    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value)
