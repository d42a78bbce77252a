"""Render time of every page under AppTest (median of warm runs) and whether it loaded TensorFlow.

Each page runs in a fresh Python process, so "TensorFlow imported" is that page's own doing. Then
the process imports TensorFlow, as a server does once someone trained or drew, freezes what it
imported the way app.py does after each run (explainer/server/long_lived.py), and times the
page again: the "with TF" column. ``--no-freeze`` leaves out the freeze, to see what it saves.

    python bench/pages.py [--runs 10] [--no-freeze]
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
page, runs, freeze = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "freeze"
at = AppTest.from_file("app.py", default_timeout=300)
at.run()
at.switch_page(page)
start = time.perf_counter(); at.run(); cold = time.perf_counter() - start
times = []
for _ in range(runs):
    start = time.perf_counter(); at.run(); times.append((time.perf_counter() - start) * 1000)
tensorflow = "tensorflow" in sys.modules or "keras" in sys.modules
from explainer.training.device import load_keras
load_keras()  # as the app does: one importing thread at a time
if freeze:
    from explainer.server import long_lived
    long_lived.freeze_new_imports()
at.run()
with_tf = []
for _ in range(runs):
    start = time.perf_counter(); at.run(); with_tf.append((time.perf_counter() - start) * 1000)
print(json.dumps({"cold_ms": cold * 1000, "warm_ms": sorted(times),
                  "exceptions": [str(e.value)[:200] for e in at.exception],
                  "tensorflow": tensorflow, "with_tf_ms": sorted(with_tf)}))
"""


def measure_page(page: str, runs: int, freeze: bool = True) -> dict:
    result = subprocess.run([sys.executable, "-c", ONE_PAGE, page, str(runs),
                             "freeze" if freeze else "no"], cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        return {"page": page, "error": result.stderr.strip().splitlines()[-1:]}
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["page"] = page
    figures["median_ms"] = statistics.median(figures["warm_ms"])
    figures["with_tf_median_ms"] = statistics.median(figures["with_tf_ms"])
    return figures


def main(runs: int = 10, freeze: bool = True) -> list[dict]:
    rows = []
    print(f"{'page':<28}{'warm median ms':>16}{'cold ms':>10}  TensorFlow  exceptions  "
          f"with TF ms{'' if freeze else ' (no freeze)'}")
    for stop in journey.stops():
        row = measure_page(stop.page, runs, freeze)
        rows.append(row)
        if "error" in row:
            print(f"{stop.page:<28}  failed: {row['error']}")
            continue
        print(f"{stop.page:<28}{row['median_ms']:>16.0f}{row['cold_ms']:>10.0f}  "
              f"{'yes' if row['tensorflow'] else 'no':<10}  {len(row['exceptions']):<10}  "
              f"{row['with_tf_median_ms']:.0f}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="warm runs per page (median)")
    parser.add_argument("--no-freeze", action="store_true",
                        help="time the pages with TensorFlow loaded but not frozen")
    args = parser.parse_args()
    main(args.runs, freeze=not args.no_freeze)
