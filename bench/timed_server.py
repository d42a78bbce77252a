"""`streamlit run app.py`, noting how long the server spends on every script run.

The load benchmark starts the app through this file to tell the server's share of a visitor's
wait from the browser's. Each script run (a page rerun or a fragment rerun) appends one JSON line
to the file named by ``RERUN_LOG``: when it ended (Unix time), its wall seconds, the CPU seconds
its thread got, the page, and whether it was a fragment. Nothing in the app changes.

    RERUN_LOG=/tmp/reruns.jsonl python bench/timed_server.py --server.port 8501
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_lock = threading.Lock()


def _page_of(runner) -> str:
    """The page a finished run showed, as the URL path Streamlit gives it ("" for Home)."""
    try:
        manager = runner._pages_manager
        info = manager.get_pages().get(manager.current_page_script_hash, {})
        return str(info.get("url_pathname", info.get("page_name", "")))
    except Exception:  # a private attribute moved: the timing still counts
        return "?"


def note_script_runs(log_path: str) -> None:
    """Wrap Streamlit's ScriptRunner so each script run writes its timing to ``log_path``."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def timed_run(self, rerun_data):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, rerun_data)
        finally:
            record = {"end": time.time(), "seconds": time.perf_counter() - wall,
                      "cpu_seconds": time.thread_time() - cpu, "page": _page_of(self),
                      "fragment": bool(rerun_data.fragment_id_queue)}
            with _lock, open(log_path, "a") as log:
                log.write(json.dumps(record) + "\n")

    script_runner.ScriptRunner._run_script = timed_run


if __name__ == "__main__":
    note_script_runs(os.environ["RERUN_LOG"])
    from streamlit.web import cli

    os.chdir(ROOT)
    sys.path[0] = str(ROOT)  # not bench/, whose pages.py would hide the app's pages package
    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    sys.exit(cli.main())
