"""Many visitors at once in real browsers, on loopback only: N Chromium sessions walk the app.

The load figures come from ``bench/load.py``, whose visitors speak Streamlit's protocol without a
browser: on two cores, eight browsers took about three quarters of the CPU and measured
themselves more than the server. This run stays as a small smoke test (``python bench/load.py
--browsers 2`` runs it) for what only a browser sees: the page's JavaScript drawing every chart
and the canvas, the canvas component's own files loading, the "Connection error" banner, and the
widget values the real frontend sends.

Each visitor opens every concept page, moves its first slider, then draws a digit on the Draw page,
round after round until the time is up. One more session (``--trainers``) trains a recipe on the
MNIST page meanwhile; its tab closes at the end, finished or not. Reported per action: count, p50
and p95 latency from the action until the script run it started has finished on the server (read
from the WebSocket) and the page shows it, and every error (an exception box, a time-out, a lost
session). Also: the server's own time per script run (``bench/timed_server.py``), who used the
CPU (server, training threads, browsers), the training limits (how many trained at once, who
waited for a slot) and, with ``--after-close``, whether closed tabs' trainings stopped. Bounded:
it stops by itself.

    python bench/load_browsers.py --sessions 2 --seconds 60 --trainers 0
    MAX_TRAININGS=1 python bench/load_browsers.py --trainers 2 --recipe cnn --after-close 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appserver import CHROMIUM_FLAGS, find_chromium, rss_mb, start_app, stop_app  # noqa: E402
from explainer.content import journey
from explainer.training.spec import PRESETS  # noqa: E402

APP = "[data-testid='stApp']"
SETTLED = f"{APP}[data-test-script-state='notRunning']"
CONCEPT_SECTIONS = ("Building blocks", "Learning")
ACTION_TIMEOUT_MS = 60_000
CONCEPT_ACTIONS = ("open concept page", "move a slider")
SLIDER = "[data-testid='stMain'] >> role=slider"  # the range input inside a slider's thumb


class Recorder:
    """Latencies per action and the errors seen, shared by all sessions."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.began_unix = time.time()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.timeline: list[tuple[float, str, float]] = []  # (started at, action, seconds)
        self.trainings: list[dict] = []  # per training session: start, end (or None), waited
        self.after_close: list[tuple[float, float]] = []  # (s after, training CPU in last 5 s)
        self.training_now: set[int] = set()  # trainer pages that show a training in progress
        self.most_at_once = 0
        self.errors: list[str] = []
        self.cpu: list[tuple[float, dict]] = []  # (at, cpu_sample), every 2 s
        self.script_runs: list[dict] = []  # the server's own timing of each script run

    async def timed(self, name: str, page, runs: ScriptRuns, action,
                    timeout_ms: float = ACTION_TIMEOUT_MS) -> None:
        start = time.perf_counter()
        try:
            before = runs.finished
            await action()
            await settle(page, runs, before, timeout_ms)
            self.latencies[name].append(time.perf_counter() - start)
            self.timeline.append((start - self.began, name, time.perf_counter() - start))
            exception = page.locator("[data-testid='stException']")
            if await exception.count():
                text = (await exception.first.inner_text()).replace("\n", " ")[:300]
                self.errors.append(f"{name}: exception shown on the page: {text}")
            if await page.get_by_text("Connection error").count():
                self.errors.append(f"{name}: the session lost its connection")
        except Exception as exc:  # a time-out or a closed page: count it, keep going
            where = page.url.rsplit("/", 1)[-1] or "home"
            self.errors.append(f"{name} ({where}): {type(exc).__name__}: "
                               f"{str(exc).splitlines()[0][:120]}")


class ScriptRuns:
    """How many script runs the server has reported finished to one page (its WebSocket frames).

    Runs that a newer one cut short and fragment reruns do not count. From the wire: the page's
    "running" state can flip and flip back within one frame when the server is quick.
    """

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._parse = ForwardMsg.FromString
        self.finished = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if not isinstance(payload, bytes):
            return
        try:
            message = self._parse(payload)
        except Exception:  # not a ForwardMsg: nothing to count
            return
        if message.WhichOneof("type") == "script_finished" and message.script_finished in (
                message.FINISHED_SUCCESSFULLY, message.FINISHED_WITH_COMPILE_ERROR):
            self.finished += 1


