"""For the host: which servers are up, the trainings running and waiting, the workers.

Not on the journey: open it by its address, /host_status. It refreshes itself every 2 s.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import streamlit as st

from explainer.training.pool import shared_backend
from pages.shared import start_page

start_page(__file__)
STATUS_ENV = "EXPLAINER_SERVE_STATUS"  # the serve command's status file

st.title("Host status")
st.caption("What this installation is running now; refreshed every 2 seconds.")


def read_status() -> dict | None:
    path = os.environ.get(STATUS_ENV, "").strip()
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def since(seconds: float) -> str:
    ago = max(time.time() - seconds, 0)
    return f"{ago / 60:.0f} min" if ago >= 90 else f"{ago:.0f} s"


@st.fragment(run_every=2.0)
def status_panel() -> None:
    served = read_status()
    st.subheader("Servers")
    if served is None:
        st.info("This is one server on its own (`streamlit run app.py`).", icon=":material/dns:")
    else:
        rows = [{"server": s["name"], "port": s["port"], "up": "✓ up" if s["up"] else "✗ down",
                 "restarts": s["restarts"], "running for": since(s["since"])}
                for s in served["servers"]]
        up = sum(s["up"] for s in served["servers"])
        st.metric("Servers up", f"{up} of {len(rows)}")
        st.dataframe(rows, hide_index=True, key="host_servers")
        if served.get("share_url"):
            st.caption(f"Shared address: {served['share_url']}")
    st.subheader("Trainings")
    status = shared_backend().status()
    cols = st.columns(4)
    cols[0].metric("Visitors' trainings running", f"{status.running} of {status.limit}")
    cols[1].metric("Waiting in line", status.waiting)
    cols[2].metric("Shared work (default model, experiments)",
                   f"{status.shared_running} running, {status.shared_waiting} waiting")
    cols[3].metric("Training processes", status.workers)
    where = ("a job queue shared by every server" if served and served.get("queue")
             else "this server's own worker processes")
    st.caption(f"Trainings run on {where}; last device: {status.device or 'none yet'}.")


status_panel()
st.page_link("pages/home.py", label="Back to the app", icon=":material/home:")
