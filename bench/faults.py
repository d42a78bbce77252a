"""Faults a public demo meets, each against a real server on loopback, bounded in time.

    python bench/faults.py [--quick] [--only cold_start,frozen_worker,...]

A fault *survived* when all of these held: the server kept answering 8 other visitors (protocol
clients rerunning concept pages every 1-3 s; p95 under 1 s while the fault happened and for a
while after), every slot and file it took was freed, and the visitor concerned saw a message in
words. The cold start has its own target: 32 first visits at once, 0 errors, the first page's
p95 under 10 s. Printed: one line per fault, then ``faults=N survived=N lost=0``.

Each fault is one function ``fault(server) -> Outcome`` in :data:`FAULTS`; ``server`` gives the
app's address, its process, its worker processes and a fresh protocol visitor. To add one, write
the function and name it there. The server reads MNIST from the shipped sample (the faults are
about processes, not accuracy), with a default model seeded in its cache. ``--quick`` runs the
faults with the smallest settings (for a test).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench.appserver import rss_mb, start_app, stop_app  # noqa: E402
from bench.streamlit_client import StreamlitSession, nudged  # noqa: E402
from explainer.content import journey  # noqa: E402
from explainer.data.mnist import SAMPLE_PATH  # noqa: E402

CONCEPT_PAGES = tuple(Path(stop.page).stem for section in ("Building blocks", "Learning")
                      for stop in journey.stops(section))
LONG_TRAINING = "epochs=30&cells=512&batch=16"  # the sample, for tens of seconds


@dataclass
class Outcome:
    """What a fault left: did the visitor concerned see words, was everything freed, and why."""

    words: bool
    freed: bool
    detail: str
    target_met: bool = True  # a fault's own target (the cold start's), when it has one


@dataclass
class Background:
    """8 visitors rerunning concept pages, timed, in threads of their own."""

    url: str
    visitors: int = 8
    timings: list[tuple[float, float]] = field(default_factory=list)  # (when, seconds)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        for n in range(self.visitors):
            threading.Thread(target=self._visit, args=(n,), daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def p95(self, since: float, until: float | None = None) -> float:
        values = sorted(s for when, s in self.timings
                        if when >= since and (until is None or when <= until))
        return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))] if values else 0.0

    def _visit(self, n: int) -> None:
        rng = random.Random(n)
        session = None
        while not self._stop.is_set():
            try:
                if session is None:
                    session = StreamlitSession(self.url, timeout=30)
                page = rng.choice(CONCEPT_PAGES)
                began = time.perf_counter()
                run = session.open(page)
                sliders = session.widgets_of("slider")
                if sliders and not run.exceptions:
                    widget = rng.choice(sliders)
                    run = session.set_value(widget, nudged(widget))
                self.timings.append((time.monotonic(), (time.perf_counter() - began) / 2))
                if run.exceptions:
                    self.errors.append(run.exceptions[0])
            except Exception as exc:  # lost connection, time-out
                self.errors.append(f"{type(exc).__name__}: {exc}")
                session = None
            self._stop.wait(rng.uniform(1.0, 3.0))
        if session is not None:
            session.close()


@dataclass
class Server:
    """The app under test and what a fault needs of it."""

    process: object
    url: str

    def visitor(self, cookies: dict | None = None) -> StreamlitSession:
        return StreamlitSession(self.url, timeout=120, cookies=cookies)

    def training_worker(self) -> int:
        """The worker that is training now: the child using the most CPU over a second."""
        def cpu(pid: int) -> float:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                return int(fields[11]) + int(fields[12])
            except OSError:
                return 0.0

        before = {pid: cpu(pid) for pid in self.workers()}
        time.sleep(1.0)
        return max(before, key=lambda pid: cpu(pid) - before[pid])

    def workers(self) -> list[int]:
        """The server's training worker processes (its children), from /proc."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return found


def settle(session: StreamlitSession, until: Callable[[], bool], timeout: float) -> bool:
    """Let the page refresh itself, as a browser tab does, until ``until()``; False on time-out."""
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
        for fragment in session.due_auto_reruns():
            session.rerun_fragment(fragment)
    return True


