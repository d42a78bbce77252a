"""Many visitors at once, without browsers: Locust users that speak Streamlit's WebSocket protocol.

For each number of visitors (``--visitors 8,16,32``) and of trainings (``--trainings 0,2``) a
fresh server starts on loopback (``OPENBLAS_NUM_THREADS=1``), one session opens every page once
to warm it up, then the simulated visitors act for ``--seconds``, each every 1-3 s like a brisk
reader: open a concept page, move one of its sliders or numbers, now and then draw a digit on the
Draw page (a real test digit, sent as the canvas sends it). "Trainers" open the Train page, press
Train (the button found by its key in the page's deltas) and let it run, refreshing its progress
as the browser would, and press it again when it is done. ``--emulate-trainings`` runs the
trainings instead as separate Keras processes at SCHED_IDLE (``bench/emulated_training.py``).

Every rerun is timed from the request to the server's ``script_finished``. Printed per
configuration: concept-page reruns (count, p50, p95), the other actions, errors (exception boxes,
time-outs, lost connections), the web process's peak RSS (VmHWM), whether TensorFlow was ever
loaded in it (its shared objects in /proc/PID/maps), and who used the CPU. The last line is the
target configuration's, e.g. ``visitors=8 trainings=2 p95_s=... errors=... web_rss_max_mb=...
web_tensorflow=no``. Linux only (/proc).

    OPENBLAS_NUM_THREADS=1 MNIST_DIR=../shared/data/mnist python bench/load.py
    python bench/load.py --visitors 8 --trainings 2 --seconds 60 --emulate-trainings
    python bench/load.py --visitors 8 --trainings 0 --browsers 2   # + a 2-browser smoke run
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import gevent
from locust import User, constant, task  # importing locust patches the standard library for gevent
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from draw_support import on_canvas, png_bytes  # noqa: E402

from bench.appserver import start_app, stop_app  # noqa: E402
from bench.streamlit_client import (  # noqa: E402
    RunError,
    StreamlitSession,
    canvas_state,
    nudged,
)
from explainer.content import journey  # noqa: E402
from explainer.data.mnist import load_sample  # noqa: E402

CONCEPT_PAGES = tuple(Path(stop.page).stem for section in ("Building blocks", "Learning")
                      for stop in journey.stops(section))
THINK_S = (1.0, 3.0)  # a brisk reader: one action every 1-3 s
RUN_TIMEOUT_S = 60
TRAIN_PAGE_TIMEOUT_S = 300  # its first run imports TensorFlow and loads MNIST
CONCEPT_ACTIONS = ("open page", "move a slider")
TENSORFLOW_FILES = ("_pywrap_tensorflow_internal", "libtensorflow")
TARGET = (8, 2)  # visitors, trainings of the closing line


@dataclass
class Figures:
    """What one configuration measured."""

    visitors: int
    trainings: int
    reruns: list[tuple[str, str, float]] = field(default_factory=list)  # (action, page, s)
    errors: list[str] = field(default_factory=list)
    rss_max_mb: float = 0.0
    tensorflow: bool = False
    cpu: dict[str, float] = field(default_factory=dict)  # share of all cores' time
    load_average: float = 0.0  # the machine's, over the last minute of the run
    train_presses: int = 0
    epochs_emulated: int = 0

    def concept(self) -> list[float]:
        return [s for action, page, s in self.reruns
                if action in CONCEPT_ACTIONS and page in CONCEPT_PAGES]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


# -- the simulated visitors -------------------------------------------------------------------
class ProtocolUser(User):
    """One browser tab, spoken at the protocol level: its actions are timed reruns."""

    abstract = True
    wait_time = constant(0)  # the pauses are in think(), which also runs self-refreshing panels
    figures: Figures

    def on_start(self) -> None:
        self.session = None
        self.connect()

    def on_stop(self) -> None:
        if self.session is not None:
            self.session.close()

    def connect(self) -> None:
        try:
            self.session = StreamlitSession(self.host, timeout=RUN_TIMEOUT_S)
        except Exception as exc:
            self.figures.errors.append(f"connect: {type(exc).__name__}: {exc}")
            gevent.sleep(2)
            return
        self.act("open page", "home", lambda: self.session.open(""))

    def act(self, action: str, page: str, work) -> bool:
        """Run one rerun, time it, note it for Locust and for the figures; False on an error."""
        began = time.perf_counter()
        error, received = None, 0
        try:
            run = work()
            received = run.received
            if run.exceptions:
                error = RunError(f"exception shown: {run.exceptions[0]}")
        except (RunError, TimeoutError) as exc:
            error = exc
        except Exception as exc:  # the connection went: the next action reconnects
            error = exc
            if self.session is not None:
                self.session.close()
            self.session = None
        seconds = time.perf_counter() - began
        self.environment.events.request.fire(
            request_type=action, name=page, response_time=seconds * 1000,
            response_length=received, exception=error, context={})
        if error is None:
            self.figures.reruns.append((action, page, seconds))
        else:
            self.figures.errors.append(f"{action} ({page}): {type(error).__name__}: "
                                       f"{str(error)[:160]}")
        return error is None

    def think(self) -> None:
        """Pause 1-3 s; a panel that refreshes itself (run_every) reruns meanwhile, as in a tab."""
        until = time.monotonic() + random.uniform(*THINK_S)
        while self.session is not None:
            due = self.session.next_auto_rerun()
            if due is None or due >= until:
                break
            gevent.sleep(max(due - time.monotonic(), 0))
            for fragment in self.session.due_auto_reruns():
                self.act("refresh a panel", self.session.page,
                         lambda f=fragment: self.session.rerun_fragment(f))
        gevent.sleep(max(until - time.monotonic(), 0))



class Visitor(ProtocolUser):
    """A reader: opens concept pages, moves their sliders and numbers, sometimes draws."""

    abstract = True
    drawings: list[str] = []  # PNG data URLs of test digits on a 280 x 280 canvas
    draws = True

    @task(2)
    def open_concept_page(self) -> None:
        if self.session is None:
            return self.connect()
        page = random.choice([p for p in CONCEPT_PAGES if p != self.session.page])
        self.act("open page", page, lambda: self.session.open(page))
        self.think()

    @task(4)
    def move_a_slider(self) -> None:
        if self.session is None or self.session.page not in CONCEPT_PAGES:
            return self.open_concept_page()
        widgets = (self.session.widgets_of("slider")
                   or self.session.widgets_of("number_input"))
        if not widgets:
            return self.open_concept_page()
        widget = random.choice(widgets)
        state = nudged(widget, self.session.values.get(widget.id), up=random.random() < 0.5)
        self.act("move a slider", self.session.page,
                 lambda: self.session.set_value(widget, state))
        self.think()

    @task(1)
    def draw_a_digit(self) -> None:
        if not self.draws:
            return self.move_a_slider()
        if self.session is None:
            return self.connect()
        if self.session.page != "draw":
            self.act("open page", "draw", lambda: self.session.open("draw"))
            self.think()
        canvas = next((w for w in self.session.widgets.values() if w.kind == "bidi_component"),
                      None)
        if canvas is None:
            self.figures.errors.append("draw: no canvas on the Draw page")
            return self.think()
        state = canvas_state(random.choice(self.drawings))
        self.act("draw a digit", "draw", lambda: self.session.set_value(canvas, state))
        self.think()


class Trainer(ProtocolUser):
    """Opens the Train page, presses Train, watches the progress, presses it again when done."""

    abstract = True

    def connect(self) -> None:
        try:
            self.session = StreamlitSession(self.host, timeout=RUN_TIMEOUT_S)
        except Exception as exc:
            self.figures.errors.append(f"connect: {type(exc).__name__}: {exc}")
            gevent.sleep(2)
            return
        self.act("open page", "train_mnist",
                 lambda: self.session.open("train_mnist", timeout=TRAIN_PAGE_TIMEOUT_S))

    @task
    def train(self) -> None:
        if self.session is None:
            return self.connect()
        button = self.session.widget("train_start")
        if button is None:
            self.figures.errors.append("train: no Train button (key train_start) on the page")
            gevent.sleep(5)
        elif not button.proto.disabled and not self.session.auto_reruns:
            if self.act("press Train", "train_mnist", lambda: self.session.press(
                    button, timeout=TRAIN_PAGE_TIMEOUT_S)):
                self.figures.train_presses += 1
        self.think()


# -- one configuration --------------------------------------------------------------------------
def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def tensorflow_loaded(pid: int) -> bool:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return any(name in maps for name in TENSORFLOW_FILES)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads (fields 14 and 15 of /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes this one started (the app's training workers), from /proc."""
    found = []
    for thread in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (thread / "children").read_text().split()]
        except OSError:
            pass
    return found


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


