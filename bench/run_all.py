"""Every benchmark, one after another, each written into docs/benchmarks.md with its command.

    MNIST_DIR=../shared/data/mnist python bench/run_all.py [--only pages,load] [--quick]

Each step runs one script in a process of its own and keeps the lines it printed that carry
figures (``name=value``, tables). docs/benchmarks.md holds one section per step between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``: a step that ran replaces its section (the
command, the machine, the date and the figures), the others stay as they were, and the text
around them is the document's own. ``--quick`` runs every step with its smallest settings on
the shipped sample, into a file of its own (``--out``), to check that every script still runs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Step:
    """One benchmark: what it measures, its command, and its quick command."""

    name: str
    what: str
    args: tuple[str, ...]
    quick: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


STEPS = (
    Step("pages", "Every page under AppTest: warm render time, objects the collector walks, "
         "TensorFlow never imported", ("bench/pages.py", "--runs", "10"),
         ("bench/pages.py", "--runs", "1", "--pages", "neurons")),
    Step("coldstart", "`streamlit run app.py` to the Home page painted in headless Chromium",
         ("bench/coldstart.py", "--repeats", "3"), ("bench/coldstart.py", "--repeats", "1")),
    Step("memory", "The web process's memory: idle, concept pages, the default model, a "
         "training; the workers'", ("bench/memory.py",), ("bench/memory.py", "--quick")),
    Step("sessions", "Memory over 50 browser sessions opened and closed",
         ("bench/sessions.py", "--sessions", "50"),
         ("bench/sessions.py", "--sessions", "2", "--ttl", "3")),
    Step("predict", "A drawing to the network's answer, on the server",
         ("bench/predict.py", "--repeats", "300"), ("bench/predict.py", "--repeats", "10")),
    Step("upload", "Crafted uploads: peak memory and CPU time, each decoded in a fresh process",
         ("bench/upload_decode.py",),
         ("bench/upload_decode.py", "--only", "JPEG 4096 x 4096 colour")),
    Step("worker", "Training workers: first start, a warm worker's next training, Stop, idle exit",
         ("bench/worker.py", "--repeats", "3"), ("bench/worker.py", "--repeats", "1")),
    Step("work_estimate", "The work estimate against the clock, one epoch per network",
         ("bench/work_estimate.py",), ("bench/work_estimate.py", "--sample", "--only",
                                       "walk-through, batch 128")),
    Step("train", "The app's training path against plain model.fit, and test accuracy",
         ("bench/train.py", "--preset", "post", "--seeds", "3"),
         ("bench/train.py", "--sample", "--epochs", "1", "--seeds", "1", "--no-plain")),
    Step("experiments", "Every one-change experiment, through the app's training function",
         ("bench/experiments.py",), ("bench/experiments.py", "--sample", "--only", "one-epoch",
                                     "--epochs", "1")),
    Step("robustness", "The walk-through's network and the augmented one on MNIST's test digits, "
         "the robustness set and digits drawn on the canvas", ("bench/robustness.py",),
         ("bench/robustness.py", "--quick")),
    Step("load", "Many visitors at the protocol level on one server",
         ("bench/load.py", "--seconds", "60"),
         ("bench/load.py", "--visitors", "2", "--trainings", "0", "--seconds", "5", "--no-draw"),
         (("OPENBLAS_NUM_THREADS", "1"),)),
    Step("load_replicas", "Many visitors through nginx to 3 servers (the serve command), "
         "trainings on each server's pool", ("bench/load.py", "--replicas", "3"),
         ("bench/load.py", "--replicas", "2", "--visitors", "4", "--trainings", "0", "--seconds",
          "8", "--no-draw"), (("OPENBLAS_NUM_THREADS", "1"),)),
    Step("load_queue", "The same with the trainings on the Redis queue and 2 queue workers",
         ("bench/load.py", "--replicas", "3", "--workers", "2", "--visitors", "32,48",
          "--trainings", "2"),
         ("bench/load.py", "--quick", "--workers", "1"), (("OPENBLAS_NUM_THREADS", "1"),)),
    Step("load_kill", "One of 3 servers killed with kill -9 halfway through a run of 32 visitors",
         ("bench/load.py", "--replicas", "3", "--visitors", "32", "--trainings", "0",
          "--kill-one"), ("bench/load.py", "--quick"), (("OPENBLAS_NUM_THREADS", "1"),)),
    Step("faults", "Faults a public demo meets, against a real server",
         ("bench/faults.py",), ("bench/faults.py", "--quick", "--only",
                                "crafted_jpegs,query_strings")),
    Step("convnet", "The small CNN read with numpy against Keras",
         ("bench/convnet.py", "--keras"), ("bench/convnet.py", "--repeats", "3")),
    Step("nudge_vs_backprop", "One gradient by nudging every weight and by backprop",
         ("-m", "bench.nudge_vs_backprop"), ("-m", "bench.nudge_vs_backprop", "--quick")),
    Step("relu_fit", "Fitting a chain of ReLUs on the Nonlinearity page",
         ("bench/bench_relu_fit.py",), ("bench/bench_relu_fit.py", "--quick")),
)


def figure_lines(output: str) -> str:
    """The lines of a script's output that carry figures: tables and ``name=value`` lines."""
    keep = [line.rstrip() for line in output.splitlines()
            if re.search(r"\w=\S", line) or line.lstrip().startswith("|")
            or re.search(r"\d+(\.\d+)?\s*(ms|s|MB|%)\b", line)]
    return "\n".join(keep) or output.strip()


