"""A training's TensorFlow threads give way to visitors: only threads named tf_... are lowered."""

from __future__ import annotations

import ctypes
import os
import sys
import threading

import pytest

from explainer.server import cpu_share

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice")
PR_SET_NAME = 15


def named_thread(name: bytes):
    """A thread with kernel name ``name`` (as TensorFlow names its pools), and its stop event."""
    ready, done, tid = threading.Event(), threading.Event(), []

    def run():
        ctypes.CDLL(None).prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0)
        tid.append(threading.get_native_id())
        ready.set()
        done.wait(10)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(5)
    return tid[0], done, thread


def test_lowers_tensorflow_threads_only():
    tf_tid, tf_done, tf_thread = named_thread(b"tf_Compute")
    other_tid, other_done, other_thread = named_thread(b"visitor")
    try:
        assert tf_tid in cpu_share.tensorflow_threads()
        assert other_tid not in cpu_share.tensorflow_threads()
        assert cpu_share.lower_tensorflow_priority(7) >= 1
        assert os.getpriority(os.PRIO_PROCESS, tf_tid) == 7
        assert os.getpriority(os.PRIO_PROCESS, other_tid) == 0
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0
        assert cpu_share.lower_tensorflow_priority(7) == 0  # already there: nothing to change
    finally:
        for done, thread in ((tf_done, tf_thread), (other_done, other_thread)):
            done.set()
            thread.join()


def test_zero_turns_it_off():
    tid, done, thread = named_thread(b"tf_inter_op")
    try:
        assert cpu_share.lower_tensorflow_priority(0) == 0
        assert os.getpriority(os.PRIO_PROCESS, tid) == 0
    finally:
        done.set()
        thread.join()


@pytest.mark.parametrize(("value", "expected"), [(None, 10), ("0", 0), ("5", 5), ("99", 19),
                                                 ("-3", 0), ("much", 10)])
def test_setting_is_bounded(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("TRAINING_NICE", raising=False)
    else:
        monkeypatch.setenv("TRAINING_NICE", value)
    assert cpu_share.training_nice() == expected


def test_a_training_worker_lowers_and_names_itself_only():
    seen = []

    def worker():
        changed = cpu_share.lower_this_thread("mnist-training", 6)
        tid = threading.get_native_id()
        seen.append((changed, os.getpriority(os.PRIO_PROCESS, tid),
                     open(f"/proc/self/task/{tid}/comm").read().strip()))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [(True, 6, "mnist-training")]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0  # the caller's own


def test_a_worker_with_zero_keeps_normal_priority():
    seen = []

    def worker():
        seen.append((cpu_share.lower_this_thread("default-model", 0),
                     os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [(False, 0)]