def measure(visitors: int, trainings: int, seconds: float, draws: bool, emulate: bool,
            priority: str, drawings: list[str]) -> Figures:
    figures = Figures(visitors, trainings)
    server, url = start_app(env={"OPENBLAS_NUM_THREADS": "1"})
    emulated: list[subprocess.Popen] = []
    try:
        warm_up(url, draws, trainings > 0 and not emulate, figures)
        if emulate and trainings:
            emulated = start_emulated_trainings(trainings, priority)
        classes = [type("Reader", (Visitor,), {"fixed_count": visitors, "figures": figures,
                                               "drawings": drawings, "draws": draws})]
        if trainings and not emulate:
            classes.append(type("TrainingReader", (Trainer,),
                                {"fixed_count": trainings, "figures": figures}))
        env = Environment(user_classes=classes, host=url)
        runner = env.create_local_runner()
        users = visitors + (0 if emulate else trainings)
        before = {"web": cpu_seconds(server.pid), "client": sum(os.times()[:2]),
                  "trainings": sum(cpu_seconds(p.pid) for p in emulated)}
        workers = {pid: cpu_seconds(pid) for pid in children(server.pid)}  # CPU at the start
        worker_cpu = dict(workers)  # the latest reading of each worker seen
        began = time.monotonic()
        runner.start(users, spawn_rate=max(users / 2, 1))
        while time.monotonic() - began < seconds:
            figures.tensorflow = figures.tensorflow or tensorflow_loaded(server.pid)
            for pid in children(server.pid):
                worker_cpu[pid] = max(worker_cpu.get(pid, 0.0), cpu_seconds(pid))
            gevent.sleep(min(2, max(seconds - (time.monotonic() - began), 0)))
        runner.quit()
        elapsed = time.monotonic() - began
        status = proc_status(server.pid)
        figures.rss_max_mb = status["VmHWM"] / 1024
        figures.tensorflow = figures.tensorflow or tensorflow_loaded(server.pid)
        for pid in children(server.pid):
            worker_cpu[pid] = max(worker_cpu.get(pid, 0.0), cpu_seconds(pid))
        after = {"web": cpu_seconds(server.pid), "client": sum(os.times()[:2]),
                 "trainings": sum(cpu_seconds(p.pid) for p in emulated)
                 + sum(worker_cpu.values()) - sum(workers.values())}
        capacity = elapsed * (os.cpu_count() or 1)
        figures.cpu = {name: (after[name] - before[name]) / capacity for name in before}
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
        stop_app(server)
    return figures


