"""Training speed under the server's malloc settings (explainer/server/server_memory.py).

One epoch of the walk-through's network, timed twice after a warm-up epoch, in a fresh process
for each setting: glibc's defaults, the flat thresholds the server keeps between trainings, and
the flat thresholds lifted for the training as the app does.

    MNIST_DIR=../shared/data/mnist python bench/fit_malloc.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ONE_SETTING = """
import contextlib, json, sys, time
from explainer.data import mnist
from explainer.server import server_memory
from explainer.training.model import PRESETS, build_model, one_hot, prepare_inputs

setting = sys.argv[1]
if setting != "glibc default":
    assert server_memory.keep_memory_flat()
data = mnist.load_mnist()
config = PRESETS["post"]
x, y = prepare_inputs(data.x_train, config), one_hot(data.y_train)
model = build_model(config)
around = (server_memory.training_memory() if setting == "flat, lifted for the training"
          else contextlib.nullcontext())
with around:
    model.fit(x, y, epochs=1, batch_size=config.batch_size, verbose=0)
    times = []
    for _ in range(2):
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=config.batch_size, verbose=0)
        times.append(time.perf_counter() - start)
print(json.dumps({"seconds": times, "digits": len(x)}))
"""

SETTINGS = ("glibc default", "flat thresholds", "flat, lifted for the training")


def main() -> None:
    print(f"{'malloc setting':<32}{'s per epoch (2 epochs)':>26}")
    for setting in SETTINGS:
        result = subprocess.run([sys.executable, "-c", ONE_SETTING, setting], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        seconds = " / ".join(f"{s:.2f}" for s in figures["seconds"])
        print(f"{setting:<32}{seconds:>26}   ({figures['digits']:,} digits)")


if __name__ == "__main__":
    main()
