"""Many visitors at once, without browsers: Locust users that speak Streamlit's WebSocket protocol.

For each number of visitors (``--visitors 8,16,32``) and of trainings (``--trainings 0,2``) the app
starts fresh on loopback (``OPENBLAS_NUM_THREADS=1``): one ``streamlit run app.py``, or with
``--replicas N`` the serve command's N servers behind nginx (``python -m explainer.serve``), each
browser kept on its server by nginx's route cookie, which these visitors carry as a browser does.
One session per server opens every page once to warm it up, then the simulated visitors
(``bench/load_users.py``) act for ``--seconds``, each every 1-3 s like a brisk reader: open a
concept page, move one of its sliders or numbers, now and then draw a digit on the Draw page (a
real test digit, sent as the canvas sends it). "Trainers" open the Train page, press Train and let
it run, refreshing its progress as the browser would, and press it again when it is done (through
the balancer: each on its server's own training pool, or with ``--workers K`` on the serve
command's Redis queue and its K queue workers). ``--emulate-trainings`` runs the trainings
instead as separate Keras processes at SCHED_IDLE (``bench/emulated_training.py``).

``--kill-one`` kills the server most visitors are on with ``kill -9`` halfway through each run and
prints how many visitors lost their session (those on it), where they went next, how soon the
serve command had it back, how many new sessions went to it while it was down (none expected), and
the errors of everybody else (none expected).

Every rerun is timed from the request to the server's ``script_finished``. Printed per
configuration: concept-page reruns (count, p50, p95), the other actions, errors (exception boxes,
time-outs, lost connections), the web processes' largest peak RSS (VmHWM), whether TensorFlow was
ever loaded in one (its shared objects in /proc/PID/maps), and who used the CPU. The closing lines
are one per configuration, the target's last, e.g. ``replicas=3 visitors=32 trainings=2
p50_s=... p95_s=... errors=... web_rss_max_mb=... web_tensorflow=no``. Linux only (/proc).

    OPENBLAS_NUM_THREADS=1 MNIST_DIR=../shared/data/mnist python bench/load.py
    python bench/load.py --replicas 3 --emulate-trainings     # 16-64 visitors, 0 and 2 trainings
    python bench/load.py --replicas 3 --visitors 32 --trainings 0 --kill-one
    python bench/load.py --replicas 3 --workers 2 --visitors 32   # trainings on the Redis queue
    python bench/load.py --quick                              # the smallest run with a kill, < 60 s
    python bench/load.py --visitors 8 --trainings 0 --browsers 2   # + a 2-browser smoke run
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gevent
from locust.env import Environment  # importing locust patches the standard library for gevent

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from draw_support import on_canvas, png_bytes  # noqa: E402

from bench.load_report import report, summary  # noqa: E402
from bench.load_target import (  # noqa: E402
    Target,
    children,
    cpu_seconds,
    kill_busiest,
    proc_status,
    start_target,
    tensorflow_loaded,
)
from bench.load_users import (  # noqa: E402
    CONCEPT_PAGES,
    TRAIN_PAGE_TIMEOUT_S,
    Figures,
    Trainer,
    Visitor,
)
from bench.streamlit_client import StreamlitSession  # noqa: E402
from explainer.data.mnist import load_sample  # noqa: E402

TARGET = (8, 2)  # visitors, trainings of the closing line: one server
TARGET_BALANCED = (32, 2)  # the same, behind the balancer
BALANCED_VISITORS = [16, 32, 48, 64]
QUICK = {"replicas": 2, "visitors": [4], "trainings": [0], "seconds": 12.0}


def warm_up(url: str, draws: bool, trains: bool, figures: Figures) -> None:
    """One session opens every page once (first imports, caches); not counted. On the Draw page it
    waits for the shared default model, which the first start trains and later starts load."""
    session = StreamlitSession(url, timeout=TRAIN_PAGE_TIMEOUT_S)
    try:
        for page in ("", *CONCEPT_PAGES):
            session.open(page)
        if draws:
            session.open("draw")
            deadline = time.monotonic() + TRAIN_PAGE_TIMEOUT_S
            while session.auto_reruns and time.monotonic() < deadline:
                gevent.sleep(max((session.next_auto_rerun() or 0) - time.monotonic(), 0))
                for fragment in session.due_auto_reruns():
                    session.rerun_fragment(fragment)
        if trains:
            session.open("train_mnist")
    except Exception as exc:
        figures.errors.append(f"warm-up: {type(exc).__name__}: {exc}")
    finally:
        session.close()


def start_emulated_trainings(count: int, priority: str) -> list[subprocess.Popen]:
    processes = [subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "emulated_training.py"), "--priority", priority],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}) for _ in range(count)]
    for process in processes:  # TensorFlow imported, digits loaded
        with gevent.Timeout(180, False):
            process.stdout.readline()
    return processes


def measure(replicas: int, visitors: int, trainings: int, seconds: float, draws: bool,
            emulate: bool, priority: str, drawings: list[str], kill: bool, workers: int,
            log: Path) -> Figures:
    figures = Figures(visitors, trainings, replicas, workers)
    target = start_target(replicas, log, workers)
    emulated: list[subprocess.Popen] = []
    try:
        for url in target.server_urls():  # each server warmed on its own port
            warm_up(url, draws, trainings > 0 and not emulate, figures)
        if emulate and trainings:
            emulated = start_emulated_trainings(trainings, priority)
        classes = [type("Reader", (Visitor,), {"fixed_count": visitors, "figures": figures,
                                               "drawings": drawings, "draws": draws})]
        if trainings and not emulate:
            classes.append(type("TrainingReader", (Trainer,),
                                {"fixed_count": trainings, "figures": figures}))
        env = Environment(user_classes=classes, host=target.url)
        runner = env.create_local_runner()
        users = visitors + (0 if emulate else trainings)
        web_cpu = {pid: cpu_seconds(pid) for pid in target.web_pids()}
        start_cpu = dict(web_cpu)
        workers = {pid: cpu_seconds(pid) for web in web_cpu for pid in children(web)}
        worker_cpu = dict(workers)  # the latest reading of each worker seen
        before = {"client": sum(os.times()[:2]),
                  "balancer": sum(cpu_seconds(p) for p in target.balancer_pids()),
                  "trainings": sum(cpu_seconds(p.pid) for p in emulated)}
        began = time.monotonic()
        runner.start(users, spawn_rate=max(users / 2, 1))
        killer = None
        while time.monotonic() - began < seconds:
            if kill and killer is None and time.monotonic() - began >= seconds / 2:
                killer = gevent.spawn(kill_busiest, target, figures)
            sample(target, figures, web_cpu, worker_cpu)
            gevent.sleep(min(1, max(seconds - (time.monotonic() - began), 0)))
        runner.quit()
        if killer is not None:
            killer.join(timeout=120)
        elapsed = time.monotonic() - began
        sample(target, figures, web_cpu, worker_cpu)
        after = {"client": sum(os.times()[:2]),
                 "balancer": sum(cpu_seconds(p) for p in target.balancer_pids()),
                 "trainings": sum(cpu_seconds(p.pid) for p in emulated)
                 + sum(worker_cpu.values()) - sum(workers.values())}
        capacity = elapsed * (os.cpu_count() or 1)
        figures.cpu = {"web": (sum(web_cpu.values()) - sum(start_cpu.values())) / capacity}
        figures.cpu.update({name: (after[name] - before[name]) / capacity for name in before
                            if name != "balancer" or target.cluster is not None})
        figures.load_average = os.getloadavg()[0]
    finally:
        for process in emulated:
            process.terminate()
            try:
                out, _ = process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                out, _ = process.communicate()
            figures.epochs_emulated += out.count("epoch")
        target.stop()
    return figures


def sample(target: Target, figures: Figures, web_cpu: dict[int, float],
           worker_cpu: dict[int, float]) -> None:
    """Read the web processes now alive: CPU, peak memory, TensorFlow; and their workers' CPU.
    A killed server's figures stay as last read."""
    for pid in target.web_pids():
        web_cpu[pid] = max(web_cpu.get(pid, 0.0), cpu_seconds(pid))
        peak = proc_status(pid).get("VmHWM", 0) / 1024
        figures.rss_max_mb = max(figures.rss_max_mb, peak)
        figures.tensorflow = figures.tensorflow or tensorflow_loaded(pid)
        for worker in children(pid):
            worker_cpu[worker] = max(worker_cpu.get(worker, 0.0), cpu_seconds(worker))


