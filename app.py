"""Router: page config, the navigation built from the journey, a shared sidebar, then the page."""

# pandas is imported whole before any page runs: plotly peeks at sys.modules for it, and two
# sessions starting at once could otherwise hand it a half-imported pandas.
import pandas  # noqa: F401
import streamlit as st

from explainer.content import journey
from explainer.serve import status as serve_status
from explainer.server import collector, server_memory
from explainer.training import pool

server_memory.keep_memory_flat()  # once per process: memory stays flat as visitors come and go
collector.set_aside_imports()  # once per process: the collection after each run stays quick

st.set_page_config(page_title="How a neural network works", page_icon=":material/neurology:",
                   layout="wide")

navigation = {
    section: [st.Page(stop.page, title=stop.title, icon=stop.icon,
                      default=stop.page == "pages/home.py")
              for stop in journey.stops(section)]
    for section in journey.SECTIONS
}
if serve_status.served():  # under `python -m explainer.serve`: the host's page, /host?key=...
    navigation[journey.SECTIONS[0]].append(st.Page("pages/host.py", title="Host", url_path="host",
                                                   icon=":material/dns:", visibility="hidden"))
page = st.navigation({section: pages for section, pages in navigation.items() if pages})

with st.sidebar:
    trained = st.session_state.get("session_model")
    if trained is not None:
        st.caption(f":material/check_circle: Your model: {trained.name}")
    if pool.last_device():  # reported by a training worker once one has started
        st.caption(f":material/memory: Trainings run on: {pool.last_device()}")
    st.caption("Digits: MNIST by LeCun, Cortes & Burges (CC BY-SA 3.0)")

page.run()