async def settle(page, runs: ScriptRuns, before: int,
                 timeout_ms: float = ACTION_TIMEOUT_MS) -> None:
    """Until a script run the action started has finished on the server and the page shows it."""
    deadline = time.monotonic() + timeout_ms / 1000
    while runs.finished == before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run finished within {timeout_ms / 1000:.0f} s")
        await asyncio.sleep(0.02)
    await page.wait_for_selector(SETTLED, timeout=max(deadline - time.monotonic(), 0.1) * 1000)


async def appears(page, selector: str, timeout: float = 8_000) -> bool:
    """Whether an element shows up soon (components such as the canvas load after the page)."""
    try:
        await page.locator(selector).first.wait_for(timeout=timeout)
        return True
    except Exception:
        return False


async def open_from_sidebar(page, title: str) -> None:
    """Move to a page the way a reader does: a click in the sidebar, no reload."""
    await page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()


async def move_first_slider(page) -> bool:
    slider = page.locator(SLIDER).first
    if not await slider.count():
        return False
    await slider.scroll_into_view_if_needed()
    await slider.focus()
    # the thumb's <input type=range>: at its maximum a step right would change nothing (no rerun)
    at_max = await slider.evaluate("input => Number(input.value) >= Number(input.max)")
    await page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    return True


async def draw_digit(page, digit_strokes) -> None:
    canvas = page.locator("canvas.upper-canvas").first
    await canvas.scroll_into_view_if_needed()
    box = await canvas.bounding_box()
    for stroke in digit_strokes:
        x0, y0 = stroke[0]
        await page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
        await page.mouse.down()
        for x, y in stroke[1:]:
            await page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"],
                                  steps=4)
        await page.mouse.up()


SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]


async def visitor(browser, url: str, recorder: Recorder, deadline: float) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    runs = ScriptRuns(page)
    await recorder.timed("open home", page, runs, lambda: page.goto(url))
    stops = [s for section in CONCEPT_SECTIONS for s in journey.stops(section)]
    draw = journey.find("pages/draw.py")
    while time.monotonic() < deadline:
        for stop in stops:
            if time.monotonic() >= deadline:
                break
            await recorder.timed("open concept page", page, runs,
                                 lambda stop=stop: open_from_sidebar(page, stop.title))
            if await appears(page, SLIDER):
                await recorder.timed("move a slider", page, runs,
                                     lambda: move_first_slider(page))
        if draw is not None and draw.exists and time.monotonic() < deadline:
            await recorder.timed("open draw page", page, runs,
                                 lambda: open_from_sidebar(page, draw.title))
            if await appears(page, "canvas.upper-canvas"):
                await recorder.timed("draw a digit", page, runs,
                                     lambda: draw_digit(page, SEVEN))
    await context.close()


