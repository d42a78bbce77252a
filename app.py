"""Router: page config, the navigation built from the journey, a shared sidebar, then the page."""

import streamlit as st

from explainer.content import journey
from explainer.serve import status as serve_status
from explainer.server import server_memory
from explainer.training import pool
from pages.shared import own_training, start_app

# Once per process, and every other run waits for it: the pages' imports, whole before any page
# draws (a class arriving at a fresh server at once), and the collection after each run quick.
start_app()
server_memory.keep_memory_flat()  # once per process: memory stays flat as visitors come and go

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

own_training.take_finished()  # a training that ended while this visitor was elsewhere

with st.sidebar:
    trained = st.session_state.get(own_training.MODEL)
    if trained is not None:
        st.caption(f":material/check_circle: Your model: {trained.name}")
    if pool.last_device():  # reported by a training worker once one has started
        st.caption(f":material/memory: Trainings run on: {pool.last_device()}")
    st.caption("Digits: MNIST by LeCun, Cortes & Burges (CC BY-SA 3.0)")

page.run()
