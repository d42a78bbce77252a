"""Home: what the app is, and the journey as a map."""

import streamlit as st

from explainer.content import journey
from pages.shared import check, end_page, start_page
from pages.shared.path import visited
from pages.shared.share_qr import offer_share_code

start_page(__file__)
offer_share_code()  # when served to a class: the address, and its QR code to project

st.title("How a neural network works")
st.markdown(
    "**A neural network is a big pile of simple arithmetic (multiply, add up, bend) whose "
    "numbers are nudged, example after example, until its answers come out right.**")
st.markdown(
    "This app lets you play with each piece until it clicks: one cell's weighted sum, the curves "
    "that bends can draw, how a network measures its mistakes and fixes them. Then you train a "
    "real network on 60,000 handwritten digits and watch it read **your** handwriting."
)

cols = st.columns(3)
cols[0].metric("Inputs", "784", help="A 28 x 28 image, one cell per pixel, values 0-255")
cols[1].metric("Weights to learn", "407,050", help="784 x 512 + 512 + 512 x 10 + 10")
cols[2].metric("Test accuracy", "≈ 97.9%", help="The 784-512-10 network after 5 epochs")

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
