"""All the speed and memory figures in one table, each with how it was measured.

Runs, one after another, each in its own process:
  bench/pages.py       every page under AppTest: median of 10 warm runs, TensorFlow imported?,
                       objects the garbage collector tracks
  bench/coldstart.py   `streamlit run app.py` to the first page painted in headless Chromium
  bench/memory.py      web RSS: idle, concept pages, default model loaded, after a training;
                       the training workers' RSS, their start and Stop times
  bench/sessions.py    RSS after 50 sessions opened and closed one after another
  bench/predict.py     preprocessing + prediction of one drawing (median and p95 ms)
  bench/upload_decode.py  the worst upload: peak RSS and CPU time, each file in a fresh process
  bench/train.py       the app's training path against plain model.fit (1 seed)

    MNIST_DIR=../shared/data/mnist python bench/run_all.py
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STEPS = [
    ("pages", ["bench/pages.py", "--runs", "10"]),
    ("cold start", ["bench/coldstart.py", "--repeats", "3"]),
    ("memory", ["bench/memory.py"]),
    ("sessions", ["bench/sessions.py", "--sessions", "50"]),
    ("predict", ["bench/predict.py", "--repeats", "300"]),
    ("upload", ["bench/upload_decode.py"]),
    ("train", ["bench/train.py", "--preset", "post", "--seeds", "1"]),
]


def run(name: str, args: list[str]) -> str:
    print(f"\n== {name}: python {' '.join(args)}", flush=True)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=1800)
    print(result.stdout.rstrip())
    if result.returncode != 0:
        print(f"   (failed: {result.stderr.strip().splitlines()[-1:]})")
    print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    return result.stdout


def find(pattern: str, text: str, default: str = "n/a") -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else default


def main() -> None:
    out = {name: run(name, args) for name, args in STEPS}
    rows = []
    for line in out["pages"].splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 6 and parts[0].startswith("pages/"):
            rows.append((f"render {parts[0]} (warm median, AppTest)",
                         f"{parts[1]} ms ({parts[5]} objects tracked)",
                         f"TensorFlow imported: {parts[3]}"))
    cold = find(r"cold_start_seconds=([\d.]+)", out["cold start"])
    rows.append(("cold start to first paint", f"{cold} s", "median of 3, headless Chromium"))
    for phase in ("idle", "concept pages", "default model loaded", "after a training"):
        value = find(rf"rss_mb\[{phase}\]=(\d+)", out["memory"])
        rows.append((f"server RSS: {phase}", f"{value} MB", "/proc/PID/status VmRSS"))
    rows.append(("RSS growth over 50 sessions", find(r"growth=([+\-\d.%]+)", out["sessions"]),
                 "after session 50 vs after session 1"))
    page_line = next((ln for ln in out["predict"].splitlines() if "(the page)" in ln), "")
    median = find(r"median\s+([\d.]+) ms", page_line)
    p95 = find(r"p95\s+([\d.]+) ms", page_line)
    rows.append(("drawing -> answer (median / p95)", f"{median} / {p95} ms",
                 "300 drawings, server side"))
    peak = find(r"worst_peak_mb=([\d.]+)", out["upload"])
    cpu = find(r"worst_cpu_seconds=([\d.]+)", out["upload"])
    rows.append(("one upload, worst case", f"+{peak} MB peak RSS, {cpu} s CPU",
                 "crafted files up to 5 MB, each in a fresh process"))
    ratio = find(r"median_app_over_plain=([\d.]+)", out["train"])
    rows.append(("training path / plain fit", ratio, "walk-through network, 1 seed, 5 epochs"))
    rows.append(("walk-through network test accuracy",
                 find(r"median_accuracy=([\d.]+)", out["train"]), "same run"))

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; MNIST_DIR={os.environ.get('MNIST_DIR', '(unset)')}")
    width = max(len(r[0]) for r in rows)
    print(f"| {'figure':<{width}} | value | how |")
    print(f"| {'-' * width} | --- | --- |")
    for name, value, how in rows:
        print(f"| {name:<{width}} | {value} | {how} |")


if __name__ == "__main__":
    main()
