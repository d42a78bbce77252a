"""The Keras code the pages show: the program the worker runs, written from the same layer plan.

A beginner reads it beside the Train button, so it is the whole program they would type: MNIST
loaded, the pixels scaled, the network from :func:`explainer.training.spec.layer_plan`, fit and
evaluate; with ``augment``, the input pipeline that makes the changed copies. Text only: no Keras.
"""

from __future__ import annotations

from explainer.concepts.inputs.distort import MAX_DEGREES, MAX_SHIFT, SCALES, THIN_LEVEL
from explainer.training.spec import OPTIMIZER_CLASSES, ModelConfig, input_shape, layer_plan


def keras_code(config: ModelConfig, digits: str = "") -> str:
    """The Keras code the worker runs for this config, written from the same layer plan.

    With ``digits`` (the digits in use, in words) it is the whole program: MNIST loaded, with a
    comment naming those digits, the test digits scored after every epoch and at the end, as the
    worker does; without, it starts from ``train_images`` and ``train_labels`` and ends at fit.
    """
    shape = input_shape(config)
    flat = ", ".join(map(str, shape))
    scale = " / 255" if config.scale_inputs else ""
    loading = [
        "from keras.datasets import mnist", "",
        "# 60,000 training digits and 10,000 test digits, each 28 x 28 pixels of 0-255",
        f"# (this server: {digits})",
        "(train_images, train_labels), (test_images, test_labels) = mnist.load_data()",
    ] if digits else []
    lines = ["import keras", "import numpy as np", "from keras import layers", *loading,
             "", f"keras.utils.set_random_seed({config.seed})",
             "model = keras.Sequential([", f"    keras.Input(shape={shape}),"]
    for layer in layer_plan(config):
        call = layer.call()
        separator = "" if call.endswith("()") else ", "
        lines.append(f'    {call[:-1]}{separator}name="{layer.name}"),')
    subset = ([f"# trained on a fixed random {config.train_fraction:.0%} of the training digits"]
              if config.train_fraction < 1.0 else [])
    scaled = (["# pixels 0-255 scaled to 0-1: the weighted sums stay small"]
              if digits and config.scale_inputs else [])
    lines += [
        "])",
        f"model.compile(optimizer=keras.optimizers.{OPTIMIZER_CLASSES[config.optimizer]}"
        f"(learning_rate={config.learning_rate:g}),",
        f'              loss="{config.loss}", metrics=["accuracy"])',
        "",
        *subset, *scaled,
        f'x_train = train_images.reshape((-1, {flat})).astype("float32"){scale}',
        'y_train = np.eye(10, dtype="float32")[train_labels]',
    ]
    if digits:
        lines += [f'x_test = test_images.reshape((-1, {flat})).astype("float32"){scale}',
                  'y_test = np.eye(10, dtype="float32")[test_labels]']
    tested = ", validation_data=(x_test, y_test)" if digits else ""
    if config.augment:
        lines += augmentation_code(config, tested)
    else:
        lines.append(f"model.fit(x_train, y_train, epochs={config.epochs}, "
                     f"batch_size={config.batch_size}{tested})")
    if digits:
        lines += ["", "# digits the network never trained on",
                  "test_loss, test_accuracy = model.evaluate(x_test, y_test)"]
    return "\n".join(lines)


def augmentation_code(config: ModelConfig, tested: str = "") -> list[str]:
    """The lines that train on changed copies: what explainer/training/augmentation.py runs.

    ``tested``: what fit's call adds after its own arguments (the test digits, when shown)."""
    seed, ink, side = config.seed, "1.0" if config.scale_inputs else "255.0", 28
    paper = 'fill_mode="constant"'
    flat = ", ".join(map(str, input_shape(config)))
    low, high = SCALES
    return [
        "",
        "# Data augmentation: every epoch, a fresh random copy of each digit, made in the input",
        "# pipeline (the network still reads 784 values): its strokes made thicker or thinner,",
        "# then moved, turned and resized.",
        "import tensorflow as tf",
        "",
        "move_turn_zoom = keras.Sequential([",
        f"    layers.RandomTranslation({MAX_SHIFT:g} / {side}, {MAX_SHIFT:g} / {side}, "
        f"{paper}, seed={seed}),",
        f"    layers.RandomRotation({MAX_DEGREES:g} / 360, {paper}, seed={seed + 1}),",
        f"    layers.RandomZoom((1 / {high:g} - 1, 1 / {low:g} - 1), {paper}, seed={seed + 2}),",
        "])",
        f"thickness_seed = keras.random.SeedGenerator({seed + 3})",
        "",
        f"def thicker_or_thinner(pictures, ink={ink}):",
        "    amount = keras.random.uniform((tf.shape(pictures)[0], 1, 1, 1), -1.0, 1.0,",
        "                                  seed=thickness_seed)",
        "    dilated = tf.nn.max_pool2d(pictures, ksize=3, strides=1, padding=\"SAME\")",
        "    grown = pictures + tf.maximum(amount, 0.0) * (dilated - pictures)  # thicker",
        f"    level = tf.maximum(-amount, 0.0) * {THIN_LEVEL:g} * ink  # thinner: cut soft edges",
        "    return tf.clip_by_value((grown - level) * ink / (ink - level), 0.0, ink)",
        "",
        "def changed(batch):",
        f"    pictures = tf.reshape(batch, (-1, {side}, {side}, 1))  # 784 values as a picture",
        "    pictures = move_turn_zoom(thicker_or_thinner(pictures), training=True)",
        f"    return tf.reshape(pictures, (-1, {flat}))",
        "",
        "train = (tf.data.Dataset.from_tensor_slices((x_train, y_train))",
        f"         .shuffle(len(x_train), seed={seed}).batch({config.batch_size})",
        "         .map(lambda x, y: (changed(x), y))",
        "         .prefetch(tf.data.AUTOTUNE))",
        f"model.fit(train, epochs={config.epochs}, shuffle=False{tested})"
        "  # train is shuffled already",
    ]