async def trainer(browser, url: str, recorder: Recorder, deadline: float, recipe: str,
                  epochs: int | None) -> None:
    """One session that trains a recipe (``epochs`` epochs, or the recipe's) and watches it; its
    tab closes at the deadline, finished or not."""
    stop = journey.find("pages/train_mnist.py")
    if stop is None or not stop.exists:
        return
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(180_000)  # its first visit imports TensorFlow and loads MNIST
    runs = ScriptRuns(page)
    await page.goto(url)
    await settle(page, runs, 0, 180_000)
    await recorder.timed("open train page", page, runs,
                         lambda: open_from_sidebar(page, stop.title), timeout_ms=180_000)
    if recipe != "post":  # the walk-through's network is the page's default
        box = page.get_by_role("combobox", name="Start from a recipe")
        await box.click()
        await page.keyboard.type(PRESETS[recipe].label)
        await recorder.timed("pick a recipe", page, runs, lambda: page.keyboard.press("Enter"))
    if epochs is not None:
        field = page.get_by_role("spinbutton", name="Epochs (1-30)")
        await field.fill(str(epochs))
        await recorder.timed("set epochs", page, runs, lambda: field.press("Enter"))
    button = page.get_by_role("button", name=re.compile(r"^.*Train$")).first
    await recorder.timed("start training", page, runs, lambda: button.click(),
                         timeout_ms=180_000)
    mine = {"start": time.perf_counter() - recorder.began, "end": None, "waited": False}
    recorder.trainings.append(mine)
    finished = page.locator("[data-testid='stMetricLabel']", has_text="Test accuracy")
    waiting = page.get_by_text("Waiting for a free training slot")
    training = page.get_by_text(re.compile(r"^Training: epoch"))
    while time.monotonic() < deadline:
        if mine["end"] is None and await finished.count():
            mine["end"] = time.perf_counter() - recorder.began
        if not mine["waited"] and await waiting.count():
            mine["waited"] = True
        if await training.count():
            recorder.training_now.add(id(mine))
        else:
            recorder.training_now.discard(id(mine))
        recorder.most_at_once = max(recorder.most_at_once, len(recorder.training_now))
        await asyncio.sleep(2)
    recorder.training_now.discard(id(mine))
    await context.close()  # the session goes away, and with it its training


IDLE_CORE_SECONDS = 0.25  # training threads' CPU in 5 s below which no training runs


def _cpu_of(stat_path: Path) -> float:
    """utime + stime of a process or thread, in seconds (fields 14 and 15 of its stat line)."""
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_sample(server_pid: int) -> dict:
    """CPU seconds used so far (Linux): the server process, each of its training threads, each
    browser process, and the machine's busy time."""
    sample = {"server": 0.0, "training": {}, "browsers": {}, "machine": 0.0}
    try:
        sample["server"] = _cpu_of(Path(f"/proc/{server_pid}/stat"))
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        sample["machine"] = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return sample
    for process in Path("/proc").iterdir():
        try:
            name = (process / "comm").read_text() if process.name.isdigit() else ""
            if name.startswith("python") and b"explainer.training.worker" in (
                    process / "cmdline").read_bytes():  # a training worker process
                sample["training"][process.name] = _cpu_of(process / "stat")
            if "chrom" in name or "headless" in name:
                sample["browsers"][process.name] = _cpu_of(process / "stat")
        except OSError:
            pass
    return sample


def cpu_between(samples: list[dict]) -> dict[str, float]:
    """Core-seconds used over consecutive samples: by the training's threads, the rest of the
    server, the browsers, the whole machine (a thread or process counts while it is seen)."""
    used = dict.fromkeys(("training", "server", "browsers", "machine"), 0.0)
    for before, after in zip(samples, samples[1:]):
        for group in ("training", "browsers"):
            used[group] += sum(after[group][key] - before[group][key]
                               for key in after[group].keys() & before[group].keys())
        used["server"] += after["server"] - before["server"]
        used["machine"] += after["machine"] - before["machine"]
    used["server"] -= used["training"]
    return used


def lower_browsers(pids, nice: int) -> None:
    """Give the browser processes the nice value: they take the CPU the server leaves them."""
    for pid in pids:
        try:
            if os.getpriority(os.PRIO_PROCESS, int(pid)) < nice:
                os.setpriority(os.PRIO_PROCESS, int(pid), nice)
        except OSError:  # gone meanwhile
            pass


async def sample_cpu(server_pid: int, recorder: Recorder, deadline: float,
                     browser_nice: int = 0) -> None:
    while True:
        sample = cpu_sample(server_pid)
        recorder.cpu.append((time.perf_counter() - recorder.began, sample))
        if browser_nice:
            lower_browsers(sample["browsers"], browser_nice)
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(2)


