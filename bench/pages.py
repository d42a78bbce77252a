"""Render time of every page under AppTest (median of warm runs) and whether it loaded TensorFlow.

Each page runs in a fresh Python process, so "TensorFlow imported" is that page's own doing; the
last column counts the objects Python's garbage collector tracks in that process after the runs
(Streamlit collects after every script run, and each collection walks them all). The web process
never imports TensorFlow any more (trainings run in worker processes), so no page pays for the
270,000 objects its import used to add.

    python bench/pages.py [--runs 10] [--pages neurons,nudging] [--while-training idle|normal]

``--while-training`` times the pages while a training runs in a worker process of the same
process, as on a server where someone trains: ``idle`` as the app runs it (SCHED_IDLE), ``normal``
with the worker's threads put back to the normal priority, to see what the lowest priority buys.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explainer.content import journey  # noqa: E402

ONE_PAGE = """
import json, sys, time
from streamlit.testing.v1 import AppTest
page, runs = sys.argv[1], int(sys.argv[2])
training_mode = sys.argv[3]
if training_mode != "none":
    import os
    from pathlib import Path
    from explainer.data.mnist import load_sample
    from explainer.training.jobs import TrainJob
    from explainer.training.local_pool import LocalPool
    from explainer.training.pool import Visitor
    from explainer.training.spec import PRESETS
    pool = LocalPool(limit=1)
    config = PRESETS["post"].with_changes(epochs=30)
    training = pool.submit(TrainJob.train(config, load_sample(), "/tmp/bench-pages.keras"),
                           Visitor("bench"))
    while training.progress.snapshot().batch < 5:
        time.sleep(0.05)
    if training_mode == "normal":
        for pid in pool.worker_pids():
            for task in Path(f"/proc/{pid}/task").iterdir():
                os.sched_setscheduler(int(task.name), os.SCHED_OTHER, os.sched_param(0))
at = AppTest.from_file("app.py", default_timeout=300)
at.run()
at.switch_page(page)
start = time.perf_counter(); at.run(); cold = time.perf_counter() - start
times = []
for _ in range(runs):
    start = time.perf_counter(); at.run(); times.append((time.perf_counter() - start) * 1000)
tensorflow = "tensorflow" in sys.modules or "keras" in sys.modules
if training_mode != "none":
    still = training.running
    training.stop()
    training.wait()
    pool.shutdown()
    assert still, "the training ended before the pages were timed"
import gc
print(json.dumps({"cold_ms": cold * 1000, "warm_ms": sorted(times),
                  "exceptions": [str(e.value)[:200] for e in at.exception],
                  "tensorflow": tensorflow, "gc_objects": len(gc.get_objects())}))
"""


def measure_page(page: str, runs: int, training: str = "none") -> dict:
    result = subprocess.run([sys.executable, "-c", ONE_PAGE, page, str(runs), training], cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        return {"page": page, "error": result.stderr.strip().splitlines()[-1:]}
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["page"] = page
    figures["median_ms"] = statistics.median(figures["warm_ms"])
    return figures


def main(runs: int = 10, pages: list[str] | None = None, training: str = "none") -> list[dict]:
    rows = []
    print(f"{'page':<28}{'warm median ms':>16}{'cold ms':>10}  TensorFlow  exceptions  "
          f"gc objects{'' if training == 'none' else f'  (a worker training, {training})'}")
    for stop in journey.stops():
        if pages and Path(stop.page).stem not in pages:
            continue
        row = measure_page(stop.page, runs, training)
        rows.append(row)
        if "error" in row:
            print(f"{stop.page:<28}  failed: {row['error']}")
            continue
        print(f"{stop.page:<28}{row['median_ms']:>16.0f}{row['cold_ms']:>10.0f}  "
              f"{'yes' if row['tensorflow'] else 'no':<10}  {len(row['exceptions']):<10}  "
              f"{row['gc_objects']:,}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="warm runs per page (median)")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--while-training", choices=("none", "idle", "normal"), default="none")
    args = parser.parse_args()
    main(args.runs, [p for p in args.pages.split(",") if p], args.while_training)
