"""Before the class arrives: train the shared networks and every one-change experiment.

``python -m explainer.serve --prepare`` loads the digits the servers will use and trains, once,
what every visitor shares; the results land in the shared cache folder (and, with a job queue,
in Redis), so the start of a lesson trains nothing. With ``--workers K`` the trainings go through
a private job queue with K workers, else through this machine's local pool.
"""

from __future__ import annotations

import os
import time

from explainer.training import default_model, experiment_runs, pool, queue_service
from explainer.training.experiments import EXPERIMENTS


def prepare(workers: int = 0) -> int:
    """Train what is missing; print one line per model; 0 when all are ready."""
    started: list = []
    redis = None
    if workers:
        url = os.environ.get("REDIS_URL", "").strip()
        if not url:
            redis, url = queue_service.start_redis()
            os.environ["REDIS_URL"] = url
        started = queue_service.start_workers(url, workers)
    failures = 0
    try:
        data, note = default_model.best_local_data()
        print(f"Digits: {len(data.x_train):,} training and {len(data.x_test):,} test "
              f"({data.source}). {note}".strip(), flush=True)
        for name, shared in (("The walk-through's network", default_model.walk_through()),
                             ("The network trained on changed copies", default_model.augmented())):
            began = time.monotonic()
            status = shared.wait()
            print(f"{name}: {status.message} ({time.monotonic() - began:.0f} s)", flush=True)
            failures += not status.ready
        runner = experiment_runs.runner()
        for experiment in EXPERIMENTS:
            began = time.monotonic()
            try:
                result = runner.start(experiment, data).result()
                print(f"{experiment.name}: {result.test_accuracy:.2%} test accuracy "
                      f"({time.monotonic() - began:.0f} s)", flush=True)
            except Exception as exc:
                failures += 1
                print(f"{experiment.name}: failed ({exc})", flush=True)
    finally:
        pool.shared_backend().shutdown()
        queue_service.stop(started)
        if redis is not None:
            queue_service.stop([redis])
    return 1 if failures else 0
