"""Host: the servers behind the class's address, for whoever runs it (``/host?key=...``).

Only under ``python -m explainer.serve``, which prints this page's link with its key.
"""

import hmac
import os
import time

import streamlit as st

from explainer.serve import hooks, status
from pages.shared import use_router
from pages.shared.share_qr import offer_share_code

STATE_MARKS = {"up": "✓ up", "starting": "… starting", "restarting": "↻ restarting",
               "not answering": "✗ not answering", "stopped": "■ stopped"}

use_router()
st.title("Host: the servers of this class")

expected = os.environ.get(status.HOST_KEY_VARIABLE, "")
given = st.query_params.get("key", "")
if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
    st.info("This page is for the host of the class. Open it with the link that "
            "`python -m explainer.serve` printed, key included.", icon=":material/lock:")
    st.stop()

offer_share_code(key="host_share_qr")


def duration(seconds: float) -> str:
    minutes, seconds = divmod(int(max(seconds, 0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {seconds:02d} s"


@st.fragment(run_every=5)
def overview() -> None:
    cluster = status.read()
    if cluster is None:
        st.warning("The serve command's status cannot be read: is it still running?",
                   icon=":material/warning:")
        return
    servers, workers = cluster.of_kind("server"), cluster.of_kind("worker")
    trainings = hooks.training_status()
    columns = st.columns(4)
    columns[0].metric("Servers up", f"{cluster.up('server')} of {len(servers)}",
                      help="Streamlit servers answering; a server that stops is started again")
    where = ("the whole class's, on the job queue" if trainings.workers is not None
             else "this server's own")
    columns[1].metric("Trainings running", trainings.running_count, help=where)
    columns[2].metric("Trainings waiting", trainings.waiting, help=where)
    columns[3].metric("Queue workers", f"{cluster.up('worker')} of {len(workers)}"
                      if workers else "none")
    here = os.environ.get(status.SERVER_VARIABLE, "")
    now = time.time()
    st.dataframe([{"Process": p.name + (" (this page)" if p.name == here else ""),
                   "What": p.kind, "State": STATE_MARKS.get(p.state, p.state),
                   "For": duration(now - p.since), "Restarts": p.restarts}
                  for p in cluster.programs], hide_index=True)
    st.caption(f"Sharing {cluster.address} for {duration(now - cluster.started)}; "
               f"updated {duration(now - cluster.updated)} ago. This view refreshes every 5 s.")


overview()
