"""Glossary: the key terms, each with a short definition and a link to where you can try it."""

import streamlit as st

from explainer.content import journey
from explainer.content.glossary import TERMS
from pages.shared import end_page, start_page

start_page(__file__)

st.title("Glossary")
st.caption("The words of the journey in two lines each. Follow a link to play with the idea.")

# A link such as /glossary?term=softmax opens the page filtered to that term.
linked = st.query_params.get("term", "")
st.session_state.setdefault("glossary_query", str(linked)[:40])
query = st.text_input("Find a term", key="glossary_query", placeholder="e.g. softmax",
                      max_chars=40).strip().lower()
shown = [t for t in TERMS if query in t.name.lower() or query in t.definition.lower()]
if not shown:
    # The search may come from a link (?term=...): it stays in the text box and never goes into
    # markdown, where a crafted one could become a link or an image.
    st.info("No term matches your search. Try another word, or clear the box.")

columns = st.columns(2)
for i, term in enumerate(shown):
    with columns[i % 2].container(border=True):
        st.markdown(f"**{term.name}**")
        st.write(term.definition)
        stop = journey.find(term.page) if term.page else None
        if stop is not None and stop.exists:
            st.page_link(stop.page, label=f"Try it: {stop.title}", icon=stop.icon)

end_page(__file__)