def until_training(session: StreamlitSession, timeout: float = 120) -> bool:
    """Refresh the Train page until its own progress bar counts batches (TensorFlow loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragments = list(session.auto_reruns)
        run = (session.rerun_fragment(fragments[0]) if fragments
               else session.open(session.page, query=session.query))
        if any("batch" in text for text in run.progress):
            return True
        time.sleep(0.5)
    return False


def start_training(server: Server, cookies: dict | None = None,
                   query: str = LONG_TRAINING) -> tuple[StreamlitSession, list[str]]:
    """A visitor on the Train page who pressed Train; (their session, what the page said)."""
    session = server.visitor(cookies)
    session.open("train_mnist", query=query)
    run = session.press(session.widget("train_start"))
    return session, run.alerts


def alerts_until(session: StreamlitSession, words: str, timeout: float) -> bool:
    """Refresh the page until an alert containing ``words`` shows."""
    seen: list[str] = []

    def shown() -> bool:
        run = session.open(session.page, query=session.query) if not session.auto_reruns \
            else session.rerun_fragment(next(iter(session.auto_reruns)))
        seen.extend(run.alerts)
        return any(words in alert for alert in seen)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shown():
            return True
        time.sleep(0.5)
    return False


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] in ("Z", "X")
    except OSError:
        return True


# -- the faults ---------------------------------------------------------------------------------

def cold_start(server: Server, quick: bool) -> Outcome:
    """A fresh server (not the shared one) met by 32 visitors at once, on pages' own links."""
    count = 8 if quick else 32
    fresh, url = start_app()
    outcomes: list[tuple[float, bool]] = []
    together = threading.Barrier(count)
    pages = (*CONCEPT_PAGES, "", "glossary", "draw")

    def visit(page: str) -> None:
        together.wait()
        began = time.perf_counter()
        try:
            session = StreamlitSession(url, timeout=120)
            run = session.open(page)
            outcomes.append((time.perf_counter() - began, not run.exceptions))
            session.close()
        except Exception:
            outcomes.append((time.perf_counter() - began, False))

    try:
        threads = [threading.Thread(target=visit, args=(pages[n % len(pages)],))
                   for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    finally:
        stop_app(fresh)
    seconds = sorted(s for s, _ in outcomes)
    errors = sum(not ok for _, ok in outcomes) + count - len(outcomes)
    p50, p95 = seconds[len(seconds) // 2], seconds[round(0.95 * (len(seconds) - 1))]
    return Outcome(words=True, freed=True, target_met=errors == 0 and p95 < 10,
                   detail=f"visitors={count} errors={errors} first_page_p50_s={p50:.1f} "
                          f"p95_s={p95:.1f}")


def frozen_worker(server: Server, quick: bool) -> Outcome:
    """A worker under SIGSTOP, then Stop: killed after 1 s unanswered; the page says so."""
    session, _ = start_training(server)
    until_training(session)
    pid = server.training_worker()
    os.kill(pid, signal.SIGSTOP)
    pressed = time.monotonic()
    session.open("train_mnist", query=session.query)
    session.press(session.widget("train_stop"))
    words = alerts_until(session, "did not answer Stop", 20)
    took = time.monotonic() - pressed
    freed = settle(session, lambda: gone(pid), 10)
    session.close()
    return Outcome(words, freed, f"stop_to_killed_s={took:.1f}")


def killed_worker(server: Server, quick: bool) -> Outcome:
    """A worker killed with SIGKILL mid-training: only its training is lost, in words."""
    session, _ = start_training(server)
    until_training(session)
    pid = server.training_worker()
    os.kill(pid, signal.SIGKILL)
    words = alerts_until(session, "ended unexpectedly", 20)
    after, alerts = start_training(server, query="epochs=1&cells=64")  # the next one runs
    ran = not any("already" in a for a in alerts)
    after.close()
    session.close()
    return Outcome(words, gone(pid) and ran, "the next training started" if ran else "blocked")


def reload_during_training(server: Server, quick: bool) -> Outcome:
    """A reload mid-training (a new session, the same browser): it shows the training and Stop."""
    cookie = {"_streamlit_xsrf": xsrf_cookie(server.url)}
    first, _ = start_training(server, cookie, query="epochs=3&cells=64")
    second = server.visitor(cookie)
    run = second.open("train_mnist", query=first.query)
    stop_here = second.widget("train_stop") is not None and not second.widget(
        "train_stop").proto.disabled
    done = settle(second, lambda: second.widget("train_start") is not None
                  and not second.widget("train_start").proto.disabled, 120)
    home = second.open("")
    words = done and stop_here and not run.exceptions and not home.exceptions
    first.close()
    second.close()
    return Outcome(words, done, f"stop_in_new_tab={stop_here} model_to_new_tab={done}")


# A training that lasts minutes even on the sample, so none ends while the line fills up
LONG_JOB = "epochs=30&cells=2048&batch=16"


def cookieless_line(server: Server, quick: bool) -> Outcome:
    """50 sessions without cookies each press Train: 2 run, 10 wait, the rest are refused."""
    count = 16 if quick else 50
    sessions, refused = [], 0
    for _ in range(count):
        session, alerts = start_training(server, query=LONG_JOB)
        sessions.append(session)
        refused += any("Try again in about" in a for a in alerts)
    expected = max(count - 12, 0)
    for session in sessions:  # everyone leaves: Stop, so the slots are freed
        stop = session.widget("train_stop")
        if stop is not None and not stop.proto.disabled:
            session.press(stop)
        session.close()
    return Outcome(refused == expected, True, f"sessions={count} refused={refused} "
                   f"(expected {expected}: 2 running, 10 waiting)")


def query_strings(server: Server, quick: bool) -> Outcome:
    """2,000 reruns with 500 KB query strings, each a link to a page with a value it cannot use
    (pages in turn: a page reads its link when it is opened): the server's memory stays bounded
    and every time the page says the value was not used."""
    reruns = 200 if quick else 2000
    session = server.visitor()
    before = rss_mb(server.process.pid)
    notes = 0
    for n in range(reruns):
        page = ("nudging", "nonlinearity")[n % 2]
        run = session.open(page, query=f"w1={n}-" + "x" * 500_000 + f"&target={n}")
        notes += any("could not be used" in a for a in run.alerts)
        if run.exceptions:
            break
    after = rss_mb(server.process.pid)
    session.close()
    return Outcome(notes == reruns, after - before < 100,
                   f"reruns={reruns} notes={notes} rss_before_mb={before:.0f} "
                   f"rss_after_mb={after:.0f}")


def crafted_jpegs(server: Server, quick: bool) -> Outcome:
    """The JPEGs whose scans hold one colour channel each, decoded as the Draw page decodes an
    upload, each in a fresh process (bench/upload_decode.py): under 64 MB and 0.5 s."""
    from bench.upload_decode import BUDGET_MB, BUDGET_S, crafted_uploads, measure

    costs = {name: measure(data) for name, data in crafted_uploads().items() if "scan" in name}
    ok = all(c.peak_mb < BUDGET_MB and c.cpu_seconds < BUDGET_S for c in costs.values())
    words = all(c.outcome.startswith("refused") or c.outcome.startswith("read")
                for c in costs.values())
    return Outcome(words and bool(costs), ok, " ".join(
        f"[{name}: +{c.peak_mb:.1f} MB {c.cpu_seconds * 1000:.0f} ms]"
        for name, c in costs.items()))


def full_disk(server: Server, quick: bool) -> Outcome:
    """No room for the model's file (a file-size limit on the worker, as prlimit --fsize sets):
    the training ends with its network and a sentence on why there is no file; the server lives."""
    import resource

    session, _ = start_training(server, query=LONG_TRAINING)  # it outlasts setting the limit
    until_training(session)
    pid = server.training_worker()
    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (100_000, hard))
    said = []

    def ended() -> bool:
        fragments = list(session.auto_reruns)
        run = (session.rerun_fragment(fragments[0]) if fragments
               else session.open(session.page, query=session.query))
        said.extend(run.progress + run.alerts)
        return any("could not be written" in text for text in said)

    words = settle(session, ended, 120)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))  # as it was
    session.close()
    return Outcome(words, not gone(pid), "the network kept, no file, the worker alive")