def read_script_runs(path: Path, recorder: Recorder) -> None:
    """The server's notes on its script runs, with their start in the recorder's clock."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        run = json.loads(line)
        run["at"] = run["end"] - run["seconds"] - recorder.began_unix
        recorder.script_runs.append(run)


async def watch_trainings_end(server_pid: int, recorder: Recorder, limit: float) -> None:
    """After the training tabs closed: the training threads' CPU every 5 s, until it has been
    near zero for 15 s (the trainings stopped) or ``limit`` s have passed."""
    closed, samples = time.monotonic(), [cpu_sample(server_pid)]
    while time.monotonic() - closed < limit:
        await asyncio.sleep(5)
        samples.append(cpu_sample(server_pid))
        used = cpu_between(samples[-2:])["training"]
        recorder.after_close.append((time.monotonic() - closed, used))
        if len(recorder.after_close) >= 3 and all(
                seconds < IDLE_CORE_SECONDS for _, seconds in recorder.after_close[-3:]):
            return


async def run(sessions: int, seconds: float, browser_nice: int = 0, trainers: int = 1,
              recipe: str = "post", epochs: int | None = None,
              after_close: float = 0) -> Recorder:
    from playwright.async_api import async_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    rerun_log = Path(tempfile.mkstemp(prefix="reruns-", suffix=".jsonl")[1])
    process, url = start_app(rerun_log=rerun_log)
    recorder = Recorder()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium,
                                                       args=CHROMIUM_FLAGS)
            deadline = time.monotonic() + seconds
            tasks = [visitor(browser, url, recorder, deadline) for _ in range(sessions)]
            tasks += [trainer(browser, url, recorder, deadline, recipe, epochs)
                      for _ in range(trainers)]
            tasks.append(sample_cpu(process.pid, recorder, deadline, browser_nice))
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 120)
            await browser.close()
        print(f"server rss_mb={rss_mb(process.pid):.0f} when the browsers closed")
        if after_close:
            await watch_trainings_end(process.pid, recorder, after_close)
            print(f"server rss_mb={rss_mb(process.pid):.0f} after watching the trainings end")
    finally:
        stop_app(process)
        read_script_runs(rerun_log, recorder)
        rerun_log.unlink(missing_ok=True)
    return recorder


def p50_p95(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def training_window(recorder: Recorder) -> tuple[float, float] | None:
    """From the first training's start to the last one's end (inf while one still ran)."""
    if not recorder.trainings:
        return None
    ends = [training["end"] for training in recorder.trainings]
    return (min(training["start"] for training in recorder.trainings),
            math.inf if None in ends else max(ends))


def report_server(recorder: Recorder, window: tuple[float, float] | None) -> None:
    """The server's own time per concept-page script run, and who used the CPU."""
    concept = {Path(stop.page).stem for section in CONCEPT_SECTIONS
               for stop in journey.stops(section)}
    runs = [run for run in recorder.script_runs if run["page"] in concept and not run["fragment"]]
    spans = [("all", 0.0, math.inf)] + ([("while training", *window)] if window else [])
    print("server's own time per concept-page script run (bench/timed_server.py): "
          "count, wall p50, p95, CPU p50 s")
    for label, start, end in spans:
        chosen = [run for run in runs if start <= run["at"] <= end]
        if chosen:
            p50, p95 = p50_p95([run["seconds"] for run in chosen])
            cpu, _ = p50_p95([run["cpu_seconds"] for run in chosen])
            print(f"  {label:<16}{len(chosen):>5} {p50:>6.2f} {p95:>6.2f} {cpu:>6.2f}")
    if len(recorder.cpu) < 2:
        return
    cores = os.cpu_count() or 1
    print(f"CPU used, in core-seconds and as a share of the {cores} cores' time:")
    for label, start, end in spans:
        inside = [(at, sample) for at, sample in recorder.cpu if start <= at <= end]
        if len(inside) < 2:
            continue
        at0, at1 = inside[0][0], inside[-1][0]
        used = cpu_between([sample for _, sample in inside])
        capacity = (at1 - at0) * cores
        parts = ", ".join(f"{name} {seconds:.0f} ({seconds / capacity:.0%})"
                          for name, seconds in used.items())
        print(f"  {label} ({at0:.0f}-{at1:.0f} s): {parts}")