def canvas_drawings(count: int = 20) -> list[str]:
    """Test digits as the canvas sends them: 280 x 280 RGBA PNGs, as data URLs."""
    digits = load_sample().x_test[:count]
    scales = [0.5 + 0.5 * i / max(count - 1, 1) for i in range(count)]
    return ["data:image/png;base64," + base64.b64encode(png_bytes(on_canvas(d, s))).decode()
            for d, s in zip(digits, scales)]


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=0, metavar="N",
                        help="N servers behind nginx (python -m explainer.serve); default 0: "
                             "one streamlit run app.py, no balancer")
    parser.add_argument("--visitors", type=numbers, default=None,
                        help="simulated visitors, comma-separated (default 8,16,32; with "
                             "--replicas 16,32,48,64)")
    parser.add_argument("--trainings", type=numbers, default=[0, 2],
                        help="trainings running meanwhile, comma-separated (default 0,2)")
    parser.add_argument("--seconds", type=float, default=60, help="per configuration")
    parser.add_argument("--workers", type=int, default=0, metavar="K",
                        help="with --replicas: trainings on a Redis queue with K queue workers "
                             "(the serve command's --workers)")
    parser.add_argument("--emulate-trainings", action="store_true",
                        help="trainings as separate Keras processes, not through the Train page")
    parser.add_argument("--priority", choices=("idle", "nice10"), default="idle",
                        help="the emulated trainings' CPU priority (default SCHED_IDLE)")
    parser.add_argument("--no-draw", action="store_true", help="visitors never draw")
    parser.add_argument("--kill-one", action="store_true",
                        help="kill -9 the busiest server halfway through each run (--replicas)")
    parser.add_argument("--quick", action="store_true",
                        help="the smallest run: 2 servers, 4 visitors, no training, 12 s, one "
                             "server killed (under a minute)")
    parser.add_argument("--browsers", type=int, default=0, metavar="N",
                        help="then N real browsers for --seconds (bench/load_browsers.py)")
    args = parser.parse_args()
    if args.quick:
        args.replicas = args.replicas or QUICK["replicas"]
        args.visitors, args.trainings = QUICK["visitors"], QUICK["trainings"]
        args.seconds, args.kill_one = QUICK["seconds"], True
    if args.workers and not args.replicas:
        parser.error("--workers needs --replicas")
    if args.kill_one and args.replicas < 2:
        parser.error("--kill-one needs --replicas 2 or more")
    if args.visitors is None:
        args.visitors = BALANCED_VISITORS if args.replicas else [8, 16, 32]
    random.seed(0)
    drawings = canvas_drawings()
    print(f"{os.cpu_count()} CPUs; {args.seconds:.0f} s per configuration; "
          f"MNIST_DIR={os.environ.get('MNIST_DIR', '(unset: the shipped sample)')}; "
          f"visitors {'do not draw' if args.no_draw else 'also draw'}; "
          f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        for trainings in args.trainings:
            for visitors in args.visitors:
                figures = measure(args.replicas, visitors, trainings, args.seconds,
                                  not args.no_draw, args.emulate_trainings, args.priority,
                                  drawings, args.kill_one, args.workers,
                                  Path(folder) / "serve.log")
                report(figures, args.emulate_trainings, args.priority)
                results.append(figures)
                sys.stdout.flush()
    if args.browsers:
        print(f"\n== {args.browsers} browsers (bench/load_browsers.py), no training", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "load_browsers.py"), "--sessions",
                        str(args.browsers), "--seconds", str(args.seconds), "--trainers", "0"],
                       cwd=ROOT, check=False)
    print()
    wanted = TARGET_BALANCED if args.replicas else TARGET
    target = next((f for f in results if (f.visitors, f.trainings) == wanted), results[-1])
    for figures in [f for f in results if f is not target] + [target]:  # the target's last
        print(summary(figures))


if __name__ == "__main__":
    main()
