"""The simulated visitors of ``bench/load.py``: Locust users that speak Streamlit's protocol.

Each user is one browser tab with its own cookie jar, so behind nginx it keeps the route cookie
and stays on its server as a browser does. A "reader" opens concept pages, moves their sliders
and numbers, now and then draws a digit; a "trainer" presses Train and watches its progress.
Every rerun is timed from the request to the server's ``script_finished``.

When a server is killed in the middle of a run (``--kill-one``), the users on it at that moment
lose their session: their first failure is counted as that loss, not as an error, and where
their next session goes is noted. Errors of the other users are the errors elsewhere.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import gevent
from locust import User, constant, task

from bench.cluster import route_of
from bench.streamlit_client import RunError, StreamlitSession, canvas_state, nudged
from explainer.content import journey
from explainer.serve.nginx import COOKIE

CONCEPT_PAGES = tuple(Path(stop.page).stem for section in ("Building blocks", "Learning")
                      for stop in journey.stops(section))
THINK_S = (1.0, 3.0)  # a brisk reader: one action every 1-3 s
RUN_TIMEOUT_S = 60
TRAIN_PAGE_TIMEOUT_S = 300  # its first run imports TensorFlow and loads MNIST
CONCEPT_ACTIONS = ("open page", "move a slider")
_ids = itertools.count(1)


@dataclass
class Kill:
    """One server killed with -9 in the middle of a run, and what its visitors went through."""

    server: str
    at: float  # monotonic
    on_it: set[int]  # users whose route named it at that moment
    sessions: dict[str, int]  # users per server at that moment
    restarted_after_s: float | None = None
    lost: set[int] = field(default_factory=set)
    moved: set[int] = field(default_factory=set)  # lost users that have a session again
    moved_to: Counter = field(default_factory=Counter)  # where the lost users' next session went
    errors_elsewhere: list[str] = field(default_factory=list)


@dataclass
class Figures:
    """What one configuration measured."""

    visitors: int
    trainings: int
    replicas: int = 0  # 0: one `streamlit run app.py`, no balancer
    workers: int = 0  # queue workers (the serve command's --workers); 0: each server's own pool
    reruns: list[tuple[str, str, float]] = field(default_factory=list)  # (action, page, s)
    errors: list[str] = field(default_factory=list)
    rss_max_mb: float = 0.0
    tensorflow: bool = False
    cpu: dict[str, float] = field(default_factory=dict)  # share of all cores' time
    load_average: float = 0.0  # the machine's, over the last minute of the run
    train_presses: int = 0
    epochs_emulated: int = 0
    users: list = field(default_factory=list)
    connects: list[tuple[float, str | None]] = field(default_factory=list)  # (monotonic, server)
    kill: Kill | None = None

    def concept(self) -> list[float]:
        return [s for action, page, s in self.reruns
                if action in CONCEPT_ACTIONS and page in CONCEPT_PAGES]

    def sessions_per_server(self) -> Counter:
        return Counter(u.server for u in self.users if u.session is not None and u.server)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


class ProtocolUser(User):
    """One browser tab, spoken at the protocol level: its actions are timed reruns."""

    abstract = True
    wait_time = constant(0)  # the pauses are in think(), which also runs self-refreshing panels
    figures: Figures
    first_page = ""
    first_query = ""  # the first page's link parameters
    first_timeout = RUN_TIMEOUT_S

    def on_start(self) -> None:
        self.id, self.cookies, self.session = next(_ids), {}, None
        self.figures.users.append(self)
        self.connect()

    def on_stop(self) -> None:
        if self.session is not None:
            self.session.close()

    @property
    def server(self) -> str | None:
        """The server nginx's route cookie names (None without a balancer)."""
        value = self.cookies.get(COOKIE)
        return route_of(f"{COOKIE}={value}") if value else None

    def connect(self) -> None:
        try:
            self.session = StreamlitSession(self.host, timeout=RUN_TIMEOUT_S,
                                            cookies=self.cookies)
        except Exception as exc:
            self.note_error(f"connect: {type(exc).__name__}: {exc}")
            gevent.sleep(2)
            return
        self.figures.connects.append((time.monotonic(), self.server))
        kill = self.figures.kill
        if kill is not None and self.id in kill.lost and self.id not in kill.moved:
            kill.moved.add(self.id)
            kill.moved_to[self.server or "?"] += 1
        self.act("open page", self.first_page or "home",
                 lambda: self.session.open(self.first_page, timeout=self.first_timeout,
                                           query=self.first_query))

    def note_error(self, text: str, connection_lost: bool = False) -> None:
        kill = self.figures.kill
        if kill is not None and connection_lost and self.id in kill.on_it \
                and self.id not in kill.lost:
            kill.lost.add(self.id)  # its session went with its server: the loss, not an error
            return
        self.figures.errors.append(text)
        if kill is not None and self.id not in kill.on_it:
            kill.errors_elsewhere.append(text)

    def act(self, action: str, page: str, work) -> bool:
        """Run one rerun, time it, note it for Locust and for the figures; False on an error."""
        began = time.perf_counter()
        error, received, lost = None, 0, False
        try:
            run = work()
            received = run.received
            if run.exceptions:
                error = RunError(f"exception shown: {run.exceptions[0]}")
        except (RunError, TimeoutError) as exc:
            error = exc
        except Exception as exc:  # the connection went: the next action reconnects
            error, lost = exc, True
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
            self.note_error(f"{action} ({page}): {type(error).__name__}: {str(error)[:160]}",
                            connection_lost=lost)
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
            if self.session is None:
                return
        canvas = next((w for w in self.session.widgets.values() if w.kind == "bidi_component"),
                      None)
        if canvas is None:
            self.note_error("draw: no canvas on the Draw page")
            return self.think()
        state = canvas_state(random.choice(self.drawings))
        self.act("draw a digit", "draw", lambda: self.session.set_value(canvas, state))
        self.think()


class Trainer(ProtocolUser):
    """Opens the Train page, presses Train, watches the progress, presses it again when done:
    the walk-through's network on every training digit (the page's link picks the full set)."""

    abstract = True
    first_page = "train_mnist"
    first_query = "train_data=Full"
    first_timeout = TRAIN_PAGE_TIMEOUT_S

    @task
    def train(self) -> None:
        if self.session is None:
            return self.connect()
        button = self.session.widget("train_start")
        if button is None:
            self.note_error("train: no Train button (key train_start) on the page")
            gevent.sleep(5)
        elif not button.proto.disabled and not self.session.auto_reruns:
            if self.act("press Train", "train_mnist", lambda: self.session.press(
                    button, timeout=TRAIN_PAGE_TIMEOUT_S)):
                self.figures.train_presses += 1
        self.think()
