"""Faults a public server meets, on real worker processes: a frozen worker, a training that will
not end, a full line, a full disk, a session folder gone, memory running out.

Each runs on both backends: the local pool and the job queue (tests/backends.py). Small networks
on the shipped sample. Each test makes its own backend, so a killed or frozen worker never
touches another test's.
"""

from __future__ import annotations

import os
import resource
import signal
import time
from pathlib import Path

import pytest
from backends import KINDS, make_backend

from explainer.data.mnist import load_sample
from explainer.training import limits
from explainer.training.jobs import TrainJob
from explainer.training.pool import Visitor
from explainer.training.spec import PRESETS

pytestmark = pytest.mark.slow
kinds = pytest.mark.parametrize("kind", KINDS)

SMALL = PRESETS["post"].with_changes(hidden=(64,), epochs=1)
LONG = SMALL.with_changes(epochs=30, batch_size=16)  # tens of seconds: time to act on it


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def start(backend, config, folder: Path, session: str, browser: str = ""):
    job = TrainJob.train(config, load_sample(), folder / f"model-{time.monotonic_ns()}.keras")
    return backend.submit(job, Visitor(session, browser))


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] in ("Z", "X")
    except OSError:
        return True


@pytest.fixture(params=KINDS)
def backend(request):
    with make_backend(request.param, limit=1) as made:
        yield made


def test_a_frozen_worker_that_leaves_stop_unanswered_is_killed(backend, tmp_path):
    frozen = start(backend, LONG, tmp_path, "frozen")
    wait_for(lambda: frozen.progress.snapshot().batch > 0)
    pid = frozen.progress.snapshot().worker_pid
    os.kill(pid, signal.SIGSTOP)
    asked = time.monotonic()
    frozen.stop()
    assert frozen.wait(10)
    assert time.monotonic() - asked < 5
    assert "did not answer Stop" in frozen.error and "Nothing it had learned" in frozen.error
    assert frozen.outcome.model is None and gone(pid)
    wait_for(lambda: backend.status().running_count == 0, timeout=10)  # its slot is free
    after = start(backend, SMALL, tmp_path, "after")
    assert after.wait(180) and not after.error


@kinds
def test_a_training_past_its_time_is_killed_by_the_supervisor(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINING_MAX_WALL_S", "2")  # killed 2 + 10 s after it started
    with make_backend(kind) as backend:
        stuck = start(backend, LONG, tmp_path, "stuck")
        wait_for(lambda: stuck.progress.snapshot().batch > 0)
        pid = stuck.progress.snapshot().worker_pid
        os.kill(pid, signal.SIGSTOP)  # it can no longer end itself at its own time cap
        assert stuck.wait(30)
        assert "time limit" in stuck.error and gone(pid)
        wait_for(lambda: backend.status().running_count == 0, timeout=10)


@kinds
def test_the_line_has_a_cap_and_the_refusal_says_how_long_to_wait(kind, tmp_path):
    with make_backend(kind, max_waiting=2) as capped:
        trainings = [start(capped, LONG, tmp_path, "nocookie-0")]
        wait_for(lambda: trainings[0].progress.snapshot().batch > 0)
        trainings += [start(capped, LONG, tmp_path, f"nocookie-{n}") for n in (1, 2)]
        assert capped.status().running_count == 1 and capped.status().waiting == 2
        with pytest.raises(limits.LimitError, match=r"2 trainings are already waiting.*about"):
            start(capped, SMALL, tmp_path, "nocookie-3")
        shared = capped.run_once("default", TrainJob.train(SMALL, load_sample(),
                                                           tmp_path / "shared.keras"))
        assert shared.wait(180) and not shared.error  # shared work is never refused or behind
        for training in trainings:
            training.stop()
        assert all(training.wait(120) for training in trainings)


def test_a_full_disk_ends_the_training_with_a_message_and_keeps_the_network(backend, tmp_path):
    warm = start(backend, SMALL, tmp_path, "warm")
    assert warm.wait(180) and not warm.error
    (pid,) = backend.worker_pids()
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (50_000, 50_000))  # files past 50 KB fail
    folder = tmp_path / "full"
    folder.mkdir()
    full = start(backend, SMALL, folder, "full")
    assert full.wait(180)
    assert not full.error, full.error
    model = full.outcome.model
    assert model is not None and model.keras_path is None and model.test_accuracy > 0.8
    assert "could not be written" in full.progress.snapshot().message
    assert list(folder.iterdir()) == []  # no half-written file left behind
    assert pid in backend.worker_pids()  # the worker lives on


def test_a_session_folder_removed_meanwhile_is_not_made_again(backend, tmp_path):
    ended = tmp_path / "ended-session"
    job = TrainJob.train(SMALL, load_sample(), ended / "model-1.keras")
    training = backend.submit(job, Visitor("ended"))
    assert training.wait(180) and not training.error
    assert not ended.exists()
    assert training.outcome.model is not None and training.outcome.model.keras_path is None


def test_workers_are_the_first_the_kernel_ends_when_memory_runs_out(backend, tmp_path):
    training = start(backend, SMALL, tmp_path, "oom")
    assert training.wait(180) and not training.error
    for pid in backend.worker_pids():
        assert Path(f"/proc/{pid}/oom_score_adj").read_text().strip() == "1000"
    assert Path("/proc/self/oom_score_adj").read_text().strip() != "1000"


def test_a_training_lives_while_any_tab_of_its_browser_does(backend, tmp_path):
    tabs = {"old": True, "new": True}
    job = TrainJob.train(LONG, load_sample(), tmp_path / "model-tabs.keras")
    training = backend.submit(job, Visitor("old", "browser-t", lambda: tabs["old"]))
    training.touch("new", lambda: tabs["new"])
    wait_for(lambda: training.progress.snapshot().batch > 0)
    tabs["old"] = False  # the tab before the reload expired
    time.sleep(3.0)  # longer than the backends' look at their sessions
    assert training.running and not training.stop_requested.is_set()
    tabs["new"] = False
    assert training.wait(60) and training.stop_requested.is_set()
