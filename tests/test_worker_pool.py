"""Trainings in real worker processes: progress, results, Stop, a killed worker, the line, limits.

Every test runs on both backends: the local pool, and the job queue on a real Redis with real
queue workers (tests/backends.py). Small networks on the shipped sample, so each training takes
seconds on two cores. One backend (two slots) serves the module; the tests that need other
settings make their own.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from backends import KINDS, make_backend

from explainer.concepts.models.reading import Reader
from explainer.data.mnist import load_sample
from explainer.training import limits
from explainer.training.jobs import TrainJob
from explainer.training.local_pool import LocalPool
from explainer.training.pool import Visitor
from explainer.training.spec import PRESETS, prepare_inputs
from explainer.training.supervisor import WORKER_DIED
from explainer.training.trained import outcome_from_result

pytestmark = pytest.mark.slow

SMALL = PRESETS["post"].with_changes(hidden=(64,), epochs=2)
LONG = SMALL.with_changes(epochs=30)


def wait_for(condition, timeout=180.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def job(config, folder: Path, seeds=(0,)) -> TrainJob:
    return TrainJob.train(config, load_sample(), folder / f"model-{time.monotonic_ns()}.keras",
                          seeds=tuple(seeds))


def start(pool, config, folder, session, seeds=(0,), browser="", session_exists=None):
    return pool.submit(job(config, folder, seeds), Visitor(session, browser, session_exists))


@pytest.fixture(scope="module", params=KINDS)
def kind(request):
    return request.param


@pytest.fixture(scope="module")
def pool(kind):
    with make_backend(kind, limit=2) as backend:
        yield backend


@pytest.fixture(scope="module")
def finished(pool, tmp_path_factory):
    """Three seeds of a small network, trained in a worker: (training, snapshots seen)."""
    folder = tmp_path_factory.mktemp("models")
    training = start(pool, SMALL, folder, "seeds", seeds=(0, 1, 2))
    seen = []
    while training.running:
        seen.append(training.progress.snapshot())
        time.sleep(0.05)
    return training, seen


def test_a_training_streams_its_progress_and_returns_numpy_weights(finished):
    training, seen = finished
    assert not training.error, training.error
    phases = [snap.phase for snap in seen]
    assert "starting" in phases or "loading" in phases
    assert any(s.phase == "training" and s.batch > 0 and s.samples_per_second > 0 for s in seen)
    assert any(s.eta_s is not None for s in seen)
    snap = training.progress.snapshot()
    assert snap.phase == "done" and snap.device.startswith(("CPU", "GPU"))
    assert snap.epochs_log["epoch"] == [1, 2] and snap.run == 3
    assert snap.samples_done == snap.samples_total == 3 * 2 * 6000
    outcome = outcome_from_result(training.result, SMALL)
    assert [run.seed for run in outcome.runs] == [0, 1, 2]
    accuracies = outcome.accuracies
    assert outcome.model.test_accuracy == sorted(accuracies)[1] > 0.85  # the median seed's
    assert all(w.dtype == np.float32 for w in outcome.model.weights)
    assert [w.shape for w in outcome.model.weights] == [(784, 64), (64,), (64, 10), (10,)]
    assert outcome.model.nbytes < 1_000_000
    # the others keep only their figures
    assert sum("test_probabilities" in r for r in training.result["runs"]) == 1


def test_numpy_answers_like_the_keras_file_the_worker_wrote(finished):
    import keras

    training, _ = finished
    model = outcome_from_result(training.result, SMALL).model
    assert model.keras_path.is_file() and model.keras_bytes()[:2] == b"PK"  # a zip archive
    loaded = keras.saving.load_model(model.keras_path)
    digits = load_sample().x_test
    by_keras = loaded.predict_on_batch(prepare_inputs(digits, SMALL))
    np.testing.assert_allclose(Reader.of(model).read_many(digits), by_keras, atol=1e-5)
    np.testing.assert_allclose(model.test_probabilities, by_keras, atol=1e-5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SCHED_IDLE is Linux's")
def test_workers_run_at_the_lowest_priority(pool, finished):
    pids = pool.worker_pids()
    assert pids
    for pid in pids:
        threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        assert len(threads) > 3  # TensorFlow's own threads, started after the switch
        assert {os.sched_getscheduler(tid) for tid in threads} == {os.SCHED_IDLE}
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # this process is left as it was


def test_stop_ends_training_after_the_current_batch_and_keeps_the_model(pool, finished, tmp_path):
    training = start(pool, LONG, tmp_path, "stopper")
    started = time.monotonic()
    wait_for(lambda: training.progress.snapshot().epoch >= 1)
    assert time.monotonic() - started < 120
    warm = list(getattr(pool, "start_seconds", []))
    training.stop()
    assert training.wait(120)
    snap = training.progress.snapshot()
    assert snap.phase == "stopped" and snap.stop_latency_s is not None
    (run,) = training.result["runs"]
    assert run["ended_by"] == "stop" and run["stopped"] and 1 <= run["epochs_done"] < 30
    assert run["test_accuracy"] > 0.8  # at least one epoch: a usable model, tested
    assert list(getattr(pool, "start_seconds", [])) == warm  # a warm worker took it


def test_a_killed_worker_fails_only_its_training(pool, finished, tmp_path):
    victim = start(pool, LONG, tmp_path, "victim")
    wait_for(lambda: victim.progress.snapshot().batch > 0)
    os.kill(victim.progress.snapshot().worker_pid, signal.SIGKILL)
    assert victim.wait(60)
    assert victim.error == WORKER_DIED and victim.progress.snapshot().phase == "failed"
    assert "Nothing else was affected" in victim.progress.snapshot().error
    assert pool.status().running_count == 0  # its slot is free
    again = start(pool, SMALL.with_changes(epochs=1), tmp_path, "victim")  # the next one works
    assert again.wait(180) and not again.error
    assert again.result["runs"][0]["test_accuracy"] > 0.8


def test_one_training_per_session_and_per_client(pool, finished, tmp_path):
    first = start(pool, LONG, tmp_path, "session-a", browser="1")
    try:
        with pytest.raises(limits.LimitError, match="one at a time per visitor"):
            start(pool, SMALL, tmp_path, "session-a")
        with pytest.raises(limits.LimitError, match="another tab"):  # another tab, same browser
            start(pool, SMALL, tmp_path, "session-b", browser="1")
    finally:
        first.stop()
        first.wait(120)
    other = start(pool, SMALL.with_changes(epochs=1), tmp_path, "session-b",
                  browser="1")  # once it ended: allowed
    assert other.wait(180) and not other.error


def test_a_reload_finds_the_browsers_training_and_the_last_tab_takes_it(pool, finished,
                                                                       tmp_path):
    first = start(pool, SMALL.with_changes(epochs=1), tmp_path, "tab-1", browser="reloader")
    assert pool.find("reloader") is first and pool.find("") is None
    first.touch("tab-2")  # the reloaded tab looks at it: it is the one to hand it to
    assert first.wait(180) and not first.error
    assert not first.claim("tab-1")
    assert first.claim("tab-2") and not first.claim("tab-2")  # once
    assert first.outcome.model is not None and first.outcome.model.test_accuracy > 0.8


def test_shared_work_runs_once_per_key(pool, finished, tmp_path):
    quick = SMALL.with_changes(epochs=1)
    first = pool.run_once("quick", job(quick, tmp_path))
    assert pool.run_once("quick", job(quick, tmp_path)) is first
    assert first.wait(180) and not first.error
    assert pool.run_once("quick", job(quick, tmp_path)) is first  # finished: its result stays


def test_shared_work_asked_for_twice_at_once_is_trained_once(kind, pool, finished, tmp_path,
                                                            monkeypatch):
    """Two servers ask for the same shared work together: the second finds the first's claim
    before its job is in the queue, and follows it instead of starting its own."""
    import threading

    if kind == "local":
        pytest.skip("the local pool decides under one lock: there is no gap between claim and "
                    "queue")
    queued = pool._enqueue

    def slowly(training):
        time.sleep(0.5)  # the gap between the claim and the queue, made wide
        queued(training)

    monkeypatch.setattr(pool, "_enqueue", slowly)
    quick = SMALL.with_changes(epochs=1)
    got = []
    askers = [threading.Thread(target=lambda: got.append(pool.run_once("twice", job(quick,
                                                                                  tmp_path))))
              for _ in range(2)]
    for asker in askers:
        asker.start()
        time.sleep(0.1)
    for asker in askers:
        asker.join(30)
    assert len(got) == 2 and got[0].id == got[1].id
    assert got[0].wait(180) and not got[0].error


def test_past_the_limit_trainings_wait_in_line_with_their_place(kind, tmp_path):
    with make_backend(kind, limit=1) as line:
        first = start(line, LONG, tmp_path, "one")
        wait_for(lambda: first.progress.snapshot().batch > 0)
        second = start(line, SMALL.with_changes(epochs=1), tmp_path, "two")
        third = start(line, SMALL.with_changes(epochs=1), tmp_path, "three")
        wait_for(lambda: (second.progress.snapshot().queue_place,
                          third.progress.snapshot().queue_place) == (1, 2), timeout=10)
        assert "yours is number 2 in line" in third.progress.snapshot().message
        third.stop()  # leaving the line: the one behind moves up, nothing starts
        assert third.wait(5) and third.progress.snapshot().phase == "stopped"
        assert line.status().waiting == 1 and line.status().running_count == 1
        shared = line.run_once("shared", job(SMALL.with_changes(epochs=1), tmp_path))
        assert shared.wait(180) and not shared.error  # its own slot: not behind the line
        assert second.running and first.running
        wait_for(lambda: first.progress.snapshot().batch > 0)
        first.stop()
        assert second.wait(180) and not second.error and second.result["runs"]
        assert first.result["runs"][0]["ended_by"] == "stop"


def test_the_worker_refuses_work_over_the_cap_and_ends_at_the_time_cap(kind, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("TRAINING_MAX_WORK_S", "10")
    monkeypatch.setenv("TRAINING_MAX_WALL_S", "1")  # far less than 30 epochs take
    with make_backend(kind, limit=1) as capped:  # its workers read these settings
        big = start(capped, PRESETS["better-mlp"].with_changes(epochs=30), tmp_path, "big")
        assert big.wait(180)
        assert "would take about" in big.error and big.result is None
        timed = start(capped, LONG, tmp_path, "long")
        assert timed.wait(180) and not timed.error
        (run,) = timed.result["runs"]
        assert run["ended_by"] == "time" and run["epochs_done"] < 30


def test_a_training_whose_sessions_are_gone_stops(kind, tmp_path):
    with make_backend(kind, limit=1) as short:
        tab = {"open": True}
        orphan = start(short, LONG, tmp_path, "gone", session_exists=lambda: tab["open"])
        wait_for(lambda: orphan.progress.snapshot().batch > 0)
        tab["open"] = False  # the tab closed and its session expired
        assert orphan.wait(180)
        (run,) = orphan.result["runs"]
        assert run["ended_by"] == "stop" and run["epochs_done"] < 30


def test_idle_workers_exit(tmp_path):
    short = LocalPool(limit=1, idle_seconds=1)
    try:
        done = start(short, SMALL.with_changes(epochs=1), tmp_path, "idle")
        assert done.wait(180) and not done.error
        (pid,) = short.worker_pids()
        wait_for(lambda: not short.worker_pids(), timeout=30)  # idle: it exits
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=30)
    finally:
        short.shutdown()