# -- the report -----------------------------------------------------------------------------
def report(figures: Figures, emulate: bool, priority: str) -> None:
    concept = figures.concept()
    how = (f"{figures.trainings} emulated (Keras processes at "
           f"{'SCHED_IDLE' if priority == 'idle' else 'nice 10'}, "
           f"{figures.epochs_emulated} epochs done)" if emulate and figures.trainings else
           f"{figures.trainings} on the Train page ({figures.train_presses} Train presses)"
           if figures.trainings else "none")
    print(f"\n== {figures.visitors} visitors, trainings: {how}")
    print(f"  {'action':<18}{'page':<14}{'count':>6}{'p50 s':>8}{'p95 s':>8}")
    groups: dict[tuple[str, str], list[float]] = {}
    for action, page, seconds in figures.reruns:
        key = (action, page if page in ("draw", "train_mnist", "home") else "concept pages")
        groups.setdefault(key, []).append(seconds)
    for (action, page), values in sorted(groups.items()):
        print(f"  {action:<18}{page:<14}{len(values):>6}{percentile(values, 0.5):>8.2f}"
              f"{percentile(values, 0.95):>8.2f}")
    print(f"  concept-page reruns: {len(concept)}, p50 {percentile(concept, 0.5):.2f} s, "
          f"p95 {percentile(concept, 0.95):.2f} s")
    print("  CPU, share of all cores: " + ", ".join(f"{name} {share:.1%}"
                                                    for name, share in figures.cpu.items())
          + f"; the machine's load average {figures.load_average:.1f} (other work counts too)")
    print(f"  errors={len(figures.errors)}")
    for error in figures.errors[:10]:
        print(f"    {error}")
    print(summary(figures))


