"""Home: what the app is, two guesses before the journey, and the journey as a map."""

import streamlit as st

from explainer.content import journey
from pages.shared import check, end_page, start_page
from pages.shared.path import visited
from pages.shared.share_qr import offer_share_code

start_page(__file__)
offer_share_code()  # when served to a class: the address, and its QR code to project

PAGE = "pages/home.py"

st.title("How a neural network works")
st.markdown(
    "**A neural network is a big pile of simple arithmetic (multiply, add up, bend) whose "
    "numbers are nudged, example after example, until its answers come out right.**")
st.markdown(
    "This app lets you play with each piece until it clicks: one cell's weighted sum, the curves "
    "that bends can draw, how a network measures its mistakes and fixes them. Then you train a "
    "real network on 60,000 handwritten digits and watch it read **your** handwriting."
)
st.caption(":material/menu_book: It follows **the walk-through** page by page: a beginner's "
           "blog post, written from a talk, that explains one network reading handwritten "
           "digits, with François Chollet's *Deep Learning with Python* as its guide. Where a "
           "page says \"the walk-through\", it means that post.")

st.subheader("Two guesses before you start")
cols = st.columns(3)
cols[0].metric("Inputs", "784", help="A 28 x 28 image, one cell per pixel, values 0-255")
if check.task(PAGE, "weights", "How many numbers does the network learn, to read a "
              "handwritten digit?", ["About 800", "About 40,000", "About 400,000",
                                     "About 40 million"], "About 400,000",
              "407,050: a weight on every wire between its 784 inputs, 512 hidden cells and 10 "
              "outputs, and a bias per cell. Neurons and layers counts them with you."):
    cols[1].metric("Numbers to learn", "407,050", help="784 x 512 + 512 + 512 x 10 + 10")
if check.task(PAGE, "accuracy", "Trained on 60,000 handwritten digits, how many of 100 new "
              "ones, which it has never seen, does it read right?",
              ["About 60", "About 80", "About 98", "All 100"], "About 98",
              "About 97.9 of 100 after 5 passes over the 60,000 training digits. The few it "
              "gets wrong are often hard for people too: Train on MNIST shows them."):
    cols[2].metric("Test accuracy", "≈ 97.9%", help="The 784-512-10 network after 5 epochs")
check.progress(PAGE, 2)

st.subheader("The journey")
st.caption("Follow the stops in order; each builds on the one before. "
           ":material/check_circle: marks the stops you have opened in this visit.")
seen = visited()
for section in journey.SECTIONS[1:]:
    stops = journey.stops(section)
    if not stops:
        continue
    st.markdown(f"**{section}**")
    columns = st.columns(max(len(stops), 3))
    for column, stop in zip(columns, stops):
        with column.container(border=True):
            st.page_link(stop.page, label=stop.title, icon=stop.icon)
            st.caption(stop.summary)
            status = []
            if stop.page in seen:
                status.append(":material/check_circle: visited")
            tasks = check.summary(stop.page)
            if tasks is not None:
                status.append(f"check yourself: {tasks[0]} of {tasks[1]} done")
            if status:
                st.caption(" · ".join(status))

end_page(__file__)