def report_trainings(recorder: Recorder) -> None:
    """The limits: trainings at once, who waited, and whether closed tabs' trainings ended."""
    if not recorder.trainings:
        return
    waited = sum(training["waited"] for training in recorder.trainings)
    unfinished = sum(training["end"] is None for training in recorder.trainings)
    print(f"trainings: {len(recorder.trainings)} started, at most {recorder.most_at_once} seen "
          f"training at once (MAX_TRAININGS={os.environ.get('MAX_TRAININGS', '2, the default')}),"
          f" {waited} waited for a slot, {unfinished} still running or waiting when their tabs "
          f"closed")
    if recorder.after_close:
        print("after the tabs closed, the training threads' CPU per 5 s (core-seconds): "
              + ", ".join(f"{after:.0f} s {used:.1f}" for after, used in recorder.after_close))
        stopped = next((after for index, (after, _) in enumerate(recorder.after_close)
                        if all(used < IDLE_CORE_SECONDS
                               for _, used in recorder.after_close[index:])), None)
        print(f"  the trainings stopped within {stopped:.0f} s of the tabs closing (the app stops "
              "one once its session has expired)" if stopped is not None
              else "  still training when the watch ended")


def report(recorder: Recorder, sessions: int) -> None:
    print(f"\n{sessions} visitors + {len(recorder.trainings)} training session(s)")
    print(f"{'action':<20}{'count':>7}{'p50 s':>8}{'p95 s':>8}")
    for name, values in sorted(recorder.latencies.items()):
        p50, p95 = p50_p95(values)
        print(f"{name:<20}{len(values):>7}{p50:>8.2f}{p95:>8.2f}")
    window = training_window(recorder)
    if window:
        start, end = window
        during = [seconds for at, name, seconds in recorder.timeline
                  if start <= at <= end and name in CONCEPT_ACTIONS]
        until = f"{end:.0f} s" if end < math.inf else "the end"
        if during:
            p50, p95 = p50_p95(during)
            print(f"concept-page actions while the training ran ({start:.0f} s to {until}): "
                  f"count {len(during)}, p50 {p50:.2f} s, p95 {p95:.2f} s")
    print("concept-page actions by 30-s window (started at): count, p50, p95")
    for start in range(0, int(max((at for at, _, _ in recorder.timeline), default=0)) + 1, 30):
        values = [seconds for at, name, seconds in recorder.timeline
                  if start <= at < start + 30 and name in CONCEPT_ACTIONS]
        if values:
            p50, p95 = p50_p95(values)
            print(f"  {start:>4}-{start + 30:<4} s {len(values):>4} {p50:>6.2f} {p95:>6.2f}")
    report_server(recorder, window)
    report_trainings(recorder)
    print(f"errors={len(recorder.errors)}")
    for error in recorder.errors[:20]:
        print(f"  {error}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=180, help="how long visitors keep going")
    parser.add_argument("--browser-nice", type=int, default=0, choices=range(20), metavar="0-19",
                        help="run the browsers at this nice value, so that on one machine they "
                             "take only the CPU the server leaves, as visitors' own machines "
                             "would (default 0: they compete with it)")
    parser.add_argument("--trainers", type=int, default=1, help="sessions that train at once")
    parser.add_argument("--recipe", choices=sorted(PRESETS), default="post",
                        help="what the trainers train (cnn: still training long after the end)")
    parser.add_argument("--epochs", type=int, default=None, choices=range(1, 31), metavar="1-30",
                        help="epochs each trainer asks for (default: the recipe's)")
    parser.add_argument("--after-close", type=float, default=0, metavar="SECONDS",
                        help="after the tabs close, watch up to this long for the trainings "
                             "to stop")
    args = parser.parse_args()
    report(asyncio.run(run(args.sessions, args.seconds, args.browser_nice, args.trainers,
                           args.recipe, args.epochs, args.after_close)), args.sessions)
    if args.browser_nice:
        print(f"browsers ran at nice {args.browser_nice}")