def run(step: Step, quick: bool) -> tuple[str, float, int]:
    args = step.quick if quick else step.args
    began = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=3600, env={**os.environ, **dict(step.env)})
    output = result.stdout + ("" if result.returncode == 0 else
                              f"\n(failed, exit {result.returncode}: "
                              f"{result.stderr.strip().splitlines()[-1:]})")
    return output, time.perf_counter() - began, result.returncode


def section(step: Step, output: str, seconds: float, quick: bool) -> str:
    args = step.quick if quick else step.args
    env = " ".join(f"{k}={v}" for k, v in step.env)
    data = os.environ.get("MNIST_DIR", "")
    command = " ".join(p for p in (env, f"MNIST_DIR={data}" if data else "", "python",
                                   *[f'"{a}"' if " " in a else a for a in args]) if p)
    machine = (f"{platform.machine()}, {os.cpu_count()} CPUs, load average "
               f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}")
    return (f"<!-- bench:{step.name} -->\n### {step.name}\n\n{step.what}.\n\n```bash\n{command}\n"
            f"```\n\n{datetime.date.today()}, {machine}, {seconds:.0f} s:\n\n```\n"
            f"{figure_lines(output)}\n```\n<!-- /bench:{step.name} -->")


def write(document: Path, sections: dict[str, str]) -> None:
    """Replace each step's section in the document (appended when it has none yet)."""
    text = document.read_text() if document.exists() else "# Benchmarks\n"
    for name, body in sections.items():
        marker = re.escape(name)
        pattern = re.compile(rf"<!-- bench:{marker} -->.*?<!-- /bench:{marker} -->", re.S)
        if pattern.search(text):
            text = pattern.sub(body.replace("\\", "\\\\"), text)
        else:
            text = text.rstrip() + "\n\n" + body + "\n"
    document.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated step names")
    parser.add_argument("--quick", action="store_true", help="smallest settings, the sample")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"the document to write (default {DOCUMENT.relative_to(ROOT)}; "
                             "with --quick, required)")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or [s.name for s in STEPS]
    unknown = sorted(set(names) - {s.name for s in STEPS})
    if unknown:
        parser.error(f"unknown steps {unknown}; known: {', '.join(s.name for s in STEPS)}")
    if args.quick and args.out is None:
        parser.error("--quick writes only to a file named with --out")
    document = args.out or DOCUMENT
    failures = 0
    for step in (s for s in STEPS if s.name in names):
        print(f"== {step.name}", flush=True)
        output, seconds, code = run(step, args.quick)
        failures += code != 0
        print(figure_lines(output), f"\n({seconds:.0f} s)", flush=True)
        write(document, {step.name: section(step, output, seconds, args.quick)})
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
