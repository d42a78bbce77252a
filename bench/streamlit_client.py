"""A visitor without a browser: the WebSocket protocol a Streamlit page's JavaScript speaks.

A page in the browser talks to the server over one WebSocket, ``/_stcore/stream`` (subprotocol
``streamlit``), in protobuf: it sends a ``BackMsg`` whose ``rerun_script`` names the page and
carries the widgets' values, and the server answers with ``ForwardMsg``s (the elements the script
draws, as deltas) until ``script_finished``. This client does the same, synchronously, so a load
test can run many visitors in one process (Locust's gevent makes the blocking calls cooperative):

    session = StreamlitSession("http://127.0.0.1:8501")
    session.open("neurons")                       # a page, by its URL name
    slider = session.widget("neurons_activation")  # a widget, by the key the page gave it
    session.press(session.widget("train_start"))  # a button

Behind a balancer, pass the same ``cookies`` dict to every session of one visitor: it is sent with
each connection and keeps what the replies set (nginx's route cookie), as a browser's jar does.

Widgets are found in the deltas of the page's last full run; values this client set are sent
again with every rerun of the page, as the browser does. Pages that refresh themselves
(``st.fragment(run_every=...)``) announce it with ``auto_rerun``; :meth:`due_auto_reruns` lists
them and :meth:`rerun_fragment` runs one, as the browser's timer would.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}  # not FINISHED_EARLY_FOR_RERUN


class RunError(Exception):
    """A script run that failed as a visitor would see it: an exception box, a missing page."""


@dataclass
class Widget:
    """One widget the page drew: its element id, its kind ("slider", "button"...) and proto."""

    id: str
    kind: str
    proto: object

    @property
    def key(self) -> str:
        """The key the page gave it (Streamlit ends a keyed widget's id with ``-<key>``)."""
        return self.id.rsplit("-", 1)[-1]

    def __repr__(self) -> str:
        return f"Widget({self.kind} {self.key!r})"


@dataclass
class Run:
    """One script run as the client saw it: from the request to the server's script_finished."""

    seconds: float
    fragment: bool
    received: int  # bytes of ForwardMsgs
    exceptions: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # st.error / warning / info boxes' text
    progress: list[str] = field(default_factory=list)  # progress bars' text


class StreamlitSession:
    """One browser tab's session, spoken at the protocol level."""

    def __init__(self, url: str, timeout: float = 60, cookies: dict[str, str] | None = None,
                 ca_file: str | None = None) -> None:
        self.url = (url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
                    .rstrip("/") + "/_stcore/stream")
        self.timeout = timeout
        self.cookies = cookies if cookies is not None else {}
        sent = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.socket = websocket.create_connection(
            self.url, subprotocols=["streamlit"], timeout=timeout, enable_multithread=False,
            cookie=sent or None, sslopt={"ca_certs": ca_file} if ca_file else None)
        self.set_cookie = self.socket.getheaders().get("set-cookie")  # of the handshake
        keep_cookies(self.cookies, self.set_cookie)
        self.page = None  # URL name of the page shown
        self.query = ""  # its query string, as the link gave it
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # by key, from the page's last full run
        self.values: dict[str, WidgetState] = {}  # by widget id: what this client set
        self.auto_reruns: dict[str, float] = {}  # fragment id -> interval, s
        self._next_auto: dict[str, float] = {}  # fragment id -> when it is due (monotonic)

    def __repr__(self) -> str:
        return f"StreamlitSession({self.page!r}, {len(self.widgets)} widgets)"

    def close(self) -> None:
        try:
            self.socket.close()
        except Exception:  # already gone
            pass

    # -- what a visitor does ---------------------------------------------------------------
    def open(self, page: str, timeout: float | None = None, query: str = "") -> Run:
        """Go to a page by its URL name ("" for the default page), as a click in the sidebar,
        or as a link with ``query`` (e.g. "epochs=30&cells=64") opens it."""
        self.values.clear()
        request = BackMsg()
        request.rerun_script.page_name = page
        request.rerun_script.query_string = query
        self.page, self.query = page, query
        return self._run(request, fragment=False, timeout=timeout)

    def widget(self, key: str) -> Widget | None:
        return self.widgets.get(key)

    def widgets_of(self, *kinds: str) -> list[Widget]:
        return [w for w in self.widgets.values()
                if w.kind in kinds and not getattr(w.proto, "disabled", False)]

    def set_value(self, widget: Widget, state: WidgetState, timeout: float | None = None) -> Run:
        """Give a widget a new value (kept for the page's later reruns) and rerun the page."""
        state.id = widget.id
        self.values[widget.id] = state
        return self._run(self._page_request(), fragment=False, timeout=timeout)

    def press(self, button: Widget, timeout: float | None = None) -> Run:
        """Click a button: its value is true for this one run only."""
        request = self._page_request()
        pressed = request.rerun_script.widget_states.widgets.add()
        pressed.id = button.id
        pressed.trigger_value = True
        return self._run(request, fragment=False, timeout=timeout)

    def due_auto_reruns(self) -> list[str]:
        now = time.monotonic()
        return [fid for fid, due in self._next_auto.items() if due <= now]

    def next_auto_rerun(self) -> float | None:
        """When the next self-refreshing fragment is due (monotonic clock), or None."""
        return min(self._next_auto.values(), default=None)

    def rerun_fragment(self, fragment_id: str, timeout: float | None = None) -> Run:
        """A self-refreshing fragment's timer fired: rerun only that fragment."""
        self._next_auto[fragment_id] = time.monotonic() + self.auto_reruns.get(fragment_id, 1.0)
        request = self._page_request()
        request.rerun_script.fragment_id = fragment_id
        request.rerun_script.is_auto_rerun = True
        return self._run(request, fragment=True, timeout=timeout)

    # -- the protocol ------------------------------------------------------------------------
    def _page_request(self) -> BackMsg:
        request = BackMsg()
        request.rerun_script.page_script_hash = self.page_hash
        request.rerun_script.page_name = self.page or ""
        request.rerun_script.query_string = self.query
        for state in self.values.values():
            request.rerun_script.widget_states.widgets.add().CopyFrom(state)
        return request

    def _run(self, request: BackMsg, fragment: bool, timeout: float | None) -> Run:
        """Send a rerun request; read the server's messages until its run has finished."""
        deadline = time.monotonic() + (timeout or self.timeout)
        began = time.perf_counter()
        self.socket.send_binary(request.SerializeToString())
        received, exceptions, alerts, progress = 0, [], [], []
        while True:
            self.socket.settimeout(max(deadline - time.monotonic(), 0.05))
            try:
                frame = self.socket.recv()
            except websocket.WebSocketTimeoutException as exc:
                raise TimeoutError(f"no script_finished within {timeout or self.timeout:.0f} s"
                                   ) from exc
            if not isinstance(frame, bytes):
                continue
            received += len(frame)
            message = ForwardMsg.FromString(frame)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                if not message.metadata.run.fragment_ids:  # a full run, maybe a fragment's rerun
                    self.widgets = {}
                    self.auto_reruns, self._next_auto = {}, {}
            elif kind == "navigation" and message.navigation.page_script_hash:
                self.page_hash = message.navigation.page_script_hash  # the page the run showed
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._note_element(message.delta.new_element, exceptions, alerts, progress)
            elif kind == "auto_rerun":
                fid, interval = message.auto_rerun.fragment_id, message.auto_rerun.interval
                self.auto_reruns[fid] = interval
                self._next_auto.setdefault(fid, time.monotonic() + interval)
            elif kind == "stop_auto_rerun":
                self.auto_reruns.pop(message.stop_auto_rerun.fragment_id, None)
                self._next_auto.pop(message.stop_auto_rerun.fragment_id, None)
            elif kind == "page_not_found":
                raise RunError(f"page not found: {message.page_not_found.page_name!r}")
            elif kind == "script_finished" and message.script_finished in FINAL:
                if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RunError("the script did not compile")
                if not fragment:  # the browser forgets values of widgets the page no longer has
                    ids = {w.id for w in self.widgets.values()}
                    self.values = {i: s for i, s in self.values.items() if i in ids}
                return Run(time.perf_counter() - began, fragment, received, exceptions, alerts,
                           progress)

    def _note_element(self, element, exceptions: list[str], alerts: list[str],
                      progress: list[str]) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")
            return
        if kind == "alert":
            alerts.append(element.alert.body[:200])
        if kind == "progress":
            progress.append(element.progress.text[:200])
        proto = getattr(element, kind, None)
        element_id = getattr(proto, "id", "")
        if element_id:
            widget = Widget(element_id, kind, proto)
            self.widgets[widget.key] = widget


def keep_cookies(jar: dict[str, str], set_cookie: str | None) -> None:
    """Note in ``jar`` the cookies a reply set (several Set-Cookie lines arrive joined by ";")."""
    if not set_cookie:
        return
    parsed = SimpleCookie()
    try:
        parsed.load(set_cookie)
    except CookieError:
        return
    jar.update({name: morsel.value for name, morsel in parsed.items()})


def nudged(widget: Widget, sent: WidgetState | None = None, up: bool = True) -> WidgetState:
    """A slider's or number input's value moved one step (the other way at either end).

    ``sent`` is the value this client last gave it, else the page's default is the start.
    A select_slider (a slider with options) takes the text of an option, as its browser sends.
    """
    proto, state = widget.proto, WidgetState()
    if widget.kind == "slider" and proto.options:
        options = list(proto.options)
        index = _option_index(proto, sent)
        index = index + 1 if (up and index + 1 < len(options)) or index == 0 else index - 1
        state.string_array_value.data[:] = [options[index]]
        return state
    if widget.kind == "slider":
        values = list(proto.value) if proto.set_value else list(proto.default)
        if sent is not None:
            values = list(sent.double_array_value.data)
        step = proto.step or 1
        value = values[0] + step if up and values[0] + step <= proto.max else values[0] - step
        state.double_array_value.data[:] = [min(max(value, proto.min), proto.max)] + values[1:]
        return state
    if widget.kind == "number_input":
        value = proto.value if proto.set_value else proto.default
        if sent is not None:
            value = getattr(sent, sent.WhichOneof("value"))
        step = proto.step or 1
        if up and proto.has_max and value + step > proto.max:
            up = False
        if not up and proto.has_min and value - step < proto.min:
            up = True
        value = value + step if up else value - step
        if proto.data_type == proto.INT:
            state.int_value = int(round(value))
        else:
            state.double_value = value
        return state
    raise ValueError(f"cannot nudge a {widget.kind}")


def _option_index(proto, sent: WidgetState | None) -> int:
    """Where a select_slider stands: the option last sent, else the page's value or default."""
    if sent is not None or proto.raw_value:
        text = sent.string_array_value.data[0] if sent is not None else proto.raw_value[0]
        return list(proto.options).index(text) if text in proto.options else 0
    indices = list(proto.value) or list(proto.default)
    return int(indices[0]) if indices else 0


def canvas_state(data_url: str) -> WidgetState:
    """What streamlit-drawable-canvas 0.13.0 keeps after a stroke: its picture as a PNG data URL."""
    state = WidgetState()
    state.json_value = json.dumps({"drawing": {"raw": {"objects": [{"type": "path"}]},
                                               "data": data_url}})
    return state