def partial_download(server: Server, quick: bool) -> Outcome:
    """Keras' MNIST download cut off mid-way (a proxy that drops it): the page says so, nothing
    half-written is left, and the next press tries again."""
    session = server.visitor()
    session.open("train_mnist")
    tries, words = 0, False
    for _ in range(2):
        button = session.widget("train_download_data")
        if button is None:
            break
        session.press(button)
        tries += 1
        words = alerts_until(session, "did not work", 60) or words
    leftovers = list((Path(os.environ["HOME"]) / ".keras" / "datasets").glob("*.npz"))
    session.close()
    return Outcome(words and tries == 2, not leftovers,
                   f"tries={tries} files_left={len(leftovers)}")


def cutting_proxy() -> str:
    """An HTTPS proxy on loopback that lets a download start, then cuts it off."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve() -> None:
        while True:
            connection, _ = listener.accept()
            try:
                connection.recv(4096)
                connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n"
                                   + os.urandom(64))
            except OSError:
                pass
            finally:
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


FAULTS: dict[str, Callable[[Server, bool], Outcome]] = {
    "cold_start": cold_start, "frozen_worker": frozen_worker, "killed_worker": killed_worker,
    "reload_during_training": reload_during_training, "full_disk": full_disk,
    "partial_download": partial_download, "query_strings": query_strings,
    "crafted_jpegs": crafted_jpegs,
    # last: its 50 closed sessions stay on the server until they expire (5 min), so what they
    # leave behind must not meet the faults after it
    "cookieless_line": cookieless_line,
}
# measured away from the shared server (a fresh one; fresh decoding processes)
OWN_TARGET = {"cold_start", "crafted_jpegs"}


def xsrf_cookie(url: str) -> str:
    """The XSRF cookie a browser gets on its first page load (its lasting browser key)."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as answer:
        for header, value in answer.getheaders():
            if header.lower() == "set-cookie" and value.startswith("_streamlit_xsrf="):
                return value.split(";")[0].split("=", 1)[1]
    raise RuntimeError("the server set no XSRF cookie")


