"""Training workers, timed: the first start, the next training on a warm worker, Stop, idle exit.

    python bench/worker.py [--repeats 3] [--sample]

Each repeat uses a fresh pool (so a fresh first worker) and prints:
  first_start_s    from the first job to TensorFlow loaded in the new worker (what the page shows
                   as "Starting a training process")
  first_training_s from that job to its first batch reported
  next_start_s     a second job on the warm worker: from submit to "training" (the model built)
  next_batch_s     the same to its first batch reported (includes Keras' first-batch tracing)
  stop_s           from Stop to the worker reporting that training ended
  idle_exit_s      from the end of the last job to the worker process gone (WORKER_IDLE_S=5)
Figures, not a test: nothing is asserted. The walk-through's network on the shipped sample.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explainer.data.mnist import load_mnist, load_sample  # noqa: E402
from explainer.training.jobs import TrainJob  # noqa: E402
from explainer.training.local_pool import LocalPool  # noqa: E402
from explainer.training.pool import Visitor  # noqa: E402
from explainer.training.spec import PRESETS  # noqa: E402

IDLE_S = 5.0


def until(condition, timeout=600.0) -> float:
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise TimeoutError
        time.sleep(0.01)
    return time.monotonic() - began


def one_round(data, folder: Path) -> dict[str, float]:
    pool = LocalPool(limit=1, idle_seconds=IDLE_S)
    config = PRESETS["post"].with_changes(epochs=30)
    figures = {}
    try:
        def submit(owner):
            job = TrainJob.train(config, data, folder / f"{owner}.keras")
            return pool.submit(job, Visitor(owner))

        began = time.monotonic()
        first = submit("first")
        until(lambda: first.progress.snapshot().batch > 0)
        figures["first_training_s"] = time.monotonic() - began
        figures["first_start_s"] = pool.start_seconds[0]
        first.stop()
        first.wait()
        figures["stop_s"] = first.progress.snapshot().stop_latency_s

        began = time.monotonic()
        second = submit("second")
        until(lambda: second.progress.snapshot().phase == "training")
        figures["next_start_s"] = time.monotonic() - began
        until(lambda: second.progress.snapshot().batch > 0)
        figures["next_batch_s"] = time.monotonic() - began
        until(lambda: second.progress.snapshot().epoch >= 1)
        second.stop()
        second.wait()
        figures["stop_after_an_epoch_s"] = second.progress.snapshot().stop_latency_s
        (pid,) = pool.worker_pids()
        ended = time.monotonic()
        until(lambda: not Path(f"/proc/{pid}").exists())
        figures["idle_exit_s"] = time.monotonic() - ended
    finally:
        pool.shutdown()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="MNIST_DIR's full set, not the sample")
    args = parser.parse_args()
    data = load_mnist() if args.full else load_sample()
    folder = Path(tempfile.mkdtemp())
    rounds = []
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"{len(data.x_train):,} digits")
    for index in range(args.repeats):
        figures = one_round(data, folder)
        rounds.append(figures)
        print(f"round {index + 1}: " + " ".join(f"{k}={v:.2f}" for k, v in figures.items()),
              flush=True)
    print("median: " + " ".join(f"{key}={statistics.median(r[key] for r in rounds):.2f}"
                                for key in rounds[0]) +
          f" (load average now {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
