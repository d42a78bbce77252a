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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_lock = threading.Lock()


def note_script_runs(log_path: str) -> None:
    """Append each script run's timing to ``log_path``, one JSON line per run."""
    sys.path.insert(0, str(ROOT))
    from pages.shared.streamlit_internals import time_script_runs

    def record(run: dict) -> None:
        with _lock, open(log_path, "a") as log:
            log.write(json.dumps(run) + "\n")

    time_script_runs(record)


if __name__ == "__main__":
    note_script_runs(os.environ["RERUN_LOG"])
    from streamlit.web import cli

    os.chdir(ROOT)
    sys.path[0] = str(ROOT)  # not bench/, whose pages.py would hide the app's pages package
    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    sys.exit(cli.main())