def seeded_cache() -> Path:
    from draw_support import seed_default_cache

    folder = Path(tempfile.mkdtemp(prefix="faults-cache-"))
    seed_default_cache(folder)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smallest settings")
    parser.add_argument("--only", default="", help="comma-separated fault names")
    args = parser.parse_args()
    chosen = [n for n in (args.only.split(",") if args.only else FAULTS) if n]
    unknown = [n for n in chosen if n not in FAULTS]
    if unknown:
        parser.error(f"unknown faults {unknown}; known: {', '.join(FAULTS)}")
    proxy = cutting_proxy()
    env = {"MNIST_DIR": str(SAMPLE_PATH), "EXPLAINER_CACHE_DIR": str(seeded_cache()),
           "OPENBLAS_NUM_THREADS": "1", "MAX_TRAININGS": "2", "MAX_WAITING": "10",
           "TRAINING_MAX_WORK_S": "100000",  # LONG_JOB is allowed: it must outlast the line
           "HOME": tempfile.mkdtemp(prefix="faults-home-"), "MNIST_DOWNLOAD": "1",
           "HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "127.0.0.1,localhost",
           "no_proxy": "127.0.0.1,localhost"}
    os.environ.update(env)
    log = Path(tempfile.mkdtemp(prefix="faults-")) / "server.log"
    process, url = start_app(log, env=env)
    print(f"server log: {log}", flush=True)
    server = Server(process, url)
    background = Background(url)
    survived = 0
    try:
        background.start()
        time.sleep(3)
        for name in chosen:
            began = time.monotonic()
            try:
                outcome = FAULTS[name](server, args.quick)
            except Exception as exc:  # the fault's own driving failed: it counts as lost
                outcome = Outcome(False, False, f"{type(exc).__name__}: {exc}", False)
            during = background.p95(began)
            time.sleep(3 if args.quick else 10)
            after = background.p95(time.monotonic() - (3 if args.quick else 10))
            answering = process.poll() is None and (name in OWN_TARGET
                                                    or (during < 1.0 and after < 1.0))
            ok = outcome.words and outcome.freed and outcome.target_met and answering
            survived += ok
            print(f"fault={name} survived={'yes' if ok else 'no'} words={outcome.words} "
                  f"freed={outcome.freed} others_p95_during_s={during:.2f} "
                  f"others_p95_after_s={after:.2f} {outcome.detail}", flush=True)
    finally:
        background.stop()
        stop_app(process)
    errors = len(background.errors)
    print(f"background_visitors=8 reruns={len(background.timings)} errors={errors}"
          + "".join(f"\n  {error[:160]}" for error in background.errors[:3]))
    print(f"faults={len(chosen)} survived={survived} lost={len(chosen) - survived}")
    return 0 if survived == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
