"""A training outside the web process: the walk-through's network fitted on MNIST, over and over.

``bench/load.py --emulate-trainings`` starts these beside the server to measure visitors while
trainings run in their own processes, as they will once the Train page hands them to workers. The
process lowers its own CPU priority first (every thread TensorFlow starts later inherits it),
prints ``ready`` once TensorFlow is imported and the digits are loaded, then ``epoch`` after each
epoch, until it is stopped.

    python bench/emulated_training.py --priority idle     # SCHED_IDLE: only CPU nobody wants
    python bench/emulated_training.py --priority nice10   # nice 10, as the app's training threads
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PRIORITIES = ("idle", "nice10")


def lower_priority(priority: str) -> None:
    if priority == "idle":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.nice(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--priority", choices=PRIORITIES, default="idle")
    args = parser.parse_args()
    lower_priority(args.priority)

    from explainer.data.mnist import load_mnist
    from explainer.training.keras_fit import build_model
    from explainer.training.spec import PRESETS, one_hot, prepare_inputs

    config = PRESETS["post"]
    data = load_mnist()
    x, y = prepare_inputs(data.x_train, config), one_hot(data.y_train)
    model = build_model(config)
    print("ready", flush=True)
    while True:
        model.fit(x, y, epochs=1, batch_size=config.batch_size, verbose=0)
        print("epoch", flush=True)


if __name__ == "__main__":
    main()