def summary(figures: Figures) -> str:
    return (f"visitors={figures.visitors} trainings={figures.trainings} "
            f"p50_s={percentile(figures.concept(), 0.5):.2f} "
            f"p95_s={percentile(figures.concept(), 0.95):.2f} errors={len(figures.errors)} "
            f"web_rss_max_mb={figures.rss_max_mb:.0f} "
            f"web_tensorflow={'yes' if figures.tensorflow else 'no'}")


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
    parser.add_argument("--visitors", type=numbers, default=[8, 16, 32],
                        help="simulated visitors, comma-separated (default 8,16,32)")
    parser.add_argument("--trainings", type=numbers, default=[0, 2],
                        help="trainings running meanwhile, comma-separated (default 0,2)")
    parser.add_argument("--seconds", type=float, default=60, help="per configuration")
    parser.add_argument("--emulate-trainings", action="store_true",
                        help="trainings as separate Keras processes, not through the Train page")
    parser.add_argument("--priority", choices=("idle", "nice10"), default="idle",
                        help="the emulated trainings' CPU priority (default SCHED_IDLE)")
    parser.add_argument("--no-draw", action="store_true", help="visitors never draw")
    parser.add_argument("--browsers", type=int, default=0, metavar="N",
                        help="then N real browsers for --seconds (bench/load_browsers.py)")
    args = parser.parse_args()
    random.seed(0)
    drawings = canvas_drawings()
    print(f"{os.cpu_count()} CPUs; {args.seconds:.0f} s per configuration; "
          f"MNIST_DIR={os.environ.get('MNIST_DIR', '(unset: the shipped sample)')}; "
          f"visitors {'do not draw' if args.no_draw else 'also draw'}", flush=True)
    results = []
    for trainings in args.trainings:
        for visitors in args.visitors:
            figures = measure(visitors, trainings, args.seconds, not args.no_draw,
                              args.emulate_trainings, args.priority, drawings)
            report(figures, args.emulate_trainings, args.priority)
            results.append(figures)
            sys.stdout.flush()
    if args.browsers:
        print(f"\n== {args.browsers} browsers (bench/load_browsers.py), no training", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "load_browsers.py"), "--sessions",
                        str(args.browsers), "--seconds", str(args.seconds), "--trainers", "0"],
                       cwd=ROOT, check=False)
    print()
    target = next((f for f in results if (f.visitors, f.trainings) == TARGET), results[-1])
    for figures in [f for f in results if f is not target] + [target]:  # the target's last
        print(summary(figures))


if __name__ == "__main__":
    main()
